"""Build the course website: execute the notebooks and render them, with the API reference.

    pip install -e ".[site]"                   # and Node.js with npm (for Pyodide)
    python tools/build_site.py OUTDIR          # OUTDIR/index.html is the landing page
    cd OUTDIR && python -m http.server         # then open http://localhost:8000/

The site is made by Sphinx with MyST-NB (which executes every notebook and keeps its outputs)
and the Sphinx Book Theme; its configuration and hand-written pages are in site/. MathJax is
copied into the site from the `sphinx-mathjax-offline` package, so math renders with no network.

The exercises and the Graph Lab run in the page: the npm package `pyodide` (pinned in
tools/pyodide/package.json, installed with `npm ci`) is copied into OUTDIR/_static/pyodide with
microgrand's wheel, built from this checkout. site/_static/tryit.js starts it on the first Run.
Pages that run Python must be served over HTTP: a browser blocks their fetches from file://.

The committed notebooks are not changed. They are copied into a build directory first, where
- each exercise's check cell gets the tag ``raises-exception`` (a checker may reject the starting
  code on purpose); any other error fails the build;
- each exercise cell (metadata ``"microgrand": {"exercise": "4.1"}``) gets the tag
  ``mg-exercise-4.1``, by which tryit.js finds it, and its starting code, check and setup cells
  (``"microgrand": {"setup_for": [...]}``) go to OUTDIR/_static/exercises/NOTEBOOK.json;
- a line after the title says how to try it in the browser, with an "Open in Colab" link made
  from the repository's address (pyproject.toml's [project.urls] Source, the one setting), and
  an "Open in JupyterLite" link for the notebooks that need only microgrand and the standard
  library: those run whole at OUTDIR/lite (jupyterlite-core and its Pyodide kernel, from PyPI,
  on the same Pyodide).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser from PyPI (the test and site extras install it there)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
RAISES = "raises-exception"
NPM_DIR = ROOT / "tools" / "pyodide"
# what a page needs from the npm package to start Python (the rest is typings, maps and demos)
PYODIDE_FILES = [
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
]
# MathJax's other single-file builds: each is a whole MathJax, an alternative to the tex-chtml.js
# that the pages load (sphinx-mathjax-offline's mathjax_path), so none is ever fetched. tex-chtml.js
# loads fonts, TeX extensions, the menu and the accessibility tools from the folders, kept whole.
MATHJAX_UNUSED = [
    "tex-mml-chtml.js",
    "tex-chtml-full.js",
    "tex-chtml-full-speech.js",
    "mml-chtml.js",
    "mml-svg.js",
    "tex-mml-svg.js",
    "tex-svg.js",
    "tex-svg-full.js",
    "node-main.js",
]
# notebooks that need more than microgrand and the standard library do not run in JupyterLite here
NOT_IN_PYODIDE = re.compile(r"^\s*(import|from)\s+(matplotlib|sklearn|numpy|scipy)\b", re.MULTILINE)
# what jupyterlite-pyodide-kernel installs in the page beyond Pyodide's core, as the lock pins it
KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
LITE_FROM_THE_LOCK = ["micropip", "ipython", "jedi", "packaging"]
GITHUB = re.compile(r"https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)/?")


def repository() -> str | None:
    """The repository's public address: pyproject.toml's [project.urls] Source, or None."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    source = project.get("urls", {}).get("Source")
    return str(source) if source else None


def colab_url(source: str | None, notebook: str) -> str | None:
    """Colab's address for notebooks/`notebook` on the main branch of a GitHub `source`, else None."""
    match = GITHUB.fullmatch(source or "")
    if match is None:
        return None  # Colab opens notebooks from GitHub only
    owner, repo = match.groups()
    return f"https://colab.research.google.com/github/{owner}/{repo}/blob/main/notebooks/{notebook}"


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _source(cell: dict[str, Any]) -> str:
    text = cell["source"]
    return text if isinstance(text, str) else "".join(text)


def _banner(first_exercise: str | None, colab: str | None, lite: str | None) -> dict[str, Any]:
    """A Markdown cell that says how to run this notebook's exercises (and all of it, in Colab)."""
    here = f"#exercise-{first_exercise}" if first_exercise else "../lab.html"
    what = (
        "the exercises on this page run right here, in Python inside your browser (nothing to "
        "install; the first Run starts Python, a few seconds), and the "
        if first_exercise
        else "the "
    )
    text = (
        f'<p class="mg-tryit-banner"><strong><a href="{here}">Try it in your browser</a></strong>: '
        f'{what}<a href="../lab.html">Graph Lab</a> draws and steps through any expression you type.'
    )
    whole = [
        f'<a href="{url}">{name}</a>'
        for url, name in [(lite, "Open in JupyterLite"), (colab, "Open in Colab")]
        if url
    ]
    if whole:
        text += f" Or run the whole notebook: {' · '.join(whole)}."
    return {"cell_type": "markdown", "id": "mg-try-it", "metadata": {}, "source": text + "</p>"}


