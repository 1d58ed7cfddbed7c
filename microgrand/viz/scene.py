"""The scene: everything a drawing of a graph shows, worked out once, for every renderer.

Data flows one way::

    trace(root) ──► Scene ──► svg.py (layout.py places it) ──► draw_svg, the player's picture
                          ├─► dot.py (Graphviz places it) ──► draw_dot, draw_step
                          └─► frames.py ──► player.py (+ player.js) ──► stepper

A scene holds no positions and no markup, and nothing changes it once made: a box per
Value drawn (kind, label, op, texts), an arrow per input edge drawn (its local derivative),
what was cut, and, when a backward pass is given, what each of its steps changes. A box
lists every text it will ever show, the finished picture's first, so a renderer can size
it once and a player can change its text frame by frame without moving anything.

Big graphs are cut twice: only the `max_nodes` Values nearest the root are drawn (breadth
first, as `trace` lists them), and only the first ``EDGES_PER_NODE × max_nodes`` of their
edges (in trace order: the root's inputs first). Everything cut is one dashed box,
"… N more nodes, M more edges", with a dashed arrow into each operation that lost an input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..engine import Value
from ..graph import BackwardStep, backward_steps, trace
from .style import kind, num, number_of, shown_text

EDGES_PER_NODE = (
    3  # arrows drawn per Value drawn: a dense graph (every op over all before it) stays a picture
)


@dataclass(frozen=True)
class Box:
    """One Value. `data` and `grad` are every text its cells show, the finished picture's first."""

    kind: str  # root, parameter, leaf, constant or result (style.KINDS has their colours)
    label: str
    op: str  # "" for a leaf
    data: tuple[str, ...]
    grad: tuple[str, ...]  # empty: no grad cell


@dataclass(frozen=True)
class Arrow:
    """One input of one operation: box `tail` (None: the cut box) → the op of box `head`."""

    tail: int | None
    head: int
    texts: tuple[str, ...]  # its label: the finished picture's first, then those a backward step writes


@dataclass(frozen=True)
class GradText:
    """A grad as a box shows it: ``grad -2``, or ``grad 3 (so far)`` while it is a running sum."""

    box: int
    text: str
    so_far: bool


@dataclass(frozen=True)
class Step:
    """One step of the backward pass, as drawn: who passes, what goes along each input, what it sets."""

    box: int | None  # the node at work; None when it is beyond the cut
    passes: tuple[tuple[int | None, str], ...]  # per input, in order: (its arrow or None, the product)
    grads: tuple[GradText, ...]  # the grads this step sets on drawn boxes, in the order it adds them
    backward: BackwardStep  # the step itself, with its numbers (captions name the Values)


@dataclass(frozen=True)
class Scene:
    """What to draw. `values[i]` is the Value of `boxes[i]`; ``values[0]`` is the root."""

    values: tuple[Value, ...]
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    inputs: tuple[tuple[int | None, ...], ...]  # per box: the arrow of each input, in order (None: cut)
    hidden_nodes: int  # Values beyond max_nodes
    hidden_edges: int  # edges between drawn Values beyond the arrow budget
    labelled: bool  # room for a label on every input arrow
    start: GradText | None  # the root's grad when the backward pass begins (with `steps`)
    steps: tuple[Step, ...]  # the backward pass, one Step per interior node (empty without one)

    @property
    def cut_text(self) -> str:
        """The cut box's text, "" when nothing is cut."""
        parts = []
        if self.hidden_nodes:
            parts.append(f"{self.hidden_nodes:,} more node{'s' if self.hidden_nodes != 1 else ''}")
        if self.hidden_edges:
            parts.append(f"{self.hidden_edges:,} more edge{'s' if self.hidden_edges != 1 else ''}")
        return "… " + ", ".join(parts) if parts else ""

    def grads_after(self, k: int) -> dict[int, GradText]:
        """Each drawn box's grad once steps 0..k have run (boxes not reached yet are missing)."""
        reached = {self.start.box: self.start} if self.start else {}
        for step in self.steps[: k + 1]:
            reached.update((g.box, g) for g in step.grads)
        return reached


