"""microgrand.train: EarlyStopping, fit and accuracy."""

from __future__ import annotations

import math

import pytest

from microgrand import Value
from microgrand.data import make_blobs, make_moons, make_xor, train_val_split
from microgrand.losses import cross_entropy, hinge_loss, l2_penalty, mse_loss
from microgrand.nn import MLP, Dropout, Layer, Linear, Module
from microgrand.optim import SGD, Adam
from microgrand.train import EarlyStopping, TrainingDiverged, fit
from microgrand.train import accuracy as accuracy_of


def test_early_stopping_stops_after_patience_epochs_without_improvement():
    stopper = EarlyStopping(patience=3)
    losses = [1.0, 0.8, 0.7, 0.75, 0.71, 0.9, 0.5]
    stopped = [stopper.step(loss) for loss in losses[:6]]
    assert stopped == [False, False, False, False, False, True]  # best at epoch 3, stop at 3 + 3
    assert (stopper.best_epoch, stopper.best_loss) == (3, 0.7)


def test_early_stopping_min_delta_counts_small_gains_as_no_improvement():
    stopper = EarlyStopping(patience=2, min_delta=0.05)
    assert [stopper.step(x) for x in (1.0, 0.97, 0.96)] == [False, False, True]
    assert stopper.best_epoch == 1


def test_early_stopping_restores_the_best_weights():
    model = Linear(2, 1, seed=0)
    stopper = EarlyStopping(patience=1)
    stopper.step(0.5, model)
    best = model.state_dict()
    for p in model.parameters():
        p.data += 1.0
    assert stopper.step(0.9, model)
    stopper.restore(model)
    assert model.state_dict() == best
    # restore_best=False: an improving epoch saves nothing, so restore() changes nothing
    keeper = EarlyStopping(patience=1, restore_best=False)
    assert not keeper.step(0.5, model)  # the best loss so far: a restoring stopper would save here
    assert keeper.best_state is None and keeper.best_epoch == 1
    for p in model.parameters():
        p.data += 1.0
    moved = model.state_dict()
    keeper.restore(model)
    assert model.state_dict() == moved != best


def test_early_stopping_rejects_bad_patience():
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)


def test_fit_classifies_xor_4_of_4():
    X, y = make_xor(signed=True)
    model = MLP(2, [8, 1], seed=0)
    history = fit(
        model,
        X,
        y,
        loss_fn=hinge_loss,
        optimizer=SGD(model.parameters(), 0.1, momentum=0.9),
        epochs=50,
        quiet=True,
    )
    assert accuracy_of(model, X, y) == 1.0
    assert history.epochs == 50 and history.train_loss[-1] < history.train_loss[0]


def test_fit_two_moons_reaches_95_percent_training_accuracy():
    X, y = make_moons(100, seed=0, signed=True)
    model = MLP(2, [16, 16, 1], seed=0)
    fit(
        model,
        X,
        y,
        loss_fn=hinge_loss,
        optimizer=SGD(model.parameters(), 0.1, momentum=0.9),
        penalty=lambda ps: l2_penalty(ps, 1e-4),
        epochs=60,
        quiet=True,
    )
    assert accuracy_of(model, X, y) >= 0.95


def test_fit_with_validation_stops_early_and_restores_the_best_weights():
    X, y = make_moons(60, noise=0.2, seed=1, signed=True)
    train_set, val = train_val_split(X, y, 0.3, seed=0)
    model = MLP(2, [8, 1], seed=2)
    stopper = EarlyStopping(patience=5)
    lines: list[str] = []
    history = fit(
        model,
        *train_set,
        loss_fn=hinge_loss,
        optimizer=SGD(model.parameters(), 0.5, momentum=0.9),
        val=val,
        early_stopping=stopper,
        epochs=300,
        log=lines.append,
    )
    assert history.stopped_early and history.epochs < 300
    assert history.epochs == stopper.best_epoch + 5 == history.best_epoch + 5
    assert min(history.val_loss) == history.val_loss[history.best_epoch - 1] == stopper.best_loss
    assert model.state_dict() == stopper.best_state
    assert hinge_loss([model(x) for x in val[0]], val[1]).data == pytest.approx(stopper.best_loss)
    assert len(lines) == history.epochs + 1 and "val loss" in lines[0] and lines[-1].startswith("early stop")


