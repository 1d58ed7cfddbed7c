"""Argument checks shared by the engine, nn, losses, optim, train, data and cli.

Each returns the checked value, or raises a TypeError (wrong kind of thing) or
a ValueError (right kind, wrong value) whose message names the argument, shows
what was passed, and says what to pass instead.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Value

Seed = int | random.Random | None
"""What a ``seed=`` argument takes: an int, a `random.Random` to draw from, or None (fresh)."""


def as_float(x: object, where: str = "Value") -> float:
    """`x` as a float, or a TypeError that names what was passed (a bool is not a number here)."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        hint = " (it is already a Value; use it directly)" if hasattr(x, "grad") else ""
        raise TypeError(f"{where} needs a real number (int or float), got {type(x).__name__}: {x!r}{hint}")
    return float(x)


def make_rng(seed: Seed) -> random.Random:
    """A random.Random from a seed (an int), the one given, or a fresh one (None)."""
    if isinstance(seed, random.Random):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}: {seed!r}")
    return random.Random(seed)


def positive_int(name: str, n: object, minimum: int = 1) -> int:
    """`n` if it is a whole number (an int, not a bool) >= `minimum`."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):  # numpy's integers are Integral
        raise TypeError(f"{name} must be a whole number (an int), got {type(n).__name__}: {n!r}")
    if n < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {n!r}")
    return int(n)


def nonnegative_float(name: str, x: object) -> float:
    """`x` as a float if it is a finite real number >= 0 (nan and inf are refused)."""
    value = as_float(x, name)
    if not 0.0 <= value < math.inf:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def parameter_list(params: Iterable[Value], owner: str) -> list[Value]:
    """The parameters as a non-empty list of Values; a model passed by mistake is named."""
    from .engine import Value  # here, not at the top: the engine imports this module

    if isinstance(params, Value):
        raise TypeError(f"{owner} needs a list of parameters, e.g. model.parameters(), not a single Value")
    if hasattr(params, "parameters"):  # a Module (checked by its method: nn builds on this module)
        raise TypeError(
            f"{owner} needs the model's parameters, not the model: pass model.parameters() "
            f"(got the {type(params).__name__} itself)"
        )
    if callable(params):
        raise TypeError(f"{owner} got a function, not a list: call it, e.g. model.parameters()")
    try:
        ps = list(params)
    except TypeError:
        raise TypeError(
            f"{owner} needs a list of parameters, e.g. model.parameters(), "
            f"got {type(params).__name__}: {params!r}"
        ) from None
    if not ps:
        raise ValueError(f"{owner} got an empty parameter list")
    for p in ps:
        if not isinstance(p, Value):
            raise TypeError(f"{owner} parameters must be Values, got {type(p).__name__}: {p!r}")
    return ps