def make_scene(
    root: Value,
    params: set[Value],
    max_nodes: int | None,
    show_grad: bool,
    show_local_grads: bool,
    steps: Sequence[BackwardStep] | None = None,
    forward: bool = False,
) -> Scene:
    """The scene of the graph behind `root`, cut to `max_nodes` Values.

    Without `steps`, grads are the ones stored in the Values. With `steps` (a whole backward
    pass of `root`), each box's grads are those the pass sets, step by step, the last one first.
    `forward`: results also show ``data ?`` (not computed yet), for a player's forward frames.
    """
    nodes, edges = trace(root)
    drawn = nodes if max_nodes is None else nodes[:max_nodes]
    index = {v: i for i, v in enumerate(drawn)}
    max_arrows = None if max_nodes is None else EDGES_PER_NODE * max_nodes

    tails: list[int | None] = []
    heads: list[int] = []
    locals_: list[str] = []
    inputs: list[list[int | None]] = [[] for _ in drawn]
    cut: dict[int, None] = {}  # boxes that lost an input to the cut (a dict keeps their order)
    hidden_edges = 0
    for edge in edges:
        head = index.get(edge.output)
        if head is None:  # trace lists edges node by node, in the order of `nodes`: all drawn ones came
            break
        tail = index.get(edge.input)
        if tail is not None and (max_arrows is None or len(heads) < max_arrows):
            inputs[head].append(len(heads))
            tails.append(tail)
            heads.append(head)
            locals_.append(num(edge.local_grad) if show_local_grads else "")
        else:
            hidden_edges += tail is not None
            inputs[head].append(None)
            cut[head] = None
    arrow_texts: list[list[str]] = [[t] for t in locals_]

    data = [[f"data {num(number_of(v, 'data'))}"] for v in drawn]
    if forward:
        for texts, v in zip(data, drawn):
            if not v.is_leaf:
                texts.append("data ?")
    start: GradText | None = None
    scene_steps: list[Step] = []
    if steps is None:
        grads = [[f"grad {num(number_of(v, 'grad'))}"] if show_grad else [] for v in drawn]
    else:  # the grads the pass sets: the last first, as the finished picture shows them
        start, scene_steps, seen = _replay(steps, root, index, inputs)
        grads = [list(dict.fromkeys([s[-1] if s else "grad ?", "grad ?", *s])) for s in seen]
        for step in scene_steps:
            for arrow, product in step.passes:
                if arrow is not None:
                    arrow_texts[arrow].append(product)

    boxes = tuple(
        Box(
            kind(v, root, params),
            shown_text(v, "label"),
            shown_text(v, "op") if not v.is_leaf else "",
            tuple(d),
            tuple(g),
        )
        for v, d, g in zip(drawn, data, grads)
    )
    arrows = [Arrow(t, h, tuple(dict.fromkeys(texts))) for t, h, texts in zip(tails, heads, arrow_texts)]
    arrows += [Arrow(None, head, ("",)) for head in cut]
    return Scene(
        values=tuple(drawn),
        boxes=boxes,
        arrows=tuple(arrows),
        inputs=tuple(tuple(i) for i in inputs),
        hidden_nodes=len(nodes) - len(drawn),
        hidden_edges=hidden_edges,
        labelled=show_local_grads or steps is not None,
        start=start,
        steps=tuple(scene_steps),
    )


def replayed_pass(root: Value) -> list[BackwardStep]:
    """The steps of ``root.backward()`` from zero grads (as after ``zero_grad()``), with every
    grad put back afterwards: showing a pass changes nothing in the graph."""
    everything = trace(root)[0]
    saved = [v.grad for v in everything]
    try:
        for v in everything:
            if v.is_leaf:
                v.grad = 0.0
        return list(backward_steps(root))
    finally:
        for v, g in zip(everything, saved):
            v.grad = g


def _replay(
    steps: Sequence[BackwardStep],
    root: Value,
    index: dict[Value, int],
    inputs: list[list[int | None]],
) -> tuple[GradText | None, list[Step], list[list[str]]]:
    """The backward pass as the boxes see it: the root's grad at the start, each step's products
    and grads, and every grad text each box shows (in order)."""
    # how many contributions each input receives: until the last, its grad is a running sum
    pending: dict[Value, int] = {}
    for step in steps:
        for p in step.passes:
            pending[p.input] = pending.get(p.input, 0) + 1
    seen: list[list[str]] = [[] for _ in index]
    upstream = steps[0].upstream if steps else 1.0  # d(root)/d(root)
    start = GradText(0, f"grad {num(upstream)}", False) if root in index else None
    if start:
        seen[0].append(start.text)
    out = []
    for step in steps:
        grads = []
        for p in step.passes:
            pending[p.input] -= 1
            i = index.get(p.input)
            if i is not None:
                so_far = pending[p.input] > 0
                text = f"grad {num(p.grad_after)}" + (" (so far)" if so_far else "")
                grads.append(GradText(i, text, so_far))
                seen[i].append(text)
        box = index.get(step.node)
        passes: tuple[tuple[int | None, str], ...] = ()
        if box is not None:  # what goes along each edge: the chain rule at this node, written out
            passes = tuple(
                (arrow, f"{num(p.local_grad)} × {num(step.upstream)} = {num(p.contribution)}")
                for p, arrow in zip(step.passes, inputs[box])
            )
        out.append(Step(box, passes, tuple(grads), step))
    return start, out, seen
