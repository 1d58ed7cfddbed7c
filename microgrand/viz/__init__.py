"""Draw a computation graph: values, gradients, and the chain rule on the edges.

Three ways to look at a graph, all showing the same boxes and colours:

* `stepper(root)`: a player that steps through the forward and the backward pass,
  frame by frame, in a notebook or a saved HTML page (no Graphviz needed);
* `draw_svg(root)`: one SVG picture (no Graphviz needed);
* `draw_dot(root)` and `draw_step(steps, k)`: a `graphviz.Digraph`, for those who
  have Graphviz (PDF, PNG, DOT source); `render` writes it to a file.

    >>> from microgrand import Value
    >>> from microgrand.viz import draw_dot, draw_svg, render, stepper
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> L = a * b + a
    >>> L.label = "L"
    >>> stepper(L).save("backprop.html")  # doctest: +SKIP
    >>> L.backward()
    >>> draw_svg(L, show_local_grads=True).save("L.svg")  # doctest: +SKIP
    >>> g = draw_dot(L, show_local_grads=True)  # a graphviz.Digraph: a notebook shows it
    >>> render(g, "L.png")  # doctest: +SKIP

What a drawing shows:

* one box per Value: ``label | data | grad`` (no label cell if it has none);
* one small oval per operation (``+``, ``*``, ``tanh``, ...), with edges
  input → operation → result. An input used twice (``a * a``) has two edges;
* with ``show_local_grads=True``, each input → operation edge carries the local
  derivative ∂result/∂input: the chain rule multiplies the result's grad by it
  to give the input its share;
* the colour of a box says what kind of Value it is (``legend=True`` draws this key):

  ========== ====================================================================
  root       gold, thick border: the Value you drew (the output; its grad is 1)
  parameter  green: a leaf you listed in ``params`` (e.g. ``model.parameters()``),
             a Value that training updates
  leaf       blue: any other leaf with a label, e.g. an input you created
  constant   grey: a leaf without a label, usually a plain number an operator
             wrapped (the 2 in ``x * 2``)
  result     white: the output of an operation
  ========== ====================================================================

  A label cannot tell an input ``x`` from a weight ``w``, so the parameters are
  the ones you pass, as in torchviz's ``make_dot(params=...)``.

Big graphs: only the `max_nodes` Values nearest the root are drawn (breadth
first, see `microgrand.graph.trace`), plus one box "… N more nodes" standing
for the rest, so a 60,000-node graph stays a picture you can read.

Watching backward: `draw_step` draws the graph after step k of
`microgrand.graph.backward_steps`, with the node passing its gradient
in red, ``local × upstream = contribution`` on its edges, and grads shown only
for the nodes the pass has reached.

Node names are ``n0, n1, ...`` in trace order (never ``id()``), so the same graph
gives the same DOT source in every run. Labels are text, never markup: ``{ } | < > " \\``
and newlines are drawn as they are; control characters and the characters no picture
can hold (U+FFFE, U+FFFF, ...) as escapes (``\\x1b``, ``\\ufffe``); a label longer than
48 characters is cut, ending in "…". A label that is not a str is refused, naming the Value.

`draw_dot` needs the optional Python package ``graphviz`` (``pip install "microgrand[viz]"``)
to build a drawing, and the Graphviz program ``dot`` to turn it into a picture; it is
imported only then (in `microgrand.dot`). `draw_svg` and `stepper` lay the graph out
themselves (`microgrand.layout`) and need neither.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..engine import Value
from ..graph import BackwardStep, Edge, GradientPass, backward_steps, trace
from .dot import INSTALL_DOT, INSTALL_GRAPHVIZ_PACKAGE, GraphvizNotFoundError, digraph_class
from .lab import frames_for
from .player import Frame, fit_texts, page, picture, standalone
from .style import HIGHLIGHT, KINDS, UNKNOWN, kind, num, number_of, shown_text
from .svg import make_scene, to_svg

if TYPE_CHECKING:
    from graphviz import Digraph  # type: ignore[import-untyped, import-not-found, unused-ignore]

__all__ = [
    "HIGHLIGHT",
    "INSTALL_DOT",
    "INSTALL_GRAPHVIZ_PACKAGE",
    "KINDS",
    "BackwardStep",
    "Edge",
    "GradientPass",
    "GraphvizNotFoundError",
    "Player",
    "SVGDrawing",
    "backward_steps",
    "draw_dot",
    "draw_step",
    "draw_svg",
    "render",
    "stepper",
    "trace",
]

RANKDIRS = ("LR", "TB", "RL", "BT")
DEFAULT_MAX_NODES = 200
DEFAULT_INTERVAL_MS = 900
MAX_INTERVAL_MS = 60_000  # a browser's timer takes at most 2**31 - 1 ms, and runs at once past it


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    params: Iterable[Value] = (),
    legend: bool = False,
) -> Digraph:
    """The graph that computed `root`, as a `graphviz.Digraph` (see the module docstring).

    rankdir: "LR" (inputs on the left, root on the right), "TB", "RL" or "BT".
    show_grad: show each Value's ``.grad`` (as left by the last ``backward()``).
    show_local_grads: write ∂result/∂input on each input → operation edge.
    max_nodes: draw at most this many Values, those nearest the root; None draws all.
    params: leaves to draw as parameters, e.g. ``model.parameters()``.
    legend: add a key to the colours.
    """
    return _draw(root, rankdir, show_grad, show_local_grads, max_nodes, params, legend, frame=None)


def draw_step(
    steps: Sequence[BackwardStep],
    k: int,
    rankdir: str = "LR",
    show_local_grads: bool = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    params: Iterable[Value] = (),
    legend: bool = False,
) -> Digraph:
    """The graph as it is after ``steps[k]`` of a backward pass: one frame of backprop.

    `steps` is the whole pass, ``list(backward_steps(root))``; `k` may be negative,
    as a list index. The node of step k and its edges are red, each edge labelled
    ``local × upstream = contribution``; a grad is shown once the pass has reached
    that Value (a running sum until its last contribution), ``grad ?`` before.
    The other options are those of `draw_dot`.
    """
    if len(steps) == 0:
        raise ValueError(
            "draw_step needs the steps of a backward pass, list(backward_steps(root)); got none "
            "(a root that is a leaf has no steps: there is no chain rule to show)"
        )
    if not isinstance(k, int) or isinstance(k, bool):
        raise TypeError(f"draw_step: k must be an int (the step to draw), got {type(k).__name__}: {k!r}")
    if not -len(steps) <= k < len(steps):
        raise IndexError(
            f"draw_step: step k={k} does not exist; this pass has {len(steps)} steps (0 to {len(steps) - 1})"
        )
    k %= len(steps)
    first, current = steps[0], steps[k]
    if not (isinstance(first, BackwardStep) and isinstance(current, BackwardStep)):
        raise TypeError("draw_step: steps must come from backward_steps(root), e.g. list(backward_steps(L))")
    if first.index != 0 or current.index != k:
        raise ValueError(
            f"draw_step: steps[{k}] is step {current.index} of its pass; pass all the steps, "
            "list(backward_steps(root)), not a slice"
        )
    grads = {first.node: first.upstream}  # d(root)/d(root) = 1
    for step in steps[: k + 1]:
        for p in step.passes:
            grads[p.input] = p.grad_after
    frame = _Frame(current, grads)
    return _draw(first.node, rankdir, True, show_local_grads, max_nodes, params, legend, frame)


def render(graph: Value | Digraph, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write a picture of `graph` to `path`, in the format its suffix names (.svg, .png, .pdf, ...).

    `graph` is a drawing (from `draw_dot` or `draw_step`), or a Value to draw
    with ``draw_dot(graph, **options)``. Only `path` is written (graphviz's own
    ``Digraph.render`` also saves the DOT source beside it).
    """
    if isinstance(graph, Value):
        graph = draw_dot(graph, **options)
    elif options:
        raise TypeError(f"render: drawing options {sorted(options)} apply only when graph is a Value")
    # graphviz is installed: the drawing exists
    import graphviz  # type: ignore[import-untyped, import-not-found, unused-ignore]

    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in graphviz.FORMATS:
        raise ValueError(
            f"render: cannot tell the picture format from {str(path)!r}; end it in .svg, .png or .pdf"
        )
    path.write_bytes(graph.pipe(format=fmt))
    return path


