"""Lay out a directed acyclic graph in layers, in pure Python (no Graphviz).

The classic layered ("Sugiyama") method, in four steps:

1. **Layers.** Every edge points one way (inputs on the left, the output on the
   right). A vertex goes just left of its leftmost consumer: its layer counted
   from the right is ``1 + max(layer of each consumer)``, so a leaf sits next to
   the operation that uses it.
2. **Dummies.** An edge that spans several layers is cut into a chain through
   one invisible *dummy* vertex per layer it crosses, so from here on every edge
   joins two neighbouring layers, and a long edge gets its own lane.
3. **Order.** Within each layer, vertices are sorted by the barycentre (mean
   position) of their neighbours in the layer before, sweeping left to right
   and back a few times; the order with the fewest edge crossings is kept, then
   neighbours are swapped wherever that removes crossings.
4. **Coordinates.** Each vertex wants to sit at the mean height of its
   neighbours; within a layer the order is kept and boxes keep a gap between
   them. Minimising the squared distance to those wishes under the gaps is an
   isotonic regression, solved exactly by pooling adjacent violators.

Edges are routed through the gaps between layers only: a straight run inside a
layer's column (where no other box can be at that height), a curve across the
gap. So no edge passes through a box.

The layout works in *rank* (along the edges) and *cross* coordinates; the
caller turns them into x and y for any direction (LR, TB, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

SWEEPS = 12  # crossing-reduction passes (each one way)
PLACEMENT_ROUNDS = 8  # coordinate passes (each one way)


@dataclass
class Layout:
    """Where everything goes. Indices are those of the vertices and edges given."""

    center: list[tuple[float, float]]  # (rank, cross) of each vertex's centre
    routes: list[list[tuple[float, float, float]]]  # per edge: its stations (rank from, rank to, cross)
    size: tuple[float, float]  # (rank extent, cross extent) of the whole drawing


def layered_layout(
    sizes: Sequence[tuple[float, float]],
    edges: Sequence[tuple[int, int]],
    *,
    node_gap: float = 14.0,
    rank_gap: float = 28.0,
) -> Layout:
    """Lay out vertices of the given (rank extent, cross extent) joined by `edges` (tail, head).

    The graph must be acyclic. A route is the list of *stations* an edge passes: a
    straight run ``(rank from, rank to, cross)`` beside its tail, inside each layer it
    crosses, and up to its head; consecutive stations are joined by a curve across
    the gap between two layers.
    """
    n = len(sizes)
    succ: list[list[int]] = [[] for _ in range(n)]
    for tail, head in edges:
        succ[tail].append(head)
    layer_from_right = _layers_from_right(n, succ)
    depth = max(layer_from_right, default=0)
    layer = [depth - r for r in layer_from_right]

    # 2. dummies: every edge becomes a chain of vertices in consecutive layers
    rank_ext = [w for w, _ in sizes]
    cross_ext = [h for _, h in sizes]
    chains: list[list[int]] = []
    for tail, head in edges:
        chain = [tail]
        for lay in range(layer[tail] + 1, layer[head]):
            layer.append(lay)
            rank_ext.append(0.0)
            cross_ext.append(2.0)
            chain.append(len(layer) - 1)
        chain.append(head)
        chains.append(chain)
    total = len(layer)
    left: list[list[int]] = [[] for _ in range(total)]  # neighbours one layer to the left
    right: list[list[int]] = [[] for _ in range(total)]
    for chain in chains:
        for a, b in pairwise(chain):
            right[a].append(b)
            left[b].append(a)

    layers = _initial_order(depth + 1, layer, left, n)
    layers = _reduce_crossings(layers, left, right)
    cross = _place(layers, left, right, cross_ext, node_gap, first_dummy=n)

    # rank coordinates: one column per layer, as wide as its widest vertex; the gap
    # after a column grows with how steeply its edges climb, so curves stay readable
    column = [max((rank_ext[v] for v in lay), default=0.0) for lay in layers]
    start = [0.0] * len(layers)
    for i in range(1, len(layers)):
        climb = max((abs(cross[a] - cross[b]) for a in layers[i - 1] for b in right[a]), default=0.0)
        gap = min(max(rank_gap, 0.12 * climb), 3 * rank_gap)
        start[i] = start[i - 1] + column[i - 1] + gap
    mid = [s + c / 2 for s, c in zip(start, column)]

    lo = min((cross[v] - cross_ext[v] / 2 for v in range(total)), default=0.0)
    center = [(mid[layer[v]], cross[v] - lo) for v in range(n)]
    routes = []
    for chain in chains:
        stations = []
        for k, v in enumerate(chain):
            c_mid, half = mid[layer[v]], column[layer[v]] / 2
            # a run from the tail's own edge to its column's edge, across whole columns
            # in between, and from the head's column edge to the head
            enter = c_mid - half if k > 0 else c_mid + rank_ext[v] / 2
            leave = c_mid + half if k < len(chain) - 1 else c_mid - rank_ext[v] / 2
            stations.append((enter, leave, cross[v] - lo))
        routes.append(stations)
    hi = max((cross[v] + cross_ext[v] / 2 for v in range(total)), default=0.0)
    width = start[-1] + column[-1] if layers else 0.0
    return Layout(center, routes, (width, hi - lo))


def _layers_from_right(n: int, succ: list[list[int]]) -> list[int]:
    """1 + the largest layer of any consumer, 0 for a vertex nothing consumes (a loop, not a recursion)."""
    layer = [-1] * n
    for start in range(n):
        if layer[start] >= 0:
            continue
        stack = [(start, 0)]
        while stack:
            v, i = stack.pop()
            if i < len(succ[v]):
                stack.append((v, i + 1))
                w = succ[v][i]
                if layer[w] < 0:
                    stack.append((w, 0))
            else:
                layer[v] = 1 + max((layer[w] for w in succ[v]), default=-1)
    return layer


def _initial_order(count: int, layer: list[int], left: list[list[int]], n: int) -> list[list[int]]:
    """A first order: depth first from the right, inputs in the order given, so
    operands keep their order (a above b in a * b) before any sweep."""
    layers: list[list[int]] = [[] for _ in range(count)]
    seen = [False] * len(layer)
    has_right = [False] * len(layer)
    for v in range(len(layer)):
        for u in left[v]:
            has_right[u] = True
    sinks = [v for v in range(n) if not has_right[v]]
    for s in sinks:
        stack = [s]
        while stack:
            v = stack.pop()
            if seen[v]:
                continue
            seen[v] = True
            layers[layer[v]].append(v)
            stack.extend(reversed(left[v]))
    return layers


def _reduce_crossings(
    layers: list[list[int]], left: list[list[int]], right: list[list[int]]
) -> list[list[int]]:
    best, best_crossings = [lay[:] for lay in layers], _crossings(layers, right)
    for sweep in range(SWEEPS):
        if best_crossings == 0:
            break
        forward = sweep % 2 == 0
        order = range(1, len(layers)) if forward else range(len(layers) - 2, -1, -1)
        for i in order:
            ref = layers[i - 1] if forward else layers[i + 1]
            nbrs = left if forward else right
            pos = {v: k for k, v in enumerate(ref)}
            stretch = len(ref) / max(len(layers[i]), 1)
            keys = {}
            for k, v in enumerate(layers[i]):
                ks = [pos[u] for u in nbrs[v]]
                # no neighbour on that side: keep its place
                keys[v] = sum(ks) / len(ks) if ks else k * stretch
            layers[i] = sorted(layers[i], key=keys.__getitem__)
        crossings = _crossings(layers, right)
        if crossings < best_crossings:
            best, best_crossings = [lay[:] for lay in layers], crossings
    _transpose(best, left, right)
    return best


def _transpose(layers: list[list[int]], left: list[list[int]], right: list[list[int]]) -> None:
    """Swap neighbours in a layer while that removes crossings (what barycentres miss)."""
    pos: dict[int, int] = {v: k for lay in layers for k, v in enumerate(lay)}

    def cost(u: int, v: int) -> int:  # crossings between u's and v's edges, u placed above v
        return sum(1 for nbrs in (left, right) for a in nbrs[u] for b in nbrs[v] if pos[a] > pos[b])

    improved, rounds = True, 0
    while improved and rounds < 8:
        improved, rounds = False, rounds + 1
        for lay in layers:
            for k in range(len(lay) - 1):
                u, v = lay[k], lay[k + 1]
                if cost(v, u) < cost(u, v):
                    lay[k], lay[k + 1] = v, u
                    pos[u], pos[v] = k + 1, k
                    improved = True


def _crossings(layers: list[list[int]], right: list[list[int]]) -> int:
    """Edge crossings between neighbouring layers: inversions among the edges sorted by tail."""
    total = 0
    for i in range(len(layers) - 1):
        pos = {v: k for k, v in enumerate(layers[i + 1])}
        heads = [pos[w] for v in layers[i] for w in sorted(right[v], key=pos.__getitem__)]
        tree = [0] * (len(layers[i + 1]) + 1)  # a Fenwick tree counts the heads seen so far
        for seen, h in enumerate(heads):
            j, below = h + 1, 0
            while j > 0:
                below += tree[j]
                j -= j & -j
            total += seen - below  # earlier edges whose head is further down: each one crosses
            j = h + 1
            while j < len(tree):
                tree[j] += 1
                j += j & -j
    return total


def _place(
    layers: list[list[int]],
    left: list[list[int]],
    right: list[list[int]],
    extent: list[float],
    gap: float,
    first_dummy: int,
) -> list[float]:
    """Cross coordinates: each vertex near the mean of its neighbours, in order, never overlapping."""
    total = len(extent)
    cross = [0.0] * total
    for lay in layers:  # start packed, centred on 0
        y = 0.0
        for k, v in enumerate(lay):
            if k:
                y += _sep(lay[k - 1], v, extent, gap, first_dummy)
            cross[v] = y
        for v in lay:
            cross[v] -= y / 2
    for rnd in range(PLACEMENT_ROUNDS):
        forward = rnd % 2 == 0
        both = rnd >= PLACEMENT_ROUNDS - 2
        order = range(1, len(layers)) if forward else range(len(layers) - 2, -1, -1)
        for i in order:
            lay = layers[i]
            want, weight = [], []
            for v in lay:
                nbrs = left[v] + right[v] if both else (left[v] if forward else right[v])
                want.append(sum(cross[u] for u in nbrs) / len(nbrs) if nbrs else cross[v])
                # long edges (dummies) pull harder, so they run straight
                weight.append((4.0 if v >= first_dummy else 1.0) * max(len(nbrs), 1))
            seps = [_sep(a, b, extent, gap, first_dummy) for a, b in pairwise(lay)]
            for v, y in zip(lay, _ordered_fit(want, weight, seps)):
                cross[v] = y
    return cross


def _sep(a: int, b: int, extent: list[float], gap: float, first_dummy: int) -> float:
    g = gap / 2 if a >= first_dummy or b >= first_dummy else gap
    return (extent[a] + extent[b]) / 2 + g


def _ordered_fit(want: list[float], weight: list[float], seps: list[float]) -> list[float]:
    """The y closest to `want` (weighted least squares) with ``y[k+1] - y[k] >= seps[k]``.

    With offsets o[k] = sum of the gaps before k, z = y - o must only grow: an
    isotonic regression, solved by pooling adjacent violators into blocks.
    """
    offset = [0.0]
    for s in seps:
        offset.append(offset[-1] + s)
    blocks: list[list[float]] = []  # [weighted mean, total weight, count]
    for w, o, wt in zip(want, offset, weight):
        blocks.append([w - o, wt, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean2, w2, c2 = blocks.pop()
            mean1, w1, c1 = blocks[-1]
            blocks[-1] = [(mean1 * w1 + mean2 * w2) / (w1 + w2), w1 + w2, c1 + c2]
    z: list[float] = []
    for mean, _, count in blocks:
        z.extend([mean] * int(count))
    return [zk + o for zk, o in zip(z, offset)]
