"""The player as a lab: what it says when you point at a part, asks before it tells, forward mode.

* `explore`: for each edge, its local derivative with the formula
  (``∂e/∂a = ∂(a * b)/∂a = b = −3``) and, from the frame where the upstream
  gradient is known, the chain-rule product; for each box, its gradient as the
  sum over its uses (``∂L/∂a = 6 = −3 × −2``), from the frame where it is complete.
* `add_quiz`: before a backward step tells the gradient of the first input it
  reaches, the page asks for it (the answer, and what each hint looks at).
* `forward_frames`: forward mode (`microgrand.tangents`), one frame per operation:
  its value and its tangent d(node)/dx, the sum over its inputs of local × tangent.

Each text is made here once, in Python; `player.js` only shows them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..engine import Value
from ..graph import trace
from ..tangents import forward_steps
from .frames import Frame, _minus, _Names, make_frames
from .scene import Scene, make_scene, replayed_pass
from .style import num

MAX_TERMS = 6  # terms of a sum written out; the rest are counted


def local_formula(node: Value, k: int, names: _Names) -> str:
    """``∂e/∂a = ∂(a * b)/∂a = b``: the local derivative of `node` by its input `k`, as a formula
    where microgrand's op has one (a custom op's, e.g. a neuron's, is just a number)."""
    x = names.of(node.children[k])
    op = str(node.op)
    ins = [names.of(c) for c in node.children]
    a, b = ins[0], ins[-1]  # the two inputs of a binary op
    other = ins[1 - k] if len(ins) == 2 else ""
    rules = {
        "+": "1",
        "-": "1" if k == 0 else "−1",
        "*": other,
        "/": f"1/{b}" if k == 0 else f"−{a}/{b}²",
        "neg": "−1",
        "abs": f"sign({x})",
        "exp": f"exp({x})",
        "log": f"1/{x}",
        "sqrt": f"1/(2·√{x})",
        "tanh": f"1 − tanh²({x})",
        "sigmoid": f"σ({x})·(1 − σ({x}))",
        "relu": f"(1 if {x} ≥ 0 else 0)",
        "leaky_relu": f"(1 if {x} ≥ 0 else the slope)",
        "**": f"{b}·{a}^({b} − 1)" if k == 0 else f"{a}^{b}·ln {a}",
        "prelu": f"(1 if {a} ≥ 0 else {b})" if k == 0 else f"(0 if {a} ≥ 0 else {a})",
    }
    rule = rules.get(op)
    if rule is None and op.startswith("**") and len(ins) == 1:
        n = float(op[2:])
        rule = f"{op[2:]}·{x}^{n - 1:g}"
    whole = f"∂{names.of(node)}/∂{x}"
    if node.label:
        whole += f" = ∂({names.formula(node)})/∂{x}"
    return f"{whole} = {rule}" if rule else whole


def explore(root: Value, scene: Scene, frames: list[Frame], names: _Names) -> dict[str, Any]:
    """What the page says when the learner points at an edge or a box of a reverse-mode player."""
    index = {v: i for i, v in enumerate(scene.values)}
    r = _root_name(root, names)
    edges: list[list[Any] | None] = [None] * len(scene.arrows)
    for i, v in enumerate(scene.values):  # the local derivatives are known before any pass
        arrows = scene.inputs[i]
        for k, (a, local) in enumerate(zip(arrows, v.local_grads)):
            if a is not None:
                edges[a] = [f"{local_formula(v, k, names)} = {_n(local)}", "", -1]
    terms: dict[int, list[str]] = {0: []}
    grads: dict[int, float] = {0: 1.0}
    known: dict[int, int] = {0: next((f for f, fr in enumerate(frames) if fr.backward), 0)}
    for f, frame in enumerate(frames):
        for drawn in frame.steps:
            step = drawn.backward
            node = step.node
            ends: list[int | None] = [a for a, _ in drawn.passes] or [None] * len(step.passes)
            for p, a in zip(step.passes, ends):
                product = f"{_n(p.local_grad)} × {_n(step.upstream)}"
                if a is not None:
                    edge = edges[a]
                    assert edge is not None
                    edge[1] = (
                        f"chain rule: ∂{r}/∂{names.of(node)} = {_n(step.upstream)} comes down this edge as "
                        f"{product} = {_n(p.contribution)}, {names.of(p.input)}'s share"
                    )
                    edge[2] = f
                j = index.get(p.input)
                if j is not None:
                    terms.setdefault(j, []).append(product)
                    grads[j] = p.grad_after
                    known[j] = f
    nodes: list[list[Any] | None] = [None] * len(scene.values)
    for j, v in enumerate(scene.values):
        if j == 0:
            nodes[j] = [f"∂{r}/∂{r} = 1: backward() starts here", known[0]]
        elif j in terms:
            uses = len(terms[j])
            why = "one use" if uses == 1 else f"the sum over its {uses} uses"
            nodes[j] = [f"∂{r}/∂{names.of(v)} = {_n(grads[j])} = {_sum(terms[j])} ({why})", known[j]]
    return {"edges": edges, "nodes": nodes}


