"""Bad input gets a clear error that names the problem, never a silent wrong number."""

import math

import pytest

from microgrand import Value, optim
from microgrand.engine import topological_order


@pytest.mark.parametrize(
    "bad, type_name", [("2", "str"), (None, "NoneType"), ([1], "list"), (True, "bool"), (1 + 2j, "complex")]
)
def test_value_rejects_non_numbers(bad: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=type_name):
        Value(bad)  # type: ignore[arg-type]


def test_value_of_a_value_says_so() -> None:
    with pytest.raises(TypeError, match="already a Value"):
        Value(Value(1.0))  # type: ignore[arg-type]


def test_value_accepts_ints_and_float_like_numbers() -> None:
    import fractions

    assert Value(2).data == 2.0 and type(Value(2).data) is float
    assert Value(fractions.Fraction(1, 4)).data == 0.25


def test_label_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_arithmetic_with_a_string_is_a_type_error(op: str) -> None:
    namespace = {"a": Value(1.0)}
    with pytest.raises(TypeError, match="str"):
        eval(f"a {op} 'a'", namespace)
    with pytest.raises(TypeError, match="str"):
        eval(f"'a' {op} a", namespace)


def test_arithmetic_with_none_names_the_op() -> None:
    with pytest.raises(TypeError, match=r"'\*'.*NoneType"):
        Value(1.0) * None  # type: ignore[operator]


@pytest.mark.parametrize("x", [0.0, -1.0])
def test_log_of_non_positive(x: float) -> None:
    with pytest.raises(ValueError, match=rf"log.*{x}"):
        Value(x).log()


def test_sqrt_of_negative() -> None:
    with pytest.raises(ValueError, match=r"sqrt.*-4\.0"):
        Value(-4.0).sqrt()


def test_negative_base_to_non_integer_power() -> None:
    with pytest.raises(ValueError, match=r"negative base.*-8\.0.*0\.5"):
        Value(-8.0) ** 0.5
    with pytest.raises(ValueError, match="base >= 0"):
        Value(-8.0) ** Value(2.0)
    with pytest.raises(ValueError, match="base >= 0"):
        (-2) ** Value(0.5)


def test_zero_to_a_value_power_is_pytorchs() -> None:
    x, n = Value(0.0), Value(2.0)
    y = x**n
    y.backward()
    assert y.data == 0.0 and x.grad == 0.0 and n.grad == 0.0  # 0ⁿ is flat in n at 0, as PyTorch
    x, n = Value(0.0), Value(0.0)
    y = x**n
    y.backward()
    assert y.data == 1.0 and x.grad == 0.0 and n.grad == 0.0


def test_zero_to_a_negative_power() -> None:
    with pytest.raises(ZeroDivisionError, match=r"\*\*"):
        Value(0.0) ** -1


@pytest.mark.parametrize("numerator", [Value(3.0), 3.0])
def test_division_by_zero_names_the_op_and_values(numerator: object) -> None:
    with pytest.raises(ZeroDivisionError, match=r"'/'.*3\.0.*0\.0"):
        numerator / Value(0.0)  # type: ignore[operator]
    with pytest.raises(ZeroDivisionError, match="'/'"):
        Value(3.0) / 0


def test_exp_overflow_is_inf_as_in_pytorch_and_float_arithmetic() -> None:
    y = Value(1000.0).exp()
    assert y.data == math.inf and y.local_grads == (math.inf,)
    assert Value(709.0).exp().data == math.exp(709.0)  # just below the threshold: still finite


def test_pow_overflow_is_inf_with_the_sign_of_the_power() -> None:
    assert (Value(10.0) ** 400).data == math.inf
    assert (Value(-10.0) ** 401).data == -math.inf and (Value(-10.0) ** 400).data == math.inf
    # the result is finite but its derivative n·xⁿ⁻¹ is not: the derivative is -inf, not an error
    y = Value(1e-200) ** -1
    assert y.data == 1e200 and y.local_grads == (-math.inf,)


def test_an_int_too_large_for_a_float_is_named() -> None:
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(10**400)


@pytest.mark.parametrize("call", [lambda v: v.leaky_relu("0.1"), lambda v: v.prelu("a"), lambda v: v ** "2"])
def test_bad_parameters_to_activations(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match="str"):
        call(Value(1.0))


def test_from_op_checks_its_arguments() -> None:
    a = Value(1.0)
    with pytest.raises(ValueError, match="2 inputs but 1 local"):
        Value.from_op(1.0, "f", [a, a], [1.0])
    with pytest.raises(TypeError, match="must be Values"):
        Value.from_op(1.0, "f", [a, 2.0], [1.0, 1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"local derivative.*str"):
        Value.from_op(1.0, "f", [a], ["x"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"data.*str"):
        Value.from_op("1.5", "f", [a], [1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="op must be a str"):
        Value.from_op(1.0, 3, [a], [1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one input"):
        Value.from_op(1.0, "f", [], [])


def test_nan_and_inf_data_are_allowed_like_pytorch() -> None:
    assert math.isinf(Value(math.inf).data)
    assert math.isnan((Value(math.nan) * 2).data)


def test_a_grad_set_to_none_is_named_by_backward_and_by_step() -> None:
    w = Value(2.0, label="w")
    w.grad = None  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"label='w'.*\.grad is None"):
        (w * 3.0).backward()
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(TypeError, match=r"step\(\).*\.grad is None"):
        opt.step()


def test_a_type_error_that_is_not_about_a_grad_keeps_its_own_message() -> None:
    a, b = Value(1.0), Value(2.0)
    node = Value(3.0, (a, b), ("2", 1.0), "f")  # type: ignore[arg-type]  # a local derivative: a str
    with pytest.raises(TypeError, match="can't multiply sequence"):  # not "a grad that is not a number"
        node.backward()
    assert a.grad == b.grad == 0.0


def test_bad_arguments_get_student_messages() -> None:
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(10**400)
    with pytest.raises(TypeError, match="topological_order needs a Value"):
        topological_order(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=5)  # type: ignore[arg-type]


def test_the_constructor_refuses_micrograds_argument_order_and_a_positional_label() -> None:
    x = Value(2.0)
    with pytest.raises(ValueError, match="from_op"):
        Value(8.0, (x,), "cube")  # type: ignore[arg-type]  # micrograd's Value(data, _children, _op)
    with pytest.raises(ValueError, match="label='a'"):
        Value(1.0, "a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="2 children but 1"):
        Value(3.0, (x, x), (1.0,), "+")
    with pytest.raises(TypeError, match="must be lists"):
        Value.from_op(1.0, "f", x, [1.0])  # type: ignore[arg-type]
