"""microgrand.losses: each loss against its formula, finite differences, and PyTorch (float64)."""

from __future__ import annotations

import math

import pytest

from microgrand import Value, gradcheck, losses
from microgrand.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l1_penalty,
    l2_penalty,
    mse_loss,
)

nan, inf = math.nan, math.inf


PREDS = [0.3, -1.2, 2.5, 0.0, 0.9]
TARGETS = [0.5, -1.0, 1.0, 0.25, 2.0]
PROBS = [0.1, 0.7, 0.99, 0.5, 0.35]
LABELS01 = [0.0, 1.0, 1.0, 0.0, 1.0]
LOGITS = [[1.0, 2.0, 0.5], [-3.0, 0.0, 4.0], [0.2, 0.2, 0.1], [10.0, -10.0, 0.0]]
CLASSES = [1, 2, 0, 0]


def values(xs):
    return [Value(x) for x in xs]


def grads(loss, inputs):
    loss.backward()
    return [v.grad for v in inputs]


# ---------------------------------------------------------------- formulas


def test_mse_loss_value_and_gradient():
    ps = values(PREDS)
    loss = mse_loss(ps, TARGETS)
    n = len(PREDS)
    assert loss.data == pytest.approx(sum((p - t) ** 2 for p, t in zip(PREDS, TARGETS)) / n, rel=1e-15)
    assert grads(loss, ps) == pytest.approx([2 * (p - t) / n for p, t in zip(PREDS, TARGETS)], rel=1e-15)
    gradcheck(lambda *ps: mse_loss(list(ps), TARGETS), PREDS)


def test_mse_loss_value_targets_get_gradients_and_single_values_work():
    p, t = Value(3.0), Value(1.0)
    loss = mse_loss(p, t)
    loss.backward()
    assert (loss.data, p.grad, t.grad) == (4.0, 4.0, -4.0)


def test_cross_entropy_single_sample_is_log_sum_exp_minus_target_logit():
    zs = values(LOGITS[0])
    loss = cross_entropy(zs, 1)
    lse = math.log(sum(math.exp(z) for z in LOGITS[0]))
    assert loss.data == pytest.approx(lse - LOGITS[0][1], rel=1e-14)
    softmax = [math.exp(z - lse) for z in LOGITS[0]]
    assert grads(loss, zs) == pytest.approx([s - (j == 1) for j, s in enumerate(softmax)], rel=1e-14)
    gradcheck(lambda a, b, c: cross_entropy([a, b, c], 2), LOGITS[1])


def test_cross_entropy_batch_averages_and_is_stable_for_huge_logits():
    rows = [values(r) for r in LOGITS]
    loss = cross_entropy(rows, CLASSES)
    singles = [math.log(sum(math.exp(z) for z in r)) - r[t] for r, t in zip(LOGITS, CLASSES)]
    assert loss.data == pytest.approx(sum(singles) / len(singles), rel=1e-14)
    big = cross_entropy(values([1000.0, 0.0]), 1)  # exp(1000) overflows; log-sum-exp does not
    assert big.data == pytest.approx(1000.0)


def test_binary_cross_entropy_value_and_gradient():
    ps = values(PROBS)
    loss = binary_cross_entropy(ps, LABELS01)
    n = len(PROBS)
    expected = -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in zip(PROBS, LABELS01)) / n
    assert loss.data == pytest.approx(expected, rel=1e-14)
    assert grads(loss, ps) == pytest.approx([(p - t) / (p * (1 - p)) / n for p, t in zip(PROBS, LABELS01)])
    gradcheck(lambda *ps: binary_cross_entropy(list(ps), LABELS01), PROBS)


def test_binary_cross_entropy_with_logits_equals_bce_of_sigmoid_and_is_stable():
    zs = values(PREDS)
    loss = binary_cross_entropy_with_logits(zs, LABELS01)
    by_formula = sum(math.log(1 + math.exp(z)) - t * z for z, t in zip(PREDS, LABELS01)) / len(PREDS)
    assert loss.data == pytest.approx(by_formula, rel=1e-14)
    via_sigmoid = binary_cross_entropy([Value(z).sigmoid() for z in PREDS], LABELS01)
    assert loss.data == pytest.approx(via_sigmoid.data, rel=1e-14)
    sig = [1 / (1 + math.exp(-z)) for z in PREDS]
    assert grads(loss, zs) == pytest.approx([(s - t) / len(PREDS) for s, t in zip(sig, LABELS01)], rel=1e-14)
    assert binary_cross_entropy_with_logits(Value(-800.0), 1.0).data == pytest.approx(800.0)
    gradcheck(lambda *zs: binary_cross_entropy_with_logits(list(zs), LABELS01), PREDS)