def test_fit_mini_batches_multiclass_with_adam():
    X, y = make_blobs(60, centers=3, std=0.4, seed=0)
    model = MLP(2, [8, 3], seed=0)
    history = fit(
        model,
        X,
        y,
        loss_fn=cross_entropy,
        optimizer=Adam(model.parameters(), lr=0.05),
        batch_size=16,
        epochs=15,
        quiet=True,
        seed=0,
    )
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert accuracy_of(model, X, y) >= 0.95


def test_fit_quiet_prints_nothing_and_bad_arguments_are_errors():
    model = Linear(1, 1, seed=0)
    lines: list[str] = []
    fit(
        model,
        [[1.0], [2.0]],
        [2.0, 4.0],
        loss_fn=mse_loss,
        optimizer=SGD(model.parameters(), 0.05),
        epochs=3,
        quiet=True,
        log=lines.append,
    )
    assert lines == []
    with pytest.raises(ValueError, match="epochs"):
        fit(model, [[1.0]], [1.0], loss_fn=mse_loss, optimizer=SGD(model.parameters(), 0.1), epochs=0)
    with pytest.raises(ValueError, match="same length"):
        fit(model, [[1.0]], [1.0, 2.0], loss_fn=mse_loss, optimizer=SGD(model.parameters(), 0.1))


def test_accuracy_binary_by_sign_and_multiclass_by_argmax():
    def binary(x):
        return Value(x[0])

    assert accuracy_of(binary, [[1.0], [-2.0], [3.0], [-0.5]], [1, -1, -1, 0]) == 0.75

    def multi(x):
        return [Value(v) for v in x]

    assert accuracy_of(multi, [[0.1, 0.9, 0.0], [2.0, 1.0, 0.0]], [1, 2]) == 0.5


class RecordingStopper(EarlyStopping):
    """EarlyStopping that keeps every loss it was given (what fit watched)."""

    def __init__(self, patience: int) -> None:
        super().__init__(patience=patience)
        self.watched: list[float] = []

    def step(self, loss, model=None):
        self.watched.append(loss)
        return super().step(loss, model)


def test_early_stopping_without_validation_restores_the_weights_of_the_best_watched_loss():
    X, y = make_moons(40, noise=0.2, seed=1, signed=True)
    model = MLP(2, [8, 1], seed=0)
    stopper = RecordingStopper(patience=3)
    lines: list[str] = []
    history = fit(
        model,
        X,
        y,
        loss_fn=hinge_loss,
        optimizer=SGD(model.parameters(), lr=1.5),
        epochs=60,
        early_stopping=stopper,
        log=lines.append,
    )
    assert history.stopped_early and history.best_epoch < history.epochs
    assert stopper.best_loss == min(stopper.watched) == stopper.watched[history.best_epoch - 1]
    # the restored weights are the ones whose loss was the best: measured again, it is that loss
    assert hinge_loss([model(x) for x in X], y).data == stopper.best_loss
    assert "end-of-epoch train loss" in lines[0] and history.val_loss == []
    # History keeps what was watched, so a plot of it shows the best epoch at its minimum
    assert history.watched_loss == stopper.watched
    assert history.watched_loss.index(min(history.watched_loss)) + 1 == history.best_epoch


class DropoutNet(Module):
    def __init__(self) -> None:
        self.hidden = Layer(2, 16, "relu", seed=0)
        self.dropout = Dropout(0.5, seed=1)
        self.out = Layer(16, 1, "linear", seed=2)

    def __call__(self, x):
        return self.out(self.dropout(self.hidden(x)))


def test_accuracy_evaluates_a_dropout_model_in_eval_mode_and_restores_its_mode():
    X, y = make_moons(60, seed=0, signed=True)
    model = DropoutNet()
    fit(
        model,
        X,
        y,
        loss_fn=hinge_loss,
        optimizer=SGD(model.parameters(), 0.1, momentum=0.9),
        epochs=20,
        quiet=True,
    )
    assert model.training  # fit leaves the model in training mode, as a PyTorch loop does
    model.eval()
    by_hand = sum((model(x).data > 0.0) == (label > 0) for x, label in zip(X, y)) / len(X)
    model.train()
    assert [accuracy_of(model, X, y) for _ in range(3)] == [by_hand] * 3  # no dropout noise
    assert model.training and model.dropout.training  # put back in the mode it was in
    model.eval()
    assert accuracy_of(model, X, y) == by_hand and not model.training


