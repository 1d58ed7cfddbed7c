"""microgrand.nn: parameter order, fused vs fine-grained neurons, activations, state dicts, Dropout."""

from __future__ import annotations

import json
import math
import random
import sys

import pytest

from microgrand import Value, gradcheck, nn, optim
from microgrand.engine import topological_order
from microgrand.nn import MLP, Dropout, Layer, Linear, Module, Neuron, neuron_fine_grained

nan, inf = math.nan, math.inf


# On Python >= 3.12 sum() of floats is compensated, so the fused forward can differ
# from the node-by-node sum in the last bit; up to 3.11 both add left to right.
EXACT = sys.version_info < (3, 12)


def same(a: float, b: float) -> bool:
    return a == b if EXACT else math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


# ---------------------------------------------------------------- structure


def test_mlp_parameter_order_is_layer_by_layer_neuron_by_neuron_weights_then_bias():
    model = MLP(2, [16, 16, 1], seed=0)
    expected = [p for layer in model.layers for n in layer.neurons for p in (*n.w, n.b)]
    params = model.parameters()
    assert len(params) == (2 + 1) * 16 + (16 + 1) * 16 + 16 + 1 == 337
    assert all(p is q for p, q in zip(params, expected, strict=True))


def test_prelu_neuron_has_a_learnable_slope_after_the_bias():
    n = Neuron(3, "prelu", seed=0)
    assert n.parameters() == [*n.w, n.b, n.alpha]
    assert n.alpha.data == 0.25
    for w in n.w:
        w.data = 1.0
    out = n([-1.0, -2.0, -3.0])  # z = -6 < 0: out = α·z,  ∂out/∂α = z
    out.backward()
    assert out.data == 0.25 * -6.0 and n.alpha.grad == -6.0


def test_initialisation_is_micrograds_and_reproducible_from_a_seed():
    a, b, c = MLP(3, [4, 2], seed=7), MLP(3, [4, 2], seed=7), MLP(3, [4, 2], seed=8)
    assert a.state_dict() == b.state_dict() != c.state_dict()
    assert MLP(3, [4, 2], seed=random.Random(7)).state_dict() == a.state_dict()
    for layer in a.layers:
        for n in layer.neurons:
            assert all(-1.0 <= w.data <= 1.0 for w in n.w) and n.b.data == 0.0


def test_output_is_a_value_for_one_output_and_a_list_otherwise():
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert len(Layer(2, 3, seed=0)([1.0, 2.0])) == 3


def test_plain_number_inputs_are_not_children_but_value_inputs_are_and_get_gradients():
    n = Neuron(2, "linear", seed=0)
    out = n([1.5, -2.0])
    assert list(out.children) == [*n.w, n.b]
    x1, x2 = Value(1.5), Value(-2.0)
    out = n([x1, -2.0])
    assert list(out.children) == [*n.w, x1, n.b]
    out = n([x1, x2])
    assert list(out.children) == [*n.w, x1, x2, n.b]
    out.backward()
    assert (x1.grad, x2.grad) == (n.w[0].data, n.w[1].data)
    assert (n.w[0].grad, n.w[1].grad, n.b.grad) == (1.5, -2.0, 1.0)


# ---------------------------------------------------------------- fused == fine-grained


def _grads(model: Module, xs: list[list[Value]]) -> tuple[float, list[float], list[float]]:
    out = model(xs[0]) if len(xs) == 1 else sum((model(x) for x in xs), Value(0.0))
    assert isinstance(out, Value)
    model.zero_grad()
    for x in xs:
        for v in x:
            v.grad = 0.0
    out.backward()
    return out.data, [p.grad for p in model.parameters()], [v.grad for x in xs for v in x]


@pytest.mark.parametrize("activation", ["linear", "relu", "tanh", "sigmoid", "leaky_relu", "prelu"])
def test_fused_neuron_equals_fine_grained_neuron_values_and_gradients(activation):
    fused = Neuron(5, activation, seed=3)
    fine = Neuron(5, activation, fused=False, seed=3)
    fused.b.data = fine.b.data = -0.3
    x = [Value(v) for v in (0.5, -1.0, 2.0, 0.25, -0.75)]
    y, gp, gx = _grads(fused, [x])
    y2, gp2, gx2 = _grads(fine, [x])
    assert same(y, y2)
    assert all(map(same, gp, gp2)) and all(map(same, gx, gx2))


