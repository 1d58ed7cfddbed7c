"""Shared plumbing for the benchmark scripts: run one measurement in a fresh
interpreter, summarise repeated figures, format them.

A fresh interpreter per (engine, round) matters: the cyclic garbage collector
walks every live object, so a process that also holds another engine's modules
and graphs would slow the engine under test.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any


def run_worker(script: str, *args: object, stdin: str | None = None, mode: str = "_worker") -> dict[str, Any]:
    """Run `python script _worker args...` (or another `mode`), `stdin` as its input; it prints
    one JSON line last."""
    p = subprocess.run(
        [sys.executable, script, mode, *map(str, args)], input=stdin, capture_output=True, text=True
    )
    try:
        result: dict[str, Any] = json.loads(p.stdout.strip().splitlines()[-1])
        return result
    except (IndexError, json.JSONDecodeError):
        return {"error": (p.stderr or p.stdout).strip()[-500:]}


def rotate(seq: Sequence[str], r: int) -> list[str]:
    """The engines in a different order each round, so none always runs first."""
    r %= max(1, len(seq))
    return list(seq[r:]) + list(seq[:r])


def summary(xs: Sequence[float], fmt: str | Callable[[float], str] = "{:.3g}") -> str:
    """median [min .. max], each formatted by `fmt` (a format string or a function)."""
    if not xs:
        return "-"
    f = fmt.format if isinstance(fmt, str) else fmt
    return f"{f(statistics.median(xs))} [{f(min(xs))} .. {f(max(xs))}]"


def ratios(ours: Sequence[float], theirs: Sequence[float]) -> list[float]:
    """Round-by-round ratios theirs/ours: how many times faster (or smaller) we are."""
    return [t / o for o, t in zip(ours, theirs) if o > 0]


def module_available(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