def test_hinge_loss_equals_micrograds_mean_of_relu_one_minus_y_s():
    ys = [1.0, -1.0, 1.0, -1.0, 1.0]
    ss = values(PREDS)
    loss = hinge_loss(ss, ys)
    ss2 = values(PREDS)
    fine = sum(((1 + -y * s).relu() for y, s in zip(ys, ss2)), Value(0.0)) * (1.0 / len(ys))
    assert loss.data == pytest.approx(fine.data, rel=1e-15)
    assert grads(loss, ss) == pytest.approx(grads(fine, ss2), rel=1e-15)
    # and the formula itself, not only the engine's fine-grained form of it (no margin is 0 here)
    margins = [1 - y * s for y, s in zip(ys, PREDS)]
    assert loss.data == pytest.approx(sum(max(0.0, m) for m in margins) / len(ys), rel=1e-15)
    assert [s.grad for s in ss] == [-y / len(ys) if m > 0 else 0.0 for y, m in zip(ys, margins)]


def test_l1_and_l2_penalty_gradients_are_lambda_sign_w_and_2_lambda_w():
    ws = values([0.5, -2.0, 0.0, 3.0])
    lam = 0.1
    loss = l1_penalty(ws, lam)
    assert loss.data == pytest.approx(lam * 5.5)
    assert grads(loss, ws) == [lam, -lam, 0.0, lam]
    ws = values([0.5, -2.0, 0.0, 3.0])
    loss = l2_penalty(ws, lam)
    assert loss.data == pytest.approx(lam * (0.25 + 4 + 9))
    assert grads(loss, ws) == [2 * lam * w for w in (0.5, -2.0, 0.0, 3.0)]


def test_losses_are_one_node_over_all_their_inputs():
    ps = values(PREDS)
    loss = mse_loss(ps, TARGETS)
    assert loss.op == "mse_loss" and list(loss.children) == ps


# ---------------------------------------------------------------- bad input


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="5 predictions but 2 targets"):
        mse_loss(values(PREDS), [1.0, 2.0])
    with pytest.raises(TypeError, match="must be Values"):
        mse_loss([1.0, 2.0], [1.0, 2.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="non-empty"):
        hinge_loss([], [])
    with pytest.raises(ValueError, match=r"class index in \[0, 3\)"):
        cross_entropy(values([1.0, 2.0, 3.0]), 3)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        binary_cross_entropy(Value(1.5), 1.0)


def test_hinge_loss_refuses_0_1_labels_and_says_how_to_sign_them():
    # a 0 label would make its term max(0, 1 - 0·s) = 1: constant, no gradient, silently useless
    with pytest.raises(ValueError, match=r"labels -1 or \+1, got 0;.*signed=True.*2 \* label - 1"):
        hinge_loss(values([0.3, -0.2]), [0, 1])
    with pytest.raises(ValueError, match=r"got 0\.5"):
        hinge_loss(Value(1.0), 0.5)
    assert hinge_loss(values([0.5, -2.0]), (1, -1.0)).data == 0.25  # ints or floats, ±1


@pytest.mark.parametrize(
    ("logits", "target", "error", "match"),
    [
        # a one-output model's scores: one-logit rows would give loss 0 and no gradient
        (
            lambda a, b: [a, b],
            [0, 0],
            ValueError,
            "row 0 is a single Value.*binary_cross_entropy_with_logits",
        ),
        (lambda a, b: [[a], [b]], [0, 0], ValueError, "row 0 has 1 logit.*at least 2"),
        (lambda a, b: [a], 0, ValueError, "logits has 1 logit"),
        (lambda a, b: a, 0, ValueError, "logits is a single Value"),
        (lambda a, b: [], [], ValueError, "empty batch"),
        (lambda a, b: [[a, b]], "0", TypeError, "class index .* got str"),
        (lambda a, b: [[a, b]], 0.0, TypeError, "class index .* got float"),
    ],
)
def test_cross_entropy_needs_rows_of_at_least_two_logits(logits, target, error, match):
    with pytest.raises(error, match=match):
        cross_entropy(logits(Value(1.0), Value(2.0)), target)


@pytest.mark.parametrize(
    "targets",
    [None, {1.0: 0, 2.0: 0}, {5.0, 1.0}, (t for t in [5.0, 1.0]), "12"],
    ids=["None", "dict", "set", "generator", "str"],
)
def test_targets_must_be_an_ordered_list(targets):
    # a set's order is arbitrary: pairing it with the predictions would be silently wrong
    with pytest.raises(TypeError, match=r"targets must be a list \(or tuple, or array\).*one per"):
        mse_loss(values([1.0, 2.0]), targets)


def test_targets_may_be_any_ordered_collection_numpy_included():
    np = pytest.importorskip("numpy")
    preds = values([1.0, 2.0])
    expected = mse_loss(preds, [1.5, 1.0]).data
    assert mse_loss(preds, (1.5, 1.0)).data == expected
    assert mse_loss(preds, np.array([1.5, 1.0])).data == expected
    assert mse_loss(Value(1.0), np.float32(2.0)).data == 1.0
    assert hinge_loss(preds, np.array([1, -1])).data == pytest.approx(1.5)
    z = values([1.0, 2.0, 0.5])
    assert cross_entropy([z], np.array([1])).data == cross_entropy(z, np.int64(1)).data


def test_penalties_need_the_parameters_and_a_nonnegative_lambda():
    from microgrand.nn import MLP

    model = MLP(2, [3, 1], seed=0)
    for penalty in (l1_penalty, l2_penalty):
        with pytest.raises(TypeError, match=r"pass model.parameters\(\) \(got the MLP itself\)"):
            penalty(model)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match=r"lam .* must be a finite number >= 0, got -0.1"):
            penalty(model.parameters(), -0.1)
        with pytest.raises(ValueError, match="got nan"):
            penalty(model.parameters(), math.nan)
        with pytest.raises(TypeError, match="real number"):
            penalty(model.parameters(), "0.1")  # type: ignore[arg-type]
    assert l2_penalty(p for p in values([1.0, 2.0])).data == 5.0  # any iterable of Values


