"""Every op's value and gradient against its analytic derivative and central differences.

Generated from the catalogue in op_catalogue.py.
"""

import math
import random
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_catalogue import KINK_MARGIN, KINKS, OPS, Op

from microgrand import Value, gradcheck, numerical_grad

nan, inf = math.nan, math.inf


IDS = [op.name for op in OPS]


def random_points(op: Op, n: int, seed: int) -> list[tuple[float, ...]]:
    rng = random.Random(seed)
    return [tuple(rng.uniform(lo, hi) for lo, hi in op.domain) for _ in range(n)]


def near_kink(op: Op, point: tuple[float, ...]) -> bool:
    return any(abs(point[0] - k) < KINK_MARGIN for k in KINKS.get(op.name, ()))


def value_and_grads(op: Op, point: tuple[float, ...]) -> tuple[float, list[float]]:
    xs = [Value(x) for x in point]
    out = op.apply(*xs)
    out.backward()
    return out.data, [x.grad for x in xs]


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_value_and_gradient_match_the_analytic_formula(op: Op) -> None:
    for point in list(op.points) + random_points(op, 25, seed=zlib.crc32(op.name.encode())):
        value, grads = value_and_grads(op, point)
        assert value == pytest.approx(op.forward(*point), rel=1e-12, abs=1e-12), point
        expected = op.derivatives(*point)
        assert grads == pytest.approx(list(expected), rel=1e-9, abs=1e-12), point


@pytest.mark.parametrize("op", OPS, ids=IDS)
def test_gradient_matches_central_differences(op: Op) -> None:
    points = [p for p in list(op.points) + random_points(op, 10, seed=7) if not near_kink(op, p)]
    assert points
    for point in points:
        assert gradcheck(op.apply, point, eps=1e-6, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("op", OPS, ids=IDS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_gradient_property_over_the_whole_domain(op: Op, data: st.DataObject) -> None:
    point = tuple(
        data.draw(st.floats(lo, hi, allow_nan=False, allow_infinity=False), label=f"x{i}")
        for i, (lo, hi) in enumerate(op.domain)
    )
    _, grads = value_and_grads(op, point)
    assert grads == pytest.approx(list(op.derivatives(*point)), rel=1e-9, abs=1e-12)
    if not near_kink(op, point):
        numeric = numerical_grad(op.apply, point, eps=1e-6)
        assert grads == pytest.approx(numeric, rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "leaky_relu_default", "prelu", "prelu_number"])
def test_relu_family_derivative_at_zero_is_one(name: str) -> None:
    """Course convention: the positive branch includes 0 (PyTorch picks 0 there)."""
    op = next(o for o in OPS if o.name == name)
    point = (0.0, *(lo for lo, _ in op.domain[1:]))
    value, grads = value_and_grads(op, point)
    assert value == 0.0
    assert grads[0] == 1.0


def test_prelu_slope_is_learnable() -> None:
    x, alpha = Value(-2.0), Value(0.25)
    y = x.prelu(alpha)
    y.backward()
    assert y.data == -0.5
    assert (x.grad, alpha.grad) == (0.25, -2.0)
    x, alpha = Value(3.0), Value(0.25)
    x.prelu(alpha).backward()
    assert (x.grad, alpha.grad) == (1.0, 0.0)


@pytest.mark.parametrize("x, expected", [(1000.0, 1.0), (-1000.0, 0.0), (800.0, 1.0), (-800.0, 0.0)])
def test_sigmoid_saturates_without_overflow(x: float, expected: float) -> None:
    v = Value(x)
    s = v.sigmoid()
    s.backward()
    assert s.data == expected
    assert v.grad == 0.0


@pytest.mark.parametrize("x, expected", [(1000.0, 1.0), (-1000.0, -1.0)])
def test_tanh_saturates(x: float, expected: float) -> None:
    v = Value(x)
    t = v.tanh()
    t.backward()
    assert t.data == expected
    assert v.grad == 0.0


def test_sigmoid_and_tanh_derivatives_at_zero() -> None:
    s, t = Value(0.0), Value(0.0)
    s.sigmoid().backward()
    t.tanh().backward()
    assert s.grad == 0.25
    assert t.grad == 1.0


def test_pow_edge_cases() -> None:
    x = Value(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf  # as PyTorch
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)  # a negative base to an integer power is fine
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


def test_abs_derivative_at_zero_is_zero_as_pytorch() -> None:
    x = Value(0.0)
    abs(x).backward()
    assert x.grad == 0.0


def test_ops_record_op_names_and_inputs_in_order() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    assert (a + b).op == "+" and (a - b).op == "-" and (a * b).op == "*" and (a / b).op == "/"
    assert (a**2).op == "**2" and (a**b).op == "**" and (-a).op == "neg" and a.exp().op == "exp"
    d = a - b
    assert d.children == (a, b) and d.local_grads == (1.0, -1.0)
    r = 5 - a  # the number comes first
    assert r.children[1] is a and r.children[0].data == 5.0 and r.children[0].is_leaf
    assert a.op == "" and a.is_leaf and not d.is_leaf


def test_relu_of_nan_is_nan_and_passes_the_gradient_as_pytorch() -> None:
    x = Value(nan)
    y = x.relu()
    y.backward()
    assert math.isnan(y.data) and x.grad == 1.0  # PyTorch: relu(nan) = nan, slope 1 (nan > 0 fails its mask)


def test_leaky_relu_and_prelu_of_nan_are_nan() -> None:
    assert math.isnan(Value(nan).leaky_relu().data)
    alpha = Value(0.25)
    y = Value(nan).prelu(alpha)
    y.backward()
    assert math.isnan(y.data) and math.isnan(alpha.grad)


def test_division_of_tiny_numbers_does_not_underflow_b_squared() -> None:
    a, b = Value(1e-300), Value(1e-170)
    y = a / b
    y.backward()
    assert y.data == pytest.approx(1e-130, rel=1e-15)
    assert a.grad == pytest.approx(1e170, rel=1e-15) and b.grad == pytest.approx(-1e40, rel=1e-15)


def test_division_of_huge_numbers_does_not_overflow_b_squared() -> None:
    a, b = Value(1e308), Value(1e155)
    (a / b).backward()
    assert b.grad == pytest.approx(-0.01, rel=1e-12)  # exact: -a/b² = -1e308/1e310


def test_x_over_x_has_derivative_exactly_zero() -> None:
    x = Value(0.1)
    (x / x).backward()
    assert x.grad == 0.0
    x = Value(0.1)
    (3.0 / x).backward()
    assert x.grad == pytest.approx(-300.0, rel=1e-15)


def test_tanh_keeps_the_digits_of_its_derivative_where_tanh_is_near_1() -> None:
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    for x in (-8.969260007355855, 5.0, 12.5, -17.0):
        v = Value(x)
        v.tanh().backward()
        exact = float(mpmath.sech(mpmath.mpf(x)) ** 2)
        assert v.grad == pytest.approx(exact, rel=1e-14)  # 1 - t·t is off by ~1e-9 here


def test_negative_infinity_to_a_fractional_power_is_c_pow_not_an_error() -> None:
    assert (Value(-inf) ** 1.5).data == inf and (Value(-inf) ** -1.5).data == 0.0  # as PyTorch
    assert (Value(-inf) ** 2).data == inf and (Value(-inf) ** 3).data == -inf


def test_sqrt_at_negative_zero_has_slope_minus_inf_as_pytorch() -> None:
    x = Value(-0.0)
    x.sqrt().backward()
    assert x.grad == -inf
