"""Property tests: backward() on random expression graphs agrees with central
differences (and with PyTorch when installed), whatever the shape of the graph:
reuse, shared subexpressions, the same input on both sides of an op."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgrand import Value, analytic_grad, numerical_grad

# Smooth ops only: finite differences are meaningless at the kinks of relu and abs.
# Each works on microgrand Values and on torch tensors alike.
UNARY: dict[str, Callable[[Any], Any]] = {
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "square": lambda x: x**2,
    "exp_tanh": lambda x: x.tanh().exp(),
    "log1p_sq": lambda x: (x * x + 1).log(),
    "sqrt1p_sq": lambda x: (x * x + 1).sqrt(),
    "neg": lambda x: -x,
    "scale": lambda x: 0.5 * x - 1,
}
BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / (y * y + 1),
    "pow": lambda x, y: (x * x + 1) ** y.tanh(),
}

Program = list[tuple[str, tuple[int, ...]]]


@st.composite
def programs(draw: st.DrawFn) -> tuple[int, Program]:
    """A random DAG: each step applies an op to earlier nodes (any of them, repeats allowed)."""
    n_inputs = draw(st.integers(1, 4))
    steps: Program = []
    for i in range(draw(st.integers(1, 12))):
        size = n_inputs + i
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(sorted(UNARY))), (draw(st.integers(0, size - 1)),)))
        else:
            pair = (draw(st.integers(0, size - 1)), draw(st.integers(0, size - 1)))
            steps.append((draw(st.sampled_from(sorted(BINARY))), pair))
    return n_inputs, steps


def run(program: Program, inputs: list[Any]) -> Any:
    nodes = list(inputs)
    for name, args in program:
        fn = UNARY.get(name) or BINARY[name]
        nodes.append(fn(*(nodes[i] for i in args)))
    out = nodes[-1]
    for node in nodes[len(inputs) : -1]:  # every intermediate node feeds the output too
        out = out + 0.1 * node
    return out


points = st.floats(-1.5, 1.5, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(program=programs(), data=st.data())
def test_backward_matches_central_differences(program: tuple[int, Program], data: st.DataObject) -> None:
    n_inputs, steps = program
    point = [data.draw(points) for _ in range(n_inputs)]

    def fn(*xs: Value) -> Value:
        out = run(steps, list(xs))
        return out if isinstance(out, Value) else Value(out)

    analytic = analytic_grad(fn, point)
    numeric = numerical_grad(fn, point, eps=1e-6)
    assert analytic == pytest.approx(numeric, rel=1e-4, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(program=programs(), data=st.data())
def test_backward_matches_pytorch(program: tuple[int, Program], data: st.DataObject) -> None:
    torch = pytest.importorskip("torch")
    n_inputs, steps = program
    point = [data.draw(points) for _ in range(n_inputs)]
    xs = [Value(x) for x in point]
    out = run(steps, list(xs))
    out.backward()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    t_out = run(steps, list(ts))
    t_out.backward()
    assert out.data == pytest.approx(t_out.item(), rel=1e-10, abs=1e-12)
    t_grads = [0.0 if t.grad is None else t.grad.item() for t in ts]
    assert [x.grad for x in xs] == pytest.approx(t_grads, rel=1e-9, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(program=programs(), data=st.data())
def test_second_backward_doubles_leaf_gradients(program: tuple[int, Program], data: st.DataObject) -> None:
    n_inputs, steps = program
    xs = [Value(data.draw(points)) for _ in range(n_inputs)]
    out = run(steps, list(xs))
    out.backward()
    first = [x.grad for x in xs]
    out.backward()
    # the same contributions added again (in floating point, so to rounding)
    assert [x.grad for x in xs] == pytest.approx([2 * g for g in first], rel=1e-9, abs=1e-12)
