"""Python in the course site's pages, measured in headless Chromium: start-up, later runs, bytes, size.

Serves a built site (python tools/build_site.py _site) on 127.0.0.1, aborts every request to any
other host, and prints:

* the Graph Lab: from a click on Draw in a fresh page to the drawn player (Python starts then),
  and later Draws (targets: <= 30 s, <= 1 s);
* the bytes the page loaded before that first result (target: <= 20 MB);
* microgrand's demo (`microgrand demo`: moons, 100 epochs), timed inside Python, in the page
  (Pyodide) and in this CPython, in one run;
* JupyterLite: notebook 2 opened and run whole (Run All), when the site has it;
* the whole site's size and its largest parts.

    python bench/bench_page.py _site
    python bench/bench_page.py _site --draws 5
"""

from __future__ import annotations

import argparse
import functools
import http.server
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]  # fmt: skip
# the demo, timed inside Python so that both sides measure the same thing
DEMO = (
    "import contextlib, io, time\nfrom microgrand.cli import main\n"
    "start = time.perf_counter()\nwith contextlib.redirect_stdout(io.StringIO()):\n"
    "    main(['demo'])\nseconds = time.perf_counter() - start\n"
)


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def open_page(browser: Any, url: str, root: str) -> tuple[Any, dict[str, Any]]:
    page = browser.new_page()
    seen: dict[str, Any] = {"bytes": 0, "outside": []}

    def route(r: Any) -> None:
        if r.request.url.startswith(root):
            r.continue_()
        else:
            seen["outside"].append(r.request.url)
            r.abort()

    def count(request: Any) -> None:
        try:
            sizes = request.sizes()
        except Exception:  # the page closed as the request finished: not measured
            return
        seen["bytes"] += sizes["responseBodySize"] + sizes["responseHeadersSize"]

    page.route("**/*", route)
    page.on("requestfinished", count)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, seen


def lab(browser: Any, root: str, draws: int) -> None:
    page, seen = open_page(browser, root + "lab.html", root)
    before = seen["bytes"]
    draw = page.locator("#mg-graph-lab").get_by_role("button", name="Draw", exact=True)
    started = time.perf_counter()
    draw.click()
    page.locator("#mg-graph-lab .mg-player").wait_for(timeout=300_000)
    first = time.perf_counter() - started
    loaded = seen["bytes"] - before
    later = []
    for _ in range(draws):
        page.evaluate("() => document.querySelector('#mg-graph-lab .mg-lab-player').replaceChildren()")
        started = time.perf_counter()
        draw.click()
        page.locator("#mg-graph-lab .mg-player").wait_for()
        later.append(time.perf_counter() - started)
    print(f"Graph Lab, click Draw -> player, fresh page: {first:.1f} s (target <= 30 s)")
    print(f"Graph Lab, later Draws: {', '.join(f'{s:.2f}' for s in later)} s (target <= 1 s)")
    print(f"bytes loaded by the first Draw: {loaded / 1e6:.1f} MB (target <= 20 MB); the page before it "
          f"{before / 1e6:.2f} MB")  # fmt: skip
    assert not seen["outside"], f"requests outside the site: {seen['outside']}"
    page.close()


def demo(browser: Any, root: str) -> None:
    page, seen = open_page(browser, root + "lab.html", root)
    in_page = page.evaluate(
        """async ([stat, demo]) => {
            const info = await (await fetch(stat + 'pyodide/runtime.json')).json();
            const { loadPyodide } = await import(stat + 'pyodide/pyodide.mjs');
            const py = await loadPyodide({ indexURL: stat + 'pyodide/' });
            const wheel = await fetch(stat + 'pyodide/' + info.wheel);
            py.unpackArchive(await wheel.arrayBuffer(), 'wheel');
            const ns = py.globals.get('dict')();
            py.runPython(demo, { globals: ns });
            return ns.get('seconds');
        }""",
        [root + "_static/", DEMO],
    )
    code = DEMO + "print(seconds)"  # a fresh interpreter, as the page's is
    cpython = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    here = float(cpython.stdout)
    print(f"microgrand demo (moons, 100 epochs): in the page {in_page:.1f} s, CPython {here:.1f} s "
          f"({in_page / here:.1f}x)")  # fmt: skip
    assert not seen["outside"], f"requests outside the site: {seen['outside']}"
    page.close()


def jupyterlite(browser: Any, root: str) -> None:
    notebook = "lite/notebooks/index.html?path=02_value_and_the_computation_graph.ipynb"
    started = time.perf_counter()
    page, _ = open_page(browser, root + notebook, root)
    page.locator(".jp-Notebook").wait_for(timeout=120_000)
    page.get_by_role("menuitem", name="Run").first.click()
    page.get_by_text("Run All Cells").first.click()
    page.wait_for_function(
        """() => { const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
                   return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)); }""",
        timeout=300_000,
    )
    print(f"JupyterLite, notebook 2: open and Run All, all cells done: {time.perf_counter() - started:.1f} s")
    page.close()


def sizes(site: Path) -> None:
    def total(path: Path) -> int:
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())

    print(f"the whole site: {total(site) / 1e6:.1f} MB")
    folders = [p for p in (site / "_static").iterdir() if p.is_dir()] + [site / "lite"]
    parts = sorted(((total(p), p) for p in folders if p.is_dir()), reverse=True)
    for size, path in parts[:4]:
        print(f"  {path.relative_to(site)}: {size / 1e6:.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a site built by tools/build_site.py")
    parser.add_argument("--draws", type=int, default=3, help="later Draws to time (default 3)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    httpd, root = serve(args.site.resolve())
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            lab(browser, root, args.draws)
            demo(browser, root)
            if (args.site / "lite").is_dir():
                jupyterlite(browser, root)
            browser.close()
    finally:
        httpd.shutdown()
    sizes(args.site)
    return 0


if __name__ == "__main__":
    sys.exit(main())
