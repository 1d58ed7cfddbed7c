"""Loss functions and weight penalties, each one graph node with many inputs.

Each function computes its value and, right beside it, the local derivative
with respect to every input, then builds ONE node with `Value.from_op`. So its
gradient flows through `backward()` like any op's, and a loss over a batch of
100 predictions is one node, not hundreds.

Names, arguments and the ``'mean'`` reduction follow ``torch.nn.functional``.
Predictions are Values; targets are plain numbers (labels, class indices) or
Values (then they get gradients too).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from .checks import as_float, is_number, is_ordered, is_whole_number, nonnegative_float
from .engine import Value, value_list
from .floats import sigmoid

Target = Value | int | float


def _targets(ts: Target | Sequence[Target], n: int, what: str) -> list[Target]:
    """The targets as a list, one per prediction (a single target for a single prediction)."""
    if isinstance(ts, Value) or is_number(ts):  # one target
        ts_list: list[Target] = [ts]
    elif is_ordered(ts):
        ts_list = list(ts)  # type: ignore[arg-type]  # a list, a tuple, a numpy array, ...
    else:  # a set or dict has no order to pair with the predictions; an iterator is used up once
        raise TypeError(
            f"{what} targets must be a list (or tuple, or array) of numbers or Values, one per "
            f"prediction, got {type(ts).__name__}: {ts!r}; convert it with list(...) if its order is right"
        )
    if len(ts_list) != n:
        raise ValueError(f"{what}: {n} predictions but {len(ts_list)} targets")
    return ts_list


def _data_of(t: Target, what: str) -> float:
    return t.data if isinstance(t, Value) else as_float(t, what)


def _loss_node(
    data: float,
    op: str,
    inputs: list[Value],
    grads: list[float],
    targets: list[Target],
    target_grads: list[float],
) -> Value:
    """The loss node: predictions' local derivatives, plus those of targets that are Values."""
    for t, g in zip(targets, target_grads):
        if isinstance(t, Value):
            inputs.append(t)
            grads.append(g)
    return Value.from_op(data, op, inputs, grads)


def mse_loss(preds: Value | Sequence[Value], targets: Target | Sequence[Target]) -> Value:
    """Mean squared error, as ``F.mse_loss``:  L = (1/n)·Σ(pᵢ - tᵢ)²

    ∂L/∂pᵢ = 2(pᵢ - tᵢ)/n,   ∂L/∂tᵢ = -2(pᵢ - tᵢ)/n
    """
    ps = value_list(preds, "mse_loss preds", one=True, ordered=True)
    ts = _targets(targets, len(ps), "mse_loss")
    n = len(ps)
    diffs = [p.data - _data_of(t, "mse_loss target") for p, t in zip(ps, ts)]
    loss = sum(d * d for d in diffs) / n
    grads = [d * (2.0 / n) for d in diffs]  # (2d/n would overflow where d does not)
    return _loss_node(loss, "mse_loss", ps, grads, ts, [-g for g in grads])


def _log_softmax_at(z: list[float], target: int) -> tuple[float, list[float]]:
    """-log softmax(z)[target] and its gradient softmax(z) - onehot(target), stably: with
    m = max z, log Σⱼ e^zⱼ = m + log Σⱼ e^(zⱼ - m), so no exp overflows, and the loss is
    (m - z_t) + log Σⱼ e^(zⱼ - m), so a small log Σ is not lost beside a large m."""
    m = max(z)
    if not math.isfinite(m):  # a +inf logit (inf - inf), or all -inf: nan, as PyTorch's log_softmax
        return math.nan, [math.nan] * len(z)
    exps = [math.exp(zj - m) for zj in z]
    total = sum(exps)
    loss = (m - z[target]) + math.log(total)
    grads = [e / total for e in exps]
    grads[target] -= 1.0
    return loss, grads


def _class_index(t: object, nclasses: int) -> int:
    if not is_whole_number(t):
        raise TypeError(
            f"cross_entropy target must be a class index (a whole number), got {type(t).__name__}: {t!r}"
        )
    if not 0 <= int(t) < nclasses:
        raise ValueError(f"cross_entropy target must be a class index in [0, {nclasses}), got {t!r}")
    return int(t)


def _logit_row(row: object, where: str) -> list[Value]:
    """One sample's logits: a list of at least 2 Values, one per class."""
    if isinstance(row, Value) or (isinstance(row, Sequence) and len(row) < 2):
        n = "is a single Value" if isinstance(row, Value) else f"has {len(row)} logit"
        raise ValueError(
            f"cross_entropy {where} {n}; it needs one logit per class (at least 2). "
            f"For a model with one output use binary_cross_entropy_with_logits (or hinge_loss)"
        )
    return value_list(row, f"cross_entropy {where}", ordered=True)


