"""What `pip install microgrand` gets: one version, the project's addresses, and release files that
hold what they must and nothing else.

The sdist and wheel are built here from this source tree with `python -m build` (without build
isolation, so offline, with the setuptools of the `test` extra). `.ci/dist` builds them again in
an isolated environment, runs `twine check` and tries the wheel in a fresh virtualenv.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.version import Version

import microgrand

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "https://github.com/microgrand/microgrand"


def source_files() -> list[str]:
    """The source tree's files as a clean clone (or the unpacked sdist) has them: what git tracks,
    and new files it does not ignore, not what tests and tools leave beside them."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.splitlines()  # fmt: skip
        return [name for name in listed if (ROOT / name).is_file()]
    made_here = {"__pycache__", "build", "dist", "node_modules", "_site"}  # as .gitignore says
    return [  # an unpacked sdist: its files, without what a build, a venv or a test made in it
        p.relative_to(ROOT).as_posix()
        for p in ROOT.rglob("*")
        if p.is_file()
        and p.suffix != ".pyc"
        and not any(
            part.startswith(".") or part in made_here or part.endswith(".egg-info")
            for part in p.relative_to(ROOT).parts[:-1]
        )
    ]


def package_files() -> set[str]:
    """Every file of the package in this tree, as the wheel names them (microgrand/...)."""
    return {name for name in source_files() if name.startswith("microgrand/")}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The sdist and the wheel made by `python -m build`, and what the build printed. Built from a
    copy of the source files: the tests run in parallel, and a file another test writes and
    removes in the tree while the sdist is made (a notebook's, a cache's) would fail the build."""
    pytest.importorskip("build", reason="needs the `build` package of the test extra")
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist")
    for name in source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (sdist,) = out.glob("microgrand-*.tar.gz")
    (wheel,) = out.glob("microgrand-*-py3-none-any.whl")
    return sdist, wheel, result.stdout + result.stderr


def test_the_version_is_written_once_and_is_what_pip_sees():
    assert microgrand.__version__ == importlib.metadata.version("microgrand"), (
        "the installed metadata is stale: run pip install -e . again"
    )
    assert str(Version(microgrand.__version__)) == microgrand.__version__  # PEP 440, normalized
    if sys.version_info < (3, 11):
        return  # no tomllib to read pyproject.toml with; the newer Pythons check the rest
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "microgrand.__version__"}


def test_the_changelog_has_a_section_for_this_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = Version(microgrand.__version__)
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", changelog, re.MULTILINE)
    assert headings, "CHANGELOG.md has no '## [version] - date' sections"
    if version.is_devrelease or version.is_prerelease:
        assert headings[0] == ("Unreleased", ""), "a development version is described under [Unreleased]"
    else:
        released = dict(headings)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", released.get(str(version), "")), (
            f"releasing {version}: rename [Unreleased] to '## [{version}] - YYYY-MM-DD' in CHANGELOG.md"
        )
    for name, _ in headings:  # Keep a Changelog: every heading links to its diff or tag
        assert re.search(rf"^\[{re.escape(name)}\]: {SOURCE}/", changelog, re.MULTILINE), name


def test_the_project_addresses_are_in_the_metadata_and_used_everywhere():
    urls = dict(
        entry.split(", ", 1) for entry in importlib.metadata.metadata("microgrand").get_all("Project-URL")
    )
    assert urls["Source"] == SOURCE
    assert urls["Issues"] == f"{SOURCE}/issues"
    assert urls["Documentation"] == "https://microgrand.github.io/microgrand/"
    # install cells (Colab) and the README name the same repository: one place to change it
    texts = {"README.md": (ROOT / "README.md").read_text(encoding="utf-8")}
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        texts[notebook.name] = "\n".join("".join(cell["source"]) for cell in cells)
    for name, text in texts.items():
        for repo in re.findall(r"git\+(https://[^\s\"'`]+)", text):
            assert repo.removesuffix(".git") == SOURCE, f"{name} installs from {repo}, not {SOURCE}"


def test_the_build_has_no_deprecation_warnings(built):
    _, _, log = built
    assert "BuildBackendWarning" not in log and "eprecat" not in log, log


def test_the_wheel_holds_the_package_and_its_assets_and_nothing_else(built):
    _, wheel, _ = built
    info = f"microgrand-{microgrand.__version__}.dist-info/"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = archive.read(info + "entry_points.txt").decode()
    assert {n for n in names if not n.startswith(info)} == package_files()
    assert "microgrand/py.typed" in names
    assert {n.removeprefix(info) for n in names if n.startswith(info)} == {
        "METADATA",
        "WHEEL",
        "RECORD",
        "entry_points.txt",
        "top_level.txt",
        "licenses/LICENSE",
    }
    assert "microgrand = microgrand.cli:main" in entry_points


def test_the_wheel_metadata(built):
    _, wheel, _ = built
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"microgrand-{microgrand.__version__}.dist-info/METADATA").decode()
    assert f"\nVersion: {microgrand.__version__}\n" in metadata
    assert "\nLicense-Expression: MIT\n" in metadata and "\nLicense-File: LICENSE\n" in metadata
    assert "License ::" not in metadata  # the SPDX expression replaces the classifier
    assert "\nRequires-Python: >=3.10\n" in metadata
    assert not re.search(r"^Requires-Dist: (?!.*extra ==)", metadata, re.MULTILINE), "no runtime deps"
    assert "\nDescription-Content-Type: text/markdown\n" in metadata
    assert "pip install microgrand" in metadata  # the README is the long description


def test_the_sdist_holds_the_source_tests_readme_license_and_changelog(built):
    sdist, _, _ = built
    top = f"microgrand-{microgrand.__version__}/"
    with tarfile.open(sdist) as tar:
        names = {n.removeprefix(top) for n in tar.getnames()}
    tests = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").glob("*.py")}
    wanted = {"README.md", "LICENSE", "CHANGELOG.md", "pyproject.toml", *package_files(), *tests}
    assert wanted <= names, sorted(wanted - names)
    # what the tests read: the notebooks they run and the script that draws the README's pictures
    assert {"docs/make_readme_graph.py", "tools/strip_notebooks.py"} <= names
    assert any(n.startswith("notebooks/") and n.endswith(".ipynb") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_ci_and_the_publish_workflow_build_with_the_same_script():
    """What is published is what CI built and tried: both run .ci/dist."""
    workflow, ci = ROOT / ".github" / "workflows" / "publish.yml", ROOT / ".ci" / "run"
    if not workflow.exists() or not ci.exists():
        pytest.skip("an unpacked sdist has no CI files")
    steps = workflow.read_text(encoding="utf-8")
    assert re.search(r"^bash \.ci/dist$", ci.read_text(encoding="utf-8"), re.MULTILINE)
    assert re.search(r"^ +run: bash \.ci/dist$", steps, re.MULTILINE)
    assert 'tags: ["v*"]' in steps and "id-token: write" in steps
    assert "pypa/gh-action-pypi-publish@release/v1" in steps
    assert "password" not in steps and "secrets." not in steps  # trusted publishing: no stored token
