"""The training player: recorded by a `fit` callback, checked in Python and in headless Chromium.

The browser tests use tests/test_browser.py's fixtures (Debian's chromium through Playwright;
skipped without it, except under CI). What the page shows is read back from its SVG and
compared with the model evaluated here, in Python, on the same points.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import test_browser
import test_player_lab

from microgrand.data import make_blobs, make_moons, train_val_split
from microgrand.engine import Value
from microgrand.losses import binary_cross_entropy_with_logits, cross_entropy, mse_loss
from microgrand.nn import MLP, Dropout, Module
from microgrand.optim import SGD, Adam
from microgrand.train import Callback, EarlyStopping, History, fit
from microgrand.viz.training import MAX_POINTS, TrainingRecorder, _contour, training_player

# the fixtures, shared: Chromium, a page that records console errors, a JupyterLab server
browser, open_page, jupyter = test_browser.browser, test_browser.open_page, test_player_lab.jupyter


def moons_run(epochs: int = 60, patience: int | None = 8, max_frames: int = 12) -> tuple[Any, ...]:
    """A 2-class run that early stopping ends and restores (seeded: the same every time)."""
    X, y = make_moons(40, noise=0.3, seed=1)
    (Xt, yt), (Xv, yv) = train_val_split(X, y, val_fraction=0.5, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    watch = TrainingRecorder(Xt, yt, val=(Xv, yv), max_frames=max_frames)
    history = fit(
        model,
        Xt,
        yt,
        loss_fn=binary_cross_entropy_with_logits,
        optimizer=SGD(model.parameters(), lr=0.3, momentum=0.9),
        epochs=epochs,
        val=(Xv, yv),
        early_stopping=EarlyStopping(patience=patience) if patience else None,
        quiet=True,
        callbacks=[watch],
    )
    return model, watch, history, (Xt, yt), (Xv, yv)


def blobs_run() -> tuple[Any, ...]:
    X, y = make_blobs(60, centers=3, std=0.8, seed=0)
    model = MLP(2, [8, 3], activation="relu", seed=0)
    watch = TrainingRecorder(X, y, max_frames=8)
    optimizer = Adam(model.parameters(), lr=0.05)
    history = fit(
        model, X, y, loss_fn=cross_entropy, optimizer=optimizer, epochs=15, quiet=True, callbacks=[watch]
    )
    return model, watch, history, (X, y)


# ---------------------------------------------------------------- fit's callbacks


def test_fit_calls_its_callbacks_and_ends_with_the_restored_model() -> None:
    class Log(Callback):
        def __init__(self) -> None:
            self.calls: list[Any] = []

        def on_train_begin(self, model: Module) -> None:
            self.calls.append(("begin", [p.data for p in model.parameters()]))

        def on_epoch_end(self, epoch: int, model: Module, history: History) -> None:
            assert history.epochs == epoch  # the epoch's losses are in the history already
            self.calls.append((epoch, [p.data for p in model.parameters()]))

        def on_train_end(self, model: Module, history: History) -> None:
            self.calls.append(("end", [p.data for p in model.parameters()]))

    log = Log()
    X, y = make_moons(40, noise=0.3, seed=1)
    (Xt, yt), (Xv, yv) = train_val_split(X, y, val_fraction=0.5, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    start = [p.data for p in model.parameters()]
    history = fit(
        model, Xt, yt, loss_fn=binary_cross_entropy_with_logits,
        optimizer=SGD(model.parameters(), lr=0.3, momentum=0.9), epochs=60, val=(Xv, yv),
        early_stopping=EarlyStopping(patience=8), quiet=True, callbacks=[log],
    )  # fmt: skip
    assert history.stopped_early and 0 < history.best_epoch < history.epochs  # the case to test
    names = [c[0] for c in log.calls]
    assert names == ["begin", *range(1, history.epochs + 1), "end"]
    assert log.calls[0][1] == start
    end = [p.data for p in model.parameters()]
    assert log.calls[-1][1] == end == log.calls[history.best_epoch][1]  # the best epoch's weights
    assert end != log.calls[-2][1]  # not the last epoch's


def test_the_recorder_keeps_evenly_spaced_epochs_and_at_most_max_frames() -> None:
    _, watch, history, *_ = moons_run(epochs=50, patience=None, max_frames=8)
    assert history.epochs == 50 and not history.best_epoch
    kept = sorted(watch.kept)
    assert kept[0] == 0 and all(b - a == watch.stride for a, b in itertools.pairwise(kept))
    assert len(kept) - 1 <= 8 - 3 and watch.stride > 1
    player = training_player(watch, grid=6)
    assert len(player.frames) <= 8
    assert [f.epoch for f in player.frames] == [*kept, 50]  # the last epoch is always shown
    assert player.frames[-1].caption.endswith("This is the model as fit returned it.")
    assert f"every {watch.stride}th epoch of 50 and the last" in player.note


def test_the_player_leaves_the_model_as_it_was_and_says_what_was_not_recorded() -> None:
    model, watch, *_ = moons_run()
    before = [p.data for p in model.parameters()]
    model.eval()
    training_player(watch, grid=5)
    assert [p.data for p in model.parameters()] == before and not model.training
    with pytest.raises(ValueError, match="has not seen a whole training run"):
        training_player(TrainingRecorder([[0.0, 1.0]], [1]))
    with pytest.raises(ValueError, match="each needs 2 features, but point 1"):
        TrainingRecorder([[0.0, 1.0], [1.0, 2.0, 3.0]], [0, 1])
    with pytest.raises(ValueError, match="grid must be at most 80"):
        training_player(watch, grid=81)
    with pytest.raises(ValueError, match="interval_ms"):
        training_player(watch, interval_ms=2**31)


def test_a_model_with_dropout_draws_no_random_numbers_for_the_player() -> None:
    class Dropped(Module):
        def __init__(self) -> None:
            self.drop = Dropout(0.5, seed=0)
            self.net = MLP(2, [4, 1], seed=0)

        def forward(self, x: list[float]) -> Any:
            return self.net(self.drop([Value(v) for v in x]))

    X, y = make_moons(20, noise=0.2, seed=0)
    model, watch = Dropped(), TrainingRecorder(X, y)
    fit(model, X, y, loss_fn=binary_cross_entropy_with_logits, optimizer=SGD(model.parameters(), lr=0.1),
        epochs=3, quiet=True, callbacks=[watch])  # fmt: skip
    state = model.drop.rng.getstate()
    training_player(watch, grid=4)
    assert model.drop.rng.getstate() == state and model.training
    three = [k % 3 for k in range(20)]  # three classes, for a model with one output
    watch = TrainingRecorder(X, three)
    fit(model, X, three, loss_fn=mse_loss, optimizer=SGD(model.parameters(), lr=0.1), epochs=1, quiet=True,
        callbacks=[watch])  # fmt: skip
    with pytest.raises(ValueError, match="one output tells two classes apart, but the labels have 3 values"):
        training_player(watch)


def test_the_boundary_is_where_the_margin_changes_sign() -> None:
    n = 10
    straight = _contour([c - 4.3 for r in range(n) for c in range(n)], n)  # 0 at column 4.3
    points = [tuple(map(float, p.split(","))) for p in re.findall(r"[\d.]+,[\d.]+", straight)]
    assert straight.count("M") == 1 and len(points) == n
    assert all(x == pytest.approx(4.8) for x, _ in points)  # sample c sits at c + 0.5
    assert sorted(y for _, y in points) == [r + 0.5 for r in range(n)]
    circle = _contour([9.0 - ((r - 4.5) ** 2 + (c - 4.5) ** 2) for r in range(n) for c in range(n)], n)
    loop = re.findall(r"[\d.]+,[\d.]+", circle)
    assert circle.count("M") == 1 and loop[0] == loop[-1]  # one closed line
    for p in loop:
        x, y = map(float, p.split(","))
        assert abs(math.hypot(x - 5, y - 5) - 3) < 0.25  # radius 3 around the middle


# ---------------------------------------------------------------- in the browser


def shown(page: Any) -> dict[str, Any]:
    """What the page shows now: each grid cell's class, the points, the texts, the frame."""
    return page.page.evaluate(  # type: ignore[no-any-return]
        """() => {
        const root = document.querySelector('.mg-training');
        const g = root.querySelector('.mg-cells');
        const n = Number(g.dataset.n), cells = new Array(n * n).fill(null);
        g.querySelectorAll('rect').forEach(r => {
          const x = Number(r.getAttribute('x')), y = Number(r.getAttribute('y'));
          const w = Number(r.getAttribute('width'));
          for (let k = 0; k < w; k++) cells[y * n + x + k] = Number(r.dataset.class);
        });
        const rings = root.querySelectorAll('.mg-rings circle');
        const points = Array.from(root.querySelectorAll('[data-point]'), (p, k) => ({
          x: Number(p.dataset.x), y: Number(p.dataset.y), cls: Number(p.dataset.class),
          wrong: rings[k].getAttribute('visibility') === 'visible'}));
        return {n, x0: Number(g.dataset.x0), x1: Number(g.dataset.x1), y0: Number(g.dataset.y0),
          y1: Number(g.dataset.y1), cells, points,
          heading: root.querySelector('.mg-heading').textContent,
          restored: root.querySelector('svg.mg-plane').dataset.restored,
          boundary: root.querySelector('.mg-boundary').getAttribute('d'),
          frame: Number(root.querySelector('input[type=range]').value)};
    }"""
    )