def test_fused_mlp_equals_fine_grained_mlp_over_a_batch():
    rng = random.Random(0)
    fused, fine = MLP(3, [6, 5, 1], seed=1), MLP(3, [6, 5, 1], fused=False, seed=1)
    xs = [[Value(rng.uniform(-2, 2)) for _ in range(3)] for _ in range(8)]
    xs2 = [[Value(v.data) for v in x] for x in xs]
    y, gp, gx = _grads(fused, xs)
    y2, gp2, gx2 = _grads(fine, xs2)
    # gradients summed over samples may be added in a different order: equal to rounding
    assert y == pytest.approx(y2, rel=1e-12)
    assert gp == pytest.approx(gp2, rel=1e-12, abs=1e-14)
    assert gx == pytest.approx(gx2, rel=1e-12, abs=1e-14)


def test_fine_grained_neuron_is_built_from_mul_and_add_nodes():
    w, b = [Value(2.0), Value(-3.0)], Value(1.0)
    z = neuron_fine_grained(w, b, [0.5, 4.0])
    assert z.op == "+" and z.data == 1.0 + 2.0 * 0.5 - 3.0 * 4.0
    assert [c.op for c in z.children] == ["+", "*"]


def test_fused_neuron_passes_gradcheck():
    def f(w1, w2, w3, x1, x2, b):
        n = Neuron(3, "tanh", seed=0)
        n.w, n.b = [w1, w2, w3], b
        return n([x1, 0.7, x2])

    gradcheck(f, [0.3, -0.8, 0.5, 1.2, -0.4, 0.1])


@pytest.mark.parametrize(
    ("activation", "method"),
    [
        ("linear", lambda z: z),
        ("relu", Value.relu),
        ("tanh", Value.tanh),
        ("sigmoid", Value.sigmoid),
        ("leaky_relu", lambda z: z.leaky_relu(0.01)),
        (lambda z: z * z, lambda z: z * z),
    ],
)
def test_activation_is_applied_to_w_dot_x_plus_b(activation, method):
    n = Neuron(2, activation, seed=5)
    n.b.data = 0.2
    for x in ([1.0, 2.0], [-3.0, 0.5]):
        z = n.b.data + n.w[0].data * x[0] + n.w[1].data * x[1]
        assert same(n(x).data, method(Value(z)).data)


def test_custom_activation_must_return_a_value():
    n = Neuron(2, lambda z: 3.0, seed=0)
    with pytest.raises(TypeError, match="must return a Value"):
        n([1.0, 2.0])


# ---------------------------------------------------------------- the course's models


def test_course_xor_network_from_hand_set_weights_gives_exactly_0_1_1_0():
    # ReLU(x1 + x2) - 2·ReLU(x1 + x2 - 1)
    model = MLP(2, [2, 1], activation="relu")
    model.load_state_dict(
        {
            "layers.0.neurons.0.w": [1.0, 1.0],
            "layers.0.neurons.0.b": 0.0,
            "layers.0.neurons.1.w": [1.0, 1.0],
            "layers.0.neurons.1.b": -1.0,
            "layers.1.neurons.0.w": [1.0, -2.0],
            "layers.1.neurons.0.b": 0.0,
        }
    )
    outputs = [model(x).data for x in ([0, 0], [0, 1], [1, 0], [1, 1])]
    assert outputs == [0.0, 1.0, 1.0, 0.0]


def test_linear_model_is_x_dot_w_with_no_activation_and_no_bias():
    model = Linear(3, 1, bias=False, seed=0)
    assert model.parameters() == model.neurons[0].w
    for p, w in zip(model.parameters(), [0.5, -2.0, 1.0]):
        p.data = w
    out = model([2.0, 1.0, -4.0])
    assert out.data == 0.5 * 2.0 - 2.0 * 1.0 + 1.0 * -4.0
    out.backward()
    assert [p.grad for p in model.parameters()] == [2.0, 1.0, -4.0]  # d(x·w)/dw = x
    assert len(Linear(3, 2, seed=0)([1.0, 2.0, 3.0])) == 2