def test_accuracy_threshold_for_probabilities():
    def probability(x):
        return Value(x[0]).sigmoid()

    X, y = [[2.0], [-2.0], [0.5], [-0.5]], [1, 0, 0, 0]
    assert accuracy_of(probability, X, y, threshold=0.5) == 0.75  # σ(0.5) > 0.5 is the one wrong
    assert accuracy_of(probability, X, y) == 0.25  # a probability is always > 0: all "positive"
    with pytest.raises(TypeError, match="threshold needs a real number"):
        accuracy_of(probability, X, y, threshold="0.5")


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: EarlyStopping(1, min_delta="0"), TypeError, "min_delta needs a real number"),
        (
            lambda: EarlyStopping(1, min_delta=-1),
            ValueError,
            r"min_delta must be a finite number >= 0, got -1\.0",
        ),
        (lambda: EarlyStopping(2.5), TypeError, r"patience .* whole number .* got float: 2\.5"),
        (lambda: EarlyStopping(True), TypeError, "patience .* got bool"),
    ],
)
def test_early_stopping_arguments_are_checked(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_fit_checks_batch_size_epochs_and_seed():
    model = Linear(1, 1, seed=0)
    kwargs = {"loss_fn": mse_loss, "optimizer": SGD(model.parameters(), 0.1), "quiet": True}
    with pytest.raises(ValueError, match=r"batch_size .* >= 1, got 0"):
        fit(model, [[1.0]], [1.0], batch_size=0, **kwargs)
    with pytest.raises(TypeError, match=r"epochs must be a whole number .* got float: 10\.0"):
        fit(model, [[1.0]], [1.0], epochs=10.0, **kwargs)
    with pytest.raises(TypeError, match="seed must be an int"):
        fit(model, [[1.0]], [1.0], seed="0", **kwargs)


def test_numpy_arrays_work_wherever_lists_of_numbers_do() -> None:
    np = pytest.importorskip("numpy")
    X, y = make_moons(60, noise=0.1, seed=0, signed=True)
    Xn, yn = np.array(X), np.array(y)
    lists, arrays = MLP(2, [8, 1], seed=0), MLP(2, [8, 1], seed=0)
    assert arrays(Xn[0]).data == lists(X[0]).data  # a numpy row is a list of numbers
    kwargs = {"loss_fn": hinge_loss, "epochs": 3, "quiet": True, "batch_size": 16}
    h1 = fit(lists, X, y, optimizer=SGD(lists.parameters(), lr=0.05), val=(X[:10], y[:10]), **kwargs)
    h2 = fit(arrays, Xn, yn, optimizer=SGD(arrays.parameters(), lr=0.05), val=(Xn[:10], yn[:10]), **kwargs)
    assert h1.train_loss == h2.train_loss and h1.val_loss == h2.val_loss
    assert accuracy_of(arrays, Xn, yn) == accuracy_of(lists, X, y)
    with pytest.raises(TypeError, match="real number"):
        arrays(Xn[:2])  # a 2-D array is not one sample


# ---------------------------------------------------------------- issue 17: no silent wrong results


def _moons():
    return make_moons(40, noise=0.1, seed=0, signed=True)


def test_a_reused_early_stopping_starts_afresh_for_each_run():
    """A second fit with the same stopper must not hand model b model a's weights and best epoch."""
    X, y = _moons()
    stopper = EarlyStopping(patience=3)
    a, b = MLP(2, [8, 1], seed=0), MLP(2, [8, 1], seed=1)
    for model, epochs in ((a, 10), (b, 1)):
        fit(model, X, y, loss_fn=hinge_loss, optimizer=SGD(model.parameters(), 0.05), epochs=epochs,
            early_stopping=stopper, quiet=True)  # fmt: skip
    b_trained = b.state_dict()
    assert stopper.best_epoch == stopper.epoch == 1 and b_trained != a.state_dict()
    fresh = MLP(2, [8, 1], seed=1)  # b's run again, with a new stopper: the same weights
    fit(fresh, X, y, loss_fn=hinge_loss, optimizer=SGD(fresh.parameters(), 0.05), epochs=1,
        early_stopping=EarlyStopping(patience=3), quiet=True)  # fmt: skip
    assert fresh.state_dict() == b_trained


def _diverge(model, batch_size, val=None, lr=1e10, **kw):
    X, y = _moons()
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
    with pytest.raises(TrainingDiverged) as caught:
        fit(model, X, y, loss_fn=hinge_loss, optimizer=optimizer, epochs=30, batch_size=batch_size,
            val=val, quiet=True, **kw)  # fmt: skip
    return X, y, optimizer, str(caught.value)


@pytest.mark.parametrize("batch_size", [None, 1, 7])
@pytest.mark.parametrize("with_val", [False, True])
def test_after_a_divergence_the_model_really_has_finite_weights_and_losses(batch_size, with_val):
    X, y = _moons()
    val = (X[:10], y[:10]) if with_val else None
    model = MLP(2, [8, 1], seed=0)
    _, _, _, message = _diverge(model, batch_size, val)
    assert model.training  # left in training mode, as fit always leaves it
    assert all(math.isfinite(p.data) for p in model.parameters())
    model.eval()  # evaluated as a user would: the loss on the data, and the scores
    assert math.isfinite(hinge_loss([model(x) for x in X], y).data)
    assert all(math.isfinite(model(x).data) for x in X)
    assert "the latest whose losses are finite" in message


def test_a_divergence_from_the_first_weights_says_to_look_at_the_data():
    X, y = _moons()
    X = [*X[:-1], [math.nan, 0.0]]
    model = MLP(2, [8, 1], seed=0)
    start = model.state_dict()
    with pytest.raises(TrainingDiverged, match="Even the weights it started with"):
        fit(model, X, y, loss_fn=hinge_loss, optimizer=SGD(model.parameters(), 0.1), epochs=3, quiet=True)
    assert model.state_dict() == start


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=1e10, momentum=0.9), lambda ps: Adam(ps, lr=1e300)])
def test_after_a_divergence_the_same_optimizer_resumes_with_a_smaller_lr(make):
    X, y = _moons()
    model = MLP(2, [8, 1], seed=0)
    optimizer = make(model.parameters())
    with pytest.raises(TrainingDiverged) as caught:
        fit(model, X, y, loss_fn=hinge_loss, optimizer=optimizer, epochs=30, quiet=True)
    retry = MLP(2, [8, 1], seed=0)
    for p, q in zip(model.parameters(), retry.parameters()):  # fresh weights, in the same Values
        p.data = q.data
    optimizer.lr = 1e-3
    history = fit(model, X, y, loss_fn=hinge_loss, optimizer=optimizer, epochs=20, quiet=True)
    twin = MLP(2, [8, 1], seed=0)  # the same run with a brand-new optimizer
    twin_history = fit(twin, X, y, loss_fn=hinge_loss, optimizer=make(twin.parameters()).__class__(
        twin.parameters(), lr=1e-3, **({"momentum": 0.9} if isinstance(optimizer, SGD) else {})),
        epochs=20, quiet=True)  # fmt: skip
    assert history.train_loss == twin_history.train_loss
    assert max(history.train_loss) < 10.0
    assert "momentum is reset" in str(caught.value)


