"""Python in the course site's pages: the exercises and the Graph Lab, run by Pyodide.

Two halves. The first needs no browser: what tools/build_site.py extracts from a notebook, the
Colab link's format, and site/_static/mg_page.py (the code the page runs) in CPython, compared with
the notebooks' own checkers. The second drives the built site in headless Chromium, as
tests/test_site.py does (MICROGRAND_SITE=_site; every request that leaves the local server is
aborted and fails the test), and prints what it measures: the time from a click on Run to the
first message, later Runs, the bytes loaded, the moons demo in the page next to CPython.
"""

from __future__ import annotations

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


def _notebook(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _solutions(nb: dict[str, Any]) -> dict[str, str]:
    """Each exercise's solution: the code in its solution cell (folded Markdown, or code)."""
    found = {}
    for cell in nb["cells"]:
        number = cell["metadata"].get("microgrand", {}).get("exercise")
        if number and "solution" in cell["metadata"].get("tags", []):
            text = _source(cell)
            fenced = re.search(r"```python\n(.*?)```", text, re.DOTALL)
            found[str(number)] = fenced.group(1) if fenced else text
    return found


def _all_exercises() -> list[tuple[str, str, dict[str, Any], str]]:
    """(notebook, number, the build's entry, the solution) for every exercise of the course."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = _notebook(path.name)
        solutions = _solutions(nb)
        _, table = build_site.prepare_notebook(nb, path.name, None)
        for number, entry in table["exercises"].items():
            found.append((path.name, number, entry, solutions[number]))
    return found


# the notebook as a learner runs it, the reference for what the page says: in a fresh interpreter,
# each try runs the setup cells, the exercise cell and the check cell (plain exec, as a kernel
# does), and gives what the check printed, or "ExerciseError: " and its message
NOTEBOOK = """
import contextlib, io, json, sys
setup, tries, check = json.loads(sys.stdin.read())
said = []
for code in tries:
    namespace = {"__name__": "__main__"}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            for cell in [*setup, code, check]:
                exec(cell, namespace)
        said.append(out.getvalue())
    except Exception as error:
        said.append(out.getvalue() + f"{type(error).__name__}: {error}")
print(json.dumps(said))
"""


def _notebook_says(entry: dict[str, Any], tries: list[str]) -> list[str]:
    stdin = json.dumps([entry["setup"], tries, entry["check"]])
    done = subprocess.run([sys.executable, "-c", NOTEBOOK], input=stdin, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- the build, without a browser


def test_the_colab_link_is_made_from_the_one_setting() -> None:
    source = build_site.repository()
    assert source == "https://github.com/microgrand/microgrand"  # pyproject's [project.urls] Source
    url = build_site.colab_url(source, NOTEBOOK_4)
    assert url == (
        "https://colab.research.google.com/github/microgrand/microgrand/blob/main/notebooks/04_activations.ipynb"
    )
    assert build_site.colab_url("https://github.com/someone/fork/", "x.ipynb") == (
        "https://colab.research.google.com/github/someone/fork/blob/main/notebooks/x.ipynb"
    )
    for elsewhere in ["", None, "https://gitlab.com/a/b", "https://github.com/only-owner"]:
        assert build_site.colab_url(elsewhere, NOTEBOOK_4) is None, elsewhere


def test_the_build_finds_each_exercise_its_check_and_its_setup() -> None:
    nb, table = build_site.prepare_notebook(_notebook(NOTEBOOK_4), NOTEBOOK_4, build_site.repository())
    assert list(table["exercises"]) == ["4.1", "4.2", "4.3"]
    entry = table["exercises"]["4.1"]
    assert entry["code"].startswith("def tanh_prime(x):") and 'check("4.1", tanh_prime)' in entry["check"]
    assert entry["notebook_only"] is None and any("import math" in cell for cell in entry["setup"])
    tagged = [c for c in nb["cells"] if "mg-exercise-4.1" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1 and _source(tagged[0]) == entry["code"]  # the exercise cell, only
    banner = nb["cells"][1]["source"]
    assert _source(nb["cells"][0]).startswith("# 4"), "the banner comes after the title"
    assert 'href="#exercise-4.1">Try it in your browser' in banner
    assert f'href="{build_site.colab_url(build_site.repository(), NOTEBOOK_4)}">Open in Colab' in banner
    assert table["notebook_url"] == build_site.colab_url(build_site.repository(), NOTEBOOK_4)
    assert "JupyterLite" not in banner  # notebook 4 plots with matplotlib, which Pyodide lacks here
    two = "02_value_and_the_computation_graph.ipynb"
    banner_2 = build_site.prepare_notebook(_notebook(two), two, None)[0]["cells"][1]["source"]
    assert f'href="../lite/notebooks/index.html?path={two}">Open in JupyterLite' in banner_2


def test_a_notebook_only_exercise_is_listed_with_its_reason_and_no_banner_link_to_it() -> None:
    nb = _notebook(NOTEBOOK_4)
    for cell in nb["cells"]:
        if cell["metadata"].get("microgrand", {}).get("exercise") in ("4.1", "4.2", "4.3"):
            cell["metadata"]["microgrand"]["notebook_only"] = "it needs a long training"
    nb, table = build_site.prepare_notebook(nb, NOTEBOOK_4, None)
    assert table["exercises"]["4.1"]["notebook_only"] == "it needs a long training"
    assert "#exercise-" not in nb["cells"][1]["source"] and "Colab" not in nb["cells"][1]["source"]


# ---------------------------------------------------------------- mg_page.py, in CPython

# what the page may import: microgrand and the standard library (Pyodide has no numpy,
# matplotlib or scikit-learn offline), enforced by a meta-path finder in a fresh interpreter
EVERY_EXERCISE_IN_THE_PAGE = """
import importlib.abc, json, sys
class NotInThePage(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"numpy", "matplotlib", "sklearn", "scipy", "IPython"}:
            raise ImportError(f"{name} is not in the page's Python")
sys.meta_path.insert(0, NotInThePage())
sys.path.insert(0, sys.argv[1])
import mg_page
said = {}
for number, setup, code, check, solution in json.loads(sys.stdin.read()):
    # the solution as a learner would use it: pasted below the exercise cell's code (which may
    # define what the solution uses, e.g. 2.2's sigmoid_neuron)
    solved = mg_page.run_exercise(setup, code + "\\n\\n" + solution, check)
    said[number] = [mg_page.run_exercise(setup, code, check), solved]
print(json.dumps(said))
"""


def test_every_exercise_runs_with_microgrand_and_the_standard_library_only() -> None:
    exercises = _all_exercises()
    assert len(exercises) >= 20
    runnable = [
        (n, e["setup"], e["code"], e["check"], sol) for _, n, e, sol in exercises if not e["notebook_only"]
    ]
    done = subprocess.run(
        [sys.executable, "-c", EVERY_EXERCISE_IN_THE_PAGE, str(ROOT / "site" / "_static")],
        input=json.dumps(runnable),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    for number, (untouched, solved) in json.loads(done.stdout).items():
        assert untouched["outcome"] == "not attempted", (number, untouched)
        assert f"Exercise {number}: not attempted yet" in untouched["output"]
        assert solved["outcome"] == "pass", (number, solved)
    for name, number, entry, _ in exercises:  # a notebook-only exercise says why
        assert not entry["notebook_only"] or len(entry["notebook_only"]) > 10, (name, number)


WRONG = "def tanh_prime(x):\n    return 1 - math.tanh(x)\n"
RIGHT = "def tanh_prime(x):\n    return 1 - math.tanh(x) ** 2\n"


def test_the_page_says_what_the_notebook_says_try_after_try() -> None:
    entry = build_site.prepare_notebook(_notebook(NOTEBOOK_4), NOTEBOOK_4, None)[1]["exercises"]["4.1"]
    tries = [entry["code"], WRONG, WRONG, RIGHT]
    notebook = _notebook_says(entry, tries)
    page = [mg_page.run_exercise(entry["setup"], code, entry["check"]) for code in tries]
    assert [p["outcome"] for p in page] == ["not attempted", "hint", "hint", "pass"]
    assert [p["output"] + p["message"] for p in page] == notebook
    assert "Hint 1" in notebook[1] and "Hint 2" in notebook[2]


def test_prints_last_values_and_errors_come_back_as_one_line_pointing_into_the_code() -> None:
    shown = mg_page.run_exercise([], "print('hello')\nx = 3\nx * 2", "pass")
    assert shown == {"outcome": "pass", "output": "hello\n6\n", "message": ""}
    missing = mg_page.run_exercise([], "y = 1\nz = undefined_name + 1", "pass")
    assert missing["outcome"] == "error"
    assert missing["message"] == "NameError: name 'undefined_name' is not defined (line 2 of your code)"
    syntax = mg_page.run_exercise([], "def f(:\n    pass", "pass")
    assert syntax["outcome"] == "error" and syntax["message"].startswith("SyntaxError: ")
    assert syntax["message"].endswith("(line 1 of your code)") and "\n" not in syntax["message"]


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
    assert strip(mg_page.draw(code + "\nL")["html"]) == strip(reference)
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
        # JupyterLite registers a service worker (it serves the in-browser drive's files), as in a
        # reader's browser; its own requests would bypass the route below, so the lite test also
        # checks every resource the page saw
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

        self.context.route("**/*", only_the_site)  # the page's and its workers' requests
        self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def _count(self, request: Any) -> None:
        try:
            sizes = request.sizes()
        except Exception:  # the page closed as the request finished (after every measurement)
            return
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


def _run(region: Any, timeout: float = 120_000) -> str:
    """Click Run and wait for its result: the status region's text, its spaces normalised."""
    status = region.get_by_role("status", include_hidden=True)  # hidden while empty
    status.evaluate("s => { s.replaceChildren(); }")  # so that the wait below is for this Run's result
    region.get_by_role("button", name="Run", exact=True).click()
    status.locator(".mg-message, .mg-output").first.wait_for(timeout=timeout)
    return " ".join(str(status.inner_text()).split())


def test_an_exercise_runs_in_the_page_as_in_the_notebook(site: Path, tab: Any) -> None:  # noqa: F811
    runnable = _runnable(site)
    assert runnable, "no exercise of any notebook is runnable in the page"
    stem, number, entry = runnable[0]
    t = tab(f"notebooks/{stem}.html")
    before_run = t.bytes
    region = t.page.get_by_role("region", name=f"Exercise {number}", exact=True)
    box = region.get_by_role("textbox")
    assert box.input_value() == entry["code"], "the box holds the exercise cell's starting code"

    region.get_by_role("status", include_hidden=True).evaluate(
        "s => new MutationObserver(() => { window.seen = window.seen || s.textContent; })"
        ".observe(s, {childList: true, subtree: true, characterData: true})"
    )
    started = time.perf_counter()
    first = _run(region)
    first_seconds = time.perf_counter() - started
    assert "starting Python" in t.page.evaluate("() => window.seen"), "the first Run says Python is starting"
    (notebook,) = _notebook_says(entry, [entry["code"]])
    assert first == " ".join(notebook.split()), "the starting code gets what the notebook prints for it"
    assert "not attempted yet" in first
    loaded = t.bytes - before_run

    box.fill("this is not python (")
    started = time.perf_counter()
    error = _run(region)
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
    box = region.get_by_role("textbox")
    tries = [entry["code"], WRONG, WRONG, RIGHT]
    notebook = _notebook_says(entry, tries)
    for answer, says, outcome in zip(tries, notebook, ["not-attempted", "hint", "hint", "pass"]):
        box.fill(answer)
        assert _run(region) == " ".join(says.split())
        assert f"mg-{outcome}" in str(region.get_by_role("status").get_attribute("class"))
    assert "Hint 2" in notebook[2], "the second wrong try gets the second hint, in the page too"
    region.get_by_role("button", name="Reset", exact=True).click()
    assert box.input_value() == entry["code"]


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


def test_every_page_says_how_to_try_it_in_the_browser_and_in_colab(tab: Any, server: str) -> None:  # noqa: F811
    t = tab("index.html")
    link = t.page.get_by_role("link", name="Try it in your browser", exact=True)
    assert link.first.get_attribute("href") == "lab.html"
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in notebooks:
        t = tab(f"notebooks/{path.stem}.html")
        try_it = t.page.get_by_role("link", name="Try it in your browser", exact=True)
        target = str(try_it.get_attribute("href"))
        if target.startswith("#"):  # the page's first runnable exercise
            assert t.page.locator(target.replace(".", "\\.")).get_attribute("role") == "region", path.name
        else:
            assert target == "../lab.html", path.name
        colab = t.page.get_by_role("link", name="Open in Colab", exact=True).get_attribute("href")
        assert colab == build_site.colab_url(build_site.repository(), path.name), path.name
        t.close()  # the fixture still checks its problems at the end


def test_a_whole_notebook_runs_in_jupyterlite_offline(site: Path, tab: Any, server: str) -> None:  # noqa: F811
    name = "02_value_and_the_computation_graph.ipynb"
    assert build_site.runs_in_jupyterlite(_notebook(name))
    assert not build_site.runs_in_jupyterlite(_notebook("04_activations.ipynb"))  # it plots
    t = tab(f"lite/notebooks/index.html?path={name}")
    page = t.page
    page.locator(".jp-Notebook").wait_for(timeout=120_000)
    page.get_by_role("menuitem", name="Run").first.click()
    page.get_by_text("Run All Cells").first.click()
    page.wait_for_function(  # every code cell has run: a number in its prompt, none waiting ([*])
        """() => { const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
                   return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)); }""",
        timeout=240_000,
    )
    outputs = page.evaluate(
        "() => Array.from(document.querySelectorAll('.jp-OutputArea-output')).map(o => o.innerText)"
    )
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()
    assert errors == 0 and not any("Error" in text for text in outputs), outputs
    assert sum("not attempted yet" in text for text in outputs) == 2, "both exercises' checks ran"
    seen = page.evaluate("() => performance.getEntriesByType('resource').map(r => r.name)")
    assert [url for url in seen if not url.startswith(server)] == []
    assert page.locator(".jp-OutputArea-output .mg-player").count() >= 1, "the player is shown"


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
