"""The package's shape, as the engine issue asks: no module hidden by a function of its name,
no module importing another's private names, and an engine short enough to read in one sitting."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import microgrand

PACKAGE = Path(microgrand.__file__).parent


def test_no_module_is_shadowed_by_a_function_of_the_same_name() -> None:
    for info in pkgutil.iter_modules([str(PACKAGE)]):
        if info.name == "__main__":  # importing it runs the command line
            continue
        module = importlib.import_module(f"microgrand.{info.name}")
        attr = getattr(microgrand, info.name)
        assert attr is module, f"microgrand.{info.name} is {attr!r}, not the module"


def test_no_module_imports_a_private_name_from_another() -> None:
    offences = []
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # relative (from .engine import _x) and absolute (from microgrand.engine import _x)
            if isinstance(node, ast.ImportFrom) and (
                node.level > 0 or (node.module or "").startswith("microgrand")
            ):
                offences += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("_")]
                if (node.module or "").startswith("_"):
                    offences.append(f"{path.name}: from .{node.module}")
    assert offences == []


def test_the_engine_reads_in_one_sitting() -> None:
    source = (PACKAGE / "engine.py").read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 260  # (+7 for bool, pickle and deepcopy, issue 17)
    doc = ast.get_docstring(ast.parse(source)) or ""
    assert "children" in doc.split("\n\n")[1] and "local" in doc and "chain rule" in doc
    for banned in ("MANY", "_node(", "object.__new__", "_DONE"):
        assert banned not in source
