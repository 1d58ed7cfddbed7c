"""The options every drawing takes, checked once, with messages that say what to pass instead."""

from __future__ import annotations

from collections.abc import Iterable

from ..checks import is_whole_number
from ..engine import Value, value_list

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
    if max_nodes is not None and not (is_whole_number(max_nodes) and max_nodes >= 1):
        raise ValueError(f"max_nodes must be a whole number >= 1, or None for no limit; got {max_nodes!r}")
    limit = None if max_nodes is None else int(max_nodes)
    if params is None or (isinstance(params, (list, tuple, set)) and not params):
        return limit, set()  # no box is marked as a parameter
    return limit, set(value_list(params, "params"))


def check_interval(interval_ms: object) -> int:
    """A player's time between frames, in ms: a whole number from 1 to a minute."""
    if not (is_whole_number(interval_ms) and 1 <= interval_ms <= MAX_INTERVAL_MS):
        raise ValueError(
            f"interval_ms must be a whole number of milliseconds from 1 to {MAX_INTERVAL_MS:,} (a minute), "
            f"got {interval_ms!r}"
        )
    return int(interval_ms)
