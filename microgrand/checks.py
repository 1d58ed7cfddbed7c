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
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .engine import Value


class Rng(Protocol):
    """What microgrand draws random numbers from: a `random.Random`, or the `random` module."""

    def random(self) -> float: ...
    def uniform(self, a: float, b: float) -> float: ...
    def gauss(self, mu: float, sigma: float) -> float: ...
    def shuffle(self, x: list[Any]) -> None: ...


Seed = int | Rng | None
"""What a ``seed=`` argument takes: an int, a `random.Random` to draw from, or None
(Python's global `random`, which ``random.seed(n)`` makes reproducible)."""


def as_float(x: object, where: str = "Value") -> float:
    """`x` as a float, or a TypeError that names what was passed (a bool is not a number here)."""
    if type(x) is float:
        return x
    if type(x) is not int and (isinstance(x, bool) or not isinstance(x, numbers.Real)):
        hint = " (it is already a Value; use it directly)" if hasattr(x, "grad") else ""
        raise TypeError(f"{where} needs a real number (int or float), got {type(x).__name__}: {x!r}{hint}")
    try:
        return float(x)
    except OverflowError:  # an int beyond the largest float, about 1.8e308
        raise OverflowError(
            f"{where} got a number too large for a float (the largest float is about 1.8e308)"
        ) from None


def operand(x: object, op: str) -> float:
    """A plain number on one side of an operator, as a float, or a TypeError that names it."""
    if type(x) is float:  # the common case, before the checks (an ABC check costs ~10x this one)
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"unsupported operand for '{op}': a Value combines with a Value or a real number "
            f"(int or float), not {type(x).__name__}: {x!r}"
        )
    return as_float(x, f"'{op}' operand")


def node_inputs(
    op: object, inputs: Iterable[Any], local_grads: Iterable[Any]
) -> tuple[tuple[Any, ...], tuple[float, ...]]:
    """`Value.from_op`'s checks: the inputs (Values) and their local derivatives (numbers) as
    two tuples of the same, non-zero length; a TypeError or ValueError naming the problem otherwise."""
    from .engine import Value  # here, not at the top: the engine imports this module

    if not isinstance(op, str):
        raise TypeError(f"from_op: op must be a str naming the operation, got {type(op).__name__}: {op!r}")
    if isinstance(inputs, Value) or isinstance(local_grads, (int, float)):
        raise TypeError(f"{op}: inputs and local_grads must be lists (one entry per input), e.g. [x], [2.0]")
    inputs = tuple(inputs)
    where = f"{op}: a local derivative"
    grads = tuple([as_float(g, where) for g in local_grads])
    if not inputs:
        raise ValueError(f"{op}: a node needs at least one input; for a constant use Value(data)")
    if len(inputs) != len(grads):
        raise ValueError(f"{op}: {len(inputs)} inputs but {len(grads)} local derivatives")
    for v in inputs:
        if not isinstance(v, Value):
            raise TypeError(f"{op}: inputs must be Values, got {type(v).__name__}: {v!r}")
    return inputs, grads


def checked_label(label: object) -> str:
    """`label` if it is a str (a Value's name in drawings), or a TypeError that says so."""
    if not isinstance(label, str):
        raise TypeError(f"a Value's label must be a str, got {type(label).__name__}: {label!r}")
    return label


def make_rng(seed: Seed) -> Rng:
    """A random.Random from a seed (an int), the one given, or Python's global `random` (None)."""
    if seed is None:
        return random  # as micrograd: random.seed(n) makes a model reproducible
    if isinstance(seed, random.Random) or seed is random:
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}: {seed!r}")
    return random.Random(int(seed))


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


def positive_float(name: str, x: object) -> float:
    """`x` as a float if it is a finite real number > 0."""
    value = as_float(x, name)
    if not 0.0 < value < math.inf:
        raise ValueError(f"{name} must be > 0 (a finite number), got {value!r}")
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


def constructor_error(children: object, local_grads: object) -> ValueError:
    """`Value(data, children, local_grads, op)` given lists of two lengths: most likely a label
    passed second, or micrograd's argument order."""
    n, m = len(children), len(local_grads)  # type: ignore[arg-type]
    return ValueError(
        f"Value(data, children, local_grads, op): {n} children but {m} local derivatives; a label "
        f"goes by name, Value(2.0, label='a'), and a node of your own op is made with "
        f"Value.from_op(data, op, inputs, local_grads)"
    )


def not_a_number_error(where: str, values: Iterable[Any], error: TypeError) -> TypeError:
    """The error for a Value whose grad or data is not a float (``p.grad = None``, say),
    found among `values` and their children after `error`, a low-level TypeError in `where`;
    `error` itself if there is none (then something else is wrong: its own message says what)."""
    for v in values:
        for node in (v, *getattr(v, "children", ())):
            for attr in ("grad", "data"):
                if type(getattr(node, attr)) is not float:
                    return TypeError(
                        f"{where} found {node!r} whose .{attr} is {getattr(node, attr)!r}, not a number: "
                        f"set it to a float (a grad is reset with v.grad = 0.0 or zero_grad(); "
                        f"microgrand never uses None for a grad)"
                    )
    return error
