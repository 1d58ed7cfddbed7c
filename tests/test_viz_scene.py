"""The scene (microgrand.viz.scene): what every drawing shows, worked out once. Big graphs are cut
in nodes and in edges, and the picture says what was cut; the Graphviz frames and the player
replay the same backward pass; drawing reads a scene and never changes it."""

from __future__ import annotations

import dataclasses
import importlib.util
import random
import re
import xml.etree.ElementTree as ET

import pytest
from example_graphs import karpathy_example

from microgrand import Value, nn
from microgrand.graph import backward_steps, trace
from microgrand.viz import draw_step, draw_svg, stepper
from microgrand.viz.scene import EDGES_PER_NODE, make_scene, replayed_pass, widest_fan_in
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
    fan_in = range(1, 200)  # all 200 Values are drawn; the i-th op takes i inputs
    k = max(k for k in range(200) if sum(min(f, k) for f in fan_in) <= EDGES_PER_NODE * 200)
    drawn = sum(min(f, k) for f in fan_in)
    svg = draw_svg(root).svg
    assert len(svg.encode("utf-8")) < 2_000_000
    assert arrows_drawn(svg) == drawn
    assert f"… {edges - drawn:,} more edges" in svg  # all 200 Values are drawn: only edges are cut
    player = stepper(root)
    assert len(player.to_html().encode("utf-8")) < 2_000_000
    assert f"… {edges - drawn:,} more edges" in player.svg  # the page's picture (an <img> of this SVG)


def test_cut_nodes_and_cut_edges_are_both_counted_in_the_one_cut_box() -> None:
    x = Value(2.0, label="x")
    y = Value.from_op(0.0, "many", [x] * 10, [1.0] * 10)  # 2 Values, 10 edges
    scene = make_scene(y, set(), 2, True, False)
    assert len([a for a in scene.arrows if a.tail is not None]) == 2 * EDGES_PER_NODE
    assert scene.cut_text == f"… {10 - 2 * EDGES_PER_NODE} more edges"
    z = y.tanh()  # 3 Values; cut to 2: x is left out, with its 10 edges
    assert make_scene(z, set(), 2, True, False).cut_text == "… 1 more node"
    w = Value.from_op(0.0, "many", [z] * 20, [1.0] * 20) * 2.0  # w, many, 2, z | y, x
    scene = make_scene(w, set(), 4, True, False)  # 2 + 20 edges between the 4 drawn
    assert scene.cut_text == f"… 2 more nodes, {2 + 20 - EDGES_PER_NODE * 4} more edges"


def test_only_the_widest_operations_lose_inputs_and_they_keep_their_first_ones() -> None:
    root = dense(40)
    scene = make_scene(root, set(), 10, True, False)  # the root, x, n1 ... n8: 45 edges between them
    budget = EDGES_PER_NODE * 10
    # the most inputs each op may keep: the largest k with sum(min(fan-in, k)) <= budget
    fan_in = [9, *range(1, 9)]
    k = max(k for k in range(10) if sum(min(f, k) for f in fan_in) <= budget)
    assert scene.cut_text == f"… 30 more nodes, {45 - sum(min(f, k) for f in fan_in)} more edges"
    nodes = trace(root)[0]
    for i, v in enumerate(scene.values):
        drawn = [scene.arrows[a].tail for a in scene.inputs[i] if a is not None]
        firsts = [nodes.index(c) for c in v.children if nodes.index(c) < 10][:k]
        assert drawn == firsts, v.label


@pytest.mark.parametrize("seed", range(20))
def test_widest_fan_in_is_the_largest_cap_that_fits(seed: int) -> None:
    rng = random.Random(seed)
    fan_in = [rng.randint(0, 30) for _ in range(rng.randint(1, 12))]
    budget = rng.randint(0, 200)
    cap = widest_fan_in(fan_in, budget)
    if sum(fan_in) <= budget:
        assert cap is None
    else:
        assert cap is not None
        assert sum(min(f, cap) for f in fan_in) <= budget < sum(min(f, cap + 1) for f in fan_in)


def mlp(sizes: list[int], fused: bool) -> Value:
    out = nn.MLP(sizes[0], sizes[1:], seed=0, fused=fused)([Value(0.5 * i - 1) for i in range(sizes[0])])
    assert isinstance(out, Value)
    return out


@pytest.mark.parametrize(
    "root",
    [
        karpathy_example()[0],
        mlp([2, 4, 4, 1], fused=False),
        mlp([3, 8, 8, 1], fused=True),
        mlp([2, 16, 16, 1], fused=True),  # 372 Values: the 200 nearest the root have 439 edges
    ],
    ids=["readme", "mlp-fine", "mlp-fused", "mlp-fused-wide"],
)
def test_the_graphs_of_the_course_lose_no_edge(root: Value) -> None:
    nodes, edges = trace(root)
    drawn = set(nodes[:200])
    between = [e for e in edges if e.input in drawn and e.output in drawn]
    svg = draw_svg(root).svg
    assert arrows_drawn(svg) == len(between) and "more edge" not in svg
    assert ("more node" in svg) == (len(nodes) > 200)


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
        steps = [(s.box, s.arrows, s.grads) for s in scene.steps]
        return repr((scene.boxes, scene.arrows, scene.inputs, scene.cut_text, scene.start, steps))

    before = snapshot()
    first = picture(scene).svg()
    assert picture(scene).svg() == first and snapshot() == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        scene.boxes[0].data = ("data 0",)  # type: ignore[misc]
