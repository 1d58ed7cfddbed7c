"""What the course site runs in the page, under Pyodide: an exercise's cells, and the Graph Lab.

tryit.js loads Pyodide and microgrand's wheel from the site itself on the first Run, then this
module, and calls `run_exercise` or `draw`. Both return plain dicts (JSON for the page) and never
raise: a learner sees a one-line message, never a stack trace. The same functions run in CPython
in tests/test_site_python.py, so what the page says can be compared with what the notebook says.
"""

from __future__ import annotations

import ast
import contextlib
import io
import traceback
from typing import Any

YOUR_CODE = "<your code>"  # the file name the learner's cell runs under: errors point into it


def _run_cell(source: str, namespace: dict[str, Any], filename: str) -> Any:
    """Run a cell as Jupyter does: every statement, and the last one's value if it is an expression."""
    tree = ast.parse(source, filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), filename, "eval"), namespace)


def _one_line(error: BaseException) -> str:
    """An error as one line, pointing at the learner's code when that is where it happened."""
    if isinstance(error, SyntaxError):
        where = f" (line {error.lineno} of your code)" if error.filename == YOUR_CODE else ""
        return f"SyntaxError: {error.msg}{where}"
    if type(error).__name__ == "ExerciseError":  # the checker's hint: shown as the notebook shows it
        return f"ExerciseError: {error}"
    lines = [f.lineno for f in traceback.extract_tb(error.__traceback__) if f.filename == YOUR_CODE]
    where = f" (line {lines[-1]} of your code)" if lines else ""
    return f"{type(error).__name__}: {error}{where}"


def _show(value: Any, out: io.StringIO) -> None:
    if value is not None:
        print(repr(value), file=out)


def run_exercise(setup: list[str], code: str, check: str) -> dict[str, str]:
    """Run an exercise as the notebook would: its setup cells, the learner's cell, then the check.

    Each Run starts from a fresh namespace, so an earlier Run never changes a later one's result.
    Returns ``output`` (what the cells printed) and ``outcome``: "pass", "not attempted" (the
    check printed so), "hint" (the checker raised ExerciseError) or "error" (any other error),
    with ``message`` the one-line hint or error.
    """
    namespace: dict[str, Any] = {"__name__": "__main__"}
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            for number, cell in enumerate(setup, 1):
                _run_cell(cell, namespace, f"<setup cell {number}>")
            _show(_run_cell(code, namespace, YOUR_CODE), out)
            _show(_run_cell(check, namespace, "<check>"), out)
    except Exception as error:
        kind = "hint" if type(error).__name__ == "ExerciseError" else "error"
        return {"outcome": kind, "output": out.getvalue(), "message": _one_line(error)}
    printed = out.getvalue()
    outcome = "not attempted" if "not attempted yet" in printed else "pass"
    return {"outcome": outcome, "output": printed, "message": ""}


def draw(source: str) -> dict[str, str]:
    """The Graph Lab: run `source`, then the player of the Value its last line computes or names.

    Returns ``html`` (the player, from the public `microgrand.viz.stepper`) or ``error`` (one line).
    """
    from microgrand import Value
    from microgrand.viz import stepper

    namespace: dict[str, Any] = {"__name__": "__main__"}
    out = io.StringIO()
    try:
        tree = ast.parse(source, YOUR_CODE)
        if not tree.body:
            return {"error": "type a few lines that compute a Value, e.g. L = (a * b + c) * f"}
        last = tree.body[-1]
        with contextlib.redirect_stdout(out):
            value = _run_cell(source, namespace, YOUR_CODE)
        if isinstance(last, ast.Assign) and len(last.targets) == 1 and isinstance(last.targets[0], ast.Name):
            value = namespace[last.targets[0].id]
        if not isinstance(value, Value):
            what = "nothing" if value is None else f"a {type(value).__name__}"
            return {
                "error": f"the last line gives {what}, not a Value: end with the Value to draw, "
                "e.g. L = (a * b + c) * f, or just L",
                "output": out.getvalue(),
            }
        return {"html": stepper(value).to_html(), "output": out.getvalue()}
    except Exception as error:
        return {"error": _one_line(error), "output": out.getvalue()}
