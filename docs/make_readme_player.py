"""Make the README's picture of the backprop player: docs/player.png.

    python docs/make_readme_player.py

Needs playwright (in the test extra) and Debian's chromium at /usr/bin/chromium
(apt-get install chromium fonts-liberation); no Graphviz. It saves the player of
micrograd's first example, L = (a*b + c) * f, opens the page in headless Chromium,
steps to the second backward step (d passing its gradient to e and c) as a reader
would, by clicking, and takes a screenshot of the player.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from microgrand.examples import lecture_example
from microgrand.viz import stepper

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"


def main(browser: Any = None) -> Path:
    """Write docs/player.png, with a Chromium launched here or the Playwright `browser` given."""
    player = stepper(lecture_example())
    frame = next(k for k, f in enumerate(player.frames) if f.caption.startswith("Backward step 2 "))
    out = HERE / "player.png"
    with tempfile.TemporaryDirectory() as tmp:
        url = player.save(Path(tmp) / "player.html").as_uri()
        if browser is None:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True)
                _screenshot(chromium, url, frame, out)
                chromium.close()
        else:
            _screenshot(browser, url, frame, out)
    return out


def _screenshot(browser: Any, url: str, frame: int, out: Path) -> None:
    page = browser.new_page(viewport={"width": 900, "height": 400}, device_scale_factor=2)
    page.goto(url)
    page.get_by_role("button", name="First step", exact=True).click()
    for _ in range(frame):  # as a reader would: click by click
        page.get_by_role("button", name="Next step", exact=True).click()
    page.locator(".mg-player").screenshot(path=out)
    page.close()


if __name__ == "__main__":
    print(main())