def prepare_notebook(
    nb: dict[str, Any], name: str, source: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The notebook as the site shows it, and the table of its exercises for tryit.js.

    `name` is the notebook's file name; `source` the repository's address (for Colab).
    """
    exercises: dict[str, dict[str, Any]] = {}
    setups: list[tuple[list[str], str]] = []
    for cell in nb["cells"]:
        meta = cell.setdefault("metadata", {})
        tags = meta.get("tags", [])
        mine = meta.get("microgrand", {})
        if "check" in tags and RAISES not in tags:
            meta["tags"] = [*tags, RAISES]
        if cell["cell_type"] != "code":
            continue
        if "setup_for" in mine:
            setups.append(([str(i) for i in mine["setup_for"]], _source(cell)))
        number = mine.get("exercise")
        if number is None:
            continue
        number = str(number)
        entry = exercises.setdefault(
            number, {"code": None, "check": None, "setup": [], "notebook_only": None}
        )
        if "exercise" in tags:
            meta["tags"] = [*meta["tags"], f"mg-exercise-{number}"]
            entry["code"] = _source(cell)
            entry["notebook_only"] = mine.get("notebook_only")
        elif "check" in tags:
            entry["check"] = _source(cell)
    for number, entry in exercises.items():
        entry["setup"] = [text for wanted, text in setups if number in wanted]
        if entry["code"] is None or (entry["check"] is None and not entry["notebook_only"]):
            raise ValueError(f"{name}: exercise {number} needs a cell tagged exercise and one tagged check")
    runnable = [n for n, e in exercises.items() if not e["notebook_only"]]
    colab = colab_url(source, name)
    if nb["cells"] and nb["cells"][0]["cell_type"] == "markdown":
        lite = f"../lite/notebooks/index.html?path={name}" if runs_in_jupyterlite(nb) else None
        nb["cells"].insert(1, _banner(runnable[0] if runnable else None, colab, lite))
    table = {"notebook": name, "notebook_url": colab, "exercises": exercises}
    return nb, table


def prepare_sources(src: Path) -> None:
    shutil.copytree(ROOT / "site", src, dirs_exist_ok=True)
    (src / "notebooks").mkdir(exist_ok=True)
    (src / "_static" / "exercises").mkdir(parents=True, exist_ok=True)
    source = repository()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb, table = prepare_notebook(json.loads(path.read_text(encoding="utf-8")), path.name, source)
        (src / "notebooks" / path.name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
        exercises = src / "_static" / "exercises" / f"{path.stem}.json"
        exercises.write_text(json.dumps(table, indent=1), encoding="utf-8")


def add_python(out: Path, tmp: Path) -> None:
    """Pyodide's core (from npm) and microgrand's wheel (from this checkout) into the site."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("the site needs npm for Pyodide: install Node.js (apt-get install nodejs npm)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NPM_DIR, check=True)
    package = NPM_DIR / "node_modules" / "pyodide"
    target = out / "_static" / "pyodide"
    target.mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        shutil.copy2(package / name, target / name)
    # built from a clean copy of what the wheel holds: setuptools keeps a build/ folder in the
    # tree it builds, and a module deleted since the last build would otherwise stay in the wheel
    source = tmp / "wheel-source"
    shutil.copytree(ROOT / "microgrand", source / "microgrand", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ["pyproject.toml", "README.md", "LICENSE"]:
        shutil.copy2(ROOT / name, source / name)
    wheels = tmp / "wheel"
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels)]
    subprocess.run([*pip, str(source)], check=True)
    (wheel,) = wheels.glob("microgrand-*-py3-none-any.whl")
    for old in target.glob("microgrand-*.whl"):
        old.unlink()
    shutil.copy2(wheel, target / wheel.name)
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    info = {"pyodide": version, "wheel": wheel.name}
    (target / "runtime.json").write_text(json.dumps(info, indent=1), encoding="utf-8")


def runs_in_jupyterlite(nb: dict[str, Any]) -> bool:
    """True when no code cell imports what Pyodide lacks offline (a guarded torch import is fine)."""
    return not any(NOT_IN_PYODIDE.search(_source(c)) for c in nb["cells"] if c["cell_type"] == "code")


def _lock_closure(lock: dict[str, Any], names: list[str]) -> list[dict[str, Any]]:
    """The lock's entries for `names` and everything they depend on."""
    found: dict[str, dict[str, Any]] = {}
    todo = [n.lower().replace("_", "-") for n in names]
    while todo:
        name = todo.pop()
        if name not in found:
            found[name] = lock["packages"][name]
            todo += [d.lower().replace("_", "-") for d in found[name].get("depends", [])]
    return list(found.values())


