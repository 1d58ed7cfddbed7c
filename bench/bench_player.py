"""What the player and draw_svg cost: build time and size, from small graphs to cut big and dense ones.

    python bench/bench_player.py          # ~1 min

Each figure is the median [min .. max] of 5 builds in this process (building a
player reads the graph and lays it out; it keeps nothing between builds). The
goals (issue 10): a player for a 100-node graph builds in under a second and its
HTML stays under 500 KB; a 60,000-node graph is cut to `max_nodes`, not hung on.
Issue 16: a dense 200-node graph (each op over every Value before it: 19,900 edges)
draws with draw_svg and stepper in under 2 s and 2 MB; the last column says what the
picture leaves out.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import summary

from microgrand import Value, nn
from microgrand.examples import lecture_example
from microgrand.graph import trace
from microgrand.viz import draw_svg, stepper

ROUNDS = 5


def mlp(sizes: list[int], fused: bool) -> Value:
    model = nn.MLP(sizes[0], sizes[1:], seed=0, fused=fused)
    out = model([Value(0.1 * (i + 1), label=f"x{i}") for i in range(sizes[0])])
    assert isinstance(out, Value)
    return out


def chain(n: int) -> Value:
    y = Value(0.1, label="x")
    for _ in range(n):
        y = y.tanh()
    return y


def wide(n: int) -> Value:
    """n nodes, most of them at the same distance from the root: a wide cut."""
    xs = [Value(0.001 * i, label=f"x{i}") for i in range(n // 4)]
    return sum((x * 2.0 for x in xs), Value(0.0))  # type: ignore[return-value]


def dense(n: int) -> Value:
    """n Values, each an op over every Value before it: n(n-1)/2 edges."""
    values = [Value(1.0, label="x")]
    while len(values) < n:
        values.append(Value.from_op(0.0, "op", values, [1.0] * len(values)))
    return values[-1]


def timed(build: Callable[[], object]) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = build()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    cases: list[tuple[str, Value, int | None]] = [
        ("README graph L = (a*b + c)*f", lecture_example(), 200),
        ("MLP 2-4-4-1, fine-grained neurons", mlp([2, 4, 4, 1], fused=False), 200),
        ("MLP 3-8-8-1, fused neurons", mlp([3, 8, 8, 1], fused=True), 200),
        ("MLP 4-8-8-1, fine-grained (cut at 200)", mlp([4, 8, 8, 1], fused=False), 200),
        ("chain of 60,000 tanh (cut at 200)", chain(60_000), 200),
        ("sum of 15,000 products (cut at 200)", wide(60_000), 200),
        ("dense: 200 ops, each over all before it (19,900 edges)", dense(200), 200),
    ]
    print(
        f"{'graph':56} {'nodes':>7} {'edges':>7} {'player build (s)':>24} {'HTML':>9} "
        f"{'draw_svg (s)':>24} {'SVG':>9}  what is cut"
    )
    for name, root, max_nodes in cases:
        nodes, edges = trace(root)
        player_times, player = timed(lambda root=root, m=max_nodes: stepper(root, max_nodes=m).to_html())
        svg_times, drawing = timed(
            lambda root=root, m=max_nodes: draw_svg(root, max_nodes=m, show_local_grads=True).svg
        )
        page, svg = str(player), str(drawing)
        cut = re.search(r">(… [^<]*)<", svg)
        print(
            f"{name:56} {len(nodes):>7,} {len(edges):>7,} {summary(player_times, '{:.3f}'):>24} "
            f"{len(page.encode('utf-8')) / 1024:>6.0f} KB {summary(svg_times, '{:.3f}'):>24} "
            f"{len(svg.encode('utf-8')) / 1024:>6.0f} KB  {cut.group(1) if cut else 'nothing'}"
        )


if __name__ == "__main__":
    main()
