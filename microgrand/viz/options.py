"""The options every drawing takes, checked once, with messages that say what to pass instead."""

from __future__ import annotations

import operator
from collections.abc import Iterable

from ..engine import Value

RANKDIRS = ("LR", "TB", "RL", "BT")
DEFAULT_MAX_NODES = 200
MAX_INTERVAL_MS = 60_000  # a browser's timer takes at most 2**31 - 1 ms, and fires at once past it


def check_options(
    who: str, root: Value, rankdir: str, max_nodes: object, params: Iterable[Value] | None
) -> tuple[int | None, set[Value]]:
    """`max_nodes` as an int (or None) and the parameters as a set, once both are checked."""
    if not isinstance(root, Value):
        raise TypeError(f"{who} needs a Value (the output of a computation), got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    limit = None if max_nodes is None else whole_number(max_nodes)
    if max_nodes is not None and (limit is None or limit < 1):
        raise ValueError(f"max_nodes must be a whole number >= 1, or None for no limit; got {max_nodes!r}")
    if isinstance(params, Value):
        raise TypeError("params must be a list of Values (e.g. model.parameters()), got one Value")
    param_set = set(params or ())
    for param in param_set:
        if not isinstance(param, Value):
            raise TypeError(
                f"params must be Values (e.g. model.parameters()), got {type(param).__name__}: {param!r}"
            )
    return limit, param_set


def check_interval(interval_ms: object) -> int:
    """A player's time between frames, in ms: a whole number from 1 to a minute."""
    ms = whole_number(interval_ms)
    if ms is None or not 1 <= ms <= MAX_INTERVAL_MS:
        raise ValueError(
            f"interval_ms must be a whole number of milliseconds from 1 to {MAX_INTERVAL_MS:,} (a minute), "
            f"got {interval_ms!r}"
        )
    return ms


def whole_number(x: object) -> int | None:
    """`x` as an int if it is a whole number of any integer type (numpy's too, as `range` takes
    them: `operator.index`); None for anything else, True and False included (a bool is a flag)."""
    if isinstance(x, bool):
        return None
    try:
        return operator.index(x)  # type: ignore[arg-type]
    except TypeError:
        return None