def add_quiz(root: Value, frames: list[Frame], names: _Names) -> None:
    """Give each drawn backward step a question: the gradient of the first input it reaches."""
    r = _root_name(root, names)
    for frame in frames:
        if not frame.steps or frame.lit < 0 or frame.steps[-1].box is None:
            continue
        step = frame.steps[-1].backward
        first = step.passes[0]
        x, node = names.of(first.input), names.of(step.node)
        mine = [p for p in step.passes if p.input is first.input]
        answer = mine[-1].grad_after
        before = mine[0].grad_after - mine[0].contribution  # what it had from earlier uses
        # the first hint whose number matches the answer is shown: a share of a sum is the likeliest slip
        hints = []
        if len(mine) > 1:
            hints.append([
                _float(first.contribution),
                f"That is one edge's share. {x} is used {len(mine)} times by {node}: its gradient is "
                "the sum over its uses, add every edge's share.",
            ])  # fmt: skip
        if before != 0.0:
            hints.append([
                _float(sum(p.contribution for p in mine)),
                f"That is this step's share. {x} already had {_n(before)} from another use: its "
                "gradient is the sum over its uses, add this share to it.",
            ])  # fmt: skip
        hints.append([
            _float(first.local_grad),
            f"That is the local derivative ∂{node}/∂{x}. Multiply it by the upstream gradient, "
            f"the grad of {node} ({_n(step.upstream)}).",
        ])  # fmt: skip
        hints.append([
            _float(step.upstream),
            f"That is the upstream gradient, the grad of {node}. Multiply it by the local "
            f"derivative ∂{node}/∂{x} = {_n(first.local_grad)} (on the edge).",
        ])  # fmt: skip
        masked = [
            [a, f"{_n(p.local_grad)} × {_n(step.upstream)} = ?"]
            for p, (a, _) in zip(step.passes, frame.steps[-1].passes)
            if a is not None
        ]
        frame.quiz = {
            "who": x,
            "answer": _float(answer),
            "shown": num(answer),
            "ask": f"{node} passes its gradient on. What is the gradient of {x} now, ∂{r}/∂{x}? "
            "Type it in the box and press Check (4 significant digits are enough).",
            "hints": hints,
            "general": f"Not yet. Look at the edge from {x}: the chain rule multiplies the local "
            f"derivative ∂{node}/∂{x} by the upstream gradient (the grad of {node})"
            + (", and a Value used more than once adds up its shares." if len(mine) > 1 or before else "."),
            "edges": masked,
        }


