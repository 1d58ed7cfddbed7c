"""The SVG renderer: a scene, placed by `layout.layered_layout`, as SVG text (no Graphviz).

`draw_svg(root)` is the picture `draw_dot` makes: a box per Value (``label | data | grad``)
in the colour of its kind, an oval per operation, edges input → operation → result, and
optionally a number on each input edge. Every element the player changes carries a
``data-`` attribute naming its box or arrow, and all styling is in SVG attributes (no
CSS), so the picture looks the same wherever it is shown.

A box is as wide as the widest text it will ever hold (the scene lists them all, the one
drawn first), so the player can change the texts frame by frame and nothing moves.
"""

from __future__ import annotations

import base64
import html
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from ..engine import Value
from .fonts import text_width
from .layout import layered_layout
from .options import DEFAULT_MAX_NODES, check_options
from .scene import Arrow, Box, Scene, make_scene
from .style import KINDS

FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif"
BOX_FONT, EDGE_FONT = 14.0, 11.0  # px: as big as draw_dot's 11 pt and 9 pt look
LINE = 17.0  # height of a line of text in a box
PAD = 6.0  # space around the text of a cell
ARROW = 7.0  # length of an arrowhead
MARGIN = 8.0


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
    is microgrand's own (`microgrand.viz.layout`: layers, fewest crossings, no overlaps).
    """
    limit, param_set = check_options("draw_svg", root, rankdir, max_nodes, params)
    scene = make_scene(root, param_set, limit, show_grad, show_local_grads)
    return SVGDrawing(picture(scene, rankdir, legend).svg())


class SVGDrawing:
    """An SVG picture of a graph: shown as SVG in Jupyter, saved with `save`, its text in `svg`."""

    def __init__(self, svg: str) -> None:
        self.svg = svg

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        # an untrusted notebook shows no image/svg+xml, but keeps an <img> of it in HTML
        return as_img(self.svg, "A computation graph drawn by microgrand")

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the SVG to `path` (an .svg file) and return the path."""
        path = Path(path)
        path.write_text(self.svg, encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return f"<SVGDrawing: {len(self.svg):,} characters of SVG; display it in a notebook or .save() it>"


def as_img(svg: str, alt: str) -> str:
    """`svg` as an ``<img>`` with a data: URL: what JupyterLab and Notebook 7 show of an untrusted
    notebook's HTML (their sanitiser drops inline ``<svg>``; an image/svg+xml output shows not at all)."""
    size = re.match(r'<svg [^>]*?width="(\d+)"', svg)
    width = f' width="{size.group(1)}"' if size else ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img class="mg-picture" alt="{html.escape(alt)}"{width} style="max-width:100%; height:auto; '
        f'display:block; margin:0 auto" src="data:image/svg+xml;base64,{data}">'
    )


# ---------------------------------------------------------------- geometry


@dataclass
class _Shape:
    cells: list[float]  # widths of the box's cells
    width: float
    height: float


def _box_shape(box: Box) -> _Shape:
    texts = ([[box.label]] if box.label else []) + [box.data] + ([box.grad] if box.grad else [])
    cells = []
    for k, options in enumerate(texts):
        bold = k == 0 and bool(box.label)
        cells.append(
            max(text_width(line, BOX_FONT, bold) for t in options for line in t.split("\n")) + 2 * PAD
        )
    lines = box.label.count("\n") + 1 if box.label else 1
    return _Shape(cells, sum(cells), lines * LINE + 2 * PAD - 4)


@dataclass
class _Vertices:
    """The graph the layout sees: a vertex per box, per oval, per edge label and for the cut."""

    sizes: list[tuple[float, float]] = field(default_factory=list)  # (width, height) on the page
    box: list[int] = field(default_factory=list)  # vertex of each box
    op: dict[int, int] = field(default_factory=dict)  # vertex of the oval of each box with an op
    label: list[int] = field(default_factory=list)  # vertex of each arrow's label, -1 for none
    more: int = -1  # vertex of the "… N more nodes" box
    edges: list[tuple[int, int]] = field(default_factory=list)

    def add(self, w: float, h: float) -> int:
        self.sizes.append((w, h))
        return len(self.sizes) - 1


def _vertices(scene: Scene, shapes: list[_Shape], across: bool) -> _Vertices:
    g = _Vertices()
    g.box = [g.add(s.width, s.height) for s in shapes]
    fan_in: dict[int, int] = {}
    for a in scene.arrows:
        fan_in[a.head] = fan_in.get(a.head, 0) + 1
    for i, b in enumerate(scene.boxes):
        if b.op:  # an oval grows along its side where many edges come in, so they can end apart
            w, side = max(text_width(b.op, BOX_FONT) + 16, 30.0), 7.0 * fan_in.get(i, 0)
            g.op[i] = g.add(max(w, side), 26.0) if across else g.add(w, max(26.0, side))
    if scene.cut_text:
        g.more = g.add(text_width(scene.cut_text, BOX_FONT) + 2 * PAD, LINE + 2 * PAD)
    for a in scene.arrows:
        if scene.labelled and a.tail is not None:
            # beside the line, not on it: above it across the page, right of it down the page
            w = max((text_width(t, EDGE_FONT) for t in a.texts), default=0.0) + 6
            g.label.append(g.add(2 * w + 8, EDGE_FONT + 4) if across else g.add(w, 2 * EDGE_FONT + 6))
        else:
            g.label.append(-1)
    g.edges = [(g.op[i], g.box[i]) for i in g.op]  # op → its result, then input → (label →) op
    for a, lab in zip(scene.arrows, g.label):
        tail = g.more if a.tail is None else g.box[a.tail]
        g.edges += [(tail, lab), (lab, g.op[a.head])] if lab >= 0 else [(tail, g.op[a.head])]
    return g