def predicted(model: Module, x: list[float]) -> int:
    """The reference: the class the model's output picks, written out here, not taken from microgrand."""
    out = model(x)
    if isinstance(out, list):
        scores = [o.data for o in out]
        return max(range(len(scores)), key=lambda k: (scores[k], -k))
    return 1 if out.data > 0 else 0


def assert_shows_model(state: dict[str, Any], model: Module) -> None:
    model.eval()
    n = state["n"]
    for r in range(n):
        v = state["y1"] - (r + 0.5) * (state["y1"] - state["y0"]) / n
        for c in range(n):
            u = state["x0"] + (c + 0.5) * (state["x1"] - state["x0"]) / n
            assert state["cells"][r * n + c] == predicted(model, [u, v]), f"cell ({r}, {c})"
    for p in state["points"]:
        assert p["wrong"] == (predicted(model, [p["x"], p["y"]]) != p["cls"])
    model.train()


def test_the_last_frame_is_the_model_fit_returned_marked_restored(open_page: Any, tmp_path: Path) -> None:
    model, watch, history, (Xt, _), (Xv, _) = moons_run()
    assert history.stopped_early and history.best_epoch < history.epochs
    player = training_player(watch, grid=16)
    page = open_page(player.save(tmp_path / "training.html"))
    state = shown(page)
    assert state["frame"] == len(player.frames) - 1
    assert_shows_model(state, model)
    assert len(state["points"]) == len(Xt) + len(Xv) and any(p["wrong"] for p in state["points"])
    assert state["boundary"].startswith("M")  # two classes: a boundary line
    assert state["restored"] == "1" and "restored" in state["heading"]
    assert page.caption().startswith(
        f"As fit returned it: early stopping restored the weights of epoch {history.best_epoch}"
    )
    # the frame before is the last epoch trained, not marked
    page.click("Previous frame")
    state = shown(page)
    assert state["restored"] == "0" and state["heading"] == f"Epoch {history.epochs} of {history.epochs}"
    # Python's picture of the last frame (the page without scripts) is the one the script draws
    page.click("First frame")
    page.click("Last frame")
    drawn = re.findall(
        r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="1" fill="[^"]+" data-class="(-?\d+)"', player.plane
    )
    cells: list[int | None] = [None] * 16 * 16
    for x, y, w, cls in drawn:
        for k in range(int(w)):
            cells[int(y) * 16 + int(x) + k] = int(cls)
    assert shown(page)["cells"] == cells