# ---------------------------------------------------------------- Module


def test_zero_grad_train_eval_and_repr():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert model.eval() is model and not model.training
    assert not any(n.training for layer in model.layers for n in layer.neurons)
    assert model.train() is model and model.layers[1].neurons[0].training
    assert repr(model) == (
        "MLP(\n"
        "  (layers.0): Layer(2, 3, activation='relu')\n"
        "  (layers.1): Layer(3, 1, activation='linear')\n"
        ")"
    )
    assert repr(Neuron(4, "tanh", bias=False)) == "Neuron(4, activation='tanh', bias=False)"
    assert repr(Dropout(0.3)) == "Dropout(p=0.3)"


def test_a_module_subclass_finds_its_parameters_and_submodules_in_attribute_order():
    class Net(Module):
        def __init__(self):
            self.hidden = Layer(2, 3, "tanh", seed=0)
            self.drop = Dropout(0.5, seed=0)
            self.scale = Value(2.0)
            self.out = Linear(3, 1, seed=1)

        def __call__(self, x):
            return self.out(self.drop(self.hidden(x))) * self.scale

    net = Net()
    assert net.parameters() == [*net.hidden.parameters(), net.scale, *net.out.parameters()]
    assert "scale" in net.state_dict()
    net.eval()
    assert not net.drop.training
    without_dropout = (net.out(net.hidden([1.0, 2.0])) * net.scale).data
    assert net([1.0, 2.0]).data == without_dropout  # eval: dropout is the identity


def test_state_dict_round_trips_through_json():
    model, other = MLP(2, [4, 3], activation="prelu", seed=0), MLP(2, [4, 3], activation="prelu", seed=1)
    text = json.dumps(model.state_dict())
    other.load_state_dict(json.loads(text))
    assert other.state_dict() == model.state_dict()
    assert [p.data for p in other.parameters()] == [p.data for p in model.parameters()]


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda d: d.pop("layers.1.neurons.0.b"), ValueError, "missing"),
        (lambda d: d.update(extra=1.0), ValueError, "unexpected"),
        (lambda d: d.update({"layers.0.neurons.1.w": [1.0]}), ValueError, "list of 2 numbers"),
        (lambda d: d.update({"layers.0.neurons.1.w": 3.0}), ValueError, "list of 2 numbers"),
        (lambda d: d.update({"layers.0.neurons.0.b": "zero"}), TypeError, "real number"),
        (lambda d: d.update({"layers.1.neurons.0.w.2": None}), TypeError, "real number"),
    ],
)
def test_load_state_dict_rejects_a_malformed_dict_and_leaves_the_model_unchanged(change, error, match):
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    state = MLP(2, [3, 1], seed=1).state_dict()
    change(state)
    with pytest.raises(error, match=match):
        model.load_state_dict(state)
    assert model.state_dict() == before
    with pytest.raises(TypeError, match="needs a dict"):
        model.load_state_dict([1.0, 2.0])  # type: ignore[arg-type]


# ---------------------------------------------------------------- Dropout


def test_dropout_eval_mode_is_a_deterministic_identity():
    d = Dropout(0.5, seed=0).eval()
    xs = [Value(float(i)) for i in range(10)]
    assert d(xs) == xs and d(xs[3]) is xs[3]


def test_dropout_train_mode_outputs_zero_or_x_over_keep_rate_and_keeps_about_1_minus_p():
    p = 0.3
    d = Dropout(p, seed=1)
    xs = [Value(1.0 + i % 7) for i in range(20000)]
    ys = d(xs)
    assert len(ys) == len(xs)
    kept = 0
    for x, y in zip(xs, ys):
        assert y.data == 0.0 or y.data == x.data / (1 - p)
        kept += y.data != 0.0
    assert kept / len(xs) == pytest.approx(1 - p, abs=0.015)  # ~4.6 standard deviations
    y = ys[0]
    y.backward()  # ∂y/∂x = mask/(1-p)
    assert xs[0].grad == (1 / (1 - p) if y.data else 0.0)


