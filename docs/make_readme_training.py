"""Make the README's picture of the training player: docs/training_player.png.

    python docs/make_readme_training.py

Needs playwright (in the test extra) and Debian's chromium at /usr/bin/chromium. It trains
notebook 8's over-fitting 2-16-16-1 network on 30 noisy two-moons points with early stopping,
watched by a TrainingRecorder, saves the training player, opens it in headless Chromium, steps
back from the end to the last epoch trained and forward again (as a reader would, by clicking),
and takes a screenshot of its last frame: the weights early stopping restored.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from microgrand.data import make_moons, train_val_split
from microgrand.losses import binary_cross_entropy_with_logits
from microgrand.nn import MLP
from microgrand.optim import SGD
from microgrand.train import EarlyStopping, fit
from microgrand.viz import TrainingPlayer, TrainingRecorder, training_player

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"


def notebook8_player() -> TrainingPlayer:
    X, y = make_moons(60, noise=0.35, seed=1)
    (X_train, y_train), (X_val, y_val) = train_val_split(X, y, val_fraction=0.5, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    watch = TrainingRecorder(X_train, y_train, val=(X_val, y_val))
    fit(
        model,
        X_train,
        y_train,
        loss_fn=binary_cross_entropy_with_logits,
        optimizer=SGD(model.parameters(), lr=0.1, momentum=0.9),
        epochs=300,
        val=(X_val, y_val),
        early_stopping=EarlyStopping(patience=20),
        quiet=True,
        callbacks=[watch],
    )
    return training_player(watch)


def main(browser: Any = None, width: int = 900, out: Path = HERE / "training_player.png") -> Path:
    """Write the picture, with a Chromium launched here or the Playwright `browser` given."""
    player = notebook8_player()
    with tempfile.TemporaryDirectory() as tmp:
        url = player.save(Path(tmp) / "training.html").as_uri()
        if browser is None:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True)
                _screenshot(chromium, url, width, out)
                chromium.close()
        else:
            _screenshot(browser, url, width, out)
    return out


def _screenshot(browser: Any, url: str, width: int, out: Path) -> None:
    page = browser.new_page(viewport={"width": width, "height": 600}, device_scale_factor=2)
    page.goto(url)
    page.get_by_role("button", name="Previous frame", exact=True).click()
    page.get_by_role("button", name="Next frame", exact=True).click()
    page.locator(".mg-training").screenshot(path=out)
    page.close()


if __name__ == "__main__":
    print(main())
