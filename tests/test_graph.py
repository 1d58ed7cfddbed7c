"""Reading a graph (trace) and walking backward one node at a time (backward_steps).

Neither needs graphviz. The reference for backward_steps is Value.backward itself,
run on an identical copy of the graph: the grads must be equal, bit for bit.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable

import pytest
from example_graphs import karpathy_example

from microgrand import Value
from microgrand.engine import topological_order
from microgrand.graph import BackwardStep, Edge, backward_steps, trace


def random_graph(seed: int) -> Value:
    """A random expression over 4 leaves: ops of every arity, reused subexpressions, repeats."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(0.5, 2.0), label=f"x{i}") for i in range(4)]
    pool = list(leaves)
    for _ in range(rng.randint(1, 25)):
        x, y = rng.choice(pool), rng.choice(pool)  # may be the same Value: x*x has two edges
        op = rng.randrange(6)
        if op == 0:
            z = x * y
        elif op == 1:
            z = x + y * 0.5  # a constant leaf
        elif op == 2:
            z = x.tanh()
        elif op == 3:
            z = (x * x + 1.0).log()
        elif op == 4:
            z = x.sigmoid() - y
        else:
            z = Value.from_op(x.data + 2 * y.data + x.data, "x+2y+x", [x, y, x], [1.0, 2.0, 1.0])
        pool.append(z)
    return pool[-1]


# ---------------------------------------------------------------- trace


def test_trace_lists_nodes_breadth_first_from_the_root_and_every_edge_with_its_local_grad() -> None:
    L, _ = karpathy_example()
    nodes, edges = trace(L)
    assert [n.label for n in nodes] == ["L", "d", "f", "e", "c", "a", "b"]
    assert [(e.input.label, e.output.label) for e in edges] == [
        ("d", "L"), ("f", "L"), ("e", "d"), ("c", "d"), ("a", "e"), ("b", "e"),
    ]  # fmt: skip
    # ∂(d·f)/∂d = f, ∂(d·f)/∂f = d, ∂(e+c)/∂e = ∂(e+c)/∂c = 1, ∂(a·b)/∂a = b, ∂(a·b)/∂b = a
    assert [e.local_grad for e in edges] == [-2.0, 4.0, 1.0, 1.0, -3.0, 2.0]
    assert all(isinstance(e, Edge) for e in edges)


def test_trace_keeps_repeated_inputs_and_lists_each_node_once() -> None:
    a = Value(3.0, label="a")
    y = a * a
    nodes, edges = trace(y)
    assert nodes == [y, a]
    assert edges == [Edge(a, y, 3.0), Edge(a, y, 3.0)]  # ∂(a·a)/∂a = a, once per use

    shared = a.tanh()
    z = shared + shared * shared
    nodes, edges = trace(z)
    assert len(nodes) == len({id(n) for n in nodes}) == 4  # z, shared, shared*shared, a
    assert sum(e.input is shared for e in edges) == 3


def test_trace_of_a_leaf_is_the_leaf() -> None:
    x = Value(1.5)
    assert trace(x) == ([x], [])


def test_trace_only_reads_the_graph() -> None:
    L, v = karpathy_example()
    L.backward()
    before = {k: n.grad for k, n in v.items()}
    trace(L)
    assert {k: n.grad for k, n in v.items()} == before


def test_trace_is_the_same_every_time() -> None:
    root = random_graph(7)
    nodes1, edges1 = trace(root)
    nodes2, edges2 = trace(root)
    assert nodes1 == nodes2 and edges1 == edges2


def test_trace_of_a_100000_node_chain_needs_no_recursion() -> None:
    x = Value(0.3, label="x")
    y = x
    for _ in range(100_000):
        y = y.tanh()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # trace must not lean on the call stack at all
    try:
        nodes, edges = trace(y)
    finally:
        sys.setrecursionlimit(limit)
    assert len(nodes) == 100_001 and len(edges) == 100_000
    assert nodes[0] is y and nodes[-1] is x


def test_trace_rejects_what_is_not_a_value() -> None:
    with pytest.raises(TypeError, match=r"trace needs a Value.*float"):
        trace(3.0)  # type: ignore[arg-type]


# ---------------------------------------------------------------- backward_steps


def run_backward(build: Callable[[], Value], times: int = 1) -> list[float]:
    root = build()
    for _ in range(times):
        root.backward()
    nodes, _ = trace(root)
    return [n.grad for n in nodes]


