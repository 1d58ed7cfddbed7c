"""The Graphviz renderer: a scene as a `graphviz.Digraph` (`draw_dot`, `draw_step`), and `render`.

Graphviz places the boxes itself (its program ``dot``); this module only writes what to
draw, from the same scene as the SVG picture and the player. The Python package
``graphviz`` only writes DOT source; the ``dot`` program turns it into pictures (in
Jupyter, with ``.render()`` and ``.pipe()``). Both are optional: ``graphviz`` is
imported only when a drawing is made, so ``import microgrand.viz`` works without it.
When ``dot`` is missing, graphviz says it could not execute it; we say what to install.

Node names are ``n0, n1, ...`` in trace order (never ``id()``), so the same graph gives
the same DOT source in every run.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks import is_whole_number
from ..engine import Value
from ..graph import BackwardStep
from .options import DEFAULT_MAX_NODES, check_options
from .scene import Scene, make_scene
from .style import HIGHLIGHT, KINDS, PARTIAL, UNKNOWN

if TYPE_CHECKING:
    from graphviz import Digraph  # type: ignore[import-untyped, import-not-found, unused-ignore]

INSTALL_GRAPHVIZ_PACKAGE = (
    'drawing a graph with draw_dot needs the Python package graphviz: pip install "microgrand[viz]" '
    "(or pip install graphviz). Turning the drawing into a picture also needs the Graphviz "
    "program 'dot': apt-get install graphviz, brew install graphviz, "
    "or conda install -c conda-forge graphviz. "
    "Without Graphviz, use microgrand.viz.draw_svg or microgrand.viz.stepper: they need neither."
)
INSTALL_DOT = (
    "the Graphviz program 'dot' was not found on PATH; it is what turns a graph into a picture. "
    "Install Graphviz itself (the Python package alone is not enough): "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "or `conda install -c conda-forge graphviz`, then restart Python or the notebook kernel. "
    "Without Graphviz, microgrand.viz.draw_svg and microgrand.viz.stepper draw the graph too."
)


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz program ``dot`` is not installed or not on PATH."""


def digraph_class() -> Any:
    """`graphviz.Digraph` (source, Jupyter display, render, pipe), with a clear error without ``dot``."""
    try:
        import graphviz  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError as exc:
        raise ImportError(INSTALL_GRAPHVIZ_PACKAGE) from exc

    class Digraph(graphviz.Digraph):  # type: ignore[misc, unused-ignore]
        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound as exc:
                raise GraphvizNotFoundError(INSTALL_DOT) from exc

        def render(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound as exc:
                raise GraphvizNotFoundError(INSTALL_DOT) from exc

    Digraph.__name__ = Digraph.__qualname__ = "Digraph"
    return Digraph


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local_grads: bool = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    params: Iterable[Value] = (),
    legend: bool = False,
) -> Digraph:
    """The graph that computed `root`, as a `graphviz.Digraph` (see `microgrand.viz`).

    rankdir: "LR" (inputs on the left, root on the right), "TB", "RL" or "BT".
    show_grad: show each Value's ``.grad`` (as left by the last ``backward()``).
    show_local_grads: write ∂result/∂input on each input → operation edge.
    max_nodes: draw at most this many Values, those nearest the root (and at most
    3 edges per Value drawn); None draws all.
    params: leaves to draw as parameters, e.g. ``model.parameters()``.
    legend: add a key to the colours.
    """
    limit, param_set = check_options("draw_dot", root, rankdir, max_nodes, params)
    Digraph = digraph_class()
    scene = make_scene(root, param_set, limit, show_grad, show_local_grads)
    return _digraph(Digraph, scene, rankdir, legend, step=None)


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
    that Value (``grad 3 (so far)`` while more contributions are to come), ``grad ?`` before.
    The other options are those of `draw_dot`.
    """
    if len(steps) == 0:
        raise ValueError(
            "draw_step needs the steps of a backward pass, list(backward_steps(root)); got none "
            "(a root that is a leaf has no steps: there is no chain rule to show)"
        )
    if not is_whole_number(k):
        raise TypeError(f"draw_step: k must be an int (the step to draw), got {type(k).__name__}: {k!r}")
    k = int(k)
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
    limit, param_set = check_options("draw_step", first.node, rankdir, max_nodes, params)
    Digraph = digraph_class()
    scene = make_scene(first.node, param_set, limit, True, show_local_grads, steps=steps)
    return _digraph(Digraph, scene, rankdir, legend, step=k)


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


def _digraph(Digraph: Any, scene: Scene, rankdir: str, legend: bool, step: int | None) -> Any:
    """The scene as DOT; with `step`, as it is after that step of its backward pass."""
    g = Digraph(graph_attr={"rankdir": rankdir}, node_attr={"fontname": "Helvetica", "fontsize": "11"})
    g.attr("edge", fontname="Helvetica", fontsize="9", arrowsize="0.6")
    red = {"color": HIGHLIGHT, "fontcolor": HIGHLIGHT, "penwidth": "2"}
    current = scene.steps[step] if step is not None else None
    reached = scene.grads_after(step) if step is not None else {}
    for i, box in enumerate(scene.boxes):
        if step is None:
            grad = _text(box.grad[0]) if box.grad else None
        elif i in reached:
            grad = _grad_cell(reached[i].text, reached[i].so_far)
        else:  # the backward pass has not reached this Value yet
            grad = f'<FONT COLOR="{UNKNOWN}">grad ?</FONT>'
        lit = current is not None and current.box == i
        g.node(f"n{i}", _box(box.label, box.data[0], grad, box.kind, lit), shape="plain")
        if box.op:
            attrs = {"width": "0.4", "height": "0.3", "margin": "0.04,0.02", **(red if lit else {})}
            g.node(f"n{i}_op", f"<{_text(box.op)}>", shape="ellipse", **attrs)
            g.edge(f"n{i}_op", f"n{i}", **(red if lit else {}))

    if scene.cut_text:
        g.node("more", scene.cut_text, shape="box", style="dashed")
    products = current.carried() if current is not None else {}  # this step's arrows: what they carry
    for n, arrow in enumerate(scene.arrows):
        head = f"n{arrow.head}_op"
        if arrow.tail is None:
            g.edge("more", head, style="dashed")
        elif n in products:
            g.edge(f"n{arrow.tail}", head, label=products[n], **red)
        elif arrow.texts[0]:
            g.edge(f"n{arrow.tail}", head, label=arrow.texts[0])
        else:
            g.edge(f"n{arrow.tail}", head)
    if legend:
        _add_legend(g)
    return g


def _grad_cell(text: str, so_far: bool) -> str:
    """A grad reached by the pass; a running sum in the player's colour for it, in italics."""
    return f'<FONT COLOR="{PARTIAL}"><I>{_text(text)}</I></FONT>' if so_far else _text(text)


def _box(label: str, data: str, grad: str | None, kind: str, highlight: bool) -> str:
    """An HTML-like label: a one-row table ``label | data | grad`` in the colour of `kind`."""
    cells = [f"<B>{_text(label)}</B>"] if label else []
    cells.append(_text(data))
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
    # dot's parser of HTML-like labels rejects a text that is only "]" or "]]" (a syntax error):
    # a character reference is drawn the same and parsed as text
    return html.escape(s).replace("]", "&#93;").replace("\n", "<BR/>")
