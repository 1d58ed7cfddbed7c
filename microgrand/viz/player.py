"""The backprop player: every frame of a forward and a backward pass, in one HTML page.

`make_frames` turns a graph into frames:

* frame 0: the inputs hold their values, nothing is computed yet (``data ?``);
* one frame per operation, in topological order: its value appears;
* "backward begins": the root's grad is 1 (d root / d root);
* one frame per step of `microgrand.graph.backward_steps`: the node at work is
  red, each of its input edges says ``local × upstream = contribution``, and
  each input's grad appears (a running sum, marked "(so far)", while more
  contributions are to come);
* "done": every grad as ``backward()`` leaves it, the same picture as `draw_dot`.

A frame lists only what changes: texts that stay (data, grads) and what is lit
for this frame alone (the node at work, its edges and their labels). The page
replays them in JavaScript (`player.js`); the SVG in the page is the last frame,
so where scripts do not run (a code host's preview) the graph is still there.
"""

from __future__ import annotations

import base64
import html
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from ..engine import Value
from ..graph import BackwardStep, backward_steps, trace
from .style import FORWARD, HIGHLIGHT, PARTIAL, UNKNOWN, num, printable
from .svg import Scene

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
    steps: list[BackwardStep] = field(default_factory=list)  # the backward steps this frame shows
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


def make_frames(root: Value, scene: Scene) -> list[Frame]:
    """All frames of the passes of `root`, for the boxes and arrows of `scene`.

    Runs the backward pass from zero grads (as after ``zero_grad()``) and then puts
    every grad back as it was: showing a pass changes nothing in the graph.
    """
    index = {v: i for i, v in enumerate(scene.values)}
    names = _Names(index)
    everything = trace(root)[0]
    saved = [v.grad for v in everything]
    try:
        for v in everything:
            if v.is_leaf:
                v.grad = 0.0
        # only the steps that touch a drawn Value are kept: a cut million-node graph is walked, not stored
        steps = [s for s in backward_steps(root) if s.node in index or any(p.input in index for p in s.passes)]
    finally:
        for v, g in zip(everything, saved):
            v.grad = g

    # how many contributions each input receives: until the last, its grad is a running sum
    pending: dict[Value, int] = {}
    for step in steps:
        for p in step.passes:
            pending[p.input] = pending.get(p.input, 0) + 1

    drawn_steps = [s for s in steps if s.node in index]
    forward = [s.node for s in reversed(drawn_steps)]
    frames = [
        Frame(
            f"Before the forward pass: the inputs hold their values; the {len(forward)} "
            f"operation{'s' if len(forward) != 1 else ''} have not run yet.",
            data=[(i, f"data {num(v.data)}" if v.is_leaf else "data ?") for i, v in enumerate(scene.values)],
            grads=[(i, "grad ?", False) for i in range(len(scene.values))],
        )
    ]
    for k, v in enumerate(forward, 1):
        i = index[v]
        frames.append(
            Frame(
                f"Forward step {k} of {len(forward)}: {names.computes(v)} = {_minus(num(v.data))}",
                data=[(i, f"data {num(v.data)}")],
                lit=i,
                edges=[(a, scene.arrows[a].texts[0]) for a in scene.inputs[i] if a is not None],
            )
        )
    r = names.of(root) if root.label or root.is_leaf else "output"
    frames.append(
        Frame(
            f"Backward pass begins: d{r}/d{r} = 1, so {r}'s grad is 1.",
            grads=[(0, "grad 1", False)],
            lit=0,
            backward=True,
        )
    )
    waiting: list[tuple[int, str, bool]] = []  # grads changed by steps beyond the cut
    beyond: list[BackwardStep] = []  # and those steps
    k = 0
    for step in steps:
        changes = []
        for p in step.passes:
            pending[p.input] -= 1
            if p.input in index:
                more = pending[p.input] > 0
                changes.append(
                    (index[p.input], f"grad {num(p.grad_after)}" + (" (so far)" if more else ""), more)
                )
        if step.node not in index:
            waiting += changes
            beyond.append(step)
            continue
        k += 1
        i = index[step.node]
        told, edges = [], []
        for p, a in zip(step.passes, scene.inputs[i]):
            product = f"{num(p.local_grad)} × {num(step.upstream)} = {num(p.contribution)}"
            told.append(f"{_minus(product)} to {names.of(p.input)}")
            if a is not None:
                edges.append((a, product))
        if len(told) > MAX_LISTED:
            told = [*told[: MAX_LISTED - 1], f"{len(told) - MAX_LISTED + 1} more inputs their shares"]
        caption = f"Backward step {k} of {len(drawn_steps)}: {names.of(step.node)} passes " + _and(told)
        if any(more for _, _, more in changes):
            caption += " (a grad marked “so far” is a running sum: that input is used again)"
        frames.append(
            Frame(caption, grads=waiting + changes, lit=i, edges=edges, backward=True, steps=[*beyond, step])
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


def fit_texts(scene: Scene, frames: list[Frame]) -> None:
    """Give each box and arrow every text it will show, the last frame's first, so its size fits all."""
    data: list[list[str]] = [[] for _ in scene.boxes]
    grads: list[list[str]] = [[] for _ in scene.boxes]
    for f in frames:
        for i, t in f.data:
            data[i].append(t)
        for i, t, _ in f.grads:
            grads[i].append(t)
        for a, t in f.edges:
            scene.arrows[a].texts.append(t)
    for box, d, g in zip(scene.boxes, data, grads):
        box.data = _last_first(d)
        box.grad = _last_first(g)


def page(svg: str, frames: list[Frame], interval_ms: int, title: str, extra: dict[str, Any] | None = None) -> str:
    """The player as an HTML fragment: the caption, the picture, the frames and the script.

    Without its script (an untrusted notebook, whose sanitiser drops scripts, inline SVG
    and the `hidden` attribute alike; a code host's preview) the fragment is the last
    frame's caption and the picture as an ``<img>`` of SVG, which every sanitiser tested
    keeps (see `picture`). The script builds the controls (`ui` in its data) and turns
    the picture back into inline SVG, whose texts and colours it changes frame by frame.
    """
    # unique across kernels and reruns too: a notebook can hold outputs of earlier sessions
    pid = f"mg-player-{uuid.uuid4().hex[:12]}"
    script = resources.files("microgrand.viz").joinpath("player.js").read_text(encoding="utf-8")
    colours = {"backward": HIGHLIGHT, "forward": FORWARD, "partial": PARTIAL, "unknown": UNKNOWN}
    spec = {
        "frames": [f.to_json() for f in frames],
        "interval": interval_ms,
        "colours": colours,
        "ui": _controls(len(frames), extra or {}),
        **(extra or {}),
    }
    data = json.dumps(spec, ensure_ascii=True)
    data = data.replace("<", "\\u003c")  # so no text in the data can end or open a script element
    return (
        f'<div class="mg-player" id="{pid}" role="group" aria-label="{html.escape(title)}" tabindex="0" '
        f'data-lm-suppress-shortcuts="true" style="font-family: Helvetica, Arial, sans-serif; font-size: 13px">'
        f'<p class="mg-caption" role="status" style="margin:6px 0; min-height:2.6em">'
        f"{html.escape(frames[-1].caption)}</p>"
        f'<div class="mg-view">{picture(svg, title)}</div>'
        f'<script type="application/json" class="mg-data">{data}</script>'
        f"<script>{script}\nmicrogradPlayer(document.currentScript, {json.dumps(pid)});</script></div>"
    )


def picture(svg: str, alt: str) -> str:
    """`svg` as an ``<img>`` with a data: URL: what JupyterLab and Notebook 7 show of an untrusted
    notebook's HTML (they drop inline ``<svg>``, and show no ``image/svg+xml`` output at all)."""
    size = re.match(r'<svg [^>]*?width="(\d+)"', svg)
    width = f' width="{size.group(1)}"' if size else ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img class="mg-picture" alt="{html.escape(alt)}"{width} '
        f'style="max-width:100%; height:auto; display:block; margin:0 auto" src="data:image/svg+xml;base64,{data}">'
    )