def add_jupyterlite(out: Path, tmp: Path, notebooks: list[Path]) -> None:
    """Whole notebooks in JupyterLite at OUTDIR/lite, on the site's own Pyodide, offline.

    The kernel (jupyterlite-pyodide-kernel) loads micropip and IPython: their pure-Python wheels
    come from PyPI through pip, and their sha256 in pyodide-lock.json are rewritten (Pyodide's own
    builds of those wheels, on its CDN, differ from PyPI's); `comm`, which the kernel installs
    with piplite, is added to the site's own piplite index, and PyPI is never asked at run time.
    microgrand's wheel becomes a package of the lock, loaded when the kernel starts.
    """
    lite, pyodide, wheels = tmp / "lite", out / "_static" / "pyodide", tmp / "lite-wheels"
    (lite / "files").mkdir(parents=True)
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        nb["metadata"]["kernelspec"] = {
            "name": "python",
            "display_name": "Python (Pyodide)",
            "language": "python",
        }
        (lite / "files" / path.name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    lock = json.loads((pyodide / "pyodide-lock.json").read_text(encoding="utf-8"))
    pins = [f"{p['name']}=={p['version']}" for p in _lock_closure(lock, LITE_FROM_THE_LOCK)]
    pip = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "-q",
        "--no-deps",
        "--only-binary=:all:",
        "-d",
        str(wheels),
    ]
    subprocess.run([*pip, "--python-version", "3.14", "--platform", "any", *pins, "comm"], check=True)
    by_file = {entry["file_name"]: entry for entry in lock["packages"].values()}
    for wheel in wheels.glob("*.whl"):
        if wheel.name in by_file:
            by_file[wheel.name]["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
            shutil.copy2(wheel, pyodide / wheel.name)
    info = json.loads((pyodide / "runtime.json").read_text(encoding="utf-8"))
    ours = (pyodide / info["wheel"]).read_bytes()
    lock["packages"]["microgrand"] = {
        "name": "microgrand", "version": info["wheel"].split("-")[1], "file_name": info["wheel"],
        "install_dir": "site", "sha256": hashlib.sha256(ours).hexdigest(), "package_type": "package",
        "imports": ["microgrand"], "depends": [], "unvendored_tests": False, "shared_library": False,
    }  # fmt: skip
    (pyodide / "pyodide-lock.json").write_text(json.dumps(lock), encoding="utf-8")
    # the build looks for Pyodide in the lite folder's static/pyodide (else it would download it)
    shutil.copytree(pyodide, lite / "static" / "pyodide")
    (comm,) = wheels.glob("comm-*.whl")
    build = [sys.executable, "-m", "jupyter", "lite", "build", "--no-sourcemaps", "--apps", "lab"]
    build += ["--apps", "notebooks", "--piplite-wheels", str(comm), "--output-dir", str(out / "lite")]
    subprocess.run(build, cwd=lite, check=True, capture_output=True)
    # one Pyodide for the whole site: the lite's copy goes, and its kernel loads the site's
    shutil.rmtree(out / "lite" / "static" / "pyodide")
    config_path = out / "lite" / "jupyter-lite.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    kernel = config["jupyter-config-data"]["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"
    ]
    kernel["pyodideUrl"] = "../../_static/pyodide/pyodide.mjs"  # from lite/notebooks/index.html
    kernel["loadPyodideOptions"] = {"packages": ["microgrand"]}
    kernel["disablePyPIFallback"] = True
    config_path.write_text(json.dumps(config, indent=1), encoding="utf-8")


def trim(out: Path) -> None:
    """Leave out what no page loads: MathJax's other builds and the theme's source maps."""
    mathjax = out / "_static" / "mathjax"
    loads = re.compile(r"mathjax/([\w.-]+\.js)")
    loaded = {name for page in out.rglob("*.html") for name in loads.findall(page.read_text("utf-8"))}
    if loaded != {"tex-chtml.js"}:
        raise SystemExit(f"the pages load MathJax's {sorted(loaded)}: review MATHJAX_UNUSED")
    for name in MATHJAX_UNUSED:
        (mathjax / name).unlink(missing_ok=True)
    # the theme's source maps (3.4 MB) serve only a developer's debugger, never a reader's page
    for source_map in (out / "_static").rglob("*.map"):
        source_map.unlink()


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print(__doc__.strip().splitlines()[0], "\nusage: python tools/build_site.py OUTDIR", file=sys.stderr)
        return 2
    out = Path(argv[0]).resolve()
    with tempfile.TemporaryDirectory(prefix="microgrand-site-") as tmp:
        src = Path(tmp) / "src"
        prepare_sources(src)
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d", str(Path(tmp) / "doctrees")]
        # conf.py reads the repository's address from here: pyproject.toml is its one home
        env = {**os.environ, "MICROGRAND_SOURCE": repository() or ""}
        result = subprocess.run([*command, str(src), str(out)], cwd=ROOT, check=False, env=env)
        if result.returncode != 0:
            print(f"the site build failed (sphinx exit status {result.returncode})", file=sys.stderr)
            return result.returncode
        trim(out)
        add_python(out, Path(tmp))
        lite = [p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if runs_in_jupyterlite(_load(p))]
        add_jupyterlite(out, Path(tmp), lite)
    print(f"built the site: {out / 'index.html'} (serve it over HTTP: cd {out} && python -m http.server)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
