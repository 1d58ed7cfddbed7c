"""Make the README's pictures of the backprop player: docs/player.png, docs/player_quiz.png and
docs/player_forward.png.

    python docs/make_readme_player.py

Needs playwright (in the test extra) and Debian's chromium at /usr/bin/chromium
(apt-get install chromium fonts-liberation); no Graphviz. It saves the player of
micrograd's first example, L = (a*b + c) * f, opens the page in headless Chromium,
steps to the second backward step (d passing its gradient to e and c) as a reader
would, by clicking, and takes a screenshot of the player. The quiz's picture shows a wrong
answer and its hint at that step; forward mode's, the tangent reaching L.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from microgrand.examples import lecture_example
from microgrand.graph import trace
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
    page = browser.new_page(viewport={"width": 1160, "height": 400}, device_scale_factor=2)
    page.goto(url)
    page.get_by_role("button", name="First step", exact=True).click()
    for _ in range(frame):  # as a reader would: click by click
        page.get_by_role("button", name="Next step", exact=True).click()
    page.locator(".mg-player").screenshot(path=out)
    page.close()


def lab(browser: Any = None) -> list[Path]:
    """Write docs/player_quiz.png and docs/player_forward.png (see `main` for `browser`)."""
    L = lecture_example()
    a = next(v for v in trace(L)[0] if v.label == "a")
    outs = [HERE / "player_quiz.png", HERE / "player_forward.png"]
    with tempfile.TemporaryDirectory() as tmp:
        pages = [
            stepper(L, quiz=True).save(Path(tmp) / "quiz.html").as_uri(),
            stepper(L, mode="forward", wrt=a).save(Path(tmp) / "forward.html").as_uri(),
        ]
        if browser is None:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True)
                _lab_screenshots(chromium, pages, outs)
                chromium.close()
        else:
            _lab_screenshots(browser, pages, outs)
    return outs


def _lab_screenshots(browser: Any, pages: list[str], outs: list[Path]) -> None:
    page = browser.new_page(viewport={"width": 1320, "height": 440}, device_scale_factor=2)
    page.goto(pages[0])
    while "What is the gradient of e" not in (caption := str(page.get_by_role("status").text_content())):
        if "What is the gradient of" in caption:  # an earlier question: be told
            page.get_by_role("button", name="Show", exact=True).click()
        page.get_by_role("button", name="Next step", exact=True).click()
    page.get_by_role("textbox", name="Your gradient").fill("1")  # the local derivative alone
    page.get_by_role("button", name="Check", exact=True).click()
    page.locator(".mg-player").screenshot(path=outs[0])
    page.goto(pages[1])
    page.get_by_role("button", name="Last step", exact=True).click()
    page.get_by_role("button", name="Previous step", exact=True).click()  # L's tangent: the sum of two shares
    page.locator(".mg-player").screenshot(path=outs[1])
    page.close()


if __name__ == "__main__":
    print(main())
    print(*lab(), sep="\n")
