"""The options every drawing takes, checked once, with messages that say what to pass instead."""

from __future__ import annotations

import operator
from collections.abc import Iterable

from ..engine import Value

RANKDIRS = ("LR", "TB", "RL", "BT")
DEFAULT_MAX_NODES = 200


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


def whole_number(x: object) -> int | None:
    """`x` as an int if it is a whole number of any integer type (numpy's too, as `range` takes
    them: `operator.index`); None for anything else, True and False included (a bool is a flag)."""
    if isinstance(x, bool):
        return None
    try:
        return operator.index(x)  # type: ignore[arg-type]
    except TypeError:
        return None
