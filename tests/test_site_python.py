"""Python in the course site's pages: the exercises and the Graph Lab, run by Pyodide.

Two halves. The first needs no browser: what tools/build_site.py extracts from a notebook, the
Colab link's format, and site/_static/mg_page.py (the code the page runs) in CPython, compared with
the notebooks' own checkers. The second drives the built site in headless Chromium, as
tests/test_site.py does (MICROGRAND_SITE=_site; every request that leaves the local server is
aborted and fails the test), and prints what it measures: the time from a click on Run to the
first message, later Runs, the bytes loaded, the moons demo in the page next to CPython.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from test_site import browser, server, site  # noqa: F401 (the fixtures, shared)

from microgrand.exercises import ExerciseError

ROOT = Path(__file__).resolve().parent.parent
RUN_BY_CI_IN_ITS_OWN_STEP = True  # its browser half needs the built site, as tests/test_site.py's


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_site = _load("build_site", ROOT / "tools" / "build_site.py")
mg_page = _load("mg_page", ROOT / "site" / "_static" / "mg_page.py")
NOTEBOOK_4 = "04_activations.ipynb"


def _source(cell: dict[str, Any]) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else str(cell["source"])


def _contract_notebook() -> dict[str, Any]:
    """Notebook 4 with exercise 4.1 (tanh') marked as the exercises' contract says.

    The exercise, check and solution cells carry ``"microgrand": {"exercise": "4.1"}``, the cell
    that imports math ``"setup_for": ["4.1"]``; notebook 8's second exercise is marked notebook-only.
    """
    nb = json.loads((ROOT / "notebooks" / NOTEBOOK_4).read_text(encoding="utf-8"))
    nb = copy.deepcopy(nb)
    tanh_cells = [i for i, c in enumerate(nb["cells"]) if "tanh_prime" in _source(c)]
    first = tanh_cells[0]
    for cell in nb["cells"][first : first + 3]:
        cell["metadata"]["microgrand"] = {"exercise": "4.1"}
    setup = {"cell_type": "code", "id": "setup", "metadata": {"microgrand": {"setup_for": ["4.1"]}},
             "source": "import math\n", "outputs": [], "execution_count": None}  # fmt: skip
    nb["cells"].insert(first, setup)
    return nb


# ---------------------------------------------------------------- the build, without a browser


def test_the_colab_link_is_made_from_the_one_setting() -> None:
    source = build_site.repository()
    assert source == "https://github.com/microgrand/microgrand"  # pyproject's [project.urls] Source
    url = build_site.colab_url(source, NOTEBOOK_4)
    assert (
        url
        == "https://colab.research.google.com/github/microgrand/microgrand/blob/main/notebooks/04_activations.ipynb"
    )
    assert build_site.colab_url("https://github.com/someone/fork/", "x.ipynb") == (
        "https://colab.research.google.com/github/someone/fork/blob/main/notebooks/x.ipynb"
    )
    for elsewhere in ["", None, "https://gitlab.com/a/b", "https://github.com/only-owner"]:
        assert build_site.colab_url(elsewhere, NOTEBOOK_4) is None, elsewhere


def test_the_build_finds_each_exercise_its_check_and_its_setup() -> None:
    nb, table = build_site.prepare_notebook(_contract_notebook(), NOTEBOOK_4, build_site.repository())
    (number,) = table["exercises"]
    entry = table["exercises"][number]
    assert number == "4.1" and entry["setup"] == ["import math\n"] and entry["notebook_only"] is None
    assert entry["code"].startswith("def tanh_prime(x):") and "check_derivative" in entry["check"]
    tagged = [c for c in nb["cells"] if "mg-exercise-4.1" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1 and _source(tagged[0]) == entry["code"]  # the exercise cell, only
    banner = nb["cells"][1]["source"]
    assert nb["cells"][0]["source"][0].startswith("# 4"), "the banner comes after the title"
    assert 'href="#exercise-4.1">Try it in your browser' in banner
    assert f'href="{build_site.colab_url(build_site.repository(), NOTEBOOK_4)}">Open in Colab' in banner
    assert table["notebook_url"] == build_site.colab_url(build_site.repository(), NOTEBOOK_4)


def test_a_notebook_only_exercise_is_listed_with_its_reason_and_no_banner_link_to_it() -> None:
    nb = _contract_notebook()
    for cell in nb["cells"]:
        if cell["metadata"].get("microgrand", {}).get("exercise") == "4.1":
            cell["metadata"]["microgrand"]["notebook_only"] = "it needs a long training"
    nb, table = build_site.prepare_notebook(nb, NOTEBOOK_4, None)
    assert table["exercises"]["4.1"]["notebook_only"] == "it needs a long training"
    assert "#exercise-" not in nb["cells"][1]["source"] and "Colab" not in nb["cells"][1]["source"]


# ---------------------------------------------------------------- mg_page.py, in CPython


def _notebook_says(setup: list[str], code: str, check: str) -> str:
    """What the notebook shows for these cells: the check's printed line, or ExerciseError: hint."""
    namespace: dict[str, Any] = {}
    for cell in [*setup, code]:
        exec(cell, namespace)
    import contextlib
    import io

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(check, namespace)
    except ExerciseError as error:
        return f"ExerciseError: {error}"
    return out.getvalue()


TANH = {
    "setup": ["import math\n"],
    "check": "from microgrand.exercises import check_derivative\n\n"
    "check_derivative(math.tanh, tanh_prime, [-3.0, -0.5, 0.0, 0.8, 2.5])",
}
WRONG = "def tanh_prime(x):\n    return 1 - math.tanh(x)\n"
RIGHT = "def tanh_prime(x):\n    return 1 - math.tanh(x) ** 2\n"


def test_the_page_says_what_the_notebook_says_for_a_wrong_and_a_right_answer() -> None:
    wrong = mg_page.run_exercise(TANH["setup"], WRONG, TANH["check"])
    assert wrong["outcome"] == "hint"
    assert wrong["message"] == _notebook_says(TANH["setup"], WRONG, TANH["check"])
    assert "central differences say" in wrong["message"]
    right = mg_page.run_exercise(TANH["setup"], RIGHT, TANH["check"])
    assert right == {
        "outcome": "pass",
        "output": _notebook_says(TANH["setup"], RIGHT, TANH["check"]),
        "message": "",
    }
    assert "matches central differences at 5 points" in right["output"]


def test_prints_last_values_and_errors_come_back_as_one_line_pointing_into_the_code() -> None:
    shown = mg_page.run_exercise([], "print('hello')\nx = 3\nx * 2", "pass")
    assert shown == {"outcome": "pass", "output": "hello\n6\n", "message": ""}
    missing = mg_page.run_exercise([], "y = 1\nz = undefined_name + 1", "pass")
    assert missing["outcome"] == "error"
    assert missing["message"] == "NameError: name 'undefined_name' is not defined (line 2 of your code)"
    syntax = mg_page.run_exercise([], "def f(:\n    pass", "pass")
    assert syntax["outcome"] == "error" and syntax["message"].startswith("SyntaxError: ")
    assert syntax["message"].endswith("(line 1 of your code)") and "\n" not in syntax["message"]
    untouched = mg_page.run_exercise([], "x = ...", "print('x: not attempted yet')")
    assert untouched["outcome"] == "not attempted"


def test_each_run_starts_afresh() -> None:
    assert mg_page.run_exercise([], "x = 1", "pass")["outcome"] == "pass"
    later = mg_page.run_exercise([], "x", "pass")
    assert later["message"].startswith("NameError: name 'x' is not defined")


def test_the_graph_lab_draws_the_last_value_and_explains_what_it_cannot_draw() -> None:
    from microgrand import Value
    from microgrand.viz import stepper

    code = "from microgrand import Value\na = Value(2.0, label='a')\nb = Value(-3.0, label='b')\nL = a * b"
    drawn = mg_page.draw(code)
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    reference = stepper(a * b).to_html()

    def strip(html: str) -> str:
        return re.sub(r"mg-player-[0-9a-f]{12}", "ID", html)

    assert strip(drawn["html"]) == strip(reference)  # the same player, but for its random id
    assert mg_page.draw(code + "\nL")["html"].count("mg-player") == drawn["html"].count("mg-player")
    log = mg_page.draw("from microgrand import Value\nc = Value(-1.0)\nc.log()")
    assert log["error"] == "ValueError: log is defined only for x > 0, got log(-1.0) (line 3 of your code)"
    assert mg_page.draw("a = (1 +")["error"].startswith("SyntaxError: ")
    assert "not a Value" in mg_page.draw("x = 3")["error"]
    assert "not a Value" in mg_page.draw("print(1)")["error"]
    assert mg_page.draw("")["error"].startswith("type a few lines")


# ---------------------------------------------------------------- the built site, in Chromium


def _package_files() -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files", "microgrand"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {name for name in listed if (ROOT / name).exists()}


def test_the_wheel_in_the_site_holds_this_checkouts_package(site: Path) -> None:  # noqa: F811
    info = json.loads((site / "_static" / "pyodide" / "runtime.json").read_text(encoding="utf-8"))
    wheel = site / "_static" / "pyodide" / info["wheel"]
    with zipfile.ZipFile(wheel) as archive:
        inside = {n for n in archive.namelist() if n.startswith("microgrand/")}
        assert inside == _package_files(), "the wheel's files are not the checkout's"
        for name in sorted(inside):
            assert archive.read(name) == (ROOT / name).read_bytes(), f"{name} differs from the checkout's"
    lock = json.loads((ROOT / "tools" / "pyodide" / "package-lock.json").read_text(encoding="utf-8"))
    assert info["pyodide"] == lock["packages"]["node_modules/pyodide"]["version"]
    for name in build_site.PYODIDE_FILES:
        assert (site / "_static" / "pyodide" / name).is_file(), f"Pyodide's {name} is not in the site"


class Tab:
    """A page of the built site that counts bytes and fails on any request outside the site."""

    def __init__(self, chromium: Any, url: str, root: str, width: int = 1400) -> None:
        self.context = chromium.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.bytes = 0
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        self.page.on("requestfinished", self._count)

        def only_the_site(route: Any) -> None:
            if route.request.url.startswith(root) or route.request.url.startswith("data:"):
                route.continue_()
            else:
                self.problems.append(f"request outside the site: {route.request.url}")
                route.abort()

        self.page.route("**/*", only_the_site)
        self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def _count(self, request: Any) -> None:
        sizes = request.sizes()
        self.bytes += sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any, server: str) -> Iterator[Any]:  # noqa: F811
    tabs: list[Tab] = []

    def opener(path: str, width: int = 1400) -> Tab:
        tabs.append(Tab(browser, server + path, server, width))
        return tabs[-1]

    yield opener
    for t in tabs:
        problems = t.problems
        t.close()
        assert not problems, "\n".join(problems)


