"""The teaching notebooks run top to bottom, headless, and every claim in them holds.

Each notebook is executed with nbclient in a fresh ``python3`` kernel (this interpreter, checked
below), working directory ``notebooks/``. Any error fails the test, and so does a failing
``assert`` cell, which is how the notebooks check their claims. A cell that raises on purpose
carries the tag ``raises-exception``; nbclient then carries on, and this test checks that the
cell really did raise, so a tagged cell cannot pass silently.

Exercises (the layout is described in microgrand/exercises.py's docstring): each exercise's
cells carry ``"microgrand": {"exercise": "4.1"}``: its code cell (tag ``exercise``, a placeholder),
its check (tag ``check``, one call to ``microgrand.exercises.check``) and its solution (tag
``solution``, a Markdown cell, so that Shift+Enter and Run All never run it). The notebooks run
here as a learner leaves them, and with their solutions: exercise, check (must say "not attempted
yet" and raise nothing), the solution's code, check again (must pass). Each exercise's setup cells
(``"setup_for"``) are run on their own, without matplotlib or scikit-learn, with the exercise and
its solution.

Notebooks are committed stripped (no outputs, minimal metadata); that is checked here too.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 600  # seconds; a cell takes seconds (the capstone's training ~30 s), this only catches a hang
RAISES = "raises-exception"
EXERCISE, CHECK, SOLUTION = "exercise", "check", "solution"
# where the Colab install cells point; pyproject's [project.urls] must agree when it has one
REPOSITORY_URL = "https://github.com/microgrand/microgrand"


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _execute(nb: Any) -> Any:
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},  # the kernel's working directory
    )
    client.execute()
    return nb


def _exercise_of(cell: Any) -> str | None:
    return cell.get("metadata", {}).get("microgrand", {}).get("exercise")


CHECK_CALL = re.compile(r'from microgrand\.exercises import check\n\ncheck\("(\d\.\d)", \w+\)')
SOLUTION_CODE = re.compile(r"```python\n(.*?)```", re.S)


def solution_code(cell: Any) -> str:
    """The code of a solution cell: its first ```python fence."""
    found = SOLUTION_CODE.search(cell.source)
    assert found, f"the solution of exercise {_exercise_of(cell)} has no ```python fence"
    return found.group(1)


def _exercises(cells: list[Any]) -> dict[str, tuple[int, int, int]]:
    """Exercise number -> its (exercise, check, solution) cell indices, checked for the layout."""
    found = {}
    for i, cell in enumerate(cells):
        if EXERCISE not in _tags(cell):
            continue
        number = _exercise_of(cell)
        assert number, f"cell {i}: an exercise cell names its exercise in its metadata"
        assert i + 2 < len(cells), f"exercise {number}: an exercise needs a check and a solution after it"
        check, solution = cells[i + 1], cells[i + 2]
        assert CHECK in _tags(check) and _exercise_of(check) == number, f"cell {i + 1}: the check of {number}"
        # the check computes nothing in view: the checker owns the reference answer
        call = CHECK_CALL.fullmatch(check.source)
        assert call and call.group(1) == number, f"exercise {number}: its check is one check() call"
        assert SOLUTION in _tags(solution) and _exercise_of(solution) == number, f"cell {i + 2}: solution"
        assert solution.cell_type == "markdown", f"exercise {number}: a solution is Markdown, never run"
        first, summary = solution.source.splitlines()[:2]  # what a collapsed cell's preview shows
        assert first == "<details>", f"exercise {number}: the solution is folded in a <details>"
        assert summary == f"<summary>Solution to exercise {number} (open it once you have tried)</summary>"
        solution_code(solution)
        assert number not in found, f"exercise {number} appears twice"
        found[number] = (i, i + 1, i + 2)
    tagged = {
        i for i, c in enumerate(cells) if {EXERCISE, CHECK, SOLUTION} & set(_tags(c)) or _exercise_of(c)
    }
    assert tagged == {i for triple in found.values() for i in triple}, (
        "a check or solution without its exercise"
    )
    return found


def with_solutions(nb: Any) -> tuple[Any, list[int], list[int]]:
    """The notebook to run: as committed, and after each exercise's check, the solution's code and
    the check again. Returns it, the indices of the checks that see the placeholder, and those
    that must accept the solution."""
    nbformat = pytest.importorskip("nbformat")
    nb = copy.deepcopy(nb)
    cells, placeholders, solved = [], [], []
    by_check = {c: s for c, s in (triple[1:] for triple in _exercises(nb.cells).values())}
    for i, cell in enumerate(nb.cells):
        cells.append(cell)
        if i in by_check:
            placeholders.append(len(cells) - 1)
            cells += [nbformat.v4.new_code_cell(solution_code(nb.cells[by_check[i]])), copy.deepcopy(cell)]
            solved.append(len(cells) - 1)
    nb.cells = cells
    return nb, placeholders, solved


def test_the_curriculum_is_there() -> None:
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07", "08", "09"]