def run_steps(build: Callable[[], Value], times: int = 1) -> list[float]:
    root = build()
    for _ in range(times):
        for _step in backward_steps(root):
            pass
    nodes, _ = trace(root)
    return [n.grad for n in nodes]


@pytest.mark.parametrize("seed", range(30))
def test_grads_after_the_last_step_equal_backward_exactly(seed: int) -> None:
    build = lambda: random_graph(seed)  # noqa: E731
    assert run_steps(build) == run_backward(build)
    # leaves accumulate across passes, interior nodes are reset: the same in both
    assert run_steps(build, times=3) == run_backward(build, times=3)


def test_each_step_is_one_node_passing_local_times_upstream_to_each_input() -> None:
    L, v = karpathy_example()
    steps = list(backward_steps(L))
    assert [s.node.label for s in steps] == ["L", "d", "e"]
    assert [s.index for s in steps] == [0, 1, 2]
    assert [s.upstream for s in steps] == [1.0, -2.0, -2.0]  # dL/dL, dL/dd = f, dL/de = dL/dd
    L_step, d_step, e_step = steps
    assert [(p.input.label, p.local_grad, p.contribution) for p in L_step.passes] == [
        ("d", -2.0, -2.0),  # ∂L/∂d = f = -2,  × 1
        ("f", 4.0, 4.0),  # ∂L/∂f = d = 4,  × 1
    ]
    assert [(p.input.label, p.local_grad, p.contribution) for p in e_step.passes] == [
        ("a", -3.0, 6.0),  # ∂e/∂a = b = -3, × dL/de = -2
        ("b", 2.0, -4.0),  # ∂e/∂b = a = 2,  × -2
    ]
    assert [(p.input.label, p.grad_after) for p in d_step.passes] == [("e", -2.0), ("c", -2.0)]
    assert (v["a"].grad, v["b"].grad, v["c"].grad, v["f"].grad) == (6.0, -4.0, -2.0, 4.0)


def test_steps_follow_topological_order_and_each_upstream_is_final() -> None:
    root = random_graph(3)
    order = topological_order(root)
    steps = list(backward_steps(root))
    assert [s.node for s in steps] == order
    for s in steps:
        assert s.upstream == s.node.grad  # nothing reaches a node after it has passed
        for p in s.passes:
            assert p.contribution == p.local_grad * s.upstream


def test_a_repeated_input_receives_one_contribution_per_use() -> None:
    a = Value(3.0, label="a")
    (step,) = list(backward_steps(a * a))
    assert [(p.contribution, p.grad_after) for p in step.passes] == [(3.0, 3.0), (3.0, 6.0)]  # d(a²)/da = 2a


def test_backward_steps_is_lazy_and_checks_its_argument_at_once() -> None:
    L, v = karpathy_example()
    L.backward()
    steps = backward_steps(L)
    assert v["d"].grad == -2.0  # nothing reset yet
    first = next(steps)
    assert isinstance(first, BackwardStep) and first.node is L
    with pytest.raises(TypeError, match=r"backward_steps needs a Value.*int"):
        backward_steps(1)  # type: ignore[arg-type]


def test_a_leaf_root_has_no_steps_and_its_grad_grows_by_one_as_with_backward() -> None:
    x = Value(2.0)
    assert list(backward_steps(x)) == []
    assert x.grad == 1.0
    x.backward()
    assert list(backward_steps(x)) == [] and x.grad == 3.0


def test_steps_agree_with_backward_on_a_long_chain() -> None:
    def build() -> Value:
        y = Value(0.5, label="x")
        for _ in range(5_000):
            y = (y * 1.0001).relu() + 0.001
        return y

    grads = run_steps(build)
    assert grads == run_backward(build)
    root = build()
    for _step in backward_steps(root):
        pass
    x = trace(root)[0][-2]  # the deepest level is x * 1.0001's inputs: x, then the constant
    assert x.label == "x" and x.grad == pytest.approx(1.0001**5_000, rel=1e-9)  # d/dx of 1.0001ⁿ·x + ...


def test_steps_match_backward_where_a_zero_gradient_meets_an_infinite_local_derivative() -> None:
    x, y = Value(0.0), Value(-1.0)
    L = x.sqrt() * y.relu()
    list(backward_steps(L))
    walked = (x.grad, y.grad)
    x.grad = y.grad = 0.0
    L.backward()
    assert walked == (x.grad, y.grad) == (0.0, 0.0)
