"""The player and draw_svg as a person sees them: in headless Chromium, driven by Playwright.

Debian's chromium is used (``executable_path``), never Playwright's own download. Without
Chromium or playwright these tests skip on a developer's machine, but when the environment
variable CI is set (as .ci/run has it) a skip would hide a broken page, so they fail instead.
"""

from __future__ import annotations

import importlib.util
import io
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from example_graphs import docs_script, karpathy_example

from microgrand import Value, nn
from microgrand.graph import backward_steps, trace
from microgrand.viz import draw_svg, stepper

CHROMIUM = os.environ.get("MICROGRAND_CHROMIUM", "/usr/bin/chromium")


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return 'needs playwright: pip install -e ".[test]"'
    if not Path(CHROMIUM).exists():
        return f"needs Chromium at {CHROMIUM}: apt-get install chromium"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"CI is set, so the browser tests must run, but this machine {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


class Page:
    """A browser tab on one saved page, which records every console error and uncaught exception."""

    def __init__(self, browser: Any, path: Path, **context: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1200, "height": 800}, **context)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri())

    def click(self, name: str, player: int = 0) -> None:
        self.page.get_by_role("button", name=name, exact=True).nth(player).click()

    def caption(self, player: int = 0) -> str:
        return str(self.page.get_by_role("status").nth(player).text_content())

    def state(self) -> dict[str, Any]:
        """What the first player shows: each box's texts, the lit box, the lit edge labels, the frame."""
        return self.page.evaluate(  # type: ignore[no-any-return]
            """() => {
            const svg = document.querySelector('.mg-player svg');
            const boxes = {};
            svg.querySelectorAll('[data-box]').forEach(g => {
              boxes[g.dataset.box] = Array.from(g.querySelectorAll('text')).map(t => t.textContent);
            });
            const lit = svg.querySelector('[data-box][data-lit]');
            const labels = Array.from(svg.querySelectorAll('[data-elabel][data-lit]'))
                .map(t => t.textContent);
            const edges = svg.querySelectorAll('[data-edge][data-lit]').length;
            const slider = document.querySelector('.mg-player input[type=range]');
            return {boxes, lit: lit ? lit.dataset.box : null, labels, edges, frame: Number(slider.value)};
        }"""
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    pages: list[Page] = []

    def opener(path: Path, **context: Any) -> Page:
        pages.append(Page(browser, path, **context))
        return pages[-1]

    yield opener
    for p in pages:
        assert p.errors == [], f"console errors: {p.errors}"
        p.close()


def by_label(boxes: dict[str, list[str]]) -> dict[str, list[str]]:
    return {texts[0]: texts[1:] for texts in boxes.values()}


# ---------------------------------------------------------------- the player


def test_clicking_through_the_player_follows_backward_steps(open_page: Any, tmp_path: Path) -> None:
    player = stepper(karpathy_example()[0])
    page = open_page(player.save(tmp_path / "player.html"))
    steps = list(backward_steps(karpathy_example()[0]))  # the reference pass, on a graph of its own
    assert page.caption() == player.frames[0].caption
    start = by_label(page.state()["boxes"])
    assert start["a"] == ["data 2", "grad ?"] and start["L"] == ["data ?", "grad ?"]

    seen = [page.caption()]
    while page.state()["frame"] < len(player.frames) - 1:
        page.click("Next step")
        seen.append(page.caption())
        if seen[-1].startswith("Backward step"):
            step = steps[int(seen[-1].split()[2]) - 1]
            state = page.state()
            lit_label = state["boxes"][state["lit"]][0]
            assert lit_label == step.node.label
            expected = [
                f"{p.local_grad:.4g} × {step.upstream:.4g} = {p.contribution:.4g}" for p in step.passes
            ]
            assert state["labels"] == expected and state["edges"] == len(expected)
            for p in step.passes:  # each input's grad appears as the step passes it on
                assert by_label(state["boxes"])[p.input.label][-1] == f"grad {p.grad_after:.4g}"
    assert seen == [f.caption for f in player.frames]
    assert len(set(seen)) == len(seen)  # every frame says something new

    reference = karpathy_example()[0]
    reference.backward()
    final = by_label(page.state()["boxes"])
    assert {label: texts[-1] for label, texts in final.items()} == {
        v.label: f"grad {v.grad:.4g}" for v in trace(reference)[0]
    }
    page.click("Previous step")
    assert page.caption() == player.frames[-2].caption


def test_every_frame_has_the_same_layout_and_every_text_fits_its_cell(open_page: Any, tmp_path: Path) -> None:
    a, b = Value(-1.25, label="a"), Value(3.0, label="b")
    h = (a * b + a).tanh()
    y = h * h + b * 0.001
    y.label = "y"
    player = stepper(y)
    page = open_page(player.save(tmp_path / "p.html"))
    measure = """() => {
        const out = [];
        document.querySelectorAll('.mg-player svg [data-box]').forEach(g => {
          const r = g.querySelector('rect').getBBox();
          const lines = Array.from(g.querySelectorAll('line')).map(l => l.x1.baseVal.value);
          const cells = [r.x, ...lines, r.x + r.width];
          const texts = Array.from(g.querySelectorAll(':scope > text'));
          const wide = texts.map((t, k) => t.getComputedTextLength() <= cells[k + 1] - cells[k] - 2);
          out.push([r.x, r.y, r.width, r.height, wide.every(Boolean)]);
        });
        return out;
    }"""
    page.click("First step")
    first = page.page.evaluate(measure)
    for _ in range(len(player.frames) - 1):
        page.click("Next step")
        assert page.page.evaluate(measure) == first
    assert all(fits for *_, fits in first), "a text is wider than its cell"


def test_in_a_wider_font_texts_are_squeezed_into_their_cells(open_page: Any, tmp_path: Path) -> None:
    """The layout measures Helvetica; a machine without it or Arial may draw a wider font."""
    page = open_page(stepper(karpathy_example()[0]).save(tmp_path / "p.html"))
    page.page.add_style_tag(content=".mg-player svg { font-family: 'DejaVu Sans'; font-size: 15px }")
    page.click("Next step")
    spill = page.page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-fit]')).filter(t =>
            t.getBBox().width > Number(t.getAttribute('data-fit')) + 0.5).length"""
    )
    squeezed = page.page.evaluate("() => document.querySelectorAll('[textLength]').length")
    assert spill == 0 and squeezed > 0


def test_play_advances_by_itself_and_stops_at_the_end(open_page: Any, tmp_path: Path) -> None:
    player = stepper(karpathy_example()[0], interval_ms=60)
    page = open_page(player.save(tmp_path / "p.html"))
    page.click("Play")
    pause = page.page.get_by_role("button", name="Pause", exact=True)
    assert pause.count() == 1
    page.page.wait_for_function("document.querySelector('.mg-player input[type=range]').value >= 3")
    assert page.caption() != player.frames[0].caption
    page.page.wait_for_function(
        f"document.querySelector('.mg-player input[type=range]').value == {len(player.frames) - 1}"
    )
    page.page.get_by_role("button", name="Play", exact=True).wait_for()  # it stopped by itself
    assert page.caption() == player.frames[-1].caption
    page.click("Play")  # from the end, play starts again at the beginning
    page.click("Pause")
    stopped = page.state()["frame"]
    page.page.wait_for_timeout(200)
    assert page.state()["frame"] == stopped < len(player.frames) - 1


def test_keys_slider_and_first_last(open_page: Any, tmp_path: Path) -> None:
    player = stepper(karpathy_example()[0])
    page = open_page(player.save(tmp_path / "p.html"))
    page.page.locator(".mg-player").focus()
    page.page.keyboard.press("ArrowRight")
    page.page.keyboard.press("ArrowRight")
    assert page.state()["frame"] == 2 and page.caption() == player.frames[2].caption
    page.page.keyboard.press("ArrowLeft")
    assert page.state()["frame"] == 1
    page.page.keyboard.press("End")
    assert page.caption() == player.frames[-1].caption
    page.click("First step")
    assert page.state()["frame"] == 0
    page.click("Last step")
    assert page.state()["frame"] == len(player.frames) - 1
    page.page.get_by_role("slider").fill("5")
    assert page.caption() == player.frames[5].caption
    page.page.get_by_role("slider").press("ArrowRight")  # the slider's own keys move one frame, not two
    assert page.state()["frame"] == 6


def test_zoom_and_fit(open_page: Any, tmp_path: Path) -> None:
    model = nn.MLP(2, [4, 4, 1], seed=0)
    y = model([Value(1.0, label="x0"), Value(-2.0, label="x1")])
    page = open_page(stepper(y, model.parameters()).save(tmp_path / "p.html"))
    svg, view = page.page.locator(".mg-player svg"), page.page.locator(".mg-view").bounding_box()
    full = svg.bounding_box()
    page.click("Zoom in")
    zoomed = svg.bounding_box()
    assert zoomed["width"] > full["width"]  # the picture drawn bigger
    page.page.mouse.move(view["x"] + 300, view["y"] + 100)  # drag to pan
    page.page.mouse.down()
    page.page.mouse.move(view["x"] + 200, view["y"] + 80)
    page.page.mouse.up()
    panned = svg.bounding_box()
    assert (panned["x"], panned["y"]) != (zoomed["x"], zoomed["y"]) and panned["width"] == zoomed["width"]
    page.click("Zoom out")
    page.click("Fit")
    fitted = svg.bounding_box()  # the whole graph is in view again
    assert fitted["x"] >= view["x"] - 0.5 and fitted["x"] + fitted["width"] <= view["x"] + view["width"] + 0.5
    assert (
        fitted["y"] >= view["y"] - 0.5 and fitted["y"] + fitted["height"] <= view["y"] + view["height"] + 0.5
    )


def test_a_screenshot_shows_the_graph(open_page: Any, tmp_path: Path) -> None:
    from PIL import Image  # matplotlib's dependency, in the test extra

    page = open_page(stepper(karpathy_example()[0]).save(tmp_path / "p.html"))
    page.click("Last step")
    image = Image.open(io.BytesIO(page.page.screenshot())).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    gold = sum(n for n, c in colours if c == (0xFF, 0xD9, 0x66))  # the root's box
    blue = sum(n for n, c in colours if c == (0xCF, 0xE2, 0xF3))  # the leaves'
    dark = sum(n for n, c in colours if sum(c) < 200)  # text and lines
    assert gold > 500 and blue > 2000 and dark > 1000 and len(colours) > 20


def test_without_scripts_the_last_frame_is_a_picture(open_page: Any, tmp_path: Path) -> None:
    player = stepper(karpathy_example()[0])
    page = open_page(player.save(tmp_path / "p.html"), java_script_enabled=False)
    picture = page.page.locator(".mg-player img")  # the SVG as an <img>: what sanitisers keep too
    assert picture.is_visible() and picture.bounding_box()["width"] > 500
    assert page.page.evaluate("() => document.querySelector('.mg-player img').naturalWidth") > 500
    assert page.page.locator(".mg-controls, .mg-player button").count() == 0  # no buttons that do nothing
    assert page.caption() == player.frames[-1].caption
    model = nn.MLP(2, [4, 4, 1], seed=0)
    wide = stepper(model([Value(1.0, label="x0"), Value(-2.0, label="x1")]), model.parameters())
    page = open_page(wide.save(tmp_path / "wide.html"), java_script_enabled=False)
    box = page.page.locator(".mg-player img").bounding_box()
    assert 0 < box["width"] <= 1200 and box["height"] > 100  # scaled to fit, not cut off


def test_two_players_on_one_page_play_on_their_own(open_page: Any, tmp_path: Path) -> None:
    one, two = stepper(karpathy_example()[0]), stepper(Value(2.0, label="x") * 3.0)
    path = tmp_path / "two.html"
    path.write_text(f"<!DOCTYPE html><meta charset='utf-8'><body>{one.to_html()}<hr>{two.to_html()}</body>")
    page = open_page(path)
    page.click("Next step", player=1)
    assert page.caption(1) == two.frames[1].caption
    assert page.caption(0) == one.frames[0].caption


# ---------------------------------------------------------------- the layout, measured in the browser

GEOMETRY = """() => {
    const svg = document.querySelector('svg');
    const shapes = Array.from(svg.querySelectorAll('[data-box] > rect, [data-op] > ellipse')).map(e => {
        const b = e.getBBox();
        return {x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height, oval: e.tagName === 'ellipse'};
    });
    const inside = (p, s) => {  // strictly inside, by more than 1.5 px
        if (s.oval) {
            const rx = (s.x1 - s.x0) / 2 - 1.5, ry = (s.y1 - s.y0) / 2 - 1.5;
            const dx = (p.x - (s.x0 + s.x1) / 2) / rx, dy = (p.y - (s.y0 + s.y1) / 2) / ry;
            return dx * dx + dy * dy < 1;
        }
        return p.x > s.x0 + 1.5 && p.x < s.x1 - 1.5 && p.y > s.y0 + 1.5 && p.y < s.y1 - 1.5;
    };
    let overlaps = 0, through = 0;
    for (let i = 0; i < shapes.length; i++)
        for (let j = i + 1; j < shapes.length; j++) {
            const a = shapes[i], b = shapes[j];
            if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) overlaps++;
        }
    // each edge: the browser's points every 8 px along it, and between two of them a point every
    // px on the straight chord (an edge's curve bends far less than a px over 8 px; asking the
    // browser for every point took seconds a page)
    svg.querySelectorAll('path').forEach(path => {
        const n = path.getTotalLength();
        let a = path.getPointAtLength(0);
        for (let s = 8; s < n + 8; s += 8) {
            const b = path.getPointAtLength(Math.min(s, n));
            const k = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y)));
            const at = i => ({x: a.x + (b.x - a.x) * i / k, y: a.y + (b.y - a.y) * i / k});
            const hit = Array.from({length: k + 1}, (_, i) => at(i))
                .some(p => shapes.some(box => inside(p, box)));
            if (hit) { through++; break; }
            a = b;
        }
    });
    return {overlaps, through, boxes: shapes.length};
}"""


def random_graph(seed: int) -> Value:
    rng = random.Random(seed)
    pool = [Value(rng.uniform(-2, 2), label=f"x{i}") for i in range(rng.randint(2, 6))]
    for _ in range(rng.randint(5, 25)):
        a, b = rng.choice(pool), rng.choice(pool[-6:])
        pool.append(rng.choice([a + b, a * b, (a * b).tanh(), a.relu() + 1.0]))
    return sum(pool[-4:], Value(0.0, label="z"))  # type: ignore[return-value]


def graphs() -> Iterator[tuple[str, Value, list[Value]]]:
    yield "readme", karpathy_example()[0], []
    neuron = nn.Neuron(3, fused=False, seed=1)
    yield "neuron", neuron([1.0, -2.0, 0.5]), neuron.parameters()
    mlp = nn.MLP(3, [4, 4, 1], seed=2)
    yield "mlp", mlp([1.0, -2.0, 0.5]), mlp.parameters()
    for seed in range(4):
        yield f"random{seed}", random_graph(seed), []


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_no_box_overlaps_another_and_no_edge_passes_through_a_box(
    open_page: Any, tmp_path: Path, rankdir: str
) -> None:
    pictures = {
        name: draw_svg(y, params, show_local_grads=True, rankdir=rankdir).save(tmp_path / f"{name}.svg")
        for name, y, params in graphs()
    }
    page = open_page(pictures["readme"])  # one tab for all (a tab each took most of the time)
    for name, path in pictures.items():
        page.page.goto(path.as_uri())
        result = page.page.evaluate(GEOMETRY)
        assert result["boxes"] > 3, name
        assert result["overlaps"] == 0, name
        assert result["through"] == 0, name


def test_the_script_that_makes_the_readme_picture_runs(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    module = docs_script("make_readme_player")
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main(browser)  # Playwright's sync API runs once per process: lend it this module's browser
    image = Image.open(tmp_path / "player.png").convert("RGB")
    colours = dict((c, n) for n, c in image.getcolors(maxcolors=1 << 22) or [])
    assert colours.get((0xCC, 0x00, 0x00), 0) > 500  # the node at work and its edges, in red
    assert colours.get((0xFF, 0xD9, 0x66), 0) > 500  # the root


def test_a_player_inserted_as_jupyterlab_inserts_outputs_works(open_page: Any, tmp_path: Path) -> None:
    """JupyterLab sets an output's HTML on a detached node, swaps each script for a fresh copy
    (so it runs), then attaches the node: the player must find itself all the same."""
    player = stepper(karpathy_example()[0])
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><meta charset='utf-8'><body></body>")
    page = open_page(blank)
    page.page.evaluate(
        """html => {
        const host = document.createElement('div');
        host.innerHTML = html;  // scripts set this way never run
        host.querySelectorAll('script').forEach(old => {
            const fresh = document.createElement('script');
            Array.from(old.attributes).forEach(a => fresh.setAttribute(a.name, a.value));
            fresh.textContent = old.textContent;
            old.replaceWith(fresh);
        });
        document.body.appendChild(host);
    }""",
        player._repr_html_(),
    )
    assert page.caption() == player.frames[0].caption
    page.click("Next step")
    assert page.caption() == player.frames[1].caption