def forward_frames(
    root: Value, scene: Scene, wrt: Value, names: _Names
) -> tuple[list[Frame], dict[str, Any]]:
    """Forward mode's frames with respect to `wrt`, and what pointing at an edge or box says."""
    index = {v: i for i, v in enumerate(scene.values)}
    x, r = names.of(wrt), _root_name(root, names)
    steps = [s for s in forward_steps(root, wrt) if s.node in index]
    tangent = {wrt: 1.0}
    first = Frame(
        f"Forward mode with respect to {x}: each Value carries its value and its tangent, its "
        f"derivative by {x}. {x}'s tangent is ∂{x}/∂{x} = 1, every other input's is 0 (it does "
        f"not change when {x} does). The {len(steps)} operation{'s' if len(steps) != 1 else ''} "
        "have not run yet.",
        data=[(i, f"data {num(v.data)}" if v.is_leaf else "data ?") for i, v in enumerate(scene.values)],
        grads=[
            (i, _tangent(tangent.get(v, 0.0)) if v.is_leaf else "tangent ?", False)
            for i, v in enumerate(scene.values)
        ],
    )
    frames = [first]
    edges: list[list[Any] | None] = [None] * len(scene.arrows)
    chosen, other = "1: this is the input you chose", f"0: it does not depend on {x}"
    nodes: list[list[Any] | None] = [
        [f"∂{names.of(v)}/∂{x} = {chosen if v is wrt else other}", 0] if v.is_leaf else None
        for v in scene.values
    ]
    for k, step in enumerate(steps, 1):
        i, node = index[step.node], step.node
        shares = [f"{_n(t.local_grad)} × {_n(t.tangent)}" for t in step.terms]
        lit_edges = []
        for n, (t, a) in enumerate(zip(step.terms, scene.inputs[i])):
            if a is not None:
                lit_edges.append((a, f"{_n(t.local_grad)} × {_n(t.tangent)} = {_n(t.contribution)}"))
                edges[a] = [
                    f"{local_formula(node, n, names)} = {_n(t.local_grad)}",
                    f"chain rule, forward: ∂{names.of(t.input)}/∂{x} = {_n(t.tangent)} goes up this edge "
                    f"as {_n(t.local_grad)} × {_n(t.tangent)} = {_n(t.contribution)}, "
                    f"its share of ∂{names.of(node)}/∂{x}",
                    len(frames),
                ]
        nodes[i] = [
            f"∂{names.of(node)}/∂{x} = {_n(step.tangent)} = {_sum(shares)} (one term per input)",
            len(frames),
        ]
        frames.append(
            Frame(
                f"Forward step {k} of {len(steps)}: {names.computes(node)} = {_minus(num(node.data))}, "
                f"and its tangent ∂{names.of(node)}/∂{x} = {_sum(shares)} = {_n(step.tangent)}",
                data=[(i, f"data {num(node.data)}")],
                grads=[(i, _tangent(step.tangent), False)],
                lit=i,
                edges=lit_edges,
            )
        )
    result = steps[-1].tangent if steps and steps[-1].node is root else (1.0 if root is wrt else 0.0)
    frames.append(Frame(f"Done: ∂{r}/∂{x} = {_n(result)}, from one forward pass that carried tangents."))
    return frames, {"edges": edges, "nodes": nodes}


def passes_note(root: Value, scene: Scene, names: _Names, wrt: Value) -> str:
    """How many passes all the gradients need, forward against reverse, on this graph."""
    leaves = sum(1 for v in scene.values if v.is_leaf and v.label)
    r = _root_name(root, names)
    return (
        f"This pass gave ∂{r}/∂{names.of(wrt)} alone. The gradients of all {leaves} labelled "
        f"input{'s' if leaves != 1 else ''} need {leaves} forward pass{'es' if leaves != 1 else ''} "
        f"(one per input); reverse mode, backward(), gives them all in 1 pass."
    )


def _root_name(root: Value, names: _Names) -> str:
    return names.of(root) if root.label or root.is_leaf else "output"


def _n(x: float) -> str:
    return _minus(num(x))


def _float(x: float) -> str:
    """A number for the page's script, exactly (JSON has no inf or nan: a string holds them)."""
    return repr(float(x))


def _tangent(t: float) -> str:
    return f"tangent {num(t)}"


def _sum(parts: list[str]) -> str:
    if len(parts) > MAX_TERMS:
        parts = [*parts[: MAX_TERMS - 1], f"… ({len(parts) - MAX_TERMS + 1} more terms)"]
    return " + ".join(parts) if parts else "0"


