"""The course website, as a reader sees it: every page in headless Chromium, with no network.

Build the site first, then point these tests at it:

    pip install -e ".[site]"
    python tools/build_site.py _site
    MICROGRAND_SITE=_site pytest tests/test_site.py

Without MICROGRAND_SITE the tests are skipped (building executes every notebook again, which
tests/test_notebooks.py already does). Chromium is /usr/bin/chromium (or MICROGRAND_CHROMIUM),
driven by Playwright; without them the tests are skipped, except under CI, where that is an
error. The pages are served from a local HTTP server, and every request that leaves it fails
the test: math, scripts and fonts must all come from the site itself.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SITE = os.environ.get("MICROGRAND_SITE")
CHROMIUM = os.environ.get("MICROGRAND_CHROMIUM", "/usr/bin/chromium")
IN_CI = bool(os.environ.get("CI"))
# .ci/run runs this module in its own step, after building the site (MICROGRAND_SITE set); in the
# main test run it skips, which tests/conftest.py's MICROGRAND_NO_SKIPS=1 allows for this module
RUN_BY_CI_IN_ITS_OWN_STEP = True
# TeX that must never reach the reader as text (outside code): MathJax turns it into math
RAW_TEX = re.compile(
    r"\$\$|\\(frac|partial|sum|cdot|text|mathrm|lim|sqrt|begin)\b"  # $$ or a TeX command
    r"|\$[^$\s][^$]*\\[a-z]+[^$]*\$"  # $...\command...$
)


def _unavailable(why: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must run the browser tests, but {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def site() -> Path:
    if not SITE:
        pytest.skip("set MICROGRAND_SITE to a site built by: python tools/build_site.py DIR")
    path = Path(SITE).resolve()
    assert (path / "index.html").is_file(), f"{path} has no index.html: build it with tools/build_site.py"
    return path


PAGES = [
    "index.html",
    "api.html",
    "lab.html",  # the Graph Lab (tests/test_site_python.py draws in it)
    *[f"notebooks/{p.stem}.html" for p in sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))],
]


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser(site: Path) -> Iterator[Any]:  # no site to test: skipped before looking for a browser
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[site]')")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"there is no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


def _open(browser: Any, url: str, server: str) -> tuple[Any, list[str]]:
    """The page at `url`, fully rendered (math typeset), and the problems seen while loading it."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console error: {msg.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))

    def only_the_site(route: Any) -> None:
        if route.request.url.startswith(server) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"request outside the site: {route.request.url}")
            route.abort()

    page.route("**/*", only_the_site)
    page.goto(url, wait_until="load")
    page.wait_for_function(
        "() => !window.MathJax || (MathJax.startup && MathJax.startup.promise && true)", timeout=30_000
    )
    page.evaluate("() => window.MathJax && MathJax.startup.promise")
    page.wait_for_load_state("networkidle")
    return page, problems


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_with_math_and_pictures(browser: Any, server: str, name: str) -> None:
    page, problems = _open(browser, server + name, server)
    try:
        assert not problems, f"{name}:\n" + "\n".join(problems)
        text = page.evaluate(
            """() => { const body = document.querySelector('main') || document.body;
                       const copy = body.cloneNode(true);
                       copy.querySelectorAll('pre, code, script, style, mjx-container, .MathJax')
                           .forEach(e => e.remove());
                       return copy.innerText; }"""
        )
        raw = RAW_TEX.search(text)
        around = text[max(0, raw.start() - 80) : raw.end() + 80] if raw else ""
        assert raw is None, f"{name}: raw TeX left as text: ...{around}..."
        if name.startswith("notebooks/"):
            assert page.locator("mjx-container").count() > 0, f"{name}: no typeset math at all"
        images = page.evaluate(
            """() => Array.from(document.images).map(img => ({src: img.src, ok: img.complete,
                      w: img.naturalWidth, h: img.naturalHeight}))"""
        )
        for image in images:
            assert image["ok"] and image["w"] > 0 and image["h"] > 0, f"{name}: an empty image: {image}"
        svgs = page.evaluate(
            """() => Array.from(document.querySelectorAll('.cell_output svg, .output svg')).map(s => {
                      const box = s.getBoundingClientRect(); return [box.width, box.height,
                      s.querySelectorAll('*').length]; })"""
        )
        for width, height, parts in svgs:
            assert width > 0 and height > 0 and parts > 0, f"{name}: an empty SVG drawing"
        if name.startswith("notebooks/"):
            assert images or svgs, f"{name}: a notebook page with no figure"
    finally:
        page.close()


def test_every_notebook_page_is_linked_from_the_landing_page(browser: Any, server: str) -> None:
    page, problems = _open(browser, server + "index.html", server)
    links = set(page.evaluate("() => Array.from(document.querySelectorAll('a')).map(a => a.href)"))
    page.close()
    assert not problems
    for name in PAGES[1:]:
        assert server + name in links, f"the landing page does not link {name}"


def test_api_reference_lists_every_public_name_with_its_signature(browser: Any, server: str) -> None:
    import importlib

    page, problems = _open(browser, server + "api.html", server)
    documented = set(page.evaluate("() => Array.from(document.querySelectorAll('dt[id]')).map(d => d.id)"))
    page.close()
    assert not problems
    modules = ["engine", "finite_differences", "graph", "nn", "losses", "optim", "train", "data", "exercises"]
    for module_name in modules:
        module = importlib.import_module(f"microgrand.{module_name}")
        public = getattr(module, "__all__", None) or [
            name
            for name, obj in vars(module).items()
            if not name.startswith("_")
            and getattr(obj, "__module__", None) == module.__name__
            and callable(obj)
        ]
        for name in public:
            full = f"microgrand.{module_name}.{name}"
            assert full in documented, f"{full} is not in the API reference"


def test_the_player_on_notebook_2_steps(browser: Any, server: str) -> None:
    page, problems = _open(browser, server + "notebooks/02_value_and_the_computation_graph.html", server)
    try:
        players = page.locator(".mg-player")
        assert players.count() >= 2, "notebook 2 has a player for L and one for the tanh neuron"
        players.first.scroll_into_view_if_needed()
        caption = page.get_by_role("status").first
        seen = [caption.text_content()]
        for _ in range(4):
            page.get_by_role("button", name="Next step", exact=True).first.click()
            seen.append(caption.text_content())
        assert len(set(seen)) == len(seen), f"each step shows a new caption: {seen}"
        page.get_by_role("button", name="Last step", exact=True).first.click()
        assert "backward" in str(caption.text_content()).lower()
        assert not problems, "\n".join(problems)
    finally:
        page.close()
