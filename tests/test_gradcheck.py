"""The public gradient checker."""

import math

import pytest

from microgrand import GradcheckError, Value, analytic_grad, gradcheck, numerical_grad


def f(x: Value, y: Value) -> Value:
    return (x * y + x.tanh()).sigmoid() / y**2


def test_numerical_grad_matches_hand_derivatives() -> None:
    g = numerical_grad(lambda x, y: x * x * y, [3.0, 2.0])
    assert g == pytest.approx([2 * 3.0 * 2.0, 9.0], rel=1e-8)


def test_gradcheck_passes_on_a_correct_gradient() -> None:
    assert gradcheck(f, [0.3, 1.7]) is True


def test_gradcheck_leaves_the_callers_values_untouched() -> None:
    x, y = Value(0.3), Value(1.7)
    gradcheck(f, [x, y])
    assert (x.grad, y.grad) == (0.0, 0.0)
    assert (x.data, y.data) == (0.3, 1.7)


def test_gradcheck_catches_a_wrong_local_derivative() -> None:
    def wrong_square(x: Value) -> Value:
        # claims d(x²)/dx = x instead of 2x
        return Value.from_op(x.data**2, "bad_square", [x], [x.data])

    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong_square, [3.0])
    message = str(info.value)
    assert "input 0" in message and "analytic 3.0" in message and "numeric 6.0" in message
    assert "mismatch" in message


def test_error_lists_every_input() -> None:
    def half_wrong(x: Value, y: Value) -> Value:
        return Value.from_op(x.data * y.data, "bad_mul", [x, y], [y.data, 0.0])

    with pytest.raises(GradcheckError, match=r"1 of 2 inputs[\s\S]*input 0[\s\S]*input 1.*mismatch"):
        gradcheck(half_wrong, [2.0, 5.0])


def test_analytic_grad() -> None:
    assert analytic_grad(lambda x: x.exp(), [0.0]) == [1.0]
    assert analytic_grad(lambda x, y: x.log() * y, [math.e, 2.0]) == pytest.approx([2 / math.e, 1.0])


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 3.0, [1.0])  # type: ignore[arg-type, return-value]
    with pytest.raises(TypeError, match="sequence"):
        gradcheck(lambda x: x, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str"):
        gradcheck(lambda x: x, ["1"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="eps"):
        numerical_grad(lambda x: x, [1.0], eps=0.0)
