"""Our layout (draw_svg, no Graphviz) beside Graphviz's dot (draw_dot), as PNG pictures to look at.

    python docs/compare_layouts.py [OUT_DIR]        # default: ./layout-comparison

For the README graph L = (a*b + c)*f, a micrograd-style neuron built from * and +
(nn.Neuron(2, fused=False)) and a 2-layer MLP, it writes NAME.png: draw_svg's
picture above dot's, same options, same scale, and prints each one's size.
Needs the Graphviz program dot, the graphviz package, playwright and /usr/bin/chromium.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from microgrand import Value, nn
from microgrand.examples import lecture_example
from microgrand.viz import draw_dot, draw_svg

CHROMIUM = "/usr/bin/chromium"


def graphs() -> Iterator[tuple[str, Value, list[Value]]]:
    yield "readme", lecture_example(), []
    neuron = nn.Neuron(2, fused=False, seed=0)
    y = neuron([Value(2.0, label="x0"), Value(0.0, label="x1")])
    y.label = "o"
    yield "neuron", y, neuron.parameters()
    mlp = nn.MLP(2, [3, 1], seed=0)
    y = mlp([Value(1.0, label="x0"), Value(-1.0, label="x1")])
    assert isinstance(y, Value)
    y.label = "y"
    yield "mlp", y, mlp.parameters()


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        for name, root, params in graphs():
            root.backward()
            ours = draw_svg(root, params, show_local_grads=True).svg
            theirs = draw_dot(root, params=params, show_local_grads=True).pipe(format="svg").decode("utf-8")
            theirs = theirs[theirs.index("<svg") :]
            html = (
                "<body style='margin:8px; font: 14px sans-serif'>"
                f"<p>draw_svg (microgrand's layout)</p>{ours}<p>draw_dot (Graphviz dot)</p>{theirs}</body>"
            )
            (Path(tmp) / f"{name}.html").write_text(html, encoding="utf-8")
            page.goto((Path(tmp) / f"{name}.html").as_uri())
            sizes = page.evaluate(
                "() => Array.from(document.querySelectorAll('body > svg'))"
                ".map(s => s.getBoundingClientRect()).map(r => [Math.round(r.width), Math.round(r.height)])"
            )
            page.screenshot(path=out / f"{name}.png", full_page=True)
            print(f"{name}: draw_svg {sizes[0][0]}x{sizes[0][1]} px, dot {sizes[1][0]}x{sizes[1][1]} px")
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "layout-comparison"))
