"""The scene (microgrand.viz.scene): what every drawing shows, worked out once. Big graphs are cut
in nodes and in edges, and the picture says what was cut; the Graphviz frames and the player
replay the same backward pass; drawing reads a scene and never changes it."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import xml.etree.ElementTree as ET

import pytest
from example_graphs import karpathy_example

from microgrand import Value, nn
from microgrand.graph import backward_steps, trace
from microgrand.viz import draw_step, draw_svg, stepper
from microgrand.viz.scene import EDGES_PER_NODE, make_scene, replayed_pass
from microgrand.viz.svg import picture

SVG = "{http://www.w3.org/2000/svg}"
needs_graphviz = pytest.mark.skipif(
    importlib.util.find_spec("graphviz") is None,
    reason='needs the graphviz package: pip install "microgrand[viz]"',
)


def dense(n: int) -> Value:
    """n Values, each an op over every Value before it: n(n-1)/2 edges."""
    values = [Value(1.0, label="x")]
    while len(values) < n:
        values.append(Value.from_op(0.0, "op", values, [1.0] * len(values)))
    return values[-1]


def arrows_drawn(svg: str) -> int:
    return sum("data-edge" in g.attrib for g in ET.fromstring(svg).iter(f"{SVG}g"))


# ---------------------------------------------------------------- the cut


def test_a_dense_graph_stays_a_small_picture_that_says_how_many_edges_it_leaves_out() -> None:
    root = dense(200)
    edges = 200 * 199 // 2  # 19,900
    drawn = EDGES_PER_NODE * 200
    svg = draw_svg(root).svg
    assert len(svg.encode("utf-8")) < 2_000_000
    assert arrows_drawn(svg) == drawn
    assert f"… {edges - drawn:,} more edges" in svg  # all 200 Values are drawn: only edges are cut
    page = stepper(root).to_html()
    assert len(page.encode("utf-8")) < 2_000_000
    assert f"… {edges - drawn:,} more edges" in page


def test_cut_nodes_and_cut_edges_are_both_counted_in_the_one_cut_box() -> None:
    x = Value(2.0, label="x")
    y = Value.from_op(0.0, "many", [x] * 10, [1.0] * 10)  # 2 Values, 10 edges
    scene = make_scene(y, set(), 2, True, False)
    assert len([a for a in scene.arrows if a.tail is not None]) == 2 * EDGES_PER_NODE
    assert scene.cut_text == f"… {10 - 2 * EDGES_PER_NODE} more edges"
    z = y.tanh()  # 3 Values; cut to 2: x is left out, with its 10 edges
    assert make_scene(z, set(), 2, True, False).cut_text == "… 1 more node"
    w = Value.from_op(0.0, "many", [z] * 9, [1.0] * 9) * 2.0  # w, many, 2, z | y, x
    scene = make_scene(w, set(), 4, True, False)  # 2 + 9 edges between the 4 drawn
    assert scene.cut_text == f"… 2 more nodes, {2 + 9 - EDGES_PER_NODE * 4} more edges"


def test_the_edges_nearest_the_root_are_drawn_first() -> None:
    root = dense(40)
    scene = make_scene(root, set(), 10, True, False)
    heads = [a.head for a in scene.arrows if a.tail is not None]
    assert heads == sorted(heads)  # in trace order: the root's inputs, then the next Value's, ...
    assert heads[:9] == [0] * 9  # the root takes all 9 drawn Values as inputs


@pytest.mark.parametrize(
    "root",
    [
        karpathy_example()[0],
        nn.MLP(2, [4, 4, 1], seed=0, fused=False)([Value(0.5), Value(-1.0)]),
        nn.MLP(3, [8, 8, 1], seed=0, fused=True)([Value(0.5), Value(-1.0), Value(2.0)]),
    ],
    ids=["readme", "mlp-fine", "mlp-fused"],
)
def test_the_graphs_of_the_course_lose_no_edge(root: Value) -> None:
    assert isinstance(root, Value)
    nodes, edges = trace(root)
    assert len(nodes) <= 200
    svg = draw_svg(root).svg
    assert arrows_drawn(svg) == len(edges) and "more node" not in svg and "more edge" not in svg


# ---------------------------------------------------------------- one replay for every renderer


@needs_graphviz
def test_draw_step_and_the_player_show_the_same_grads_at_every_step() -> None:
    a, b = Value(3.0, label="a"), Value(-2.0, label="b")
    L = (a * b + a) * b
    L.label = "L"
    steps = list(backward_steps(L))
    frames = stepper(L).frames
    backward = [f for f in frames if f.caption.startswith("Backward step")]
    assert len(backward) == len(steps)
    shown: dict[int, str] = {}
    for f in frames[: frames.index(backward[0])]:
        shown.update((i, t) for i, t, _ in f.grads)
    for k, frame in enumerate(backward):
        shown.update((i, t) for i, t, _ in frame.grads)
        source = draw_step(steps, k).source
        for i, text in shown.items():
            cell = re.search(rf"^\tn{i} \[label=<.*<TD>(?:<FONT[^>]*>)?(?:<I>)?(grad [^<]*)<", source, re.M)
            assert cell is not None and cell.group(1) == text, (k, i)


def test_the_replay_changes_no_grad_and_ends_where_backward_ends() -> None:
    L, named = karpathy_example()
    for v in named.values():
        v.grad = 7.0  # left over from an earlier pass
    steps = replayed_pass(L)
    assert all(v.grad == 7.0 for v in named.values())
    scene = make_scene(L, set(), None, True, False, steps=steps)
    reference = karpathy_example()[0]
    reference.backward()
    want = [f"grad {v.grad:.4g}" for v in trace(reference)[0]]
    got = scene.grads_after(len(steps) - 1)
    assert [got[i].text for i in range(len(want))] == want
    assert [box.grad[0] for box in scene.boxes] == want  # the finished picture shows the same


def test_drawing_a_scene_leaves_it_as_it_was() -> None:
    L = karpathy_example()[0]
    scene = make_scene(L, set(), None, True, True, steps=replayed_pass(L), forward=True)

    def snapshot() -> str:
        steps = [(s.box, s.passes, s.grads) for s in scene.steps]
        return repr((scene.boxes, scene.arrows, scene.inputs, scene.cut_text, scene.start, steps))

    before = snapshot()
    first = picture(scene).svg()
    assert picture(scene).svg() == first and snapshot() == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        scene.boxes[0].data = ("data 0",)  # type: ignore[misc]