def test_several_classes_show_the_argmax_regions(open_page: Any, tmp_path: Path) -> None:
    model, watch, *_ = blobs_run()
    player = training_player(watch, grid=12)
    page = open_page(player.save(tmp_path / "blobs.html"))
    state = shown(page)
    assert_shows_model(state, model)
    assert {c for c in state["cells"]} == {0, 1, 2} and state["boundary"] == ""
    assert state["restored"] == "0" and state["heading"] == "Epoch 15 of 15: as fit returned it"


def test_buttons_slider_and_keys_step_through_the_frames(open_page: Any, tmp_path: Path) -> None:
    _, watch, *_ = moons_run()
    player = training_player(watch, grid=6, interval_ms=40)
    page = open_page(player.save(tmp_path / "t.html"))
    captions = [f.caption for f in player.frames]
    page.click("First frame")
    assert page.caption() == captions[0] and shown(page)["heading"] == "Before training: epoch 0"
    page.click("Next frame")
    page.click("Next frame")
    assert page.caption() == captions[2] and shown(page)["frame"] == 2
    page.click("Previous frame")
    assert page.caption() == captions[1]
    page.page.get_by_role("slider", name="Frame").fill("4")
    assert page.caption() == captions[4]
    # keys, once a click on the picture has given the player focus; the page around never sees them
    page.page.evaluate("window.keysSeen = 0; document.addEventListener('keydown', () => window.keysSeen++)")
    page.page.locator("svg.mg-plane").click()
    page.page.keyboard.press("ArrowRight")
    assert page.caption() == captions[5]
    page.page.keyboard.press("ArrowLeft")
    page.page.keyboard.press("ArrowLeft")
    assert page.caption() == captions[3]
    page.page.keyboard.press("End")
    assert page.caption() == captions[-1]
    page.page.keyboard.press("Home")
    assert page.caption() == captions[0]
    assert page.page.evaluate("window.keysSeen") == 0
    # play runs to the end and stops there
    page.click("Play")
    page.page.wait_for_function(f"document.querySelector('.mg-training input').value == {len(captions) - 1}")
    page.page.get_by_role("button", name="Play", exact=True).wait_for()
    assert page.caption() == captions[-1]
    # every button has a name, and the narration is a live status
    names = page.page.evaluate(
        "() => Array.from(document.querySelectorAll('.mg-training button'), b => b.ariaLabel)"
    )
    assert names == ["First frame", "Previous frame", "Play", "Next frame", "Last frame"]


