"""The layered layout behind draw_svg and the player (microgrand.layout), checked on random DAGs:
edges point from left to right, no two boxes overlap, and every edge runs only where no box is.
Its parts against independent references: crossings against counting every pair of edges, the
ordered placement against the min-max formula of isotonic regression."""

from __future__ import annotations

import random
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from microgrand.viz.layout import _crossings, _ordered_fit, _reduce_crossings, layered_layout


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[tuple[float, float]], list[tuple[int, int]]]:
    n = draw(st.integers(1, 25))
    sizes = [(draw(st.floats(0, 120)), draw(st.floats(1, 60))) for _ in range(n)]
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] < p[1])
    edges = draw(st.lists(pairs, max_size=3 * n)) if n > 1 else []
    return sizes, edges  # an edge i -> j with i < j: never a cycle; repeats allowed (a * a)


def rect(centre: tuple[float, float], size: tuple[float, float]) -> tuple[float, float, float, float]:
    (r, c), (w, h) = centre, size
    return r - w / 2, r + w / 2, c - h / 2, c + h / 2


@settings(max_examples=150, deadline=None)
@given(dags())
def test_edges_point_right_boxes_never_overlap_and_edges_avoid_boxes(
    graph: tuple[list[tuple[float, float]], list[tuple[int, int]]],
) -> None:
    sizes, edges = graph
    lay = layered_layout(sizes, edges)
    boxes = [rect(c, s) for c, s in zip(lay.center, sizes)]
    eps = 1e-6
    for i, a in enumerate(boxes):
        assert a[0] >= -eps and a[1] <= lay.size[0] + eps and a[2] >= -eps and a[3] <= lay.size[1] + eps
        for b in boxes[i + 1 :]:
            apart = a[1] <= b[0] + eps or b[1] <= a[0] + eps or a[3] <= b[2] + eps or b[3] <= a[2] + eps
            assert apart, (a, b)
    for (tail, head), route in zip(edges, lay.routes):
        assert boxes[tail][1] < boxes[head][0]  # inputs left of what they feed
        first, last = route[0], route[-1]
        assert abs(first[0] - boxes[tail][1]) < eps and abs(first[2] - lay.center[tail][1]) < eps
        assert abs(last[1] - boxes[head][0]) < eps and abs(last[2] - lay.center[head][1]) < eps
        for k, (start, end, c) in enumerate(route):
            assert start <= end + eps
            for b in boxes:  # a straight run never enters a box
                assert not (start + eps < b[1] and b[0] < end - eps and b[2] + eps < c < b[3] - eps)
            if k:  # the curve from the last station lies in a gap that holds no box at all
                gap = (route[k - 1][1], start)
                assert gap[0] <= gap[1] + eps
                assert not any(gap[0] + eps < b[1] and b[0] < gap[1] - eps for b in boxes)


def test_a_chain_is_one_straight_row() -> None:
    lay = layered_layout([(40.0, 20.0)] * 4, [(0, 1), (1, 2), (2, 3)])
    assert len({c for _, c in lay.center}) == 1
    assert [r for r, _ in lay.center] == sorted(r for r, _ in lay.center)


def test_a_leaf_sits_next_to_the_operation_that_uses_it() -> None:
    # 0 -> 1 -> 2 -> 3, and leaf 4 -> 3: the leaf goes in the layer just before 3, not the first
    lay = layered_layout([(10.0, 10.0)] * 5, [(0, 1), (1, 2), (2, 3), (4, 3)])
    assert lay.center[4][0] == lay.center[2][0]


def brute_force_crossings(layers: list[list[int]], right: list[list[int]]) -> int:
    count = 0
    for upper, lower in pairwise(layers):
        pos_u = {v: k for k, v in enumerate(upper)}
        pos_l = {v: k for k, v in enumerate(lower)}
        es = [(pos_u[v], pos_l[w]) for v in upper for w in right[v]]
        count += sum(
            1 for i, (a, b) in enumerate(es) for c, d in es[i + 1 :] if (a - c) * (b - d) < 0
        )  # two edges cross when their ends are in opposite orders
    return count


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000))
def test_crossings_are_counted_right_and_the_sweeps_never_add_any(seed: int) -> None:
    rng = random.Random(seed)
    sizes = [rng.randint(1, 5) for _ in range(rng.randint(2, 4))]
    layers, start = [], 0
    for size in sizes:
        layers.append(list(range(start, start + size)))
        start += size
    right: list[list[int]] = [[] for _ in range(start)]
    left: list[list[int]] = [[] for _ in range(start)]
    for upper, lower in pairwise(layers):
        for v in upper:
            for w in rng.sample(lower, rng.randint(0, len(lower))):
                right[v].append(w)
                left[w].append(v)
    for lay in layers:
        rng.shuffle(lay)
    before = brute_force_crossings(layers, right)
    assert _crossings(layers, right) == before
    after = _reduce_crossings([lay[:] for lay in layers], left, right)
    assert sorted(map(sorted, after)) == sorted(map(sorted, layers))  # the same vertices, reordered
    assert brute_force_crossings(after, right) <= before


def test_sweeps_untangle_a_crossed_pair() -> None:
    layers = [[0, 1], [2, 3]]
    right, left = [[3], [2], [], []], [[], [], [1], [0]]
    assert _crossings(layers, right) == 1
    assert _crossings(_reduce_crossings(layers, left, right), right) == 0


def isotonic_reference(ys: list[float], ws: list[float]) -> list[float]:
    """The min-max formula: z_i = max over j <= i of min over k >= i of the weighted mean of y_j..y_k."""

    def mean(j: int, k: int) -> float:
        return sum(y * w for y, w in zip(ys[j : k + 1], ws[j : k + 1])) / sum(ws[j : k + 1])

    n = len(ys)
    return [max(min(mean(j, k) for k in range(i, n)) for j in range(i + 1)) for i in range(n)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-100, 100), st.floats(0.1, 10), st.floats(0, 30)), min_size=1, max_size=9)
)
def test_ordered_fit_is_the_closest_placement_that_keeps_the_gaps(
    rows: list[tuple[float, float, float]],
) -> None:
    want = [w for w, _, _ in rows]
    weight = [wt for _, wt, _ in rows]
    seps = [s for _, _, s in rows][1:]
    y = _ordered_fit(want, weight, seps)
    for k, s in enumerate(seps):
        assert y[k + 1] - y[k] >= s - 1e-9
    offsets = [sum(seps[:k]) for k in range(len(want))]
    reference = isotonic_reference([w - o for w, o in zip(want, offsets)], weight)
    assert all(abs(a - (b + o)) < 1e-6 for a, b, o in zip(y, reference, offsets))


def test_ordered_fit_keeps_wishes_that_already_fit() -> None:
    assert _ordered_fit([0.0, 50.0, 100.0], [1.0, 1.0, 1.0], [20.0, 20.0]) == [0.0, 50.0, 100.0]
    assert _ordered_fit([0.0, 0.0], [1.0, 1.0], [10.0]) == [-5.0, 5.0]
