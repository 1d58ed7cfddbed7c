"""Argument checks about numbers, seeds and collections, shared by every module.

Each returns the checked value, or raises a TypeError (wrong kind of thing) or
a ValueError (right kind, wrong value) whose message names the argument, shows
what was passed, and says what to pass instead. The checks that need to know
what a Value is (a list of Values, an op's inputs) are the engine's own, at the
end of `engine.py`: this module imports nothing of microgrand.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Iterable, Iterator, Mapping, Set
from typing import Any, Protocol, TypeGuard


class Rng(Protocol):
    """What microgrand draws random numbers from: a `random.Random`, or the `random` module."""

    def random(self) -> float: ...
    def uniform(self, a: float, b: float) -> float: ...
    def gauss(self, mu: float, sigma: float) -> float: ...
    def shuffle(self, x: list[Any]) -> None: ...


Seed = int | Rng | None
"""What a ``seed=`` argument takes: an int, a `random.Random` to draw from, or None
(Python's global `random`, which ``random.seed(n)`` makes reproducible)."""


def is_number(x: object) -> TypeGuard[int | float]:
    """A real number: an int or a float, numpy's too; not a bool (True + True is 2, but a True
    passed for a number is a mistake) and not a complex."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def is_whole_number(x: object) -> TypeGuard[int]:
    """An int, numpy's too, and not a bool."""
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def as_float(x: object, where: str = "Value") -> float:
    """`x` as a float, or a TypeError that names what was passed (a bool is not a number here)."""
    if type(x) is float:
        return x
    if type(x) is not int and not is_number(x):
        hint = " (it is already a Value; use it directly)" if hasattr(x, "grad") else ""
        raise TypeError(f"{where} needs a real number (int or float), got {type(x).__name__}: {x!r}{hint}")
    try:
        return float(x)
    except OverflowError:  # an int beyond the largest float, about 1.8e308
        raise OverflowError(
            f"{where} got a number too large for a float (the largest float is about 1.8e308)"
        ) from None


def make_rng(seed: Seed) -> Rng:
    """A random.Random from a seed (an int), the one given, or Python's global `random` (None)."""
    if seed is None:
        return random  # as micrograd: random.seed(n) makes a model reproducible
    if isinstance(seed, random.Random) or seed is random:
        return seed
    if not is_whole_number(seed):
        raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}: {seed!r}")
    return random.Random(int(seed))


def positive_int(name: str, n: object, minimum: int = 1) -> int:
    """`n` if it is a whole number (an int, not a bool) >= `minimum`."""
    if not is_whole_number(n):
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


def positive_float(name: str, x: object) -> float:
    """`x` as a float if it is a finite real number > 0."""
    value = as_float(x, name)
    if not 0.0 < value < math.inf:
        raise ValueError(f"{name} must be > 0 (a finite number), got {value!r}")
    return value


def is_ordered(x: object) -> bool:
    """A list, tuple, numpy array, ...: not a str, set, dict or one-shot iterator, which have no
    order to pair with something else (or lose it once read)."""
    return isinstance(x, Iterable) and not isinstance(x, (str, bytes, Set, Mapping, Iterator))