def test_without_scripts_the_last_frame_is_a_picture_and_no_button_shows(
    open_page: Any, tmp_path: Path
) -> None:
    _, watch, *_ = moons_run()
    player = training_player(watch, grid=6)
    page = open_page(player.save(tmp_path / "t.html"), java_script_enabled=False)
    assert page.page.locator(".mg-training button").count() == 0
    pictures = page.page.locator(".mg-training img")
    assert pictures.count() == 2 and all(pictures.nth(k).is_visible() for k in range(2))
    assert page.caption() == player.frames[-1].caption


# ---------------------------------------------------------------- in JupyterLab


@pytest.mark.jupyter
@pytest.mark.parametrize("jupyter", ["jupyterlab"], indirect=True)  # of the two front ends, JupyterLab
def test_in_jupyterlab_untrusted_it_is_a_picture_and_trusted_its_keys_step_it(
    browser: Any, jupyter: tuple[str, Path], tmp_path: Path
) -> None:
    url, home = jupyter
    _, watch, *_ = moons_run()
    player = training_player(watch, grid=6)
    test_player_lab.notebook_with_outputs(home / "untrusted_training.ipynb", [player])
    page = test_player_lab.open_notebook(browser, url, "untrusted_training.ipynb", tmp_path)
    try:
        output = page.locator(".jp-OutputArea-output").first
        images = output.locator("img")
        assert images.count() == 2  # the plane and the loss chart, as the last frame drew them
        for k in range(2):
            assert page.evaluate("i => i.naturalWidth >= 400 && i.complete", images.nth(k).element_handle())
        assert output.locator("button").count() == 0  # no dead buttons
        assert str(output.text_content()).startswith(player.frames[-1].caption)
    finally:
        page.close()

    test_player_lab.notebook_with_outputs(home / "trusted_training.ipynb", [player, "a second cell"])
    env = dict(os.environ, JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_CONFIG_DIR=str(home / "config"))
    subprocess.run(
        [sys.executable, "-m", "jupyter", "trust", str(home / "trusted_training.ipynb")], env=env, check=True
    )
    # (open_notebook asks for a fresh workspace: JupyterLab does not reopen the untrusted notebook)
    page = test_player_lab.open_notebook(browser, url, "trusted_training.ipynb", tmp_path)
    try:
        # should JupyterLab ask for a kernel again (late, on a busy machine): none
        page.add_locator_handler(
            page.locator(".jp-Dialog").first,
            lambda d: d.get_by_role("button", name="No Kernel", exact=True).click(),
            no_wait_after=True,
        )
        training = page.locator(".mg-training")
        training.locator("svg.mg-plane").click(position={"x": 10, "y": 10})
        assert page.locator(".jp-Dialog").count() == 0  # the keys go to the page, not a dialog
        for key in ("Home", "ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft"):
            page.keyboard.press(key)
        assert training.locator("input[type=range]").input_value() == "2"
        active = page.locator(
            ".jp-Notebook .jp-Cell.jp-mod-active .jp-InputArea >> visible=true"
        ).text_content()
        assert "output_0" in str(active)  # the notebook did not move to another cell
    finally:
        page.close()


