"""The package's shape: no module hidden by a function of its name, no module importing another's
private names, no import cycle, and an engine whose docstring says what it is built from."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import microgrand

PACKAGE = Path(microgrand.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_module_is_shadowed_by_a_function_of_the_same_name() -> None:
    for info in pkgutil.iter_modules([str(PACKAGE)]):
        if info.name == "__main__":  # importing it runs the command line
            continue
        module = importlib.import_module(f"microgrand.{info.name}")
        attr = getattr(microgrand, info.name)
        assert attr is module, f"microgrand.{info.name} is {attr!r}, not the module"


def test_no_module_imports_a_private_name_from_another() -> None:
    offences = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # relative (from .engine import _x) and absolute (from microgrand.engine import _x)
            if isinstance(node, ast.ImportFrom) and (
                node.level > 0 or (node.module or "").startswith("microgrand")
            ):
                offences += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("_")]
                if (node.module or "").startswith("_"):
                    offences.append(f"{path.name}: from .{node.module}")
    assert offences == []


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The package modules that `path` imports, anywhere in it (in a function too: an import
    moved into a function to dodge a cycle is still a cycle), but not under ``if TYPE_CHECKING``."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            # `from . import floats` imports the module floats; `from .engine import Value`, engine
            found |= {f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names}
    return {m for m in found if m in modules and m != name}


def test_the_package_has_no_import_cycle() -> None:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py") if p.name != "__main__.py"}
    graph = {name: _imports(path, set(paths)) for name, path in paths.items()}
    for name in graph:  # from each module, a depth-first walk must never come back to it
        stack, seen = list(graph[name]), set()
        while stack:
            module = stack.pop()
            assert module != name, f"{name} imports itself through the modules it imports"
            if module not in seen:
                seen.add(module)
                stack.extend(graph[module])


def test_the_engine_docstring_says_what_a_node_keeps_and_where_the_chain_rule_is() -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / "engine.py").read_text(encoding="utf-8"))) or ""
    assert "children" in doc.split("\n\n")[1] and "local" in doc and "chain rule" in doc
