"""Strip the teaching notebooks to the form we commit: no outputs, minimal metadata.

    python tools/strip_notebooks.py            # strip every notebooks/*.ipynb in place
    python tools/strip_notebooks.py a.ipynb    # strip the named notebooks
    python tools/strip_notebooks.py --check    # exit 1, naming each notebook that is not stripped

Why: outputs (SVGs, PNGs, timings) make diffs unreadable and change on every run. A stripped
notebook still opens directly in Jupyter and Colab; run it to see the outputs.
Stripped means: every code cell has no outputs and ``execution_count`` null; a cell's metadata
keeps only its ``tags`` (``raises-exception`` marks a cell that fails on purpose; ``exercise``,
``check`` and ``solution`` mark an exercise) and its ``microgrand`` entry (which exercise a cell
belongs to, or which exercises it sets up: see microgrand/exercises.py); the notebook's metadata
is only the ``python3`` kernelspec. tests/test_notebooks.py checks the same.
Standard library only, so it runs before anything is installed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
KEPT = ("tags", "microgrand")  # the cell metadata we commit; the rest is what an editor adds
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"


def strip(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook `nb` (nbformat 4 JSON) without outputs and with minimal metadata."""
    nb = json.loads(json.dumps(nb))  # a deep copy
    nb["metadata"] = {"kernelspec": dict(KERNELSPEC)}
    for cell in nb["cells"]:
        metadata = cell.get("metadata", {})
        cell["metadata"] = {key: metadata[key] for key in KEPT if metadata.get(key)}
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        elif not cell.get("attachments"):
            cell.pop("attachments", None)
    return nb


def dumps(nb: dict[str, Any]) -> str:
    """JSON text as Jupyter writes it (indent 1, sorted keys), so saving in Jupyter adds no noise."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"] or sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    dirty = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        stripped = dumps(strip(json.loads(text)))
        if stripped != text:
            dirty.append(path)
            if not check:
                path.write_text(stripped, encoding="utf-8")
    if check and dirty:
        for path in dirty:
            print(f"not stripped: {path}  (run: python tools/strip_notebooks.py {path})")
        return 1
    for path in dirty:
        print(f"stripped: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
