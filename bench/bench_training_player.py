"""What the training player costs: fit with and without the recorder, the player's build time and HTML size.

    python bench/bench_training_player.py          # ~2 minutes

The runs are the notebooks' (notebook 6's two moons, notebook 8's early-stopped moons and its
capstone). Each figure is the median [min .. max] of ROUNDS runs in this process. Recording
copies the parameters' numbers once per epoch, so fit should cost about the same with it; the
player's build evaluates the model on the grid for every frame (grid² + points forward passes a
frame), which is where its time goes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import summary

from microgrand.data import make_blobs, make_moons, train_val_split
from microgrand.losses import binary_cross_entropy_with_logits, cross_entropy, l2_penalty
from microgrand.nn import MLP
from microgrand.optim import SGD, Adam
from microgrand.train import EarlyStopping, fit
from microgrand.viz import TrainingRecorder, training_player

ROUNDS = 3


Points = tuple[list[list[float]], list[int], Any]  # training points, labels, validation set
Run = tuple[Points, Callable[[list[Any]], object]]  # the data, and fit on it with these callbacks


def notebook6() -> Run:
    X, y = make_moons(100, noise=0.1, seed=0)

    def train(callbacks: list[Any]) -> object:
        model = MLP(2, [16, 16, 1], seed=0)
        return fit(
            model,
            X,
            y,
            loss_fn=binary_cross_entropy_with_logits,
            optimizer=SGD(model.parameters(), lr=0.5),
            epochs=151,
            quiet=True,
            callbacks=callbacks,
        )

    return (X, y, None), train


def notebook8_moons() -> Run:
    X, y = make_moons(60, noise=0.35, seed=1)
    (Xt, yt), val = train_val_split(X, y, val_fraction=0.5, seed=0)

    def train(callbacks: list[Any]) -> object:
        model = MLP(2, [16, 16, 1], seed=0)
        return fit(
            model,
            Xt,
            yt,
            loss_fn=binary_cross_entropy_with_logits,
            optimizer=SGD(model.parameters(), lr=0.1, momentum=0.9),
            epochs=300,
            val=val,
            early_stopping=EarlyStopping(patience=20),
            quiet=True,
            callbacks=callbacks,
        )

    return (Xt, yt, val), train


def notebook8_capstone() -> Run:
    X, y = make_blobs(150, centers=3, std=1.0, seed=0)
    (Xt, yt), val = train_val_split(X, y, val_fraction=0.3, seed=0)

    def train(callbacks: list[Any]) -> object:
        model = MLP(2, [16, 3], activation="relu", seed=0)
        return fit(
            model,
            Xt,
            yt,
            loss_fn=cross_entropy,
            optimizer=Adam(model.parameters(), lr=0.01),
            epochs=200,
            batch_size=16,
            val=val,
            penalty=lambda ps: l2_penalty(ps, 1e-3),
            early_stopping=EarlyStopping(patience=10),
            quiet=True,
            callbacks=callbacks,
        )

    return (Xt, yt, val), train


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    runs = [
        ("notebook 6: moons, 2-16-16-1, 151 epochs", notebook6),
        ("notebook 8: moons, early stopping", notebook8_moons),
        ("notebook 8: capstone, 3 classes", notebook8_capstone),
    ]
    print(f"{ROUNDS} rounds each; median [min .. max]")
    print(
        f"{'run':42} {'fit (s)':>20} {'fit + recorder (s)':>20} {'grid':>5} {'frames':>6} "
        f"{'player build (s)':>20} {'HTML':>8}"
    )
    for name, case in runs:
        (X, y, val), train = case()
        plain, recorded = [], []
        for _ in range(ROUNDS):  # alternate, so that a busy moment hits both alike
            plain.append(timed(lambda train=train: train([])))
            watch = TrainingRecorder(X, y, val=val)
            recorded.append(timed(lambda train=train, watch=watch: train([watch])))
        for grid in (15, 25, 40):
            builds, player = [], None
            for _ in range(ROUNDS):
                start = time.perf_counter()
                player = training_player(watch, grid=grid)
                size = len(player.to_html().encode())
                builds.append(time.perf_counter() - start)
            assert player is not None
            print(
                f"{name:42} {summary(plain, '{:.2f}'):>20} {summary(recorded, '{:.2f}'):>20} {grid:>5} "
                f"{len(player.frames):>6} {summary(builds, '{:.2f}'):>20} {size / 1024:>5.0f} KB"
            )


if __name__ == "__main__":
    main()