def _batch(logits: Any, target: Any) -> tuple[list[list[Value]], list[Any]]:
    """cross_entropy's arguments as rows of logits and their classes: one sample (a list of
    logits and an int) or a batch (a list of such lists and a list of ints)."""
    if is_whole_number(target):  # one sample's class
        return [_logit_row(logits, "logits")], [target]
    if not is_ordered(target):
        raise TypeError(
            f"cross_entropy target must be a class index (int) or a list of them, "
            f"got {type(target).__name__}: {target!r}"
        )
    target = list(target)
    if isinstance(logits, (Value, str)) or not isinstance(logits, Sequence):
        raise TypeError(
            f"cross_entropy with a list of targets needs a list of logit rows "
            f"(one list per sample), got {type(logits).__name__}"
        )
    if len(logits) == 0 or len(target) == 0:
        raise ValueError(f"cross_entropy got an empty batch: {len(logits)} rows, {len(target)} targets")
    if len(target) == 1 and len(logits) >= 2 and all(isinstance(z, Value) for z in logits):
        raise ValueError(
            f"cross_entropy got one sample's logits with a list of targets {target!r}: with a list of "
            f"targets the logits must be a list of rows, one per sample; for one sample pass the "
            f"target as an int, e.g. cross_entropy(logits, 0)"
        )
    if len(logits) != len(target):
        raise ValueError(f"cross_entropy: {len(logits)} rows of logits but {len(target)} targets")
    return [_logit_row(row, f"row {i}") for i, row in enumerate(logits)], target


def cross_entropy(logits: Sequence[Value] | Sequence[Sequence[Value]], target: int | Sequence[int]) -> Value:
    """Softmax cross-entropy from raw scores (logits) and a class index, as ``F.cross_entropy``.

    One sample: L = -log softmax(z)[t] = log Σⱼ e^zⱼ - z_t;   ∂L/∂zⱼ = softmax(z)ⱼ - [j = t]

    One sample is a list of logits (at least 2, one per class) and an int. A
    batch (a list of such lists, and a list of class indices) averages over
    the samples, each derivative divided by the batch size.
    """
    rows, classes = _batch(logits, target)
    n = len(rows)
    inputs: list[Value] = []
    grads: list[float] = []
    total = 0.0
    for zs, t in zip(rows, classes):
        loss, g = _log_softmax_at([z.data for z in zs], _class_index(t, len(zs)))
        total += loss
        inputs += zs
        grads += [gj / n for gj in g]
    return Value.from_op(total / n, "cross_entropy", inputs, grads)


_BCE_EPS = 9.999999960041972e-13  # PyTorch's 1e-12, which it stores as a float32


def binary_cross_entropy(probs: Value | Sequence[Value], targets: Target | Sequence[Target]) -> Value:
    """Binary cross-entropy of probabilities p in [0, 1], as ``F.binary_cross_entropy``:

    L = -(1/n)·Σ [tᵢ·log pᵢ + (1 - tᵢ)·log(1 - pᵢ)]
    ∂L/∂pᵢ = (pᵢ - tᵢ) / (pᵢ(1 - pᵢ)) / n,   ∂L/∂tᵢ = (log(1 - pᵢ) - log pᵢ) / n

    As PyTorch, each log is clamped at -100 (so p = 0 or 1 gives a finite
    loss) and the denominator p(1 - p) at 1e-12. Where PyTorch differs: ∂L/∂tᵢ
    here uses the clamped logs too, so at p = 0 or 1 it is ±100/n, where
    PyTorch's is ±inf (it matters only for targets that are Values to learn;
    targets are usually constant labels).
    """
    ps = value_list(probs, "binary_cross_entropy probs", one=True, ordered=True)
    ts = _targets(targets, len(ps), "binary_cross_entropy")
    n = len(ps)
    loss = 0.0
    grads, target_grads = [], []
    for p, t in zip(ps, ts):
        pd, td = p.data, _data_of(t, "binary_cross_entropy target")
        if not 0.0 <= pd <= 1.0:
            raise ValueError(
                f"binary_cross_entropy needs probabilities in [0, 1], got {pd!r}; "
                f"for raw scores use binary_cross_entropy_with_logits"
            )
        if not 0.0 <= td <= 1.0:  # as PyTorch: a target is a probability (a label 0 or 1, usually)
            raise ValueError(f"binary_cross_entropy needs targets in [0, 1] (labels 0 or 1), got {td!r}")
        log_p = max(math.log(pd), -100.0) if pd > 0.0 else -100.0
        log_1mp = max(math.log1p(-pd), -100.0) if pd < 1.0 else -100.0  # log(1 - p), exact for tiny p
        loss -= td * log_p + (1.0 - td) * log_1mp
        grads.append((pd - td) / max(pd * (1.0 - pd), _BCE_EPS) / n)
        target_grads.append(_log_odds_against(pd, log_p, log_1mp) / n)
    return _loss_node(loss / n, "binary_cross_entropy", ps, grads, ts, target_grads)


