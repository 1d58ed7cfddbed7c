"""Small seeded datasets in pure Python, and a train/validation split.

Each returns ``(X, y)``: X a list of feature lists, y a list of labels.
Binary labels are 0/1 as scikit-learn's; ``signed=True`` gives -1/+1, the
labels a max-margin (hinge) loss wants. The same seed gives the same data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

from .checks import Seed, as_float, make_rng, nonnegative_float, positive_int

T = TypeVar("T")
L = TypeVar("L")


def _labels(y: list[int], signed: bool) -> list[int]:
    return [2 * label - 1 for label in y] if signed else y


def make_xor(*, signed: bool = False) -> tuple[list[list[float]], list[int]]:
    """The 4 points of XOR: label 1 where exactly one input is 1. Not linearly separable."""
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    return X, _labels([0, 1, 1, 0], signed)


def make_moons(
    n_samples: int = 100, *, noise: float = 0.1, seed: Seed = 0, signed: bool = False
) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles (scikit-learn's ``make_moons`` recipe), shuffled, with
    Gaussian noise of standard deviation `noise`: label 0 for the upper moon, 1 for the lower."""
    positive_int("make_moons n_samples", n_samples, minimum=4)
    noise = nonnegative_float("make_moons noise (a standard deviation)", noise)
    rng = make_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    points = [
        (math.cos(math.pi * i / (n_upper - 1)), math.sin(math.pi * i / (n_upper - 1)), 0)
        for i in range(n_upper)
    ]
    points += [
        (1.0 - math.cos(math.pi * i / (n_lower - 1)), 0.5 - math.sin(math.pi * i / (n_lower - 1)), 1)
        for i in range(n_lower)
    ]
    rng.shuffle(points)
    X = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] for x, y, _ in points]
    return X, _labels([label for _, _, label in points], signed)


def make_blobs(
    n_samples: int = 150, *, centers: int = 3, std: float = 0.5, seed: Seed = 0
) -> tuple[list[list[float]], list[int]]:
    """A multi-class set: `centers` Gaussian clouds in 2-D (labels 0 .. centers-1), their
    centres evenly spaced on a circle of radius 2, each point's spread `std`."""
    positive_int("make_blobs n_samples", n_samples)
    positive_int("make_blobs centers (the number of classes)", centers, minimum=2)
    std = nonnegative_float("make_blobs std (a standard deviation)", std)
    rng = make_rng(seed)
    means = [
        (2.0 * math.cos(2 * math.pi * k / centers), 2.0 * math.sin(2 * math.pi * k / centers))
        for k in range(centers)
    ]
    y = [i % centers for i in range(n_samples)]
    rng.shuffle(y)
    X = [[means[k][0] + rng.gauss(0.0, std), means[k][1] + rng.gauss(0.0, std)] for k in y]
    return X, y


def train_val_split(
    X: Sequence[T], y: Sequence[L], val_fraction: float = 0.2, *, seed: Seed = 0
) -> tuple[tuple[list[T], list[L]], tuple[list[T], list[L]]]:
    """Shuffle, then hold out `val_fraction` of the samples for validation:
    ``(X_train, y_train), (X_val, y_val) = train_val_split(X, y)``."""
    if len(X) != len(y):
        raise ValueError(f"train_val_split: {len(X)} samples in X but {len(y)} labels in y")
    val_fraction = as_float(val_fraction, "train_val_split val_fraction")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1 (the share held out), got {val_fraction!r}")
    order = list(range(len(X)))
    make_rng(seed).shuffle(order)
    n_val = max(1, round(len(X) * val_fraction))
    if n_val >= len(X):
        raise ValueError(f"train_val_split: {len(X)} samples are too few to hold out {val_fraction:.0%}")
    val, train = order[:n_val], order[n_val:]
    return ([X[i] for i in train], [y[i] for i in train]), ([X[i] for i in val], [y[i] for i in val])
