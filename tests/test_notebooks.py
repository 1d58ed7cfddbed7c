"""The teaching notebooks run top to bottom, headless, and every claim in them holds.

Each notebook is executed with nbclient in a fresh ``python3`` kernel (this interpreter, checked
below), working directory ``notebooks/``. Any error fails the test, and so does a failing
``assert`` cell, which is how the notebooks check their claims. A cell that raises on purpose
carries the tag ``raises-exception``; nbclient then carries on, and this test checks that the
cell really did raise, so a tagged cell cannot pass silently.

Notebooks are committed stripped (no outputs, minimal metadata); that is checked here too.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds; a whole notebook takes well under 30 s, this only catches a hang
RAISES = "raises-exception"


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


def test_the_curriculum_is_there() -> None:
    assert len(NOTEBOOKS) == 8, [p.name for p in NOTEBOOKS]


def test_kernel_runs_this_interpreter_and_this_microgrand() -> None:
    nbformat = pytest.importorskip("nbformat")
    import microgrand

    code = "import sys, microgrand\nprint(sys.prefix)\nprint(microgrand.__file__)"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    _execute(nb)
    printed = nb.cells[0].outputs[0]["text"].splitlines()
    assert printed == [sys.prefix, microgrand.__file__]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_stripped(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    hint = f"run: python tools/strip_notebooks.py notebooks/{path.name}"
    assert nb["nbformat"] == 4, hint
    assert nb["metadata"] == {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    }, hint
    for i, cell in enumerate(nb["cells"]):
        assert set(cell.get("metadata", {})) <= {"tags"}, f"cell {i}: {hint}"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {i} has outputs: {hint}"
            assert cell["execution_count"] is None, f"cell {i} has an execution count: {hint}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_and_its_claims_hold(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("matplotlib")
    nb = nbformat.read(path, as_version=4)
    if shutil.which("dot") is None and any("microgrand.viz" in c.source for c in nb.cells):
        pytest.skip("this notebook draws graphs: it needs Graphviz's dot program (apt-get install graphviz)")
    _execute(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [out for out in cell.outputs if out.output_type == "error"]
        if RAISES in _tags(cell):
            assert errors, f"{path.name}, cell {i} is tagged {RAISES!r} but did not raise:\n{cell.source}"
        else:  # nbclient stops at the first untagged error; this only says so plainly
            assert not errors, f"{path.name}, cell {i} raised {errors[0].ename}: {errors[0].evalue}"