def draw_svg(
    root: Value,
    params: Iterable[Value] | None = None,
    *,
    show_local_grads: bool = False,
    legend: bool = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    rankdir: str = "LR",
    show_grad: bool = True,
) -> SVGDrawing:
    """The picture `draw_dot` makes, laid out in Python: needs neither Graphviz nor ``dot``.

    Returns an `SVGDrawing`: a notebook shows it as SVG, ``.save("graph.svg")``
    writes it, ``.svg`` is the text. The options are those of `draw_dot`. The layout
    is microgrand's own (`microgrand.layout`: layers, fewest crossings, no overlaps).
    """
    param_set = _check("draw_svg", root, rankdir, max_nodes, params)
    scene = make_scene(root, param_set, max_nodes, show_grad, show_local_grads)
    return SVGDrawing(to_svg(scene, rankdir, legend))


def stepper(
    root: Value,
    params: Iterable[Value] | None = None,
    *,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    show_local_grads: bool = True,
    interval_ms: int = DEFAULT_INTERVAL_MS,
    rankdir: str = "LR",
    mode: str = "reverse",
    wrt: Value | None = None,
    quiz: bool = False,
) -> Player:
    """A player that steps through the forward and the backward pass of `root`.

    In a notebook, make it the value of a cell: buttons (first, previous, play/pause,
    next, last), a slider and the ← → keys move through the frames, and a caption
    says what happens in each, e.g. "Backward step 2 of 3: d passes 1 × −2 = −2 to e
    and 1 × −2 = −2 to c". ``.save("backprop.html")`` writes a page that works
    offline; ``.to_html()`` gives the fragment. No Graphviz needed.

    The backward frames are `backward_steps(root)`, run from zero grads; every grad
    is put back afterwards, so making a player changes nothing in the graph.
    params: leaves to draw as parameters (green), e.g. ``model.parameters()``.
    max_nodes: draw the Values nearest the root, as `draw_dot` does.
    show_local_grads: write ∂result/∂input on each input edge in every frame.
    interval_ms: time between frames when playing (1 ms to a minute).
    mode: "reverse" (backpropagation, the default) or "forward": tangents d(node)/d(wrt)
        flow from the input `wrt` (a leaf of the graph) to the output, one operation a frame.
    quiz: before each backward step shows the gradient it passes on, ask the learner for it.

    Pointing at (or tapping) an edge says its local derivative and its formula, and
    the chain-rule product once it is known; a box, its gradient as the sum over its uses.
    """
    param_set = _check("stepper", root, rankdir, max_nodes, params)
    if isinstance(interval_ms, bool) or not isinstance(interval_ms, int) or not 1 <= interval_ms <= MAX_INTERVAL_MS:
        raise ValueError(
            f"interval_ms must be a whole number of milliseconds from 1 to {MAX_INTERVAL_MS:,} (a minute), "
            f"got {interval_ms!r}"
        )
    scene = make_scene(root, param_set, max_nodes, True, show_local_grads, labelled=True)
    frames, extra = frames_for(root, scene, mode, wrt, quiz)
    fit_texts(scene, frames)
    svg = to_svg(scene, rankdir, legend=False)
    name = shown_text(root, "label") or "the output"
    what = "Backpropagation" if mode == "reverse" else "Forward mode"
    return Player(svg, frames, interval_ms, f"{what} through {name}, step by step", extra)