def test_kernel_runs_this_interpreter_and_this_microgrand() -> None:
    """The kernel is this interpreter, and imports the microgrand that this interpreter imports
    from the notebooks' directory (the installed one, or the checkout with ``pip install -e``)."""
    nbformat = pytest.importorskip("nbformat")
    code = "import sys, microgrand\nprint(sys.prefix)\nprint(microgrand.__file__)"
    expected = subprocess.run(
        [sys.executable, "-c", code], cwd=NOTEBOOK_DIR, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    _execute(nb)
    printed = nb.cells[0].outputs[0]["text"].splitlines()
    assert printed == expected
    assert printed[0] == sys.prefix


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_stripped(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    hint = f"run: python tools/strip_notebooks.py notebooks/{path.name}"
    assert nb["nbformat"] == 4, hint
    assert nb["metadata"] == {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    }, hint
    for i, cell in enumerate(nb["cells"]):
        metadata = cell.get("metadata", {})
        assert set(metadata) <= {"tags", "microgrand"}, f"cell {i}: {hint}"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {i} has outputs: {hint}"
            assert cell["execution_count"] is None, f"cell {i} has an execution count: {hint}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_has_exercises(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    assert len(_exercises(nb.cells)) >= 2, f"{path.name}: at least two exercises"


def _pyproject_url() -> str | None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = re.search(r"^\[project\.urls\]\n(.*?)(?=^\[|\Z)", text, re.S | re.M)
    if section is None:
        return None
    url = re.search(r'^(?:Repository|Source|Homepage)\s*=\s*"([^"]+)"', section.group(1), re.M)
    return url.group(1).rstrip("/") if url else None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_colab_install_cell_points_at_the_repository(path: Path) -> None:
    url = _pyproject_url() or REPOSITORY_URL
    assert url == REPOSITORY_URL, "pyproject's [project.urls] differs: update REPOSITORY_URL"
    text = path.read_text(encoding="utf-8")
    assert f"git+{url}" in text, f"{path.name}: its install cell should point at {url}"
    assert "OWNER" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_and_its_claims_hold(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("matplotlib")
    nb = nbformat.read(path, as_version=4)
    if any("sklearn" in c.source for c in nb.cells):
        pytest.importorskip("sklearn", reason="the capstone needs scikit-learn: pip install -e '.[test]'")
    if shutil.which("dot") is None and any("microgrand.viz import draw_dot" in c.source for c in nb.cells):
        pytest.skip("this notebook draws graphs: it needs Graphviz's dot program (apt-get install graphviz)")
    nb, placeholders, solved = with_solutions(nb)
    _execute(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [out for out in cell.outputs if out.output_type == "error"]
        printed = "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")
        if RAISES in _tags(cell):
            assert errors, f"{path.name}, cell {i} is tagged {RAISES!r} but did not raise:\n{cell.source}"
            continue
        # nbclient stops at the first untagged error; this only says so plainly
        assert not errors, f"{path.name}, cell {i} raised {errors[0].ename}: {errors[0].evalue}"
        if i in placeholders:
            assert "not attempted yet" in printed, f"{path.name}: the check in cell {i} printed {printed!r}"
        if i in solved:
            assert ", right: " in printed, f"{path.name}: the check in cell {i} printed {printed!r}"


def _setup_cells(cells: list[Any], number: str) -> list[str]:
    return [
        c.source for c in cells if number in c.get("metadata", {}).get("microgrand", {}).get("setup_for", [])
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_each_exercise_runs_from_its_setup_alone(
    path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the course website does in the page: an exercise's setup cells, its cell and its
    check, in a fresh namespace, with only microgrand and the standard library (matplotlib and
    scikit-learn cannot be imported here); then the solution passes."""
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    for blocked in ("matplotlib", "sklearn", "numpy", "graphviz", "IPython"):
        monkeypatch.setitem(sys.modules, blocked, None)  # `import matplotlib` now raises ImportError
    monkeypatch.chdir(NOTEBOOK_DIR)
    for number, (exercise, check, solution) in _exercises(nb.cells).items():
        why = nb.cells[exercise].metadata["microgrand"].get("notebook_only")
        if why is not None:
            assert isinstance(why, str) and why, f"exercise {number}: notebook_only says why, in a line"
            continue
        namespace: dict[str, Any] = {"__name__": "__main__"}
        for source in [*_setup_cells(nb.cells, number), nb.cells[exercise].source, nb.cells[check].source]:
            exec(compile(source, f"{path.name}, exercise {number}", "exec"), namespace)
        assert capsys.readouterr().out.endswith(
            f"Exercise {number}: not attempted yet."
            " Replace each ... in the exercise cell, then run this check.\n"
        )
        for source in [solution_code(nb.cells[solution]), nb.cells[check].source]:
            exec(compile(source, f"{path.name}, solution {number}", "exec"), namespace)
        assert capsys.readouterr().out.startswith(f"Exercise {number}, right: ")
