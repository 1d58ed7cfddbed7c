"""Checkers for the notebooks' exercises: a wrong answer becomes a hint, not just "False".

Each ``check_...`` returns quietly when the answer is right (it prints one line saying so) and
raises `ExerciseError` when it is wrong, with a message that says what your answer gave, what
it should give, and where to look. Derivatives are judged against central differences,

    f'(x) ≈ (f(x + ε) − f(x − ε)) / 2ε        (microgrand.numerical_grad)

so a checker never needs the solution: it needs only the function you are differentiating.

>>> check_derivative(lambda x: x**3, lambda x: 3 * x**2, [0.5, 2.0])
d/dx matches central differences at 2 points.
>>> check_derivative(lambda x: x**3, lambda x: x**2, [0.5])
Traceback (most recent call last):
...
microgrand.exercises.ExerciseError: your d/dx at x = 0.5 is 0.25; central differences say 0.75
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .checks import as_float
from .engine import Value
from .finite_differences import analytic_grad, numerical_grad

Point = float | Sequence[float]


class ExerciseError(AssertionError):
    """A wrong answer to an exercise; the message is the hint."""

    def _render_traceback_(self) -> list[str]:
        # IPython (Jupyter) shows these lines instead of a traceback: the hint is about the
        # student's answer, not about where in the checker it was found
        return [f"ExerciseError: {self}"]


def _fmt(x: float) -> str:
    """A number as a student would write it: 4 significant digits, no float noise."""
    return f"{x:.4g}"


def _point(p: Point) -> list[float]:
    if isinstance(p, (int, float)):
        return [as_float(p, "a point")]
    return [as_float(v, "a point's coordinate") for v in p]


def _where(names: Sequence[str], xs: Sequence[float]) -> str:
    return ", ".join(f"{n} = {_fmt(x)}" for n, x in zip(names, xs))


def _close(yours: float, reference: float, tol: float) -> bool:
    return abs(yours - reference) <= tol * max(1.0, abs(reference))


def _as_number(answer: Any, what: str) -> float:
    """The student's answer as a float, or a hint that says what came back instead."""
    if isinstance(answer, Value):
        answer = answer.data
    if answer is None or answer is Ellipsis:
        raise ExerciseError(f"{what} is {answer!r}: fill in the exercise cell with your answer first")
    try:
        value = as_float(answer, what)
    except TypeError:
        raise ExerciseError(f"{what} should be a number, got {type(answer).__name__}: {answer!r}") from None
    if not math.isfinite(value):
        raise ExerciseError(f"{what} is {value}: a derivative of a smooth function is a finite number")
    return value


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    """Your function's result; if it raises, the error becomes a hint that says so."""
    try:
        return fn(*args)
    except Exception as error:  # any error in the student's code is reported, not a crash of the checker
        shown = ", ".join(_fmt(a) if isinstance(a, float) else repr(a) for a in args)
        raise ExerciseError(
            f"your code raised {type(error).__name__} when called with ({shown}): {error}"
            " (have you filled in every ... in the exercise cell?)"
        ) from error


def _on_floats(f: Callable[..., Any]) -> Callable[..., Value]:
    """f on the plain numbers inside Values, so that math.sin or a float formula can be checked."""

    def g(*xs: Value) -> Value:
        return Value(_as_number(f(*(x.data for x in xs)), "the function's value"))

    return g


def check_gradient(
    f: Callable[..., Any],
    grad: Callable[..., Any],
    points: Sequence[Point],
    names: Sequence[str] | None = None,
    tol: float = 1e-4,
) -> None:
    """Check your gradient ``grad(*x)`` (a list, one partial derivative per input) of ``f(*x)``.

    `f` and `grad` take plain numbers. At each point of `points` (a number, or a tuple with
    one number per input) every ∂f/∂xᵢ must agree with central differences to `tol`
    (relative, for derivatives larger than 1).
    """
    _check_partials(f, grad, points, names, tol)
    print(f"gradient matches central differences at {len(points)} points.")


def check_derivative(
    f: Callable[[float], Any], df: Callable[[float], Any], points: Sequence[float], tol: float = 1e-4
) -> None:
    """Check your derivative ``df(x)`` of ``f(x)`` at each x in `points` (plain numbers)."""
    _check_partials(f, df, points, ["x"], tol)
    print(f"d/dx matches central differences at {len(points)} points.")


def _labels(n: int) -> list[str]:
    """How the inputs are named in a hint: x for one input, x1, x2, … for several."""
    return ["x"] if n == 1 else [f"x{i + 1}" for i in range(n)]