@dataclass(frozen=True)
class Picture:
    """A scene laid out and drawn: its size and its elements; `svg` writes the ``<svg>`` around them."""

    width: float
    height: float
    elements: str

    def svg(self) -> str:
        """The ``<svg>`` element, as large as drawn (the player's script fits it to its page)."""
        size = f'width="{self.width:.0f}" height="{self.height:.0f}"'
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width:.0f} {self.height:.0f}" '
            f'{size} font-family="{FONT}" font-size="{BOX_FONT:g}">\n{self.elements}\n</svg>'
        )


def picture(scene: Scene, rankdir: str = "LR", legend: bool = False) -> Picture:
    """The scene laid out (`layout.layered_layout`) and drawn as SVG elements."""
    across = rankdir in ("TB", "BT")  # ranks run down the page
    shapes = [_box_shape(b) for b in scene.boxes]
    g = _vertices(scene, shapes, across)
    extents = [(h, w) if across else (w, h) for w, h in g.sizes]  # (along the edges, across them)
    lay = layered_layout(extents, g.edges, node_gap=12.0 if across else 10.0, rank_gap=32.0)

    span_r, span_c = lay.size
    legend_rows = list(KINDS.items()) if legend else []
    legend_w = max((text_width(m, 10.0) for _, (_, m) in legend_rows), default=0.0) + 16
    w, h = (span_c, span_r) if across else (span_r, span_c)
    width = max(w, legend_w) + 2 * MARGIN
    height = h + 2 * MARGIN + (len(legend_rows) * 18.0 + 8 if legend else 0)

    def point(r: float, c: float) -> tuple[float, float]:
        if rankdir in ("RL", "BT"):
            r = span_r - r
        x, y = (c, r) if across else (r, c)
        return round(x + MARGIN, 1), round(y + MARGIN, 1)

    def xy(v: int) -> tuple[float, float]:
        return point(*lay.center[v])

    out: list[str] = [
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
    ]
    # edges first, so boxes and labels are drawn over them
    for i, j in enumerate(g.op):
        out.append(_edge_path(lay.routes[i], point, f'data-opedge="{j}"'))
    arrow_routes, k = [], len(g.op)
    for lab in g.label:
        route = lay.routes[k][:]  # a copy: its end is moved below, and the layout's stays as it was
        if lab >= 0:  # value → label → op: one line through the label
            second = lay.routes[k + 1]
            route = [*route[:-1], (route[-1][0], second[0][1], route[-1][2]), *second[1:]]
        arrow_routes.append(route)
        k += 2 if lab >= 0 else 1
    _spread_ends(scene.arrows, arrow_routes, {i: (lay.center[v], extents[v]) for i, v in g.op.items()})
    for n, (a, route) in enumerate(zip(scene.arrows, arrow_routes)):
        attrs = f'data-edge="{n}"' if a.tail is not None else 'stroke-dasharray="5,3"'
        out.append(_edge_path(route, point, attrs))
    for n, (a, lab) in enumerate(zip(scene.arrows, g.label)):
        if lab >= 0:
            x, y = xy(lab)
            x, y, anchor = (x + 4, y, "start") if across else (x, y - EDGE_FONT / 2 - 2, "middle")
            out.append(
                f'<text data-elabel="{n}" x="{x:g}" y="{y:g}" dy=".35em" text-anchor="{anchor}" '
                f'font-size="{EDGE_FONT:g}" stroke="white" stroke-width="3" paint-order="stroke">'
                f"{_esc(a.texts[0] if a.texts else '')}</text>"
            )
    for i, (b, s) in enumerate(zip(scene.boxes, shapes)):
        out.append(_box_svg(i, b, s, xy(g.box[i])))
        if b.op:
            (x, y), (rx, ry) = xy(g.op[i]), (g.sizes[g.op[i]][0] / 2, g.sizes[g.op[i]][1] / 2)
            out.append(
                f'<g data-op="{i}" stroke="black" stroke-width="1"><ellipse cx="{x}" cy="{y}" '
                f'rx="{rx:.1f}" ry="{ry:.1f}" fill="white"/><text x="{x}" y="{y}" dy=".35em" '
                f'text-anchor="middle" stroke="none">{_esc(b.op)}</text></g>'
            )
    if scene.cut_text:
        (x, y), (mw, mh) = xy(g.more), g.sizes[g.more]
        out.append(
            f'<g><rect x="{x - mw / 2:.1f}" y="{y - mh / 2:.1f}" width="{mw:.1f}" height="{mh:.1f}" '
            f'fill="white" stroke="black" stroke-dasharray="5,3"/><text x="{x}" y="{y}" dy=".35em" '
            f'text-anchor="middle">{_esc(scene.cut_text)}</text></g>'
        )
    for r, (kind_, (fill, meaning)) in enumerate(legend_rows):  # the key, under the graph
        y = h + MARGIN + 8 + 18 * r
        out.append(
            f'<rect x="{MARGIN}" y="{y:.1f}" width="{legend_w:.1f}" height="16" fill="{fill}" '
            f'stroke="black" stroke-width="{2 if kind_ == "root" else 1}"/><text x="{MARGIN + 6}" '
            f'y="{y + 8:.1f}" dy=".35em" font-size="10">{_esc(meaning)}</text>'
        )
    return Picture(width, height, "\n".join(out))