def test_dropout_is_seedable_and_p_zero_is_identity():
    xs = [Value(1.0) for _ in range(50)]
    assert [y.data for y in Dropout(0.5, seed=3)(xs)] == [y.data for y in Dropout(0.5, seed=3)(xs)]
    assert Dropout(0.0)(xs) == xs


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_p_outside_0_1_is_a_value_error(p):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(p)


def test_wrong_number_of_inputs_is_a_value_error():
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        MLP(2, [3, 1])([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="expects 4 inputs, got 1"):
        Layer(4, 2)([1.0])
    with pytest.raises(ValueError, match="expects 3 inputs"):
        Neuron(3)([1.0])
    with pytest.raises(ValueError, match="Neuron expects 3 inputs, got 1"):
        Neuron(3, fused=False)([1.0])
    with pytest.raises(TypeError, match="list of 2 numbers"):
        MLP(2, [1])(1.0)
    with pytest.raises(TypeError, match="real number"):
        MLP(2, [1])([1.0, "2"])


def test_unknown_activation_and_bad_sizes_are_value_errors():
    with pytest.raises(ValueError, match="unknown activation 'relu6'"):
        Neuron(2, "relu6")
    with pytest.raises(ValueError, match="unknown activation"):
        MLP(2, [3, 1], output_activation="softmax")
    with pytest.raises(ValueError, match="nouts"):
        MLP(2, [])
    with pytest.raises(ValueError, match="nin"):
        Layer(0, 3)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (
            lambda: MLP(2, [2.0, 1]),
            r"nout \(the number of neurons\) must be a whole number \(an int\), got float: 2\.0",
        ),
        (lambda: Neuron(True), "nin .* must be a whole number .* got bool: True"),
        (lambda: Layer(2.5, 3), "nin .* got float: 2.5"),
    ],
)
def test_sizes_that_are_not_whole_numbers_are_type_errors_that_show_the_value(make, match):
    with pytest.raises(TypeError, match=match):
        make()


def test_a_fine_grained_layer_checks_its_inputs_as_a_layer():
    # the layer checks its inputs once, in its own name, fused or not
    with pytest.raises(ValueError, match="Layer expects 2 inputs, got 1"):
        Layer(2, 3, fused=False)([1.0])
    with pytest.raises(TypeError, match="Linear input needs a real number"):
        Linear(2, 2, fused=False)([1.0, "2"])
    layer = Layer(2, 3, fused=False, seed=0)
    assert layer.fused is False and all(out.op == "relu" for out in layer([Value(1.0), 2]))


def test_a_relu_neuron_is_one_node_and_other_activations_add_their_own_node():
    n = Neuron(2, "relu", seed=0)
    out = n([Value(1.0), 2.0])
    assert out.op == "relu neuron" and len(out.children) == 4  # w1, w2, x1, b
    t = Neuron(2, "tanh", seed=0)([1.0, 2.0])
    assert t.op == "tanh" and t.children[0].op == "neuron"
    model = MLP(2, [16, 16, 1], seed=0)
    loss = sum((model([0.1 * i, -0.2 * i]) for i in range(10)), Value(0.0))
    assert sum(node.op.endswith("neuron") for node in topological_order(loss)) == 10 * 33


def test_fused_relu_neuron_at_exactly_zero_takes_slope_1_and_below_zero_passes_nothing():
    n = Neuron(2, "relu")
    n.w[0].data, n.w[1].data, n.b.data = 1.0, -1.0, 0.0
    x = [Value(3.0), Value(3.0)]
    out = n(x)  # z = 0: relu(0) = 0, slope 1 (the engine's convention)
    out.backward()
    assert out.data == 0.0 and [p.grad for p in n.parameters()] == [3.0, 3.0, 1.0]
    assert [v.grad for v in x] == [1.0, -1.0]
    n.zero_grad()
    n.b.data = -0.5
    out = n(x)
    out.backward()
    assert out.data == 0.0 and out.local_grads == (0.0,) * 5
    assert [p.grad for p in n.parameters()] == [0.0, 0.0, 0.0]


