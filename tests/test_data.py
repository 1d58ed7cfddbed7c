"""microgrand.data: shapes, labels, seeds, and the train/validation split."""

from __future__ import annotations

import pytest

from microgrand.data import make_blobs, make_moons, make_xor, train_val_split


def test_xor_is_the_four_points_with_their_labels():
    X, y = make_xor()
    assert X == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] and y == [0, 1, 1, 0]
    assert make_xor(signed=True)[1] == [-1, 1, 1, -1]


def test_moons_shape_labels_and_seed():
    X, y = make_moons(101, noise=0.0, seed=3)
    assert len(X) == len(y) == 101 and all(len(x) == 2 for x in X)
    assert sorted(set(y)) == [0, 1] and y.count(0) == 50
    # without noise the points lie on their half circles
    for (a, b), label in zip(X, y):
        cx, cy = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert (a - cx) ** 2 + (b - cy) ** 2 == pytest.approx(1.0)
        assert (b >= -1e-12) if label == 0 else (b <= 0.5 + 1e-12)
    assert make_moons(seed=1) == make_moons(seed=1) != make_moons(seed=2)
    assert sorted(set(make_moons(signed=True)[1])) == [-1, 1]


def test_blobs_have_one_cloud_per_class():
    X, y = make_blobs(90, centers=3, std=0.2, seed=0)
    assert len(X) == 90 and sorted(set(y)) == [0, 1, 2] and y.count(2) == 30
    for k in range(3):
        pts = [x for x, label in zip(X, y) if label == k]
        mx, my = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
        assert (mx**2 + my**2) ** 0.5 == pytest.approx(2.0, abs=0.15)  # centres on a circle of radius 2


def test_train_val_split_partitions_the_samples():
    X, y = make_moons(50, seed=0)
    (Xt, yt), (Xv, yv) = train_val_split(X, y, 0.2, seed=1)
    assert len(Xv) == len(yv) == 10 and len(Xt) == len(yt) == 40
    pairs = sorted(map(tuple, [*Xt, *Xv]))
    assert pairs == sorted(map(tuple, X))
    assert dict(zip(map(tuple, Xt + Xv), yt + yv)) == dict(zip(map(tuple, X), y))
    assert train_val_split(X, y, seed=1) == train_val_split(X, y, seed=1)


def test_bad_arguments_are_value_errors():
    with pytest.raises(ValueError, match="val_fraction"):
        train_val_split([1, 2], [0, 1], 1.0)
    with pytest.raises(ValueError, match="3 samples in X but 2 labels"):
        train_val_split([1, 2, 3], [0, 1])
    with pytest.raises(ValueError, match="n_samples"):
        make_moons(2)
    with pytest.raises(ValueError, match="centers"):
        make_blobs(centers=1)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: make_blobs(0), ValueError, "n_samples must be an int >= 1, got 0"),
        (lambda: make_blobs(-5), ValueError, "n_samples must be an int >= 1, got -5"),
        (lambda: make_blobs(10, centers=2.5), TypeError, r"centers .* whole number .* got float: 2\.5"),
        (lambda: make_blobs(10, std=-0.5), ValueError, r"std .* >= 0, got -0\.5"),
        (lambda: make_moons(10.5), TypeError, r"n_samples must be a whole number .* got float: 10\.5"),
        (lambda: make_moons(10, noise=-1), ValueError, r"noise .* >= 0, got -1\.0"),
        (lambda: make_moons(10, noise=float("nan")), ValueError, "noise .* got nan"),
        (lambda: make_moons(10, seed="1"), TypeError, "seed must be an int, a random.Random or None"),
        (lambda: train_val_split([1, 2], [0, 1], "0.5"), TypeError, "val_fraction needs a real number"),
    ],
)
def test_bad_sizes_spreads_seeds_and_fractions_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_sizes_may_be_numpy_integers() -> None:
    np = pytest.importorskip("numpy")
    X, y = make_moons(np.int64(20), seed=0)
    assert len(X) == len(y) == 20