def test_bce_target_gradient_uses_the_clamped_logs_at_0_and_1():
    # documented difference from PyTorch (±inf there): log 0 is clamped at -100, so ∂L/∂t = ±100/n
    ps, ts = values([0.0, 1.0]), values([0.0, 1.0])
    loss = binary_cross_entropy(ps, ts)
    loss.backward()
    assert loss.data == 0.0 and [t.grad for t in ts] == [100.0 / 2, -100.0 / 2]


# ---------------------------------------------------------------- PyTorch parity


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def t64(torch, xs):
    return torch.tensor(xs, dtype=torch.float64, requires_grad=True)


def test_mse_loss_matches_pytorch(torch):
    ps, tp = values(PREDS), t64(torch, PREDS)
    loss, ref = (
        mse_loss(ps, TARGETS),
        torch.nn.functional.mse_loss(tp, torch.tensor(TARGETS, dtype=torch.float64)),
    )
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-14)
    assert grads(loss, ps) == pytest.approx(tp.grad.tolist(), rel=1e-14)


def test_cross_entropy_matches_pytorch_single_and_batch(torch):
    rows = [values(r) for r in LOGITS]
    loss = cross_entropy(rows, CLASSES)
    tz = t64(torch, LOGITS)
    ref = torch.nn.functional.cross_entropy(tz, torch.tensor(CLASSES))
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-14)
    flat = [v for r in rows for v in r]
    assert grads(loss, flat) == pytest.approx([g for r in tz.grad.tolist() for g in r], rel=1e-12, abs=1e-15)
    zs, tz1 = values(LOGITS[1]), t64(torch, LOGITS[1])
    one, ref1 = cross_entropy(zs, 2), torch.nn.functional.cross_entropy(tz1, torch.tensor(2))
    ref1.backward()
    assert one.data == pytest.approx(ref1.item(), rel=1e-14)
    assert grads(one, zs) == pytest.approx(tz1.grad.tolist(), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("probs", [PROBS, [0.0, 1.0, 1.0, 0.0, 1e-300]])
def test_binary_cross_entropy_matches_pytorch_including_clamped_logs(torch, probs):
    ps, tp = values(probs), t64(torch, probs)
    labels = [1.0, 0.0, 1.0, 0.0, 1.0]
    loss = binary_cross_entropy(ps, labels)
    ref = torch.nn.functional.binary_cross_entropy(tp, torch.tensor(labels, dtype=torch.float64))
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-14)
    assert grads(loss, ps) == pytest.approx(tp.grad.tolist(), rel=1e-12)


def test_binary_cross_entropy_with_logits_matches_pytorch(torch):
    logits = [*PREDS, 40.0, -40.0, 750.0]
    labels = [*LABELS01, 0.0, 1.0, 0.0]
    zs, tz = values(logits), t64(torch, logits)
    loss = binary_cross_entropy_with_logits(zs, labels)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(tz, torch.tensor(labels, dtype=torch.float64))
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-14)
    assert grads(loss, zs) == pytest.approx(tz.grad.tolist(), rel=1e-12)


def test_one_samples_logits_with_a_list_of_one_target_says_to_pass_an_int():
    with pytest.raises(
        ValueError, match=r"for one sample pass the target as an int, e.g. cross_entropy\(logits, 0\)"
    ):
        cross_entropy(values([1.0, 2.0]), [0])


def test_hinge_loss_of_nan_is_nan() -> None:
    assert math.isnan(losses.hinge_loss([Value(nan)], [1]).data)


def test_cross_entropy_keeps_the_small_term_beside_huge_logits() -> None:
    assert losses.cross_entropy([Value(1e17), Value(1e17)], 0).data == pytest.approx(math.log(2), rel=1e-15)


def test_binary_cross_entropy_of_a_tiny_probability_uses_log1p() -> None:
    assert losses.binary_cross_entropy([Value(1e-20)], [0]).data == pytest.approx(1e-20, rel=1e-12)


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