def test_a_parameter_shared_by_two_modules_is_listed_once() -> None:
    class Tied(Module):
        def __init__(self) -> None:
            self.enc = Layer(2, 2, "tanh", seed=0)
            self.dec = self.enc  # the same layer used twice

        def __call__(self, x):  # type: ignore[no-untyped-def]
            return self.dec(self.enc(x))

    model = Tied()
    ps = model.parameters()
    assert len(ps) == 6 and len({id(p) for p in ps}) == 6  # 2 neurons × (2 weights + bias)
    assert ps == model.enc.parameters()
    from microgrand.optim import SGD

    SGD(model.parameters(), lr=0.1)  # trains: no duplicate-parameter error


@pytest.mark.parametrize("fused", [True, False])
def test_a_wrong_number_of_inputs_is_named_by_the_model_either_way(fused: bool) -> None:
    with pytest.raises(ValueError, match=r"MLP expects 2 inputs, got 3"):
        MLP(2, [3, 1], fused=fused, seed=0)([1.0, 2.0, 3.0])


# ---------------------------------------------------------------- PyTorch's shape


def test_a_user_module_defines_forward_and_calling_it_calls_forward() -> None:
    class Affine(Module):
        def __init__(self) -> None:
            self.w, self.b = Value(2.0), Value(1.0)

        def forward(self, x: float) -> Value:
            return self.w * x + self.b

    m = Affine()
    assert m(3.0).data == 7.0 and m.forward(3.0).data == 7.0
    assert [name for name, _ in m.named_parameters()] == ["w", "b"]
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(1.0)


def test_named_parameters_follow_the_attribute_paths() -> None:
    model = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert len(set(names)) == len(names) == 13


def test_parameters_are_labelled_so_a_drawing_shows_which_weight_is_which() -> None:
    assert [p.label for p in Neuron(2, seed=0).parameters()] == ["w0", "w1", "b"]
    assert [p.label for p in Layer(2, 2, seed=0).parameters()] == [
        "n0.w0",
        "n0.w1",
        "n0.b",
        "n1.w0",
        "n1.w1",
        "n1.b",
    ]
    labels = [p.label for p in MLP(2, [3, 1], seed=0).parameters()]
    assert labels[:3] == ["L0.n0.w0", "L0.n0.w1", "L0.n0.b"] and labels[-1] == "L1.n0.b"
    assert [p.label for p in Neuron(1, "prelu", seed=0).parameters()] == ["w0", "b", "alpha"]


def test_fused_is_honoured_however_the_model_is_called() -> None:
    model = MLP(2, [3, 1], seed=0)
    fused_out = model([0.5, -1.0])
    model.layers[0].fused = False  # only the first layer
    assert not model.fused and model.layers[1].fused
    out = model([0.5, -1.0])
    first_layer_ops = {v.op for v in topological_order(out)}
    assert {"*", "+", "relu"} <= first_layer_ops and "neuron" in first_layer_ops  # both kinds
    assert same(out.data, fused_out.data)
    model.fused = False
    assert all(not n.fused for layer in model.layers for n in layer.neurons)
    assert "neuron" not in {v.op for v in topological_order(model([0.5, -1.0]))}


@pytest.mark.parametrize(
    ("init", "bound"),
    [("uniform", 1.0), ("kaiming_uniform", math.sqrt(6 / 50)), ("xavier_uniform", math.sqrt(6 / 60))],
)
def test_init_scales_the_weights_as_torch_nn_init_names_them(init: str, bound: float) -> None:
    layer = Layer(50, 10, init=init, seed=0)
    ws = [w.data for n in layer.neurons for w in n.w]
    assert max(map(abs, ws)) <= bound and max(map(abs, ws)) > 0.9 * bound  # 500 draws fill the range
    assert all(n.b.data == 0.0 for n in layer.neurons)
    with pytest.raises(ValueError, match="unknown init"):
        MLP(2, [3], init="he")


def test_a_relu_neuron_and_an_mlp_fed_nan_give_nan() -> None:
    n = nn.Neuron(2, seed=0)
    assert math.isnan(n([nan, 1.0]).data)
    out = nn.MLP(2, [4, 1], seed=0)([nan, 1.0])
    assert math.isnan(out.data)