# ---------------------------------------------------------------- size


def test_a_long_run_on_many_points_stays_small() -> None:
    """600 epochs on 1,200 points: frames, points and curve points are all cut to their bounds."""
    X, y = make_moons(1200, noise=0.2, seed=0)
    model = MLP(2, [2, 1], seed=0)
    watch = TrainingRecorder(X, y)
    optimizer = SGD(model.parameters(), lr=0.1)
    loss_fn = binary_cross_entropy_with_logits
    fit(model, X[:8], y[:8], loss_fn=loss_fn, optimizer=optimizer, epochs=600, quiet=True, callbacks=[watch])
    player = training_player(watch)
    html = player.to_html()
    assert len(player.frames) <= 30
    assert player.plane.count("data-point=") == MAX_POINTS
    assert max(len(m.split(" ")) for m in re.findall(r'<polyline points="([^"]+)"', player.chart)) <= 301
    assert "every 32nd epoch of 600 and the last" in player.note
    assert "the loss curves: every 2nd epoch" in player.note and f"first {MAX_POINTS}" in player.note
    assert len(html.encode()) < 250_000, f"{len(html.encode()):,} bytes"


def test_where_the_output_is_nan_the_plane_says_no_class() -> None:
    """Never a silent wrong number: a nan output is drawn as no class (grey), and the key says so."""

    class Holey(Module):  # nan on the right half of the plane
        def __init__(self) -> None:
            self.net = MLP(2, [1], seed=0)

        def forward(self, x: list[float]) -> Any:
            out = self.net(x)
            return out * math.nan if x[0] > 0.5 else out

    X, y = [[0.0, 0.0], [0.2, 1.0], [1.0, 0.0], [0.3, 0.4]], [0, 1, 0, 1]
    model, everywhere, left_only = Holey(), TrainingRecorder(X, y), TrainingRecorder(X[:2], y[:2])
    optimizer = SGD(model.parameters(), lr=0.1)
    fit(
        model,
        X[:2],
        y[:2],
        loss_fn=mse_loss,
        optimizer=optimizer,
        epochs=2,
        quiet=True,
        callbacks=[everywhere],
    )
    player = training_player(everywhere, grid=6)
    runs = player.frames[-1].cells
    assert [runs[k] for k in range(0, len(runs), 2)] == [1, -1] * 6  # each row: a class, then none
    assert 2 in player.frames[-1].wrong  # the point at x = 1 has no class, so it is wrong
    assert "dark grey: the model's output is nan there" in player.to_html()
    fit(
        model,
        X[:2],
        y[:2],
        loss_fn=mse_loss,
        optimizer=optimizer,
        epochs=1,
        quiet=True,
        callbacks=[left_only],
    )
    assert "dark grey" not in training_player(left_only, grid=4).to_html()  # x < 0.5 only: no nan
