"""The player's frames: the scene's forward and backward pass, one change at a time, with captions.

* frame 0: the inputs hold their values, nothing is computed yet (``data ?``);
* one frame per operation, in topological order: its value appears;
* "backward begins": the root's grad is 1 (d root / d root);
* one frame per step of the backward pass (`microgrand.graph.backward_steps`): the node
  at work is red, each of its input edges says ``local × upstream = contribution``, and
  each input's grad appears (a running sum, marked "(so far)", while more contributions
  are to come);
* "done": every grad as ``backward()`` leaves it, the same picture as `draw_dot`.

A frame lists only what changes, by box and arrow of the scene: texts that stay (data,
grads) and what is lit for this frame alone (the node at work, its edges and their
labels). Every text comes from the scene; this module adds the order and the captions.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..engine import Value
from .scene import Scene, Step
from .style import num, printable

MAX_LISTED = 6  # inputs named in one caption; the rest are counted


@dataclass
class Frame:
    """What one frame changes: `data` and `grads` stay; `lit` and `edges` are for this frame only."""

    caption: str
    data: list[tuple[int, str]] = field(default_factory=list)  # (box, "data 4")
    grads: list[tuple[int, str, bool]] = field(default_factory=list)  # (box, "grad -2", still a running sum)
    lit: int = -1  # the box at work, -1 for none
    edges: list[tuple[int, str]] = field(default_factory=list)  # (arrow, its label in this frame)
    backward: bool = False  # red (backward) or blue (forward) light
    steps: list[Step] = field(default_factory=list)  # the backward steps this frame shows (lab.py reads them)
    quiz: dict[str, Any] | None = None  # what the learner is asked before this frame tells (lab.py)

    def to_json(self) -> dict[str, Any]:
        out = {
            "c": self.caption,
            "d": self.data,
            "g": [[i, t, int(p)] for i, t, p in self.grads],
            "h": self.lit,
            "e": self.edges,
            "b": int(self.backward),
        }
        if self.quiz is not None:
            out["q"] = self.quiz
        return out


def make_frames(scene: Scene) -> list[Frame]:
    """All frames of the scene's passes (a scene made with a backward pass and ``forward=True``)."""
    root = scene.values[0]
    names = _Names()
    drawn_steps = [s for s in scene.steps if s.box is not None]
    forward = [s.box for s in reversed(drawn_steps) if s.box is not None]
    frames = [
        Frame(
            f"Before the forward pass: the inputs hold their values; the {len(forward)} "
            f"operation{'s' if len(forward) != 1 else ''} have not run yet.",
            data=[(i, "data ?" if b.op else b.data[0]) for i, b in enumerate(scene.boxes)],
            grads=[(i, "grad ?", False) for i in range(len(scene.boxes))],
        )
    ]
    for k, i in enumerate(forward, 1):
        v = scene.values[i]
        frames.append(
            Frame(
                f"Forward step {k} of {len(forward)}: {names.computes(v)} = {_minus(num(v.data))}",
                data=[(i, scene.boxes[i].data[0])],
                lit=i,
                edges=[(a, scene.arrows[a].texts[0]) for a in scene.inputs[i] if a is not None],
            )
        )
    r = names.of(root) if root.label or root.is_leaf else "output"
    start = [(g.box, g.text, g.so_far) for g in ([scene.start] if scene.start else [])]
    frames.append(
        Frame(f"Backward pass begins: d{r}/d{r} = 1, so {r}'s grad is 1.", grads=start, lit=0, backward=True)
    )
    waiting: list[tuple[int, str, bool]] = []  # grads changed by steps beyond the cut
    beyond: list[Step] = []  # and those steps
    k = 0
    for step in scene.steps:
        changes = [(g.box, g.text, g.so_far) for g in step.grads]
        if step.box is None:
            waiting += changes
            beyond.append(step)
            continue
        k += 1
        told = [
            f"{_minus(product)} to {names.of(p.input)}"
            for (_, product), p in zip(step.passes, step.backward.passes)
        ]
        if len(told) > MAX_LISTED:
            told = [*told[: MAX_LISTED - 1], f"{len(told) - MAX_LISTED + 1} more inputs their shares"]
        who = names.of(step.backward.node)
        caption = f"Backward step {k} of {len(drawn_steps)}: {who} passes " + _and(told)
        if any(so_far for _, _, so_far in changes):
            caption += " (a grad marked “so far” is a running sum: that input is used again)"
        edges = [(a, product) for a, product in step.passes if a is not None]
        frames.append(
            Frame(
                caption,
                grads=waiting + changes,
                lit=step.box,
                edges=edges,
                backward=True,
                steps=[*beyond, step],
            )
        )
        waiting, beyond = [], []
    frames.append(
        Frame(
            f"Done: every grad is d{r}/d(that Value), as backward() leaves it.",
            grads=waiting,
            backward=True,
            steps=beyond,
        )
    )
    return frames


class _Names:
    """How a caption names a Value: its label, a constant's number, or the formula that made it."""

    def of(self, v: Value) -> str:
        if v.label:
            return isolated(printable(str(v.label)))
        if v.is_leaf:
            return _minus(num(v.data))
        formula = self.formula(v)
        if len(formula) > 40:  # a name must stay short, and still tell this node from its neighbours
            formula = self.formula(v, depth=2)
        return f"({formula})" if len(formula) <= 40 else f"({formula[:38]}…)"

    def computes(self, v: Value) -> str:
        """``e = a * b`` for a labelled Value, ``a * b`` for another."""
        return f"{self.of(v)} = {self.formula(v)}" if v.label else self.formula(v)

    def formula(self, v: Value, depth: int = 3) -> str:
        """``a * b + c``, ``tanh(x)``, ``relu neuron(w0, x0, …)``: the op and what it took
        (inputs without a label by their own formula, `depth` levels down, then "…")."""
        op = isolated(printable(str(v.op)))
        if op in _PRECEDENCE and len(v.children) == 2:
            left, right = (self._operand(c, depth, op, k == 1) for k, c in enumerate(v.children))
            return f"{left} {op} {right}"
        shown = v.children[:2] if len(v.children) > 3 else v.children
        args = [self._operand(c, depth, "", False) for c in shown]
        return f"{op}({', '.join(args + (['…'] if len(shown) < len(v.children) else []))})"

    def _operand(self, c: Value, depth: int, parent: str, right: bool) -> str:
        if c.label or c.is_leaf:
            return self.of(c)
        if depth <= 1:
            return "…"
        inner = self.formula(c, depth - 1)
        mine, theirs = _PRECEDENCE.get(str(c.op), 9), _PRECEDENCE.get(parent, 0)
        # brackets where the order of operations needs them: (a + b) * c, a - (b - c)
        return f"({inner})" if mine < theirs or (right and mine == theirs and parent in "-/") else inner


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_BIDI = {"R", "AL", "AN", "LRE", "LRO", "RLE", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


def isolated(name: str) -> str:
    """A name that holds right-to-left letters or bidi controls, between U+2068 and U+2069
    (first-strong isolate ... pop): it is laid out on its own and cannot reorder the
    sentence around it (an RLO in a label would otherwise turn "w * x = −6" into "w6− = x *")."""
    if any(unicodedata.bidirectional(c) in _BIDI for c in name):
        return f"\u2068{name}\u2069"
    return name


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _minus(s: str) -> str:
    """A caption writes minus as − (U+2212), which reads better than a hyphen in a sentence."""
    return s.replace("-", "−")