class Heads(nn.Module):
    def __init__(self) -> None:
        self.W = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]  # a weight matrix
        self.pair = (Value(5.0), Value(6.0))
        self.heads = {"a": nn.Neuron(2, "linear", seed=0), "b": Value(7.0)}
        self.blocks = [nn.Linear(2, 1, seed=1)]

    def forward(self, x: list[float]) -> Value:
        h = [sum(w * xi for w, xi in zip(row, x)) for row in self.W]
        return self.heads["a"](h) * self.pair[0] + self.pair[1] * self.heads["b"] + self.blocks[0](x)


def test_parameters_in_nested_lists_tuples_and_dicts_are_found_named_and_trained() -> None:
    model = Heads()
    names = [name for name, _ in model.named_parameters()]
    assert names[:6] == ["W.0.0", "W.0.1", "W.1.0", "W.1.1", "pair.0", "pair.1"]
    assert "heads.a.w.0" in names and "heads.b" in names and "blocks.0.neurons.0.w.1" in names
    assert len(model.parameters()) == 4 + 2 + 3 + 1 + 3
    state = model.state_dict()
    assert list(state) == names  # PyTorch's keys: exactly the parameters' names, one number each
    assert [state[f"W.{i}.{j}"] for i in (0, 1) for j in (0, 1)] == [1.0, 2.0, 3.0, 4.0]
    assert (state["pair.0"], state["pair.1"]) == (5.0, 6.0)
    before = [p.data for p in model.parameters()]
    opt = optim.SGD(model.parameters(), lr=0.01)
    loss = model([1.0, -1.0]) ** 2
    opt.zero_grad()
    loss.backward()
    opt.step()
    after = [p.data for p in model.parameters()]
    assert all(a != b for a, b in zip(after[:7], before[:7]))  # the matrix, the pair and head "a" moved
    model.load_state_dict(state)
    assert [p.data for p in model.parameters()] == before


def test_values_kept_where_parameters_cannot_be_found_are_refused_by_name() -> None:
    class Hidden(nn.Module):
        def __init__(self) -> None:
            self.bag = {Value(1.0)}

    with pytest.raises(TypeError, match=r"'bag'.*set"):
        Hidden().parameters()


def test_a_module_cycle_is_a_clear_error_not_a_recursion_error() -> None:
    parent = nn.MLP(2, [2, 1], seed=0)
    parent.layers[0].parent = parent  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="module cycle"):
        parent.parameters()


def test_modules_nested_deeper_than_the_recursion_limit_are_walked() -> None:
    class Wrapper(nn.Module):  # each holds the next, as a deep stack of blocks would
        def __init__(self, inner: nn.Module) -> None:
            self.inner = inner

    innermost = nn.Neuron(2, seed=0)
    model: nn.Module = innermost
    depth = sys.getrecursionlimit() + 500
    for _ in range(depth):
        model = Wrapper(model)
    assert model.parameters() == innermost.parameters()
    name, first = model.named_parameters()[0]
    assert name == "inner." * depth + "w.0" and first is innermost.w[0]
    model.zero_grad()
    assert model.train(False) is model and not innermost.training


def test_train_takes_a_bool() -> None:
    with pytest.raises(TypeError, match="True or False"):
        nn.MLP(2, [1], seed=0).train("no")  # type: ignore[arg-type]


def test_each_neuron_of_a_layer_keeps_its_own_activation() -> None:
    layer = nn.Layer(2, 2, seed=0)
    layer.neurons[1] = nn.Neuron(2, "tanh", seed=1)
    out = layer([1.0, -2.0])
    assert out[0].op == "relu neuron" and out[1].op == "tanh"
    with pytest.raises(AttributeError):
        layer.neurons[0].activation = "tanh"  # type: ignore[misc]


def test_micrograds_nonlin_keyword_is_understood() -> None:
    assert nn.Neuron(2, nonlin=False, seed=0).activation == "linear"
    assert all(n.activation == "relu" for n in nn.Layer(2, 3, nonlin=True, seed=0).neurons)