def _runnable(site: Path) -> list[tuple[str, str, dict[str, Any]]]:  # noqa: F811
    found = []
    for path in sorted((site / "_static" / "exercises").glob("*.json")):
        table = json.loads(path.read_text(encoding="utf-8"))
        for number, entry in table["exercises"].items():
            if not entry["notebook_only"]:
                found.append((path.stem, number, entry))
    return found


def _status_text(region: Any, timeout: float = 120_000) -> str:
    status = region.get_by_role("status")
    status.locator(".mg-message, .mg-output").first.wait_for(timeout=timeout)
    return str(status.inner_text())


def test_an_exercise_runs_in_the_page_as_in_the_notebook(site: Path, tab: Any) -> None:  # noqa: F811
    runnable = _runnable(site)
    assert runnable, "no exercise of any notebook is runnable in the page"
    stem, number, entry = runnable[0]
    t = tab(f"notebooks/{stem}.html")
    before_run = t.bytes
    region = t.page.get_by_role("region", name=f"Exercise {number}", exact=True)
    box = region.get_by_role("textbox")
    assert box.input_value() == entry["code"], "the box holds the exercise cell's starting code"

    started = time.perf_counter()
    region.get_by_role("button", name="Run", exact=True).click()
    assert "starting Python" in str(region.get_by_role("status").inner_text())
    first = _status_text(region)
    first_seconds = time.perf_counter() - started
    notebook = _notebook_says(entry["setup"], entry["code"], entry["check"])
    assert first.strip() == notebook.strip(), "the starting code gets what the notebook prints for it"
    loaded = t.bytes - before_run

    box.fill("this is not python (")
    started = time.perf_counter()
    region.get_by_role("button", name="Run", exact=True).click()
    error = _status_text(region)
    later_seconds = time.perf_counter() - started
    assert error.startswith("SyntaxError: ") and "line 1 of your code" in error

    region.get_by_role("button", name="Reset", exact=True).click()
    assert box.input_value() == entry["code"]
    print(
        f"\n[page] {stem} exercise {number}: click Run -> first message {first_seconds:.1f} s "
        f"(target <= 30 s), a later Run {later_seconds:.2f} s (target <= 1 s); "
        f"{loaded / 1e6:.1f} MB loaded for the first result (target <= 20 MB); "
        f"the page before it {before_run / 1e6:.2f} MB"
    )