class SVGDrawing:
    """An SVG picture of a graph: shown as SVG in Jupyter, saved with `save`, its text in `svg`."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        # an untrusted notebook shows no image/svg+xml, but keeps an <img> of it in HTML
        return picture(self.svg, "A computation graph drawn by microgrand")

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the SVG to `path` (an .svg file) and return the path."""
        path = Path(path)
        path.write_text(self.svg, encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return f"<SVGDrawing: {len(self.svg):,} characters of SVG; display it in a notebook or .save() it>"


class Player:
    """Frames of a forward and a backward pass, shown as an interactive HTML player.

    `frames` lists them (each a `microgrand.player.Frame`: caption, what changes).
    """

    def __init__(
        self, svg: str, frames: list[Frame], interval_ms: int, title: str, extra: dict[str, Any] | None = None
    ) -> None:
        self.svg = svg  # the picture of the last frame, also what shows where scripts do not run
        self.frames = frames
        self.interval_ms = interval_ms
        self.title = title
        self.extra = extra or {}  # what the page shows beside the frames (lab.frames_for)

    def to_html(self) -> str:
        """The player as an HTML fragment (with its script and data): paste it into any page."""
        return page(self.svg, self.frames, self.interval_ms, self.title, self.extra)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        # the last frame as a plain picture too, for viewers that show no HTML; IPython adds
        # text/html from _repr_html_, which every notebook front end prefers
        return {"image/svg+xml": self.svg}

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write a self-contained HTML page to `path`; it works offline in any browser."""
        path = Path(path)
        path.write_text(standalone(self.to_html(), self.title), encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return f"<Player: {len(self.frames)} frames; display it in a notebook or .save('backprop.html')>"


# ---------------------------------------------------------------- internals


class _Frame(NamedTuple):
    """What `draw_step` needs to draw: the current step and every grad reached so far."""

    step: BackwardStep
    grads: dict[Value, float]


def _check(
    who: str, root: Value, rankdir: str, max_nodes: int | None, params: Iterable[Value] | None
) -> set[Value]:
    """The options every drawing shares, checked; the parameters as a set."""
    if not isinstance(root, Value):
        raise TypeError(f"{who} needs a Value (the output of a computation), got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if max_nodes is not None and (
        not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1
    ):
        raise ValueError(f"max_nodes must be a whole number >= 1, or None for no limit; got {max_nodes!r}")
    if isinstance(params, Value):
        raise TypeError("params must be a list of Values (e.g. model.parameters()), got one Value")
    param_set = set(params or ())
    for param in param_set:
        if not isinstance(param, Value):
            raise TypeError(
                f"params must be Values (e.g. model.parameters()), got {type(param).__name__}: {param!r}"
            )
    return param_set


def _draw(
    root: Value,
    rankdir: str,
    show_grad: bool,
    show_local_grads: bool,
    max_nodes: int | None,
    params: Iterable[Value],
    legend: bool,
    frame: _Frame | None,
) -> Digraph:
    params = _check("draw_dot", root, rankdir, max_nodes, params)
    Digraph = digraph_class()

    nodes, edges = trace(root)
    drawn = nodes if max_nodes is None else nodes[:max_nodes]
    name = {v: f"n{i}" for i, v in enumerate(drawn)}  # names by trace order, never id()
    current = frame.step.node if frame else None

    g = Digraph(graph_attr={"rankdir": rankdir}, node_attr={"fontname": "Helvetica", "fontsize": "11"})
    g.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.6")
    for v in drawn:
        box = _box(
            shown_text(v, "label"),
            number_of(v, "data"),
            _grad_text(v, show_grad, frame),
            kind(v, root, params),
            v is current,
        )
        g.node(name[v], box, shape="plain")
        if not v.is_leaf:
            red = {"color": HIGHLIGHT, "fontcolor": HIGHLIGHT, "penwidth": "2"} if v is current else {}
            g.node(
                name[v] + "_op",
                f"<{_text(shown_text(v, 'op'))}>",
                shape="ellipse",
                width="0.4",
                height="0.3",
                margin="0.04,0.02",
                **red,
            )
            g.edge(name[v] + "_op", name[v], **red)

    passes: Iterator[GradientPass] = iter(frame.step.passes if frame else ())
    upstream = frame.step.upstream if frame else 0.0
    cut: dict[Value, None] = {}  # drawn nodes with an input beyond max_nodes (a dict keeps their order)
    for edge in edges:
        if edge.output not in name:
            continue
        attrs: dict[str, str] = {}
        if edge.output is current:  # the edges of this step, in the order of its passes
            p = next(passes)
            attrs = {"color": HIGHLIGHT, "fontcolor": HIGHLIGHT, "penwidth": "2"}
            attrs["label"] = f"{num(p.local_grad)} × {num(upstream)} = {num(p.contribution)}"
        elif show_local_grads:
            attrs["label"] = num(edge.local_grad)
        if edge.input in name:
            g.edge(name[edge.input], name[edge.output] + "_op", **attrs)
        else:
            cut[edge.output] = None
    if cut:
        more = len(nodes) - len(drawn)
        g.node("more", f"… {more:,} more node{'s' if more != 1 else ''}", shape="box", style="dashed")
        for v in cut:
            g.edge("more", name[v] + "_op", style="dashed")
    if legend:
        _add_legend(g)
    return g


def _grad_text(v: Value, show_grad: bool, frame: _Frame | None) -> str | None:
    if frame is None:
        return f"grad {num(number_of(v, 'grad'))}" if show_grad else None
    if v in frame.grads:
        return f"grad {num(frame.grads[v])}"
    return f'<FONT COLOR="{UNKNOWN}">grad ?</FONT>'  # the backward pass has not reached v yet


def _box(label: str, data: float, grad: str | None, kind: str, highlight: bool) -> str:
    """An HTML-like label: a one-row table ``label | data | grad`` in the colour of `kind`."""
    cells = [f"<B>{_text(label)}</B>"] if label else []
    cells.append(f"data {num(data)}")
    if grad is not None:
        cells.append(grad)
    border, colour = ("2" if kind == "root" else "0"), "black"
    if highlight:
        border, colour = "3", HIGHLIGHT
    row = "".join(f"<TD>{c}</TD>" for c in cells)
    return (
        f'<<TABLE BORDER="{border}" COLOR="{colour}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
        f'BGCOLOR="{KINDS[kind][0]}"><TR>{row}</TR></TABLE>>'
    )


def _add_legend(g: Any) -> None:
    """One box, one row per kind of Value in its colour: the key to the drawing."""
    rows = "".join(
        f'<TR><TD BGCOLOR="{fill}" BORDER="{2 if kind == "root" else 1}">{_text(meaning)}</TD></TR>'
        for kind, (fill, meaning) in KINDS.items()
    )
    table = f'<<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="3">{rows}</TABLE>>'
    g.node("legend", table, shape="plain", fontsize="9")


def _text(s: str) -> str:
    """`s` (already made printable and short by `shown_text`) as text in an HTML-like label:
    markup escaped and a newline a line break, so no label can change the DOT source."""
    # dot expands \N, \G, \E, \T, \H, \L (node name, graph name, ...) even in HTML-like
    # labels and even when written as &#92;: only a doubled backslash is drawn as one
    s = s.replace("\\", "\\\\")
    return html.escape(s).replace("\n", "<BR/>")
