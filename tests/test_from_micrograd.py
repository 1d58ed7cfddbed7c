"""Code written for micrograd runs on microgrand with only the import changed.

Each test is written in the idioms of micrograd's README, demo notebook, trace_graph
notebook and Karpathy's lecture (our own code, in their style): operator expressions
with numbers on either side and in-place ``+=``, the demo's training loop seeded with
``random.seed``, drawing functions that walk ``_prev`` and read ``_op``, and manual
backprop with ``node._backward()``.
"""

from __future__ import annotations

import math
import random

import pytest

from microgrand import Value, numerical_grad
from microgrand.nn import MLP, Neuron


def test_expressions_in_micrograds_style_match_central_differences() -> None:
    def f(x: Value, y: Value) -> Value:
        a = 3 * x - 1 + y
        b = a.relu() + a * y
        b += b * 2 + (x + y).relu()  # in place, as micrograd's README writes it
        c = (a * a).relu() - b
        d = c**2 / 4.0
        d += 5.0 / d
        e = -d + 2**y + (1 - x) / 3
        return e + e * x

    x, y = Value(0.7), Value(-1.3)
    out = f(x, y)
    out.backward()
    num = numerical_grad(lambda a, b: f(a, b), [0.7, -1.3])
    assert x.grad == pytest.approx(num[0], rel=1e-6) and y.grad == pytest.approx(num[1], rel=1e-6)


def test_the_same_expressions_match_pytorch_exactly_enough() -> None:
    torch = pytest.importorskip("torch")
    x, y = Value(-4.0), Value(2.5)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    out = h + q + q * x + y**3 / (x - 1)
    out.backward()
    tx = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(2.5, dtype=torch.float64, requires_grad=True)
    tz = 2 * tx + 2 + tx
    tq = tz.relu() + tz * tx
    th = (tz * tz).relu()
    tout = th + tq + tq * tx + ty**3 / (tx - 1)
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-15)
    assert x.grad == pytest.approx(tx.grad.item(), rel=1e-15)
    assert y.grad == pytest.approx(ty.grad.item(), rel=1e-15)


def test_random_seed_makes_an_unseeded_model_reproducible_as_in_micrographs_demo() -> None:
    random.seed(1337)
    a = MLP(2, [16, 16, 1])
    random.seed(1337)
    b = MLP(2, [16, 16, 1])
    c = MLP(2, [16, 16, 1])  # the global state has moved on
    assert a.state_dict() == b.state_dict() != c.state_dict()
    # an explicit seed keeps its own generator: the global state does not matter
    random.seed(1)
    d = MLP(2, [3, 1], seed=5)
    random.seed(2)
    assert MLP(2, [3, 1], seed=5).state_dict() == d.state_dict()


def test_micrograds_demo_loop_runs_unchanged_and_learns() -> None:
    random.seed(1337)
    X = [[math.cos(t / 5), math.sin(t / 5) * 0.5] for t in range(40)]
    y = [1 if row[0] > 0 else -1 for row in X]
    model = MLP(2, [16, 16, 1])  # 2-layer neural network

    def loss():
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    first, _ = loss()
    for k in range(15):
        total_loss, acc = loss()
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    last, acc = loss()
    assert last.data < first.data and acc >= 0.9


def test_micrograds_own_weights_come_out_of_the_same_seed() -> None:
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(42)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    random.seed(42)
    ours = MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]


def _trace(root):  # trace_graph.ipynb's way: walk _prev into sets
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def test_trace_graph_notebooks_drawing_code_draws_a_microgrand_graph() -> None:
    graphviz = pytest.importorskip("graphviz")
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    nodes, edges = _trace(o)
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    for v in nodes:
        dot.node(
            name=str(id(v)),
            label=f"{{ {v.label} | data {v.data:.4f} | grad {v.grad:.4f} }}",
            shape="record",
        )
        if v._op:
            dot.node(name=str(id(v)) + v._op, label=v._op)
            dot.edge(str(id(v)) + v._op, str(id(v)))
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    assert len(nodes) == 10 and len(edges) == 9
    assert {v._op for v in nodes} == {"", "*", "+", "tanh"}
    assert "grad 0.5000" in dot.source and "data 0.7071" in dot.source  # the lecture's numbers


def test_the_lectures_manual_backprop_with_underscore_backward() -> None:
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.8813735870195432)
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    o.grad = 1.0
    for node in (o, n, b, x1w1x2w2, x2w2, x1w1):  # one node at a time, as the lecture does
        node._backward()
    manual = [v.grad for v in (x1, x2, w1, w2, b)]
    assert manual == pytest.approx([-1.5, 0.5, 1.0, 0.0, 0.5])

    # the lecture's topological sort over _prev, then _backward in reverse
    for v in (x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o):
        v.grad = 0.0
    topo, visited = [], set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(o)
    o.grad = 1.0
    for node in reversed(topo):
        node._backward()
    assert [v.grad for v in (x1, x2, w1, w2, b)] == manual


def test_prev_and_op_are_read_only_aliases() -> None:
    a = Value(3.0)
    c = a * a
    assert c._prev == {a} and c.children == (a, a) and c._op == "*" == c.op
    with pytest.raises(AttributeError):
        c._prev = set()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        c._op = "+"  # type: ignore[misc]


def test_a_lecture_style_neuron_and_mlp_train_with_plain_loops() -> None:
    random.seed(0)
    n = MLP(3, [4, 4, 1], activation="tanh")
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    losses = []
    for _ in range(20):
        ypred = [n(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
        for p in n.parameters():
            p.grad = 0.0
        loss.backward()
        for p in n.parameters():
            p.data += -0.05 * p.grad
        losses.append(loss.data)
    assert losses[-1] < losses[0] / 2
    assert isinstance(Neuron(2)([1.0, 2.0]), Value)