def _controls(count: int, extra: dict[str, Any]) -> str:
    """The controls the script adds above and below the caption (absent where no script runs)."""
    last = count - 1
    buttons = [
        ("first", "First step", "|◀"),
        ("prev", "Previous step", "◀"),
        ("play", "Play", "Play"),
        ("next", "Next step", "▶"),
        ("last", "Last step", "▶|"),
    ]
    zoom = _buttons([("zoomout", "Zoom out", "−"), ("zoomin", "Zoom in", "+"), ("fit", "Fit", "Fit")])
    follow = (
        '<label style="white-space:nowrap"><input type="checkbox" class="mg-follow" checked> '
        "Follow the node at work</label>"
    )
    quiz = (
        '<div class="mg-quiz" hidden style="margin:4px 0; padding:6px; border:1px solid #cc0000; border-radius:4px">'
        '<input type="text" inputmode="decimal" class="mg-answer" aria-label="Your gradient" '
        'placeholder="Your gradient" style="width:9em"> '
        + _buttons([("check", "Check", "Check"), ("reveal", "Show", "Show")])
        + '<p class="mg-hint" aria-live="polite" style="margin:4px 0 0 0"></p></div>'
        if extra.get("quiz")
        else ""
    )
    note = extra.get("note")
    return (
        f'<div class="mg-controls" style="display:flex; gap:4px; align-items:center; flex-wrap:wrap">'
        f"{_buttons(buttons)}"
        f'<input type="range" min="0" max="{last}" value="0" step="1" aria-label="Frame" '
        f'style="flex:1; min-width:120px">'
        f'<span class="mg-count" style="min-width:5em; text-align:right">1 / {count}</span>'
        f"{zoom}{follow}</div>"
        f"{quiz}"
        f'<p class="mg-explain" aria-live="polite" style="margin:4px 0; min-height:1.3em; color:#333">'
        "Point at (or tap) an edge or a box to see its derivative.</p>"
        + (f'<p class="mg-note" style="margin:4px 0">{html.escape(note)}</p>' if note else "")
    )


def standalone(fragment: str, title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body style="margin:16px">\n{fragment}\n</body></html>\n'
    )


class _Names:
    """How a caption names a Value: its label, a constant's number, or the formula that made it."""

    def __init__(self, index: dict[Value, int]) -> None:
        self.index = index

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


def _last_first(texts: list[str]) -> list[str]:
    if not texts:
        return texts
    return [texts[-1], *dict.fromkeys(texts[:-1])]


def _buttons(specs: list[tuple[str, str, str]]) -> str:
    """A row of buttons, each (action, accessible name, icon)."""
    return "".join(
        f'<button type="button" data-act="{act}" aria-label="{name}" title="{name}">{icon}</button>'
        for act, name, icon in specs
    )
