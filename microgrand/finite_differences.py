"""Gradient checking: compare `backward()` with central finite differences.

f'(x) ≈ (f(x + ε) - f(x - ε)) / 2ε        (error O(ε²))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .checks import as_float, nonnegative_float, positive_float
from .engine import Number, Value

Fn = Callable[..., Value]


class GradcheckError(AssertionError):
    """Raised by `gradcheck` when analytic and numerical gradients disagree."""


def _leaves(inputs: Iterable[Number | Value]) -> list[Value]:
    """Fresh leaf Values with the inputs' data (the caller's Values are left untouched). `inputs`
    is read once here: an iterator would be empty the second time."""
    if isinstance(inputs, (Value, int, float, str)) or not isinstance(inputs, Iterable):
        raise TypeError(f"inputs must be a sequence of numbers or Values, e.g. [1.0, 2.0], got {inputs!r}")
    xs = [Value(x.data if isinstance(x, Value) else as_float(x, "gradcheck input")) for x in inputs]
    if not xs:
        raise ValueError("inputs is empty: give the point to check, one number per argument of fn")
    return xs


def _evaluate(fn: Fn, xs: list[Value]) -> Value:
    out = fn(*xs)
    if not isinstance(out, Value):
        raise TypeError(f"fn must return a Value, got {type(out).__name__}: {out!r}")
    return out


def numerical_grad(fn: Fn, inputs: Iterable[Number | Value], eps: float = 1e-6) -> list[float]:
    """d fn / d input_i for each input, by central differences with step `eps`.

    `fn` takes one Value per input (``fn(*values)``) and returns a Value.
    """
    eps = positive_float("numerical_grad eps (the step)", eps)
    point = [x.data for x in _leaves(inputs)]
    grads = []
    for i in range(len(point)):
        shifted = [Value(x) for x in point]
        shifted[i].data = point[i] + eps
        f_plus = _evaluate(fn, shifted).data
        shifted = [Value(x) for x in point]
        shifted[i].data = point[i] - eps
        f_minus = _evaluate(fn, shifted).data
        grads.append((f_plus - f_minus) / (2.0 * eps))
    return grads


def analytic_grad(fn: Fn, inputs: Iterable[Number | Value]) -> list[float]:
    """d fn / d input_i for each input, by one `backward()` pass."""
    xs = _leaves(inputs)
    _evaluate(fn, xs).backward()
    return [x.grad for x in xs]


def gradcheck(
    fn: Fn,
    inputs: Iterable[Number | Value],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True when `backward()` agrees with central differences at `inputs`:
    ``|analytic - numeric| <= atol + rtol * |numeric|`` for every input.

    Otherwise raises `GradcheckError` listing each input's two gradients.
    """
    atol, rtol = nonnegative_float("gradcheck atol", atol), nonnegative_float("gradcheck rtol", rtol)
    point = _leaves(inputs)  # read once, for both
    analytic = analytic_grad(fn, point)
    numeric = numerical_grad(fn, point, eps)
    bad = [i for i, (a, n) in enumerate(zip(analytic, numeric)) if not abs(a - n) <= atol + rtol * abs(n)]
    if bad:
        rows = "\n".join(
            f"  input {i}: analytic {a!r:<24} numeric {n!r:<24}{'  <-- mismatch' if i in bad else ''}"
            for i, (a, n) in enumerate(zip(analytic, numeric))
        )
        raise GradcheckError(
            f"gradcheck failed for {len(bad)} of {len(analytic)} inputs "
            f"(atol={atol}, rtol={rtol}, eps={eps}):\n{rows}"
        )
    return True
