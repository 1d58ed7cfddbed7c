"""The teaching notebooks run top to bottom, headless, and every claim in them holds.

Each notebook is executed with nbclient in a fresh ``python3`` kernel (this interpreter, checked
below), working directory ``notebooks/``. Any error fails the test, and so does a failing
``assert`` cell, which is how the notebooks check their claims. A cell that raises on purpose
carries the tag ``raises-exception``; nbclient then carries on, and this test checks that the
cell really did raise, so a tagged cell cannot pass silently.

Exercises: an exercise cell (tag ``exercise``) holds a placeholder the learner replaces; the
cell after it (tag ``check``) calls a `microgrand.exercises` checker; the cell after that (tag
``solution``, collapsed) is the solution. The notebooks run here *with* their solutions, and each
checker is seen to reject the placeholder first: exercise, check (must raise ExerciseError),
solution, check again (must pass).

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
CELL_TIMEOUT = 120  # seconds; a whole notebook takes well under 30 s, this only catches a hang
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


def _exercises(cells: list[Any]) -> list[tuple[int, int, int]]:
    """(exercise, check, solution) cell indices; each exercise is followed by its check, then its solution."""
    found = []
    for i, cell in enumerate(cells):
        if EXERCISE in _tags(cell):
            assert i + 2 < len(cells), f"cell {i}: an exercise needs a check and a solution after it"
            check, solution = cells[i + 1], cells[i + 2]
            assert CHECK in _tags(check), f"cell {i + 1} should be the check of the exercise in cell {i}"
            assert "check_" in check.source, f"cell {i + 1}: a check calls a microgrand.exercises checker"
            assert SOLUTION in _tags(solution), f"cell {i + 2} should be the solution of cell {i}"
            found.append((i, i + 1, i + 2))
    tagged = {i for i, c in enumerate(cells) if {EXERCISE, CHECK, SOLUTION} & set(_tags(c))}
    assert tagged == {i for triple in found for i in triple}, "a check or solution cell without its exercise"
    return found


def with_solutions(nb: Any) -> tuple[Any, list[int], list[int]]:
    """The notebook to run: after each solution, its check again. Returns it, the indices of the
    checks that must reject the placeholder, and those that must accept the solution."""
    nb = copy.deepcopy(nb)
    cells, must_reject, must_accept = [], [], []
    triples = {e: (c, s) for e, c, s in _exercises(nb.cells)}
    skip: set[int] = set()
    for i, cell in enumerate(nb.cells):
        if i in skip:
            continue
        if i not in triples:
            cells.append(cell)
            continue
        check_i, solution_i = triples[i]
        check = nb.cells[check_i]
        rejecting = copy.deepcopy(check)
        rejecting.metadata["tags"] = [*_tags(check), RAISES]
        cells += [cell, rejecting, nb.cells[solution_i], copy.deepcopy(check)]
        must_reject.append(len(cells) - 3)
        must_accept.append(len(cells) - 1)
        skip |= {check_i, solution_i}
    nb.cells = cells
    return nb, must_reject, must_accept


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
        assert set(metadata) <= {"tags", "jupyter"}, f"cell {i}: {hint}"
        if SOLUTION in metadata.get("tags", []):  # solutions are collapsed in Jupyter
            assert metadata.get("jupyter") == {"source_hidden": True}, f"cell {i}: {hint}"
        else:
            assert "jupyter" not in metadata, f"cell {i}: {hint}"
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
    nb, must_reject, must_accept = with_solutions(nb)
    _execute(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [out for out in cell.outputs if out.output_type == "error"]
        if i in must_reject:
            assert errors and errors[0].ename == "ExerciseError", (
                f"{path.name}: the checker in cell {i} accepted the placeholder:\n{cell.source}"
            )
        elif RAISES in _tags(cell):
            assert errors, f"{path.name}, cell {i} is tagged {RAISES!r} but did not raise:\n{cell.source}"
        else:  # nbclient stops at the first untagged error; this only says so plainly
            assert not errors, f"{path.name}, cell {i} raised {errors[0].ename}: {errors[0].evalue}"
    assert all(i not in must_reject for i in must_accept)