def test_the_tanh_exercise_hints_and_passes_in_the_page(site: Path, tab: Any) -> None:  # noqa: F811
    found = [(s, n, e) for s, n, e in _runnable(site) if "def tanh_prime" in e["code"]]
    assert found, "notebook 4's tanh' exercise is not runnable in the page"
    stem, number, entry = found[0]
    t = tab(f"notebooks/{stem}.html")
    region = t.page.get_by_role("region", name=f"Exercise {number}", exact=True)
    box, run = region.get_by_role("textbox"), region.get_by_role("button", name="Run", exact=True)
    for answer, outcome in [(WRONG, "hint"), (RIGHT, "pass")]:
        box.fill(answer)
        run.click()
        shown = _status_text(region)
        assert shown.strip() == _notebook_says(entry["setup"], answer, entry["check"]).strip()
        assert f"mg-{outcome}" in str(region.get_by_role("status").get_attribute("class"))
        region.get_by_role("status").evaluate("s => { s.textContent = ''; }")  # the next wait is for anew


def _lab_state(page: Any) -> dict[str, list[str]]:
    """Each box of the lab's player by its label: its texts (data, grad) in the frame shown."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => { const boxes = {};
            document.querySelectorAll('#mg-graph-lab .mg-player svg [data-box]').forEach(g => {
              const t = Array.from(g.querySelectorAll('text')).map(t => t.textContent);
              boxes[t[0]] = t.slice(1); });
            return boxes; }"""
    )


