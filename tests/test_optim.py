"""microgrand.optim: SGD and Adam against their formulas and torch.optim (float64)."""

from __future__ import annotations

import math

import pytest

from microgrand import Value
from microgrand.optim import SGD, Adam

START = [0.5, -1.5, 2.0]


def loss_of(w):
    """A small non-quadratic loss, so gradients change from step to step."""
    a, b, c = w
    return a * a * 3.0 + (b - 1.0) ** 4 + a * c + (c * 0.5).tanh()


def run(make_optimizer, steps=5):
    w = [Value(x) for x in START]
    opt = make_optimizer(w)
    for _ in range(steps):
        opt.zero_grad()
        loss_of(w).backward()
        opt.step()
    return [p.data for p in w]


def test_sgd_step_is_w_minus_lr_times_grad():
    w = [Value(x) for x in START]
    loss_of(w).backward()
    g = [p.grad for p in w]
    SGD(w, lr=0.1).step()
    assert [p.data for p in w] == [x - 0.1 * gi for x, gi in zip(START, g)]


def test_sgd_momentum_and_weight_decay_by_hand_for_two_steps():
    w = Value(2.0)
    opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5)
    w.grad = 1.0
    opt.step()  # g = 1 + 0.5·2 = 2; v = g = 2; w = 2 - 0.2
    assert w.data == pytest.approx(1.8)
    opt.zero_grad()
    assert w.grad == 0.0
    w.grad = 1.0
    opt.step()  # g = 1 + 0.9 = 1.9; v = 0.9·2 + 1.9 = 3.7; w = 1.8 - 0.37
    assert w.data == pytest.approx(1.43)


def test_adam_first_step_moves_each_weight_by_about_lr():
    w = [Value(x) for x in START]
    loss_of(w).backward()
    g = [p.grad for p in w]
    Adam(w, lr=0.01).step()  # m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε)
    assert [p.data for p in w] == pytest.approx([x - 0.01 * gi / (abs(gi) + 1e-8) for x, gi in zip(START, g)])


@pytest.mark.parametrize(
    ("lr", "kwargs", "match"),
    [
        (-0.1, {}, "lr"),
        (0.1, {"momentum": -0.5}, "momentum"),
        (0.1, {"weight_decay": -1.0}, "weight_decay"),
        (math.nan, {}, "lr"),
    ],
)
def test_sgd_rejects_negative_hyperparameters(lr, kwargs, match):
    with pytest.raises(ValueError, match=match):
        SGD([Value(1.0)], lr=lr, **kwargs)


def test_optimizers_reject_bad_parameters_and_betas():
    with pytest.raises(ValueError, match="lr"):
        Adam([Value(1.0)], lr=-1e-3)
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        Adam([Value(1.0)], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="single Value"):
        SGD(Value(1.0), lr=0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be Values"):
        SGD([1.0], lr=0.1)  # type: ignore[list-item]


@pytest.mark.parametrize("make", [SGD, Adam])
def test_optimizers_want_the_models_parameters_not_the_model(make):
    from microgrand.nn import MLP

    with pytest.raises(TypeError, match=r"pass model.parameters\(\) \(got the MLP itself\)"):
        make(MLP(2, [3, 1], seed=0))


@pytest.mark.parametrize("betas", [0.9, (0.9, 0.99, 0.1), (0.9,), "ab"])
def test_adam_betas_must_be_a_pair_of_numbers(betas):
    with pytest.raises(TypeError, match=r"betas must be a pair of numbers \(beta1, beta2\)"):
        Adam([Value(1.0)], betas=betas)


def test_a_parameter_listed_twice_is_an_error_not_a_double_step():
    w = Value(1.0)
    with pytest.raises(ValueError, match=r"parameter 1 .* appears twice"):
        SGD([w, w], lr=0.1)
    with pytest.raises(ValueError, match="appears twice"):
        Adam([w, Value(2.0), w])


def test_hyperparameters_must_be_finite():
    with pytest.raises(ValueError, match=r"SGD lr .* finite number >= 0, got inf"):
        SGD([Value(1.0)], lr=math.inf)
    with pytest.raises(ValueError, match=r"Adam eps .* got inf"):
        Adam([Value(1.0)], eps=math.inf)


# ---------------------------------------------------------------- PyTorch parity


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def run_torch(torch, make_optimizer, steps=5):
    w = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([w])
    for _ in range(steps):
        opt.zero_grad()
        a, b, c = w[0], w[1], w[2]
        (a * a * 3.0 + (b - 1.0) ** 4 + a * c + torch.tanh(c * 0.5)).backward()
        opt.step()
    return w.tolist()


@pytest.mark.parametrize(
    "kwargs",
    [{"lr": 0.05}, {"lr": 0.05, "momentum": 0.9}, {"lr": 0.03, "momentum": 0.8, "weight_decay": 0.1}],
)
def test_sgd_matches_torch_over_several_steps(torch, kwargs):
    ours = run(lambda ps: SGD(ps, **kwargs), steps=6)
    ref = run_torch(torch, lambda ps: torch.optim.SGD(ps, **kwargs), steps=6)
    assert ours == pytest.approx(ref, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize(
    "kwargs",
    [{"lr": 0.1}, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.2}],
)
def test_adam_matches_torch_over_several_steps(torch, kwargs):
    ours = run(lambda ps: Adam(ps, **kwargs), steps=8)
    ref = run_torch(torch, lambda ps: torch.optim.Adam(ps, **kwargs), steps=8)
    assert ours == pytest.approx(ref, rel=1e-12, abs=1e-14)


def test_adam_refuses_eps_zero_and_accepts_any_pair_of_betas() -> None:
    w = Value(1.0)
    with pytest.raises(ValueError, match="eps must be > 0"):
        Adam([w], eps=0.0)
    np = pytest.importorskip("numpy")
    assert Adam([w], betas=np.array([0.9, 0.999])).betas == (0.9, 0.999)


def test_forgetting_the_call_on_parameters_is_named() -> None:
    from microgrand.nn import MLP

    model = MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match=r"call it, e.g. model.parameters\(\)"):
        SGD(model.parameters, lr=0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize("betas", [{0.999, 0.9}, frozenset({0.9, 0.999}), {0.9: 0.999, 0.99: 0.0}])
def test_adam_refuses_betas_without_an_order(betas) -> None:
    """A set's order is not the order it was written in: which one is beta1 would be a guess."""
    with pytest.raises(TypeError, match="has no order"):
        Adam([Value(1.0)], betas=betas)


@pytest.mark.parametrize(
    "make", [lambda w: SGD(w, lr=0.1, momentum=0.9), lambda w: Adam(w, lr=0.1)], ids=["SGD", "Adam"]
)
def test_reset_state_makes_the_next_steps_a_new_optimizers(make) -> None:
    used, fresh = [Value(x) for x in START], [Value(x) for x in START]
    opt = make(used)
    for _ in range(3):
        opt.zero_grad()
        loss_of(used).backward()
        opt.step()
    for p, q in zip(used, fresh):
        q.data = p.data
    opt.reset_state()
    new = make(fresh)
    for _ in range(3):
        for o, w in ((opt, used), (new, fresh)):
            o.zero_grad()
            loss_of(w).backward()
            o.step()
    assert [p.data for p in used] == [q.data for q in fresh]
