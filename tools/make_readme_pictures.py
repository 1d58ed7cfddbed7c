"""Make the course pictures that the README shows: docs/course/*.png.

    python tools/make_readme_pictures.py     # needs the notebooks extra (or the site extra)

The committed notebooks are stripped, so the repository itself shows no picture. This executes
the notebooks that have a cell tagged ``readme-picture`` (the way the website does, see
tools/build_site.py) and writes each such cell's figure to docs/course/NOTEBOOK.png.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import nbclient
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_site import prepare_notebook  # tools/ is not a package

ROOT = Path(__file__).resolve().parent.parent
TAG = "readme-picture"


def main() -> int:
    out_dir = ROOT / "docs" / "course"
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not any(TAG in c.get("metadata", {}).get("tags", []) for c in raw["cells"]):
            continue
        nb = nbformat.reads(json.dumps(prepare_notebook(raw)), as_version=4)
        client = nbclient.NotebookClient(
            nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(ROOT / "notebooks")}}
        )
        client.execute()
        tagged = [c for c in nb.cells if TAG in c.metadata.get("tags", [])]
        for k, cell in enumerate(tagged):
            pngs = [o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
            if len(pngs) != 1:
                raise SystemExit(f"{path.name}: a {TAG!r} cell must draw one figure, it drew {len(pngs)}")
            name = path.stem[:2] + (f"_{k}" if len(tagged) > 1 else "") + ".png"
            (out_dir / name).write_bytes(base64.b64decode(pngs[0]))
            print(f"wrote docs/course/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