def _spread_ends(
    arrows: Sequence[Arrow],
    routes: list[list[tuple[float, float, float]]],
    ovals: dict[int, tuple[tuple[float, float], tuple[float, float]]],
) -> None:
    """Edges into one oval end at points spread over its side (in the order they arrive),
    not all at one point, so each can be followed to its end."""
    into: dict[int, list[int]] = {}
    for n, a in enumerate(arrows):
        into.setdefault(a.head, []).append(n)
    for head, ns in into.items():
        if len(ns) < 2:
            continue
        (r0, c0), (rank_ext, cross_ext) = ovals[head]
        half = cross_ext / 2 - 3
        ns.sort(key=lambda n: routes[n][-2][2])  # where each comes from: no crossing at the end
        for k, n in enumerate(ns):
            dc = -half + 2 * half * k / (len(ns) - 1)
            reach = rank_ext / 2 * (1 - (dc / (cross_ext / 2)) ** 2) ** 0.5  # on the ellipse
            enter = routes[n][-1][0]
            routes[n][-1] = (enter, r0 - reach, c0 + dc)


def _box_svg(i: int, box: Box, shape: _Shape, centre: tuple[float, float]) -> str:
    cx, cy = centre
    x0, y0 = cx - shape.width / 2, cy - shape.height / 2
    border = 2 if box.kind == "root" else 1
    parts = [
        f'<g data-box="{i}"><rect x="{x0:.1f}" y="{y0:.1f}" width="{shape.width:.1f}" '
        f'height="{shape.height:.1f}" fill="{KINDS[box.kind][0]}" stroke="black" stroke-width="{border}"/>'
    ]
    cells: list[tuple[str, str]] = []
    if box.label:
        cells.append(("", box.label))
    cells.append(("data", box.data[0]))
    if box.grad:
        cells.append(("grad", box.grad[0]))
    x = x0
    for k, ((role, text), w) in enumerate(zip(cells, shape.cells)):
        if k:
            parts.append(
                f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y0 + shape.height:.1f}" stroke="black"/>'
            )
        mid = x + w / 2
        if role:
            parts.append(
                f'<text data-{role}="{i}" data-fit="{w - PAD:.0f}" x="{mid:.1f}" y="{cy}" dy=".35em" '
                f'text-anchor="middle">'
                f"{_esc(text)}</text>"
            )
        else:  # the label, bold, one line per line of text
            lines = text.split("\n")
            top = cy - (len(lines) - 1) * LINE / 2
            spans = "".join(
                f'<tspan x="{mid:.1f}" y="{top + n * LINE:.1f}" dy=".35em">{_esc(t)}</tspan>'
                for n, t in enumerate(lines)
            )
            parts.append(f'<text text-anchor="middle" font-weight="bold">{spans}</text>')
        x += w
    parts.append("</g>")
    return "".join(parts)


def _edge_path(
    stations: list[tuple[float, float, float]],
    point: Callable[[float, float], tuple[float, float]],
    attrs: str,
) -> str:
    """A line through the stations (straight inside columns, a curve across gaps) and an arrowhead."""
    last_from, last_to, last_c = stations[-1]
    tip = last_to
    stations = [*stations[:-1], (min(last_from, tip - ARROW), tip - ARROW, last_c)]
    a, b, c = stations[0]
    d = [f"M{_p(point(a, c))}L{_p(point(b, c))}"]
    for (_, b0, c0), (a1, b1, c1) in pairwise(stations):
        m = (b0 + a1) / 2
        d.append(f"C{_p(point(m, c0))} {_p(point(m, c1))} {_p(point(a1, c1))}L{_p(point(b1, c1))}")
    base = tip - ARROW
    head = [point(tip, last_c), point(base, last_c - ARROW / 2), point(base, last_c + ARROW / 2)]
    return (
        f'<g {attrs} stroke="black" fill="black"><path d="{"".join(d)}" fill="none"/>'
        f'<polygon points="{" ".join(_p(q) for q in head)}" stroke="none"/></g>'
    )


def _p(q: tuple[float, float]) -> str:
    return f"{q[0]:g},{q[1]:g}"


def _esc(s: str) -> str:
    return html.escape(s, quote=False)
