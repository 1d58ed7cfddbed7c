"""What the player and draw_svg cost: build time and size, from small graphs to cut big and dense ones;
each player kind (reverse, quiz, forward) on the notebook graphs and a 1,000-node graph; a click in
Chromium; the default player of a 1,000,000-Value graph against backward() on it.

    python bench/bench_player.py          # ~3 min

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
from functools import partial
from pathlib import Path
from typing import Any

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


def notebook_graphs() -> list[tuple[str, Value, list[Value], int | None]]:
    fine = nn.Neuron(3, activation="tanh", fused=False, seed=0)  # notebook 06's fine-grained neuron
    model = nn.MLP(2, [4, 4, 1], seed=0, fused=False)
    out = model([Value(0.5, label="x0"), Value(-1.0, label="x1")])
    assert isinstance(out, Value)
    big = nn.MLP(8, [16, 16, 1], seed=0, fused=False)  # 1,000 of its Values drawn
    big_out = big([Value(0.1 * i, label=f"x{i}") for i in range(8)])
    assert isinstance(big_out, Value)
    return [
        ("README graph (notebook 02)", lecture_example(), [], 200),
        ("neuron of notebook 06, fine-grained", fine([1.0, -2.0, 0.5]), fine.parameters(), 200),
        ("MLP 2-4-4-1, fine-grained", out, model.parameters(), 200),
        ("MLP 8-16-16-1, fine-grained, 1,000 drawn (the limit)", big_out, big.parameters(), 1000),
    ]


def kinds() -> None:
    """Build time and HTML size of each player kind."""
    print(f"\n{'graph':48} {'kind':8} {'build (s)':>24} {'HTML':>9}")
    for name, root, params, max_nodes in notebook_graphs():
        leaf = next(v for v in trace(root)[0] if v.is_leaf)
        options: dict[str, dict[str, Any]] = {
            "reverse": {},
            "quiz": {"quiz": True},
            "forward": {"mode": "forward", "wrt": leaf},
        }
        for kind, extra in options.items():
            times, page = timed(partial(lambda r, p, m, e: stepper(r, p, max_nodes=m, **e).to_html(),
                                        root, params, max_nodes, extra))  # fmt: skip
            print(
                f"{name:48} {kind:8} {summary(times, '{:.3f}'):>24} {len(str(page).encode()) / 1024:>6.0f} KB"
            )


CLICK = """async ([n, follow]) => {
    document.querySelector('.mg-follow').checked = follow;
    const next = document.querySelector('[data-act=next]'), svg = document.querySelector('.mg-player svg');
    const times = [];
    for (let k = 0; k < n; k++) {
        const t0 = performance.now();
        next.click();
        svg.getBBox(); document.body.offsetHeight;  // the work a click causes, layout included
        await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));  // and its paint
        times.push(performance.now() - t0);
    }
    return times;
}"""


def clicks() -> None:
    """Per-click time in Chromium (Debian's), from pressing Next to the next frame painted."""
    import tempfile

    from playwright.sync_api import sync_playwright

    cases = [(name, root, params, m) for name, root, params, m in notebook_graphs()]
    cases.append(("sum of 500 products, 1,000 drawn (the limit)", wide(4000), [], 1000))
    head = "ms per click (median [min .. max] of 30)"
    print(f"\n{head:48} {'frames':>7} {'camera following':>26} {'not following':>26}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        for n, (name, root, params, max_nodes) in enumerate(cases):
            player = stepper(root, params, max_nodes=max_nodes)
            path = player.save(Path(tmp) / f"p{n}.html")
            figures = []
            for follow in (True, False):
                page.goto(path.as_uri())
                figures.append(summary(page.evaluate(CLICK, [30, follow]), "{:.1f}"))
            print(f"{name:48} {len(player.frames):>7} {figures[0]:>26} {figures[1]:>26}")
        browser.close()


def million() -> None:
    """The default player of a 1,000,000-Value graph: cut to 200, but what does the walk cost?"""
    import subprocess

    script = (
        "import resource, sys, time\n"
        "from microgrand import Value\n"
        "from microgrand.viz import stepper\n"
        "y = Value(0.1, label='x')\n"
        "for _ in range(1_000_000): y = y.tanh()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "t0 = time.perf_counter()\n"
        "y.backward() if sys.argv[1] == 'backward' else stepper(y)\n"
        "t = time.perf_counter() - t0\n"
        "print(t, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)\n"
    )
    print("\n1,000,000-Value chain of tanh (fresh interpreter each)   time (s)   peak memory added (MB)")
    for what in ("backward", "stepper"):
        out = subprocess.run([sys.executable, "-c", script, what], capture_output=True, text=True, check=True)
        t, mb = map(float, out.stdout.split())
        print(f"  {what + '()':56} {t:>8.2f}   {mb:>8.0f}")


if __name__ == "__main__":
    main()
    kinds()
    clicks()
    million()
