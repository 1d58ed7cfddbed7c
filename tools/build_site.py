"""Build the course website: execute the notebooks and render them, with the API reference.

    pip install -e ".[site]"
    python tools/build_site.py OUTDIR          # OUTDIR/index.html is the landing page

The site is made by Sphinx with MyST-NB (which executes every notebook and keeps its outputs)
and the Sphinx Book Theme; its configuration and hand-written pages are in site/. MathJax is
copied into the site from the `sphinx-mathjax-offline` package, so math renders with no network.

The committed notebooks are not changed. They are copied into a build directory first, where each
exercise's check cell gets the tag ``raises-exception``: on the site it shows the hint that the
checker gives for the placeholder (the learner's starting point), and the collapsed solution
after it is executed as usual. Any other error fails the build.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RAISES = "raises-exception"


def prepare_notebook(nb: dict[str, Any]) -> dict[str, Any]:
    """The notebook as the site shows it: each exercise's check may raise (on the placeholder)."""
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if "check" in tags and RAISES not in tags:
            cell["metadata"]["tags"] = [*tags, RAISES]
    return nb


def prepare_sources(src: Path) -> None:
    shutil.copytree(ROOT / "site", src, dirs_exist_ok=True)
    (src / "notebooks").mkdir(exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = prepare_notebook(json.loads(path.read_text(encoding="utf-8")))
        (src / "notebooks" / path.name).write_text(json.dumps(nb, indent=1), encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print(__doc__.strip().splitlines()[0], "\nusage: python tools/build_site.py OUTDIR", file=sys.stderr)
        return 2
    out = Path(argv[0]).resolve()
    with tempfile.TemporaryDirectory(prefix="microgrand-site-") as tmp:
        src = Path(tmp) / "src"
        prepare_sources(src)
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(Path(tmp) / "doctrees")]
        result = subprocess.run([*command, str(src), str(out)], cwd=ROOT, check=False)
    if result.returncode != 0:
        print(f"the site build failed (sphinx exit status {result.returncode})", file=sys.stderr)
        return result.returncode
    print(f"built the site: {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
