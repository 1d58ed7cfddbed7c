"""Values and gradients equal PyTorch's (float64) op by op and on composite graphs.

Skipped cleanly when torch is not installed.
"""

import math
import random

import pytest
from op_catalogue import OPS, Op

from microgrand import Value

torch = pytest.importorskip("torch")

WITH_TORCH = [op for op in OPS if op.torch is not None]


def torch_value_and_grads(op: Op, point: tuple[float, ...]) -> tuple[float, list[float]]:
    xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    out = op.torch(*xs)  # type: ignore[misc]
    out.backward()
    return out.item(), [0.0 if x.grad is None else x.grad.item() for x in xs]


@pytest.mark.parametrize("op", WITH_TORCH, ids=[op.name for op in WITH_TORCH])
def test_op_matches_pytorch(op: Op) -> None:
    rng = random.Random(3)
    for _ in range(20):
        point = tuple(rng.uniform(lo, hi) for lo, hi in op.domain)
        if abs(point[0]) < 1e-6:  # the ReLU family's derivative at 0 differs on purpose
            continue
        xs = [Value(x) for x in point]
        out = op.apply(*xs)
        out.backward()
        t_value, t_grads = torch_value_and_grads(op, point)
        assert out.data == pytest.approx(t_value, rel=1e-12, abs=1e-12)
        assert [x.grad for x in xs] == pytest.approx(t_grads, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name, torch_grad", [("relu", 0.0), ("leaky_relu", 0.01)])
def test_relu_family_at_zero_is_where_we_differ_from_pytorch(name: str, torch_grad: float) -> None:
    """We take the positive branch at 0 (slope 1); PyTorch takes the negative one."""
    x = Value(0.0)
    getattr(x, name)().backward()
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    getattr(torch.nn.functional, name)(t).backward()
    assert (x.grad, t.grad.item()) == (1.0, torch_grad)


@pytest.mark.parametrize("x, n", [(math.nan, 0.0), (math.nan, 2.0), (math.nan, math.nan), (2.0, math.nan)])
def test_a_value_exponent_keeps_a_nan_slope_as_pytorch(x: float, n: float) -> None:
    """∂(xⁿ)/∂n = xⁿ·ln x is nan at x = nan, even for n = 0 (issue 17: it was 0); only 0ⁿ is flat."""
    base, exponent = Value(x), Value(n)
    (base**exponent).backward()
    tx, tn = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (x, n))
    torch.pow(tx, tn).backward()
    assert math.isnan(exponent.grad) and math.isnan(tn.grad.item())
    assert base.grad == pytest.approx(tx.grad.item(), nan_ok=True)


def test_composite_graph_matches_pytorch() -> None:
    def expr(a, b, c, abs_=abs):  # type: ignore[no-untyped-def]
        d = a * b + c.exp() / (a * a + 1)
        e = (d - b) ** 2 + abs_(c - a) * d.tanh()
        return (e.sigmoid() + (b * b + 1).log() * d - 3.0 / (c * c + 2)) * a

    point = (0.7, -1.3, 0.4)
    vs = [Value(x) for x in point]
    out = expr(*vs)
    out.backward()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    t_out = expr(*ts, abs_=torch.abs)
    t_out.backward()
    assert out.data == pytest.approx(t_out.item(), rel=1e-12)
    assert [v.grad for v in vs] == pytest.approx([t.grad.item() for t in ts], rel=1e-10)


def test_backward_twice_accumulates_like_pytorch() -> None:
    a = Value(1.3)
    L = (a * a).tanh()
    L.backward()
    L.backward()
    t = torch.tensor(1.3, dtype=torch.float64, requires_grad=True)
    tl = (t * t).tanh()
    tl.backward(retain_graph=True)
    tl.backward()
    assert a.grad == pytest.approx(t.grad.item(), rel=1e-12)
