"""Semantics of backward(): depth, reuse, repeated calls, cleanup."""

import gc
import inspect
import json
import math
import random
import sys
import textwrap
from pathlib import Path

import pytest

from microgrand import Value
from microgrand.engine import chain_rule, topological_order

nan, inf = math.nan, math.inf


def chain(n: int, w0: float = 0.9) -> tuple[Value, Value, Value, Value]:
    """h <- relu(h*w + b), n times: 3 nodes per step."""
    x, w, b = Value(0.5), Value(w0), Value(0.1)
    h = x
    for _ in range(n):
        h = (h * w + b).relu()
    return h, x, w, b


def chain_reference(n: int, w: float = 0.9) -> tuple[float, float, float]:
    """d h_n / d(x, w, b) for the chain above, by hand (relu is always active here)."""
    hs = [0.5]
    for _ in range(n):
        hs.append(max(0.0, hs[-1] * w + 0.1))
    g, gw, gb = 1.0, 0.0, 0.0
    for i in range(n - 1, -1, -1):
        gw += g * hs[i]
        gb += g
        g *= w
    return g, gw, gb


def test_million_node_chain_under_default_recursion_limit() -> None:
    assert sys.getrecursionlimit() <= 10_000  # nobody raised it for us
    n = 350_000  # 1,050,000 nodes
    h, x, w, b = chain(n, w0=1.0)  # w = 1: dh/dx stays 1 instead of underflowing to 0
    h.backward()
    gx, gw, gb = chain_reference(n, w=1.0)
    assert (x.grad, gx) == (1.0, 1.0)
    assert w.grad == pytest.approx(gw, rel=1e-9)
    assert b.grad == pytest.approx(gb, rel=1e-9) and gb == n
    assert sys.getrecursionlimit() <= 10_000


def test_chain_gradients_match_hand_written_backward() -> None:
    h, x, w, b = chain(50)
    h.backward()
    assert [x.grad, w.grad, b.grad] == pytest.approx(list(chain_reference(50)), rel=1e-12)


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda a: a * a, 2 * 3.0),  # d(a²)/da = 2a
        (lambda a: a + a, 2.0),
        (lambda a: a * a * a, 3 * 3.0**2),
        (lambda a: (a + 1) * (a + 1), 2 * (3.0 + 1)),
    ],
    ids=["a*a", "a+a", "a*a*a", "(a+1)*(a+1)"],
)
def test_a_reused_node_receives_the_sum_of_its_contributions(build, expected) -> None:  # type: ignore[no-untyped-def]
    a = Value(3.0)
    build(a).backward()
    assert a.grad == expected


def test_shared_subexpression() -> None:
    a, b = Value(2.0), Value(-1.5)
    e = a * b  # used twice below
    L = e.tanh() + e * e
    L.backward()
    de = (1 - math.tanh(e.data) ** 2) + 2 * e.data  # dL/de by hand
    assert e.grad == pytest.approx(de)
    assert a.grad == pytest.approx(de * b.data)
    assert b.grad == pytest.approx(de * a.data)


def test_inputs_kept_in_order_with_multiplicity() -> None:
    a = Value(3.0)
    sq = a * a
    assert sq.children == (a, a)
    assert sq.local_grads == (3.0, 3.0)
    b = Value(4.0)
    assert (b / a).children == (b, a)


def test_backward_twice_adds_leaf_gradients_exactly_twice_and_resets_interior() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    L = d * d
    L.backward()
    first = (a.grad, b.grad, c.grad, d.grad, L.grad)
    L.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])  # leaves accumulate, as PyTorch
    assert (c.grad, d.grad, L.grad) == first[2:]  # interior: d(L)/d(node) of the last pass
    assert d.grad == 2 * d.data


def test_backward_from_an_interior_node_after_a_full_pass() -> None:
    a = Value(2.0)
    c = a * 3.0
    L = c * c
    L.backward()
    assert c.grad == 2 * c.data
    a.grad = 0.0
    c.backward()  # now c is the root
    assert c.grad == 1.0
    assert a.grad == 3.0


def test_backward_of_a_leaf() -> None:
    a = Value(5.0)
    a.backward()
    a.backward()
    assert a.grad == 2.0


def test_zeroing_leaves_between_passes_gives_fresh_gradients() -> None:
    a = Value(1.5)
    L = (a * a).exp()
    L.backward()
    g = a.grad
    a.grad = 0.0
    L.backward()
    assert a.grad == g


def test_topological_order_puts_every_node_before_its_inputs() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + c.exp()
    e = d * c
    L = e * 2.0
    L.backward()
    grads = [v.grad for v in (e, d, c)]
    order = topological_order(e)
    assert [v.grad for v in (e, d, c)] == grads  # a query: it changes no grad by default
    position = {id(v): i for i, v in enumerate(order)}
    assert order[0] is e
    assert len(order) == len({id(v) for v in order}) == 4  # e, d, exp, c: no leaves, no repeats
    for v in order:
        for child in v.children:
            if not child.is_leaf:
                assert position[id(v)] < position[id(child)]


