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


def _square_with_a_wrong_derivative(x: Value) -> Value:
    return Value.from_op(x.data**2, "sq", [x], [3 * x.data])  # d(x²)/dx is 2x, not 3x


@pytest.mark.parametrize(
    "make", [list, iter, tuple, lambda xs: (x for x in xs)], ids=["list", "iter", "tuple", "gen"]
)
def test_gradcheck_reads_any_iterable_of_inputs_once(make) -> None:  # type: ignore[no-untyped-def]
    """An iterator was read twice, empty the second time: a wrong derivative passed (issue 17)."""
    with pytest.raises(GradcheckError, match="1 of 1 inputs"):
        gradcheck(_square_with_a_wrong_derivative, make([1.5]))
    assert gradcheck(f, make([0.3, 1.7])) is True
    assert numerical_grad(lambda x: x * x, make([3.0])) == pytest.approx([6.0])


def test_no_inputs_is_an_error_not_a_pass() -> None:
    with pytest.raises(ValueError, match="inputs is empty"):
        gradcheck(lambda: Value(1.0), [])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: numerical_grad(lambda x: x, [1.0], eps="x"), r"numerical_grad eps .* str"),  # type: ignore[arg-type]
        (lambda: numerical_grad(lambda x: x, [1.0], eps=math.nan), r"eps .*must be > 0"),
        (lambda: gradcheck(lambda x: x, [1.0], atol="0.1"), r"gradcheck atol .* str"),  # type: ignore[arg-type]
        (lambda: gradcheck(lambda x: x, [1.0], rtol=-1.0), r"gradcheck rtol must be a finite number >= 0"),
        (lambda: gradcheck(lambda x: x, "12"), r"sequence of numbers"),
    ],
)
def test_bad_tolerances_and_steps_are_named(call, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((TypeError, ValueError), match=match):
        call()