def _log_odds_against(p: float, log_p: float, log_1mp: float) -> float:
    """log((1-p)/p) = log(1-p) - log p, without the cancellation of two close logs (p ≈ 1/2):
    log1p((1-2p)/p) for p <= 1/2, -log1p((2p-1)/(1-p)) above (1-2p, 2p-1 and 1-p are exact there).
    Where a log was clamped at -100 (p = 0 or 1, as PyTorch), the difference of the clamped logs."""
    if log_p == -100.0 or log_1mp == -100.0:
        return log_1mp - log_p
    return math.log1p((1.0 - 2.0 * p) / p) if p <= 0.5 else -math.log1p((2.0 * p - 1.0) / (1.0 - p))


def binary_cross_entropy_with_logits(
    logits: Value | Sequence[Value], targets: Target | Sequence[Target]
) -> Value:
    """Binary cross-entropy of σ(z) from raw scores z, as ``F.binary_cross_entropy_with_logits``:

    L = (1/n)·Σ [log(1 + e^zᵢ) - tᵢ·zᵢ],  computed as (1 - t)·z + max(-z, 0) + log(1 + e^-|z|)
    ∂L/∂zᵢ = (σ(zᵢ) - tᵢ)/n,   ∂L/∂tᵢ = -zᵢ/n

    Stable for any z (sigmoid then log would give log 0 for large |z|).
    """
    zs = value_list(logits, "binary_cross_entropy_with_logits logits", one=True, ordered=True)
    ts = _targets(targets, len(zs), "binary_cross_entropy_with_logits")
    n = len(zs)
    loss = 0.0
    grads = []
    for z, t in zip(zs, ts):
        zd, td = z.data, _data_of(t, "binary_cross_entropy_with_logits target")
        loss += (1.0 - td) * zd + max(-zd, 0.0) + math.log1p(math.exp(-abs(zd)))  # PyTorch's order
        grads.append((sigmoid(zd) - td) / n)  # ∂L/∂z = (σ(z) - t)/n
    return _loss_node(loss / n, "bce_with_logits", zs, grads, ts, [-z.data / n for z in zs])


def hinge_loss(scores: Value | Sequence[Value], targets: Target | Sequence[Target]) -> Value:
    """Mean max-margin (hinge) loss for labels ±1, micrograd's demo loss:

    L = (1/n)·Σ max(0, 1 - yᵢ·sᵢ);   ∂L/∂sᵢ = -yᵢ/n where 1 - yᵢsᵢ >= 0, else 0

    (The same as ``relu(1 - y*s)`` averaged; at exactly 0 it takes the
    active branch, as the engine's relu does.) Targets are plain numbers, each
    -1 or +1: a label 0 would make its term a constant 1 with no gradient.
    """
    ss = value_list(scores, "hinge_loss scores", one=True, ordered=True)
    labels = _targets(targets, len(ss), "hinge_loss")
    ys = [as_float(y, "hinge_loss target") for y in labels]
    for label, y in zip(labels, ys):
        if y != 1.0 and y != -1.0:
            raise ValueError(
                f"hinge_loss needs labels -1 or +1, got {label!r}; for 0/1 labels make the data with "
                f"signed=True (make_moons(..., signed=True)) or convert them: [2 * label - 1 for label in y]"
            )
    n = len(ss)
    total = 0.0
    grads = []
    for s, y in zip(ss, ys):
        margin = 1.0 - y * s.data
        if margin < 0.0:  # beyond the margin: no loss, no gradient
            grads.append(0.0)
        else:  # margin >= 0, or nan (which stays nan, as in PyTorch)
            total += margin
            grads.append(-y / n)
    return Value.from_op(total / n, "hinge_loss", ss, grads)


def l1_penalty(params: Iterable[Value], lam: float = 1.0) -> Value:
    """L1 penalty (lasso): λ·Σ|wᵢ|;   ∂/∂wᵢ = λ·sign(wᵢ)   (0 at wᵢ = 0, as abs).  λ >= 0."""
    ws = value_list(params, "l1_penalty params")
    lam = nonnegative_float("l1_penalty lam (the penalty's strength λ)", lam)
    data = [w.data for w in ws]
    grads = [lam if x > 0.0 else (-lam if x < 0.0 else 0.0) for x in data]
    return Value.from_op(lam * sum(map(abs, data)), "l1_penalty", ws, grads)


def l2_penalty(params: Iterable[Value], lam: float = 1.0) -> Value:
    """L2 penalty (ridge, weight decay): λ·Σwᵢ²;   ∂/∂wᵢ = 2λ·wᵢ.  λ >= 0."""
    ws = value_list(params, "l2_penalty params")
    lam = nonnegative_float("l2_penalty lam (the penalty's strength λ)", lam)
    data = [w.data for w in ws]
    two_lam = 2.0 * lam
    return Value.from_op(lam * sum(x * x for x in data), "l2_penalty", ws, [two_lam * x for x in data])