MODES = ("reverse", "forward")
MAX_PLAYER_VALUES = 2000  # drawn Values: more, and a click redraws too much to feel immediate


def lab(
    root: Value,
    params: set[Value],
    max_nodes: int | None,
    show_local_grads: bool,
    mode: str,
    wrt: Value | None,
    quiz: bool,
) -> tuple[Scene, list[Frame], dict[str, Any]]:
    """The scene and frames of a player of `mode`, and what its page needs beside them."""
    if mode not in MODES:
        raise ValueError(f'mode must be "reverse" (backpropagation) or "forward" (tangents), got {mode!r}')
    if not isinstance(quiz, bool):
        raise TypeError(f"quiz must be True or False, got {quiz!r}")
    if mode == "reverse" and wrt is not None:
        raise ValueError(
            "wrt= chooses the input of forward mode; reverse mode gives every gradient at once. "
            'Use stepper(root, mode="forward", wrt=x), or leave wrt out'
        )
    if mode == "forward":
        if quiz:
            raise ValueError(
                'quiz=True asks for gradients during a backward pass: use it with mode="reverse"'
            )
        _check_wrt(root, wrt)
    names = _Names()
    if mode == "reverse":
        scene = make_scene(
            root, params, max_nodes, True, show_local_grads, steps=replayed_pass(root), forward=True
        )
        _check_size(scene)
        frames = make_frames(scene)
        if quiz:
            add_quiz(root, frames, names)
        return scene, frames, {"explore": explore(root, scene, frames, names), "quiz": quiz}
    assert wrt is not None
    scene = make_scene(root, params, max_nodes, True, show_local_grads, forward=True)
    _check_size(scene)
    frames, explored = forward_frames(root, scene, wrt, names)
    scene = _with_texts(scene, frames)
    return scene, frames, {"explore": explored, "quiz": False, "note": passes_note(root, scene, names, wrt)}


def _check_wrt(root: Value, wrt: object) -> None:
    if wrt is None:
        raise ValueError(
            'forward mode needs the input to differentiate by: stepper(root, mode="forward", wrt=x)'
        )
    if not isinstance(wrt, Value):
        raise TypeError(f"wrt must be a Value, a leaf of the graph, got {type(wrt).__name__}: {wrt!r}")
    if wrt.is_leaf and wrt in {v for v in trace(root)[0] if v.is_leaf}:
        return
    what = f"the Value labelled {wrt.label!r}" if wrt.label else repr(wrt)
    why = "it is the result of an operation" if not wrt.is_leaf else "the output does not depend on it"
    raise ValueError(f"wrt must be a leaf (an input) of the graph, but {what} is not: {why}")


def _check_size(scene: Scene) -> None:
    if len(scene.values) > MAX_PLAYER_VALUES:
        raise ValueError(
            f"a player of {len(scene.values):,} Values would be too big to stay responsive in a browser "
            f"(at most {MAX_PLAYER_VALUES:,}); draw the ones nearest the output with "
            f"max_nodes={MAX_PLAYER_VALUES:,} or fewer (the default, 200, reads best)"
        )


def _with_texts(scene: Scene, frames: list[Frame]) -> Scene:
    """The forward-mode scene: the same boxes and arrows, sized for the tangents the frames show
    in the grad cell and the products on the edges (the last frame's text first, as a scene has it)."""
    grads: list[list[str]] = [[] for _ in scene.boxes]
    labels: list[list[str]] = [[] for _ in scene.arrows]
    for frame in frames:
        for i, t, _ in frame.grads:
            grads[i].append(t)
        for a, t in frame.edges:
            labels[a].append(t)
    boxes = tuple(replace(b, grad=tuple(dict.fromkeys([g[-1], *g]))) for b, g in zip(scene.boxes, grads))
    arrows = tuple(
        replace(a, texts=tuple(dict.fromkeys([*a.texts, *t]))) for a, t in zip(scene.arrows, labels)
    )
    return replace(scene, boxes=boxes, arrows=arrows, labelled=True)