@pytest.mark.parametrize(
    ("with_val", "says"), [(False, "after the last step"), (True, "the validation loss")]
)
def test_a_divergence_on_the_last_step_is_caught(with_val, says):
    """The weights after the last step were never used in a forward pass (without `val`): now they are
    checked on the training data."""
    X, y = make_xor(signed=True)
    model = MLP(2, [8, 1], seed=0)
    with pytest.raises(TrainingDiverged, match=f"epoch 1: {says}"):
        fit(model, X, y, loss_fn=hinge_loss, optimizer=SGD(model.parameters(), lr=1e300, momentum=0.9),
            epochs=1, val=(X, y) if with_val else None, quiet=True)  # fmt: skip
    assert all(math.isfinite(model(x).data) for x in X)


def test_a_weight_run_off_to_minus_infinity_behind_a_relu_is_caught():
    """A finite loss can hide a weight of -inf (a dead ReLU outputs 0): the weights are checked too."""
    model = Linear(1, 1, seed=0)
    model.neurons[0].w[0].data, model.neurons[0].b.data = -math.inf, 0.0
    relu_model = _ReluOf(model)
    with pytest.raises(TrainingDiverged, match="a weight is -inf"):
        fit(relu_model, [[1.0], [2.0]], [0.0, 0.0], loss_fn=mse_loss,
            optimizer=SGD(relu_model.parameters(), 0.1), epochs=2, quiet=True)  # fmt: skip


