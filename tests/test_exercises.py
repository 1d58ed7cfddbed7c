"""The exercise checkers: each accepts a right answer and rejects a wrong one with a useful hint."""

from __future__ import annotations

import doctest
import math

import pytest

import microgrand.exercises
from microgrand import Value
from microgrand.exercises import (
    ExerciseError,
    check_derivative,
    check_gradient,
    check_learning_rate,
    check_local_grads,
    check_number,
    check_outputs,
)


def test_docstring_examples() -> None:
    assert doctest.testmod(microgrand.exercises).failed == 0


def test_derivative_right_and_wrong() -> None:
    check_derivative(math.sin, math.cos, [-1.0, 0.0, 0.5, 2.0])
    check_derivative(lambda x: x**3, lambda x: 3 * x**2, [0.5])
    with pytest.raises(ExerciseError, match=r"your d/dx at x = 0.5 is 0.25; central differences say 0.75"):
        check_derivative(lambda x: x**3, lambda x: x**2, [0.5])
    # right at the first point is not enough: the second is wrong
    with pytest.raises(ExerciseError, match=r"at x = 2 is 4; central differences say 12"):
        check_derivative(lambda x: x**3, lambda x: 3 * x**2 if x < 1 else 4.0, [0.5, 2.0])


def test_derivative_of_value_functions_and_placeholders() -> None:
    # a function written with Values works too: the checker evaluates it on plain numbers
    check_derivative(lambda x: 3 * x**2 - 4 * x + 5, lambda x: Value(6 * x - 4), [3.0])
    with pytest.raises(ExerciseError, match="fill in the exercise cell"):
        check_derivative(math.sin, lambda x: None, [1.0])
    with pytest.raises(ExerciseError, match="should be a number, got str"):
        check_derivative(math.sin, lambda x: "cos(x)", [1.0])
    with pytest.raises(ExerciseError, match="is nan"):
        check_derivative(math.sin, lambda x: math.nan, [1.0])


def test_gradient_right_and_wrong() -> None:
    def f(a: float, b: float) -> float:
        return a * b + b**2

    check_gradient(f, lambda a, b: [b, a + 2 * b], [(1.0, 2.0), (-0.5, 3.0)], names=["a", "b"])
    with pytest.raises(ExerciseError, match=r"your d/db at a = 1, b = 2 is 1; central differences say 5"):
        check_gradient(f, lambda a, b: [b, a], [(1.0, 2.0)], names=["a", "b"])
    with pytest.raises(ExerciseError, match="should be 2 numbers"):
        check_gradient(f, lambda a, b: b, [(1.0, 2.0)])


def test_local_grads_right_and_wrong() -> None:
    def cube(x: Value) -> Value:
        return Value.from_op(x.data**3, "cube", [x], [3 * x.data**2])

    def buggy_cube(x: Value) -> Value:
        return Value.from_op(x.data**3, "cube", [x], [x.data**2])

    check_local_grads(cube, [-1.5, 0.5, 2.0], forward=lambda x: x**3)
    with pytest.raises(ExerciseError, match=r"gives d/dx = 0.25 at x = 0.5; central differences say 0.75"):
        check_local_grads(buggy_cube, [0.5])
    with pytest.raises(ExerciseError, match=r"value at x = 2 is 8; it should be 4"):
        check_local_grads(cube, [2.0], forward=lambda x: x**2)

    def times(a: Value, b: Value) -> Value:  # two inputs, one of them wrong
        return Value.from_op(a.data * b.data, "times", [a, b], [b.data, b.data])

    with pytest.raises(ExerciseError, match=r"d/dx2 = 3 at x1 = 2, x2 = 3; central differences say 2"):
        check_local_grads(times, [(2.0, 3.0)])
    with pytest.raises(ExerciseError, match="should return a Value"):
        check_local_grads(lambda x: x.data**2, [1.0])


def test_number_right_and_wrong() -> None:
    check_number("w.grad", 12.0, 12.0)
    with pytest.raises(ExerciseError, match=r"your w.grad is 4, but it should be 12: leaves accumulate"):
        check_number("w.grad", 4.0, 12.0, hint="leaves accumulate")
    with pytest.raises(ExerciseError, match="fill in"):
        check_number("w.grad", ..., 12.0)


def test_outputs_right_and_wrong() -> None:
    X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    check_outputs(lambda x: float(x[0] != x[1]), X, [0, 1, 1, 0])
    with pytest.raises(ExerciseError, match=r"for input \[1, 1\] your model outputs 2; the target is 0"):
        check_outputs(lambda x: Value(x[0] + x[1]), X, [0, 1, 1, 0])
    with pytest.raises(ValueError):  # a different number of inputs and targets is the caller's mistake
        check_outputs(lambda x: 0.0, X, [0, 1])


def _descent(lr: float, steps: int = 20) -> list[float]:
    """Gradient descent on L(w) = w², from w = 1: converges for 0 < lr < 1, diverges above."""
    w, curve = 1.0, []
    for _ in range(steps):
        curve.append(w * w)
        w -= lr * 2 * w
    return curve


def test_learning_rate_right_and_wrong() -> None:
    check_learning_rate(1.5, _descent, want="diverge")
    check_learning_rate(0.3, _descent, want="converge")
    with pytest.raises(ExerciseError, match=r"lr = 0.3 the loss went from 1 to .*not diverge.*larger lr"):
        check_learning_rate(0.3, _descent, want="diverge")
    with pytest.raises(ExerciseError, match="it diverges: try a smaller lr"):
        check_learning_rate(1.5, _descent, want="converge")
    with pytest.raises(ExerciseError, match="too slow: try a larger lr"):
        check_learning_rate(0.001, _descent, want="converge")
    with pytest.raises(ExerciseError, match="> 0"):
        check_learning_rate(-0.1, _descent)
    with pytest.raises(ValueError, match="want"):
        check_learning_rate(0.1, _descent, want="explode")


def test_learning_rate_overflow_counts_as_divergence() -> None:
    def overflowing(lr: float) -> list[float]:
        raise OverflowError("math range error")

    check_learning_rate(10.0, overflowing, want="diverge")


def test_an_error_in_the_students_code_becomes_a_hint() -> None:
    def cube(x: Value) -> Value:  # the placeholder left in: from_op refuses the Ellipsis
        return Value.from_op(x.data**3, "cube", [x], [...])  # type: ignore[list-item]

    with pytest.raises(ExerciseError, match=r"your code raised TypeError .*filled in every \.\.\."):
        check_local_grads(cube, [1.0])
    with pytest.raises(ExerciseError, match=r"raised ZeroDivisionError when called with \(0\)"):
        check_derivative(math.sin, lambda x: 1 / x, [0.0])


def test_jupyter_shows_the_hint_without_a_traceback() -> None:
    with pytest.raises(ExerciseError) as caught:
        check_number("w.grad", 4.0, 12.0)
    assert caught.value._render_traceback_() == ["ExerciseError: your w.grad is 4, but it should be 12"]