def _check_partials(
    f: Callable[..., Any],
    grad: Callable[..., Any],
    points: Sequence[Point],
    names: Sequence[str] | None,
    tol: float,
) -> None:
    """Each of your partial derivatives against central differences, at every point."""
    for p in points:
        xs = _point(p)
        labels = list(names) if names is not None else _labels(len(xs))
        reference = numerical_grad(_on_floats(f), xs)
        yours = _call(grad, *xs)
        if len(xs) == 1 and not isinstance(yours, (list, tuple)):
            yours = [yours]
        if not isinstance(yours, (list, tuple)) or len(yours) != len(xs):
            raise ExerciseError(
                f"your gradient at {_where(labels, xs)} should be {len(xs)} numbers, got {yours!r}"
            )
        for name, y, r in zip(labels, yours, reference):
            value = _as_number(y, f"your d/d{name} at {_where(labels, xs)}")
            if not _close(value, r, tol):
                raise ExerciseError(
                    f"your d/d{name} at {_where(labels, xs)} is {_fmt(value)}; "
                    f"central differences say {_fmt(r)}"
                )


def check_local_grads(
    op: Callable[..., Value],
    points: Sequence[Point],
    forward: Callable[..., float] | None = None,
    tol: float = 1e-4,
) -> None:
    """Check a new op's local derivatives: ``op(*values)`` builds a node (e.g. with
    `Value.from_op`), and `backward()` through it must agree with central differences on the
    op's own forward value, at every point. With `forward` (the op's formula on plain
    numbers) the op's value is checked first."""
    for p in points:
        xs = _point(p)
        labels = _labels(len(xs))
        out = _call(op, *(Value(x) for x in xs))
        if not isinstance(out, Value):
            raise ExerciseError(f"your op should return a Value (build it with Value.from_op), got {out!r}")
        if forward is not None and not _close(out.data, forward(*xs), tol):
            raise ExerciseError(
                f"your op's value at {_where(labels, xs)} is {_fmt(out.data)}; "
                f"it should be {_fmt(forward(*xs))}"
            )
        reference = numerical_grad(op, xs)
        yours = analytic_grad(op, xs)
        for name, y, r in zip(labels, yours, reference):
            if not _close(y, r, tol):
                raise ExerciseError(
                    f"backward() through your op gives d/d{name} = {_fmt(y)} at {_where(labels, xs)}; "
                    f"central differences say {_fmt(r)}: check the local derivative you pass to from_op"
                )
    print(f"the local derivatives match central differences at {len(points)} points.")


def check_number(name: str, yours: Any, expected: float, hint: str = "", tol: float = 1e-6) -> None:
    """Check a number you worked out (a gradient, a weight, a learning rate's effect...)."""
    value = _as_number(yours, f"your {name}")
    if not _close(value, expected, tol):
        raise ExerciseError(
            f"your {name} is {_fmt(value)}, but it should be {_fmt(expected)}" + (f": {hint}" if hint else "")
        )
    print(f"{name}: right.")


def check_outputs(
    model: Callable[[Any], Any], inputs: Sequence[Any], targets: Sequence[float], tol: float = 1e-6
) -> None:
    """Check that ``model(x)`` (a Value or a number) is each target, input by input."""
    if len(inputs) != len(targets):
        raise ValueError(f"check_outputs got {len(inputs)} inputs but {len(targets)} targets")
    for x, t in zip(inputs, targets):
        value = _as_number(_call(model, x), f"your output for input {x}")
        if not _close(value, t, tol):
            raise ExerciseError(f"for input {x} your model outputs {_fmt(value)}; the target is {_fmt(t)}")
    print(f"all {len(inputs)} outputs are right.")


def check_learning_rate(
    lr: Any, losses_for: Callable[[float], Sequence[float]], want: str = "diverge"
) -> None:
    """Check that gradient descent with learning rate `lr` does what you were asked.

    ``losses_for(lr)`` runs the training and returns the loss after each step. ``want`` is
    ``"diverge"`` (the loss ends larger than it started, or overflows) or ``"converge"``
    (it ends below a hundredth of where it started).
    """
    if want not in ("diverge", "converge"):
        raise ValueError(f"want must be 'diverge' or 'converge', got {want!r}")
    rate = _as_number(lr, "your learning rate")
    if rate <= 0:
        raise ExerciseError(
            f"your learning rate is {_fmt(rate)}; a learning rate is a step size, so it is > 0"
        )
    try:
        curve = [float(v) for v in losses_for(rate)]
    except (OverflowError, ArithmeticError):
        curve = [math.inf]
    first, last = curve[0], curve[-1]
    diverged = not math.isfinite(last) or last > first
    if want == "diverge" and not diverged:
        raise ExerciseError(
            f"with lr = {_fmt(rate)} the loss went from {_fmt(first)} to {_fmt(last)}: it does not diverge. "
            "Each step must overshoot the minimum by more than it started from: try a larger lr"
        )
    if want == "converge" and not (math.isfinite(last) and last < 0.01 * first):
        verdict = "it diverges: try a smaller lr" if diverged else "too slow: try a larger lr"
        raise ExerciseError(
            f"with lr = {_fmt(rate)} the loss went from {_fmt(first)} to {_fmt(last)}: {verdict}"
        )
    print(f"lr = {_fmt(rate)}: the loss goes from {_fmt(first)} to {_fmt(last)}; it does {want}.")
