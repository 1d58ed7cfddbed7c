"""Each defect found by the differential fuzzer and by hand (issue: no silent wrong numbers),
with a test that fails without its fix."""

from __future__ import annotations

import copy
import math
import pickle

import pytest

from microgrand import Value, data, losses, nn, optim, train
from microgrand.engine import topological_order

nan, inf = math.nan, math.inf


# ---------------------------------------------------------------- nan and inf propagate


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


def test_a_relu_neuron_and_an_mlp_fed_nan_give_nan() -> None:
    n = nn.Neuron(2, seed=0)
    assert math.isnan(n([nan, 1.0]).data)
    out = nn.MLP(2, [4, 1], seed=0)([nan, 1.0])
    assert math.isnan(out.data)


def test_hinge_loss_of_nan_is_nan() -> None:
    assert math.isnan(losses.hinge_loss([Value(nan)], [1]).data)


def test_an_inactive_relu_masks_an_infinite_upstream_gradient_as_pytorch() -> None:
    x = Value(-1.0)
    x.relu().sqrt().backward()  # sqrt'(0) = inf, relu'(-1) = 0: PyTorch gives 0, not 0·inf = nan
    assert x.grad == 0.0


# ---------------------------------------------------------------- careful derivatives


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


def test_cross_entropy_keeps_the_small_term_beside_huge_logits() -> None:
    assert losses.cross_entropy([Value(1e17), Value(1e17)], 0).data == pytest.approx(math.log(2), rel=1e-15)


def test_binary_cross_entropy_of_a_tiny_probability_uses_log1p() -> None:
    assert losses.binary_cross_entropy([Value(1e-20)], [0]).data == pytest.approx(1e-20, rel=1e-12)


# ---------------------------------------------------------------- training notices divergence


@pytest.mark.parametrize(
    ("lr", "saved"),
    [(1e300, False), (1e150, True)],  # nan in epoch 1; inf in epoch 2, after a finite (best) epoch 1
)
def test_fit_stops_at_the_first_non_finite_loss_and_keeps_finite_weights(lr: float, saved: bool) -> None:
    X, y = data.make_moons(60, noise=0.1, seed=0, signed=True)
    model = nn.MLP(2, [8, 1], seed=0)
    stopper = train.EarlyStopping(patience=3)
    with pytest.raises(train.TrainingDiverged, match=r"epoch \d+.*not a finite number.*learning rate") as err:
        train.fit(
            model,
            X,
            y,
            loss_fn=losses.hinge_loss,
            optimizer=optim.SGD(model.parameters(), lr=lr),
            val=(X[:10], y[:10]),
            early_stopping=stopper,
            epochs=20,
            quiet=True,
        )
    assert all(math.isfinite(p.data) for p in model.parameters())
    assert all(math.isfinite(loss) for loss in err.value.history.train_loss)
    # a best state is saved only from a finite epoch, and then holds finite weights
    assert (stopper.best_state is not None) == saved
    assert all(math.isfinite(v) for v in _floats(stopper.best_state or {}))


def _floats(state: dict) -> list[float]:
    out: list[float] = []
    for v in state.values():
        out += v if isinstance(v, list) else [v]
    return out


def test_early_stopping_never_takes_a_nan_loss_as_best() -> None:
    stopper = train.EarlyStopping(patience=2)
    stopper.step(1.0)
    stopper.step(nan)
    assert stopper.best_loss == 1.0 and stopper.best_epoch == 1
    assert stopper.step(nan)  # nan is no improvement: patience runs out
    fresh = train.EarlyStopping()
    fresh.step(nan)
    assert fresh.best_epoch == 0 and fresh.best_loss == inf


def test_early_stopping_names_a_value_passed_for_a_number() -> None:
    with pytest.raises(TypeError, match=r"loss\.data"):
        train.EarlyStopping().step(Value(1.0))  # type: ignore[arg-type]


# ---------------------------------------------------------------- modules find every parameter


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
    assert state["W"] == [[1.0, 2.0], [3.0, 4.0]] and state["pair"] == [5.0, 6.0]
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


def test_train_takes_a_bool() -> None:
    with pytest.raises(TypeError, match="True or False"):
        nn.MLP(2, [1], seed=0).train("no")  # type: ignore[arg-type]


# ---------------------------------------------------------------- graphs survive copying


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


# ---------------------------------------------------------------- misuse fails early and clearly


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
    assert b.grad == 0.0


def test_bad_arguments_get_student_messages() -> None:
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(10**400)
    with pytest.raises(TypeError, match="topological_order needs a Value"):
        topological_order(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=5)  # type: ignore[arg-type]


# ---------------------------------------------------------------- found by tools/fuzz.py


def test_tanh_keeps_the_digits_of_its_derivative_where_tanh_is_near_1() -> None:
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    for x in (-8.969260007355855, 5.0, 12.5, -17.0):
        v = Value(x)
        v.tanh().backward()
        exact = float(mpmath.sech(mpmath.mpf(x)) ** 2)
        assert v.grad == pytest.approx(exact, rel=1e-14)  # 1 - t·t is off by ~1e-9 here


def test_binary_cross_entropy_refuses_targets_outside_0_1_as_pytorch() -> None:
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        losses.binary_cross_entropy([Value(0.5)], [-1])


def test_bce_with_logits_of_an_infinite_logit_is_pytorchs() -> None:
    assert losses.binary_cross_entropy_with_logits([Value(inf)], [1e-170]).data == inf
    assert math.isnan(losses.binary_cross_entropy_with_logits([Value(-inf)], [0.5]).data)


def test_cross_entropy_with_an_infinite_logit_is_nan_as_pytorch_not_a_math_error() -> None:
    for row in ([Value(inf), Value(0.0)], [Value(4.4e138), Value(inf)], [Value(-inf), Value(-inf)]):
        loss = losses.cross_entropy(row, 0)
        loss.backward()
        assert math.isnan(loss.data) and all(math.isnan(v.grad) for v in row)
    assert losses.cross_entropy([Value(-inf), Value(0.0)], 0).data == inf  # one -inf logit is fine


@pytest.mark.parametrize("prob", [0.500003201199833, 0.9999999867161873, 1.3e-5, 0.3])
def test_bce_target_gradient_keeps_its_digits(prob: float) -> None:
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    p, t = Value(prob), Value(0.6224600834954039)
    losses.binary_cross_entropy([p], [t]).backward()
    exact = float(mpmath.log((1 - mpmath.mpf(p.data)) / mpmath.mpf(p.data)))
    assert t.grad == pytest.approx(exact, rel=1e-13)


def test_mse_gradient_does_not_overflow_before_dividing() -> None:
    t = Value(-1.7976931348623157e308)
    losses.mse_loss([Value(-1.0), Value(1.0)], [Value(1.0), t]).backward()
    assert t.grad == pytest.approx(-1.7976931348623157e308, rel=1e-15)


def test_negative_infinity_to_a_fractional_power_is_c_pow_not_an_error() -> None:
    assert (Value(-inf) ** 1.5).data == inf and (Value(-inf) ** -1.5).data == 0.0  # as PyTorch
    assert (Value(-inf) ** 2).data == inf and (Value(-inf) ** 3).data == -inf


def test_sqrt_at_negative_zero_has_slope_minus_inf_as_pytorch() -> None:
    x = Value(-0.0)
    x.sqrt().backward()
    assert x.grad == -inf


# ---------------------------------------------------------------- found by a fresh-eyes review


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
