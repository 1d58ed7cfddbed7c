"""Copying and pickling: graphs and models survive copy.deepcopy and pickle, and still work."""

from __future__ import annotations

import copy
import pickle

from microgrand import Value, nn


def test_deepcopy_and_pickle_of_a_graph_round_trip_and_backpropagate() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    L = (a * b + a).sigmoid() * nn.Neuron(2, "linear", seed=0)([a, b])  # a fused neuron node inside
    for clone in (copy.deepcopy(L), pickle.loads(pickle.dumps(L))):
        assert clone.data == L.data and clone is not L
        clone.backward()
        L.backward()
        grads = {v.label: v.grad for v in _nodes(clone) if v.label in ("a", "b")}
        assert grads == {"a": a.grad, "b": b.grad} and a.grad != 0.0 != b.grad
        a.grad = b.grad = 0.0


def _nodes(root: Value) -> list[Value]:
    seen, stack = [], [root]
    while stack:
        v = stack.pop()
        if all(v is not s for s in seen):
            seen.append(v)
            stack += v.children
    return seen


def test_deepcopy_and_pickle_of_a_model_round_trip_and_train() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert clone.state_dict() == model.state_dict()
        out = clone([1.0, 2.0])
        out.backward()
        assert any(p.grad != 0.0 for p in clone.parameters())
        assert all(p.grad == 0.0 for p in model.parameters())
