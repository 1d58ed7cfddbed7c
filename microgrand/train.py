"""A small training loop: `fit`, with `EarlyStopping`, and `accuracy`.

One epoch of `fit` is the loop every training script repeats::

    for batch in batches:
        loss = loss_fn([model(x) for x in batch_X], batch_y) (+ penalty)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

then the validation loss (model in eval mode), and early stopping. PyTorch
leaves this loop to you; it is written here once so that a learner can read it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from .checks import Seed, as_float, make_rng, nonnegative_float, positive_int
from .engine import Value
from .nn import Module, StateDict
from .optim import Optimizer

LossFn = Callable[[Any, Any], Value]
Penalty = Callable[[list[Value]], Value]


class TrainingDiverged(RuntimeError):
    """Raised by `fit` when a loss or a weight is not a finite number (nan or inf): the weights
    have run off to infinity. `history` holds the epochs so far. The model is put back to the
    latest weights whose loss on all the data (training, and validation if given) is finite: those
    at the start of the epoch, else of the epoch before (in full batch, the weights before the step
    that ran off), else those it started with; the message says which. The optimizer's running
    state (momentum, Adam's moments) is reset, as a new optimizer's, so that training can resume
    from there with a smaller learning rate."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


class EarlyStopping:
    """Stop training when the validation loss has not improved for `patience` epochs.

    An epoch improves on the best loss so far if its loss is below
    ``best - min_delta``. Call `step(loss, model)` once per epoch; it returns
    True when training should stop. With ``restore_best=True`` it keeps a copy
    of the weights of the best epoch (`state_dict`), and `restore(model)` puts
    them back. (PyTorch has no early stopping; the names follow Keras's.)
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, restore_best: bool = True) -> None:
        self.patience = positive_int("EarlyStopping patience (epochs to wait)", patience)
        self.min_delta = nonnegative_float("EarlyStopping min_delta", min_delta)
        self.restore_best = restore_best
        self.reset()

    def reset(self) -> None:
        """Forget the run so far (`fit` calls it as it starts, as Keras does): without this, a second
        run would compare its losses with the first run's best, and restore the first model's weights."""
        self.epoch = 0  # epochs seen so far (1-based once started)
        self.best_loss = math.inf
        self.best_epoch = 0
        self.best_state: StateDict | None = None
        self.epochs_without_improvement = 0
        self.should_stop = False

    def step(self, loss: float, model: Module | None = None) -> bool:
        """Record one epoch's loss; True when `patience` epochs have passed without improvement.

        A loss that is not finite (nan, inf) is never an improvement, so never "best"."""
        if isinstance(loss, Value):
            raise TypeError("EarlyStopping.step takes the loss as a number: pass loss.data, not the Value")
        loss = as_float(loss, "EarlyStopping.step loss")
        self.epoch += 1
        if math.isfinite(loss) and loss < self.best_loss - self.min_delta:
            self.best_loss = float(loss)
            self.best_epoch = self.epoch
            self.epochs_without_improvement = 0
            if model is not None and self.restore_best:
                self.best_state = model.state_dict()
        else:
            self.epochs_without_improvement += 1
        self.should_stop = self.epochs_without_improvement >= self.patience
        return self.should_stop

    def restore(self, model: Module) -> bool:
        """Load the best epoch's weights into `model` (if restore_best and a best was seen);
        True if it did."""
        if self.restore_best and self.best_state is not None:
            model.load_state_dict(self.best_state)
            return True
        return False


class Callback:
    """Something `fit` calls as it trains, e.g. to record or draw it (Keras's callbacks).

    Override the hooks you need; each does nothing by default. `fit` calls
    ``on_train_begin(model)`` before the first epoch, ``on_epoch_end(epoch, model, history)``
    after each epoch (`epoch` from 1; `history` holds its losses), and
    ``on_train_end(model, history)`` when it returns: after early stopping has put back the
    best weights, so the model is the one `fit` returns. A run that diverges raises instead.
    """

    def on_train_begin(self, model: Module) -> None:
        pass

    def on_epoch_end(self, epoch: int, model: Module, history: History) -> None:
        pass

    def on_train_end(self, model: Module, history: History) -> None:
        pass


@dataclass
class History:
    """What `fit` did: the losses per epoch (index 0 is epoch 1).

    As in Keras, the two curves are measured differently: ``train_loss`` is the
    mean of the epoch's batch losses as they were trained on (penalty included,
    dropout on, weights changing between batches); ``val_loss`` is the plain
    data loss after the epoch, in eval mode. Compare them for trends, not to
    the last digit. With early stopping, ``watched_loss`` is the loss it
    compared: ``val_loss`` with a validation set, otherwise the training set's
    loss measured after each epoch in eval mode (one extra forward pass over
    X); ``best_epoch`` is the epoch of its minimum.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    watched_loss: list[float] = field(default_factory=list)  # what early stopping compared, if any
    best_epoch: int = 0  # the epoch whose weights the model has at the end (0: the last)
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


def fit(
    model: Module,
    X: Sequence[Any],
    y: Sequence[Any],
    *,
    loss_fn: LossFn,
    optimizer: Optimizer,
    epochs: int = 100,
    batch_size: int | None = None,
    val: tuple[Sequence[Any], Sequence[Any]] | None = None,
    penalty: Penalty | None = None,
    early_stopping: EarlyStopping | None = None,
    seed: Seed = 0,
    quiet: bool = False,
    log: Callable[[str], None] = print,
    callbacks: Sequence[Callback] = (),
) -> History:
    """Train `model` on (X, y) and return the `History`.

    ``loss_fn(predictions, targets)`` is a function of `microgrand.losses`
    (predictions are ``[model(x) for x in batch]``). ``penalty(params)`` is
    added to each batch's loss, e.g. ``lambda ps: l2_penalty(ps, 1e-4)``.
    ``batch_size=None`` trains on the full batch; otherwise the samples are
    shuffled (seeded) into mini-batches every epoch. With `val` = (X_val,
    y_val) the validation loss is computed after every epoch (model in eval
    mode), and `early_stopping` watches it, then restores the best weights
    when training ends. Without `val`, early stopping watches the training
    loss measured the same way: on all of (X, y) after the epoch, in eval
    mode, without the penalty; so the weights it keeps are the ones that
    loss was measured on. `early_stopping` starts afresh (`reset`) in each
    run. A line per epoch is printed through `log` unless `quiet`. A loss or
    weight that is not finite, at any step or after the last, raises
    `TrainingDiverged`.
    Each of `callbacks` (a `Callback`) is called at the start, after every
    epoch and at the end.

    The model is left in training mode, as a PyTorch training loop leaves
    it: call ``model.eval()`` before predicting with a model that has
    Dropout (`accuracy` does this itself).
    """
    positive_int("fit: epochs", epochs)
    _check_samples("fit", X, y)
    if val is not None:  # checked now, not after an epoch of training
        if isinstance(val, (str, bytes)) or not isinstance(val, Sequence) or len(val) != 2:
            raise TypeError(f"fit: val must be a pair (X_val, y_val), got {type(val).__name__}")
        _check_samples("fit: val", *val)
    if batch_size is not None:
        positive_int("fit: batch_size (None for the full batch)", batch_size)
    rng = make_rng(seed)
    params = model.parameters()
    _check_optimizer(optimizer, params)
    if early_stopping is not None:
        early_stopping.reset()  # a new run: no best loss or weights from another model or run
    history = History()
    order = list(range(len(X)))
    size = batch_size or len(X)
    width = len(str(epochs))
    # The weights at the start of each epoch: if training diverges, the model goes back to the latest
    # of these whose losses are finite (in full batch, this epoch's are those of the diverging loss)
    start_of_training = weights = _weights(params)
    start_of_epoch = start_of_last_epoch = start_of_training

    def diverged(epoch: int, what: str) -> NoReturn:
        checkpoints = [
            (f"from the start of epoch {epoch}", start_of_epoch),
            (f"from the start of epoch {epoch - 1}", start_of_last_epoch),
            ("it started with", start_of_training),
        ]
        _diverged(model, params, checkpoints, (X, y), val, loss_fn, optimizer, history, epoch, what)

    for callback in callbacks:
        callback.on_train_begin(model)
    for epoch in range(1, epochs + 1):
        model.train()
        if epoch > 1:
            start_of_last_epoch, start_of_epoch = start_of_epoch, weights  # (the last epoch's end)
        if batch_size is not None:
            rng.shuffle(order)
        total = 0.0
        for start in range(0, len(order), size):
            batch = order[start : start + size]
            loss = loss_fn([model(X[i]) for i in batch], [y[i] for i in batch])
            if penalty is not None:
                loss = loss + penalty(params)
            if not math.isfinite(loss.data):
                diverged(epoch, f"the training loss is {loss.data}")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.data * len(batch)
        history.train_loss.append(total / len(X))
        weights = _weights(params)  # a weight of -inf can hide behind a ReLU, with a finite loss
        if not all(map(math.isfinite, weights)):
            diverged(epoch, f"a weight is {_first_non_finite(weights)}")
        line = f"epoch {epoch:>{width}}/{epochs}  train loss {history.train_loss[-1]:#.4g}"
        watched = history.train_loss[-1]
        if val is not None:
            history.val_loss.append(_loss_on(model, *val, loss_fn))
            watched = history.val_loss[-1]
            if not math.isfinite(watched):
                diverged(epoch, f"the validation loss is {watched}")
            line += f"  val loss {watched:#.4g}"
        elif early_stopping is not None:
            # the epoch's mean batch loss was measured on weights that changed during the epoch;
            # early stopping saves the weights as they are now, so it must watch a loss of these
            watched = _loss_on(model, X, y, loss_fn)
            if not math.isfinite(watched):
                diverged(epoch, f"the end-of-epoch training loss is {watched}")
            line += f"  end-of-epoch train loss {watched:#.4g}"
        if not quiet:
            log(line)
        for callback in callbacks:
            callback.on_epoch_end(epoch, model, history)
        if early_stopping is not None:
            history.watched_loss.append(watched)
            if early_stopping.step(watched, model):
                history.stopped_early = True
                if not quiet:
                    log(
                        f"early stop: no improvement for {early_stopping.patience} epochs; "
                        f"best epoch {early_stopping.best_epoch} (loss {early_stopping.best_loss:#.4g})"
                    )
                break
    model.train()
    if early_stopping is not None and early_stopping.restore(model):
        history.best_epoch = early_stopping.best_epoch
    if val is not None or early_stopping is None:  # the training loss of these weights is unmeasured:
        final = _loss_on(model, X, y, loss_fn)  # measure it, so a divergence on the last step is caught
        model.train()
        if not math.isfinite(final):
            diverged(history.epochs, f"after the last step, the training loss is {final}")
    for callback in callbacks:
        callback.on_train_end(model, history)
    return history


def _check_samples(where: str, X: Sequence[Any], y: Sequence[Any]) -> None:
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f"{where}: X and y must be non-empty and of the same length, got {len(X)} and {len(y)}"
        )


