"""A Value with Python's own protocols: `bool`, `copy.copy`, `copy.deepcopy` and `pickle` (issue 17).

Copies and pickles must work for a graph of any depth under the default recursion limit (they
walked the graph recursively: a 1,000-node chain raised RecursionError, and the README's advice to
raise the limit crashed Python at 20,000 nodes), and a leaf shared within one pickled or copied
object must stay one leaf, so that a copied model still trains through a copied graph.
"""

from __future__ import annotations

import copy
import math
import pickle
import sys

import pytest

from microgrand import Value, nn

torch = pytest.importorskip("torch")

DEPTH = 30_000  # 30 times the default recursion limit


def chain(x: Value, depth: int) -> Value:
    v = x
    for _ in range(depth):
        v = v * 0.5 + x  # x is used at every level: a leaf shared by the whole graph
    return v


def roundtrips() -> list[tuple[str, object]]:
    return [("deepcopy", copy.deepcopy), ("pickle", lambda obj: pickle.loads(pickle.dumps(obj)))]


@pytest.mark.parametrize("name, clone", roundtrips())
def test_a_chain_far_deeper_than_the_recursion_limit_copies_and_backpropagates(name: str, clone) -> None:  # type: ignore[no-untyped-def]
    assert sys.getrecursionlimit() < DEPTH
    x = Value(1.5, label="x")
    out = chain(x, DEPTH)
    copied = clone(out)
    assert copied is not out and copied.data == out.data
    copied_x = copied
    while copied_x.children:
        copied_x = copied_x.children[0]
    assert copied_x is not x and copied_x.label == "x"
    copied.backward()
    out.backward()
    assert copied_x.grad == x.grad == pytest.approx(2.0)  # d/dx of x·(1 + ½ + ¼ + …) = 2


@pytest.mark.parametrize("name, clone", roundtrips())
def test_leaves_shared_within_one_object_stay_shared(name: str, clone) -> None:  # type: ignore[no-untyped-def]
    model = nn.MLP(2, [3, 1], seed=0)
    loss = (model([1.0, -2.0]) - 1.0) ** 2  # type: ignore[operator]
    model_copy, loss_copy = clone((model, loss))
    loss_copy.backward()
    assert all(p.grad == 0.0 for p in model.parameters())  # the original is untouched
    loss.backward()
    assert [p.grad for p in model_copy.parameters()] == [p.grad for p in model.parameters()]
    assert any(p.grad != 0.0 for p in model_copy.parameters())  # reached through the copied graph


def test_deepcopy_keeps_inner_nodes_shared_too() -> None:
    a = Value(2.0)
    inner = a * a
    outer = inner + 1.0
    inner_copy, outer_copy = copy.deepcopy([inner, outer])
    assert outer_copy.children[0] is inner_copy
    assert inner_copy.children[0] is inner_copy.children[1]  # a*a: one leaf, two edges


@pytest.mark.parametrize("name, clone", roundtrips())
def test_a_copy_keeps_data_grad_op_label_and_local_derivatives(name: str, clone) -> None:  # type: ignore[no-untyped-def]
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = (a * b).tanh()
    out.label = "out"
    out.backward()
    copied = clone(out)
    for node, twin in [(out, copied), (out.children[0], copied.children[0])]:
        assert (twin.data, twin.grad, twin.op, twin.label) == (node.data, node.grad, node.op, node.label)
        assert twin.local_grads == node.local_grads
    assert [(c.data, c.grad, c.label) for c in copied.children[0].children] == [
        (2.0, a.grad, "a"),
        (-3.0, b.grad, "b"),
    ]
    leaf = clone(a)
    assert (leaf.data, leaf.grad, leaf.label, leaf.children) == (2.0, a.grad, "a", ())


def test_copy_copy_copies_the_graph_on_the_same_leaves() -> None:
    a = Value(2.0)
    out = a * 3.0 + a
    twin = copy.copy(out)
    assert twin is not out and twin.data == out.data and twin.children[0] is not out.children[0]
    assert twin.children[1] is a and twin.children[0].children[0] is a


@pytest.mark.parametrize("x", [0.0, -0.0, 5e-324, -2.0, math.inf, -math.inf, math.nan])
def test_bool_of_a_value_is_bool_of_its_number_as_a_pytorch_scalar(x: float) -> None:
    assert bool(Value(x)) is bool(torch.tensor(x, dtype=torch.float64)) is bool(x)