def test_values_in_other_containers_or_class_attributes_are_refused() -> None:
    import collections

    class InDeque(nn.Module):
        def __init__(self) -> None:
            self.ws = collections.deque([Value(1.0)])

    class InClass(nn.Module):
        w = Value(1.0)

    with pytest.raises(TypeError, match=r"'ws'.*deque"):
        InDeque().parameters()
    with pytest.raises(TypeError, match="class attribute"):
        InClass().parameters()
    np = pytest.importorskip("numpy")

    class InArray(nn.Module):
        def __init__(self) -> None:
            self.W = np.array([[Value(1.0), Value(2.0)]], dtype=object)
            self.data = np.zeros((100, 64))  # numbers: fine, and not searched element by element

    with pytest.raises(TypeError, match=r"'W'.*ndarray"):
        InArray().parameters()


def test_two_parameters_with_one_name_are_an_error() -> None:
    class Clash(nn.Module):
        def __init__(self) -> None:
            self.a = {"b": Value(1.0)}
            setattr(self, "a.b", Value(2.0))

    with pytest.raises(ValueError, match=r"share the name 'a\.b'"):
        Clash().state_dict()


def test_linear_repr_is_a_constructor_call() -> None:
    assert repr(nn.Linear(2, 1, bias=False)) == "Linear(2, 1, bias=False)"


# ---------------------------------------------------------------- bookkeeping: one walker


def test_repr_of_a_module_that_contains_itself_is_a_clear_error_not_a_recursion_error() -> None:
    parent = MLP(2, [2, 1], seed=0)
    parent.layers[0].parent = parent  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="module cycle"):
        repr(parent)


@pytest.mark.parametrize("activation", ["prelu", lambda z: z.tanh() * 2.0, "tanh", "relu"])
def test_a_model_is_freed_by_reference_counting_whatever_its_activation(activation: object) -> None:
    import gc
    import weakref

    was_enabled = gc.isenabled()
    gc.disable()  # only reference counting may free it
    try:
        model = MLP(2, [3, 1], activation=activation, seed=0)  # type: ignore[arg-type]
        model([1.0, -1.0]).backward()
        neuron = weakref.ref(model.layers[0].neurons[0])
        del model
        assert neuron() is None, "a reference cycle keeps the neuron alive"
    finally:
        if was_enabled:
            gc.enable()


def test_state_dict_keys_are_the_named_parameters_each_one_number() -> None:
    model = MLP(2, [3, 1], activation="prelu", seed=0)
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()]
    assert [state[name] for name in state] == [p.data for p in model.parameters()]
    assert all(type(x) is float for x in state.values())
    assert "layers.0.neurons.2.alpha" in state and "layers.1.neurons.0.w.2" in state


def test_load_state_dict_takes_the_earlier_list_valued_keys_and_numpy_arrays() -> None:
    model = MLP(2, [2, 1], seed=0)
    old_style = {
        "layers.0.neurons.0.w": [1.0, 1.0],
        "layers.0.neurons.0.b": 0.0,
        "layers.0.neurons.1.w": (1.0, 1.0),
        "layers.0.neurons.1.b": -1.0,
        "layers.1.neurons.0.w": [1.0, -2.0],
        "layers.1.neurons.0.b": 0.0,
    }
    model.load_state_dict(old_style)
    assert [model(x).data for x in ([0, 0], [0, 1], [1, 0], [1, 1])] == [0.0, 1.0, 1.0, 0.0]
    np = pytest.importorskip("numpy")
    model.load_state_dict({**old_style, "layers.1.neurons.0.w": np.array([2.0, -3.0])})
    assert model.state_dict()["layers.1.neurons.0.w.1"] == -3.0
    with pytest.raises(ValueError, match=r"stands for 2 parameters.*a list of 2 numbers, .*array\(\[1\.\]\)"):
        model.load_state_dict({**old_style, "layers.1.neurons.0.w": np.array([1.0])})
    assert model.state_dict()["layers.1.neurons.0.w.1"] == -3.0  # unchanged
    with pytest.raises(ValueError, match=r"'layers\.1\.neurons\.0\.w\.0' twice"):
        model.load_state_dict({**old_style, "layers.1.neurons.0.w.0": 1.0})