def _check_optimizer(optimizer: Optimizer, params: list[Value]) -> None:
    """The optimizer must update at least one of the model's parameters (a subset is fine-tuning)."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"fit: optimizer must be an Optimizer, e.g. SGD(model.parameters()), got {optimizer!r}"
        )
    own = {id(p) for p in params}
    if not any(id(p) in own for p in optimizer.params):
        raise ValueError(
            f"fit: the optimizer updates none of the model's parameters (it holds {len(optimizer.params)} "
            f"other Values, the model has {len(params)}), so training would change nothing: was it made "
            f"for another model? Pass this model's: {type(optimizer).__name__}(model.parameters(), ...)"
        )


def _weights(params: list[Value]) -> list[float]:
    return [p.data for p in params]


def _first_non_finite(weights: list[float]) -> float:
    return next(w for w in weights if not math.isfinite(w))


def _loss_on(model: Module, X: Sequence[Any], y: Sequence[Any], loss_fn: LossFn) -> float:
    """The data loss on all of (X, y), in eval mode (without Dropout, as a prediction would be)."""
    model.eval()
    loss: float = loss_fn([model(x) for x in X], list(y)).data
    return loss


def _diverged(
    model: Module,
    params: list[Value],
    checkpoints: list[tuple[str, list[float]]],
    train_set: tuple[Sequence[Any], Sequence[Any]],
    val: tuple[Sequence[Any], Sequence[Any]] | None,
    loss_fn: LossFn,
    optimizer: Optimizer,
    history: History,
    epoch: int,
    what: str,
) -> NoReturn:
    """Stop training: put back the latest weights whose losses are finite, and say what happened."""
    data_sets = [train_set] if val is None else [train_set, val]
    tried: list[list[float]] = []
    for when, weights in checkpoints:
        if any(weights is t for t in tried):  # (in the first epochs, two of them are the same)
            continue
        tried.append(weights)
        for p, w in zip(params, weights):
            p.data = w
        if all(map(math.isfinite, weights)) and all(
            math.isfinite(_loss_on(model, *data, loss_fn)) for data in data_sets
        ):
            restored = f"The model has the weights {when}, the latest whose losses are finite."
            break
    else:  # even the first weights fail: the data, not the training, is the likely cause
        restored = (
            "Even the weights it started with give a loss that is not finite: check the data for nan or inf."
        )
    model.train()
    optimizer.reset_state()  # its momentum led here and no longer fits the weights put back
    lr = getattr(optimizer, "lr", None)
    raise TrainingDiverged(
        f"training diverged in epoch {epoch}: {what}, not a finite number. "
        f"The weights have run off to infinity; the usual cause is a learning rate that is too large"
        + (f" (lr = {lr:g}): try one 10 times smaller" if lr is not None else "")
        + f". {restored} The optimizer's momentum is reset, so it can go on from there.",
        history,
    )


def accuracy(
    model: Module | Callable[[Any], Any], X: Sequence[Any], y: Sequence[Any], *, threshold: float = 0.0
) -> float:
    """The fraction of samples the model classifies correctly.

    One output (a Value): an output above `threshold` predicts the positive
    class (label > 0: +1 of -1/+1, or 1 of 0/1). The default 0 fits a raw
    score or logit, as micrograd's demo; pass ``threshold=0.5`` for a
    probability (a sigmoid output). Several outputs (a list): the class is
    the index of the largest (argmax).

    A Module is evaluated in eval mode (Dropout off), then put back in the
    mode it was in.
    """
    _check_samples("accuracy", X, y)
    threshold = as_float(threshold, "accuracy threshold")
    if not isinstance(model, Module):
        return _fraction_correct(model, X, y, threshold)
    was_training = model.training
    model.eval()
    try:
        return _fraction_correct(model, X, y, threshold)
    finally:
        model.train(was_training)


def _fraction_correct(
    model: Callable[[Any], Any], X: Sequence[Any], y: Sequence[Any], threshold: float
) -> float:
    correct = 0
    for x, label in zip(X, y):  # a nan output predicts no class, so it is never right
        out = model(x)
        correct += predicted_class(out, threshold) == (int(label > 0) if isinstance(out, Value) else label)
    return correct / len(X)


def predicted_class(output: Value | Sequence[Value], threshold: float = 0.0) -> int:
    """The class an output predicts, as `accuracy` counts it: one Value, 1 if above `threshold`
    (the positive class) else 0; several, the index of the largest. A nan predicts no class: -1."""
    if isinstance(output, Value):
        return -1 if math.isnan(output.data) else int(output.data > threshold)
    scores = [o.data for o in output]
    return -1 if any(map(math.isnan, scores)) else scores.index(max(scores))