def _reachable_op_nodes(root: Value) -> set[int]:
    """ids of the non-leaf nodes reachable from root, found by a plain search (no order)."""
    found, stack = set(), [root]
    while stack:
        v = stack.pop()
        if v.children and id(v) not in found:
            found.add(id(v))
            stack.extend(v.children)
    return found


@pytest.mark.parametrize("seed", range(40))
def test_topological_order_on_random_graphs_with_shared_inputs(seed: int) -> None:
    # layers of many-input nodes that share their inputs (as a layer's neurons do), plus repeats,
    # small ops and leaves: the cases where a node's children are all met before it is
    rng = random.Random(seed)
    nodes = [Value(rng.uniform(-1, 1)) for _ in range(rng.randint(1, 4))]
    for _ in range(rng.randint(1, 6)):
        shared = rng.sample(nodes, rng.randint(1, min(5, len(nodes))))
        for _ in range(rng.randint(1, 5)):
            own = [Value(rng.uniform(-1, 1)) for _ in range(rng.randint(0, 3))]
            inputs = rng.sample(shared + own, len(shared + own)) + rng.choices(shared, k=rng.randint(0, 2))
            nodes.append(Value.from_op(0.0, "f", inputs, [1.0] * len(inputs)))
        a, b = rng.sample(nodes, 2) if len(nodes) > 1 else (nodes[0], nodes[0])
        nodes.append(rng.choice([a * b, a + b, a.relu() + 1.0]))
    root = Value.from_op(0.0, "sum", nodes[-3:], [1.0] * len(nodes[-3:]))
    order = topological_order(root)
    position = {id(v): i for i, v in enumerate(order)}
    assert len(position) == len(order)  # no repeats
    assert set(position) == _reachable_op_nodes(root)  # every op node, no leaf
    assert order[0] is root
    for v in order:
        for child in v.children:
            if child.children:
                assert position[id(v)] < position[id(child)], "a node came after one of its inputs"


def _live_values() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is Value)


def test_graph_is_freed_by_reference_counting_alone() -> None:
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()  # only to prove the point inside this test; restored below
    try:
        before = _live_values()
        h, x, w, b = chain(1000)
        h.backward()
        assert _live_values() - before >= 3000
        del h, x, w, b
        assert _live_values() == before  # no reference cycles: nothing left for the collector
    finally:
        if was_enabled:
            gc.enable()


def test_deep_graph_is_freed_without_crashing() -> None:
    # Nothing to assert: the test fails by crashing the interpreter. Freeing the root frees
    # 900,000 nodes one inside the other; CPython's trashcan keeps that off the C stack.
    h, *_ = chain(300_000)
    del h


def test_a_node_with_zero_gradient_passes_nothing_back() -> None:
    """Behind an inactive ReLU the upstream gradient is 0: the inputs get exactly 0,
    even where a local derivative is infinite (sqrt at 0), where 0 × inf would be nan."""
    x = Value(0.0)
    y = Value(-1.0)
    L = x.sqrt() * y.relu()  # relu(-1) = 0, so dL/dsqrt(x) = 0 and sqrt'(0) = inf
    L.backward()
    assert (x.grad, y.grad) == (0.0, 0.0)
    w = Value(2.0)
    dead = (w * -3.0).relu()  # inactive: passes 0
    (dead + w).backward()
    assert w.grad == 1.0


NOTEBOOK_3 = Path(__file__).resolve().parent.parent / "notebooks" / "03_the_backprop_engine.ipynb"


def _block(source: str, first: str, last: str) -> str:
    """The lines from the one starting with `first` to the one starting with `last`, comments
    dropped and dedented: the code as a reader sees it, whatever it is indented by."""
    lines = [line.split("  #")[0].rstrip() for line in source.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(first))
    end = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(last))
    return textwrap.dedent("\n".join(lines[start : end + 1]))


def test_notebook_3_shows_the_engines_own_backward_loop_and_order() -> None:
    # the course teaches the engine's code, not a simplified cousin of it: both zero skips in the
    # loop, and the same depth-first search (checked in the text and in my_backward's cell)
    cells = ["".join(cell["source"]) for cell in json.loads(NOTEBOOK_3.read_text())["cells"]]
    loop = _block(inspect.getsource(chain_rule), "upstream = node.grad", "child.grad +=")
    assert "if upstream:" in loop and "if local:" in loop and "zip(node.children, node.local_grads)" in loop
    with_loop = [c for c in cells if "upstream = node.grad" in c]
    shown_loops = [_block(c, "upstream = node.grad", "child.grad +=") for c in with_loop]
    assert len(shown_loops) == 2 and all(shown == loop for shown in shown_loops)
    order = _block(inspect.getsource(topological_order), "while stack:", "order.reverse()")
    shown_orders = [_block(c, "while stack:", "order.reverse()") for c in cells if "while stack:" in c]
    assert shown_orders == [order]


def test_an_inactive_relu_masks_an_infinite_upstream_gradient_as_pytorch() -> None:
    x = Value(-1.0)
    x.relu().sqrt().backward()  # sqrt'(0) = inf, relu'(-1) = 0: PyTorch gives 0, not 0·inf = nan
    assert x.grad == 0.0