def test_a_nested_list_of_parameters_loads_from_nested_lists_or_flat_names() -> None:
    class Matrix(Module):
        def __init__(self) -> None:
            self.W = [[Value(0.0), Value(0.0)], [Value(0.0), Value(0.0)]]

    m = Matrix()
    m.load_state_dict({"W": [[1.0, 2.0], [3.0, 4.0]]})
    assert m.state_dict() == {"W.0.0": 1.0, "W.0.1": 2.0, "W.1.0": 3.0, "W.1.1": 4.0}
    m.load_state_dict({"W.0": [5.0, 6.0], "W.1.0": 7.0, "W.1.1": 8.0})
    assert [p.data for p in m.parameters()] == [5.0, 6.0, 7.0, 8.0]


class WithDataset(Module):
    """A model that keeps its training data beside its parameters (rows of numbers, labels)."""

    def __init__(self, rows: int, hidden: object = None) -> None:
        self.net = MLP(2, [3, 1], seed=0)
        self.X = [[i * 0.5, -i * 0.25] for i in range(rows)]
        self.y = [i % 2 for i in range(rows)]
        self.pairs = [(x, t) for x, t in zip(self.X, self.y)]
        self.meta = {"name": "moons", "sizes": (rows, 2), "scale": None}
        if hidden is not None:
            self.pairs[-1] = (self.X[-1], hidden)


def test_a_dataset_kept_as_an_attribute_is_passed_over_and_a_value_inside_it_still_found() -> None:
    model = WithDataset(1000)
    assert model.parameters() == model.net.parameters()
    w = Value(1.0)
    found = WithDataset(1000, hidden=w)  # a Value in the last row, in a list: a parameter
    assert found.parameters()[-1] is w
    assert found.named_parameters()[-1][0] == "pairs.999.1"
    deeper = WithDataset(1000, hidden=(1.0, [2.0, (w,)]))  # three lists down, beside numbers
    assert deeper.named_parameters()[-1] == ("pairs.999.1.1.1.0", w)
    with pytest.raises(TypeError, match=r"'pairs\.999\.1'.*set"):
        WithDataset(1000, hidden={Value(1.0)}).parameters()  # in a set: refused, by its path
    with pytest.raises(TypeError, match=r"'pairs\.999\.1'.*deque"):
        import collections

        WithDataset(1000, hidden=collections.deque([Value(1.0)])).parameters()


def test_setting_data_to_a_bool_or_a_non_number_is_refused_as_the_constructor_refuses_it() -> None:
    v = Value(1.0)
    for bad, kind in [(True, "bool"), ("2", "str"), (None, "NoneType")]:
        with pytest.raises(TypeError, match=rf"real number.*{kind}"):
            v.data = bad  # type: ignore[assignment]
        with pytest.raises(TypeError, match=rf"real number.*{kind}"):
            Value(bad)  # type: ignore[arg-type]
    assert v.data == 1.0
    v.data = 3  # an int is stored as a float, as Value(3) stores it
    assert type(v.data) is float and v.data == 3.0


def test_inputs_without_an_order_are_refused_not_silently_permuted() -> None:
    model = MLP(2, [3, 1], seed=0)
    for unordered in ({1.0, 2.0}, {1.0: "a", 2.0: "b"}, (x for x in [1.0, 2.0])):
        with pytest.raises(TypeError, match=r"list of 2 numbers or Values, in order"):
            model(unordered)  # type: ignore[arg-type]
    np = pytest.importorskip("numpy")
    assert model(np.array([1.0, 2.0])).data == model([1.0, 2.0]).data


def test_init_also_takes_the_bound_of_the_uniform_draw() -> None:
    a, b = Layer(3, 2, init=0.5, seed=0), Layer(3, 2, seed=0)
    assert [p.data for p in a.parameters()] != [p.data for p in b.parameters()]
    assert all(-0.5 <= w.data <= 0.5 for n in a.neurons for w in n.w)
    with pytest.raises(ValueError, match=r"init .* must be > 0"):
        Neuron(2, init=-1.0)
    with pytest.raises(ValueError, match="unknown init True"):
        Neuron(2, init=True)  # type: ignore[arg-type]