def test_the_graph_lab_draws_steps_redraws_and_explains_errors(tab: Any) -> None:
    t = tab("lab.html")
    page = t.page
    assert "Graph Lab" in page.title()
    lab = page.locator("#mg-graph-lab")
    status = lab.get_by_role("status").first
    lab.get_by_role("button", name="Draw", exact=True).click()
    lab.locator(".mg-player").wait_for(timeout=120_000)
    player = lab.locator(".mg-player")
    player.get_by_role("button", name="Last step", exact=True).click()
    boxes = _lab_state(page)
    assert boxes["a"] == ["data 2", "grad 6"] and boxes["L"][0] == "data -8", boxes
    player.get_by_role("button", name="First step", exact=True).click()
    assert _lab_state(page)["a"] == ["data 2", "grad ?"]

    box = lab.get_by_role("textbox")
    box.fill(box.input_value().replace('Value(-2.0, label="f")', 'Value(3.0, label="f")'))
    lab.get_by_role("button", name="Draw", exact=True).click()
    page.wait_for_function("() => document.querySelectorAll('#mg-graph-lab .mg-player').length === 1")
    lab.locator(".mg-player").get_by_role("button", name="Last step", exact=True).click()
    assert _lab_state(page)["a"] == ["data 2", f"grad {-3 * 3}"]  # dL/da = f·b

    box.fill("from microgrand import Value\nc = Value(-1.0, label='c')\nc.log()")
    lab.get_by_role("button", name="Draw", exact=True).click()
    lab.locator(".mg-error").wait_for()
    assert (
        status.inner_text()
        == "ValueError: log is defined only for x > 0, got log(-1.0) (line 3 of your code)"
    )
    box.fill("L = (a * b")
    lab.get_by_role("button", name="Draw", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('#mg-graph-lab [role=status]').innerText.startsWith('Syntax')"
    )
    assert "\n" not in status.inner_text().strip()


def test_reading_a_page_loads_no_python(tab: Any) -> None:
    t = tab("notebooks/02_value_and_the_computation_graph.html")
    assert t.bytes < 5e6, f"reading a page loaded {t.bytes / 1e6:.1f} MB"
    assert (
        t.page.evaluate(
            "() => performance.getEntriesByType('resource').filter(r => /pyodide/.test(r.name)).length"
        )
        == 0
    )


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-s"]))
