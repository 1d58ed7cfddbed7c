"""Graphs several test files draw and walk, and the docs scripts they run."""

import importlib.util
from pathlib import Path
from types import ModuleType

from microgrand import Value
from microgrand.examples import lecture_example
from microgrand.graph import trace


def karpathy_example() -> tuple[Value, dict[str, Value]]:
    """L = (a*b + c) * f, the graph of micrograd's first lecture, and its nodes by label."""
    L = lecture_example()
    return L, {v.label: v for v in trace(L)[0]}


def docs_script(name: str) -> ModuleType:
    """The script docs/<name>.py, loaded as a module (its main() is not run)."""
    script = Path(__file__).resolve().parent.parent / "docs" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