class _ReluOf(Module):
    def __init__(self, inner):
        self.inner = inner

    def __call__(self, x):
        return self.inner(x).relu()


def test_accuracy_never_counts_a_nan_output_as_right():
    assert accuracy_of(lambda x: Value(math.nan), [[0.0]] * 4, [1, -1, -1, 0]) == 0.0
    assert accuracy_of(lambda x: [Value(math.nan)] * 3, [[0.0]] * 3, [0, 1, 2]) == 0.0
    assert accuracy_of(lambda x: [Value(1.0), Value(math.nan)], [[0.0]], [0]) == 0.0
    assert accuracy_of(lambda x: Value(x[0]), [[math.nan], [1.0]], [1, 1]) == 0.5


def test_fit_refuses_an_optimizer_over_none_of_the_models_parameters():
    X, y = make_xor(signed=True)
    model, other = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=1)
    with pytest.raises(ValueError, match="updates none of the model's parameters"):
        fit(model, X, y, loss_fn=hinge_loss, optimizer=SGD(other.parameters(), 0.1), epochs=1, quiet=True)
    last_layer = model.layers[-1].parameters()  # a subset: fine-tuning, still legal
    before = model.layers[0].parameters()[0].data
    history = fit(model, X, y, loss_fn=hinge_loss, optimizer=SGD(last_layer, 0.1), epochs=5, quiet=True)
    assert history.train_loss[-1] < history.train_loss[0] and model.layers[0].parameters()[0].data == before


@pytest.mark.parametrize(
    "val, error, match",
    [
        (([[1.0, 0.0]], [1.0, -1.0]), ValueError, r"val: X and y must be non-empty and of the same length"),
        (([], []), ValueError, r"val: X and y must be non-empty"),
        (([[1.0, 0.0]],), TypeError, r"val must be a pair \(X_val, y_val\)"),
    ],
)
def test_fit_checks_val_before_training(val, error, match):
    X, y = make_xor(signed=True)
    model = MLP(2, [4, 1], seed=0)
    start = model.state_dict()
    lines: list[str] = []
    with pytest.raises(error, match=match):
        fit(model, X, y, loss_fn=hinge_loss, optimizer=SGD(model.parameters(), 0.1), epochs=2, val=val,
            log=lines.append)  # fmt: skip
    assert lines == [] and model.state_dict() == start  # not one epoch trained


class _OverflowsOnStep(SGD):
    """SGD whose `at`-th step sends the first weight to inf: a divergence at a chosen step."""

    def __init__(self, params, at):
        super().__init__(params, lr=0.05)
        self.at, self.steps = at, 0

    def _update(self):
        super()._update()
        self.steps += 1
        if self.steps == self.at:
            self.params[0].data = math.inf


@pytest.mark.parametrize("at", [1, 2, 3])
def test_a_divergence_puts_back_the_weights_from_before_the_step_that_ran_off(at):
    X, y = make_xor(signed=True)
    model, twin = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=0)
    with pytest.raises(TrainingDiverged, match=f"from the start of epoch {at}"):
        fit(model, X, y, loss_fn=hinge_loss, optimizer=_OverflowsOnStep(model.parameters(), at), epochs=3,
            quiet=True)  # fmt: skip
    if at > 1:  # the same run, one step shorter
        fit(
            twin,
            X,
            y,
            loss_fn=hinge_loss,
            optimizer=SGD(twin.parameters(), lr=0.05),
            epochs=at - 1,
            quiet=True,
        )
    assert model.state_dict() == twin.state_dict()
