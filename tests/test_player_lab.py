"""The player as a lab (issue 19), as a person sees it: in headless Chromium, and in JupyterLab.

Readable at any size (text >= 10 CSS px at the default view, the camera on the node at
work), a picture in an untrusted notebook, explore (hover an edge, tap a box), the quiz,
forward mode against backward(), keys, bidirectional labels, and the options' limits.
The browser, `Page` and `open_page` are test_browser's.
"""

from __future__ import annotations

import math
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import test_browser
from example_graphs import karpathy_example

from microgrand import Value, nn
from microgrand.graph import trace
from microgrand.tangents import forward_steps
from microgrand.viz import draw_svg, stepper
from microgrand.viz.style import num

browser = test_browser.browser  # test_browser's fixtures, found here by name
open_page = test_browser.open_page
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1400, "height": 900}


def neuron_06() -> tuple[Value, list[Value]]:
    """Notebook 06's fine-grained neuron, as its player shows it."""
    fine = nn.Neuron(3, activation="tanh", fused=False, seed=0)
    return fine([1.0, -2.0, 0.5]), fine.parameters()


def mlp_2441() -> tuple[Value, list[Value]]:
    model = nn.MLP(2, [4, 4, 1], seed=0, fused=False)
    out = model([Value(0.5, label="x0"), Value(-1.0, label="x1")])
    assert isinstance(out, Value)
    return out, model.parameters()


def at(page: Any, viewport: dict[str, int]) -> Any:
    page.page.set_viewport_size(viewport)
    page.page.reload()
    return page


def smallest_text(page: Any) -> float:
    """The smallest font size, in CSS px on the screen, of any text of the picture in view."""
    return float(
        page.page.evaluate(
            """() => {
            const svg = document.querySelector('.mg-player svg');
            const view = svg.getBoundingClientRect();
            let smallest = Infinity;
            svg.querySelectorAll('text').forEach(t => {
              const r = t.getBoundingClientRect();
              if (!t.textContent.trim() || r.right < view.left || r.left > view.right
                  || r.bottom < view.top || r.top > view.bottom) return;
              const size = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
              smallest = Math.min(smallest, size);
            });
            return smallest;
        }"""
        )
    )


def lit_in_view(page: Any) -> bool:
    return bool(
        page.page.evaluate(
            """() => {
            const view = document.querySelector('.mg-view').getBoundingClientRect();
            const lit = document.querySelector('.mg-player [data-box][data-lit]').getBoundingClientRect();
            return lit.left >= view.left - 1 && lit.right <= view.right + 1
                && lit.top >= view.top - 1 && lit.bottom <= view.bottom + 1;
        }"""
        )
    )


def explained(page: Any) -> str:
    return str(page.page.locator(".mg-explain").text_content())


# ---------------------------------------------------------------- 1. readable at any size


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1400px", "390px"])
@pytest.mark.parametrize("graph", [neuron_06, mlp_2441], ids=["neuron-06", "mlp-2-4-4-1"])
def test_text_is_readable_and_the_camera_follows_the_node_at_work(
    open_page: Any, tmp_path: Path, graph: Any, viewport: dict[str, int]
) -> None:
    root, params = graph()
    page = at(open_page(stepper(root, params).save(tmp_path / "p.html")), viewport)
    assert smallest_text(page) >= 10
    for _ in range(3):
        page.click("Next step")
        assert lit_in_view(page) and smallest_text(page) >= 10
    page.click("Last step")
    page.click("Previous step")  # the last backward step: far from where the camera was
    assert lit_in_view(page)
    caption = page.page.get_by_role("status").first.bounding_box()
    assert caption["x"] >= 0 and caption["x"] + caption["width"] <= viewport["width"]

    svg = page.page.locator(".mg-player svg")
    page.page.get_by_label("Follow the node at work").uncheck()  # following can be turned off
    before = svg.bounding_box()
    page.click("First step")
    page.click("Next step")
    assert svg.bounding_box() == before

    page.click("Fit")  # one click shows the whole graph
    fitted, view = svg.bounding_box(), page.page.locator(".mg-view").bounding_box()
    assert fitted["x"] >= view["x"] - 0.5 and fitted["x"] + fitted["width"] <= view["x"] + view["width"] + 0.5
    assert (
        fitted["y"] >= view["y"] - 0.5 and fitted["y"] + fitted["height"] <= view["y"] + view["height"] + 0.5
    )


def test_a_wide_graph_pans_under_a_drag(open_page: Any, tmp_path: Path) -> None:
    root, params = mlp_2441()
    page = at(open_page(stepper(root, params).save(tmp_path / "p.html")), PHONE)
    svg = page.page.locator(".mg-player svg")
    view = page.page.locator(".mg-view").bounding_box()
    before = svg.bounding_box()
    page.page.mouse.move(view["x"] + 200, view["y"] + 100)
    page.page.mouse.down()
    page.page.mouse.move(view["x"] + 100, view["y"] + 100, steps=5)
    page.page.mouse.up()
    after = svg.bounding_box()
    assert after["x"] == pytest.approx(before["x"] - 100, abs=1) and after["width"] == before["width"]


# ---------------------------------------------------------------- 3. explore


def test_pointing_at_an_edge_or_a_box_tells_its_derivative(open_page: Any, tmp_path: Path) -> None:
    page = open_page(stepper(karpathy_example()[0]).save(tmp_path / "p.html"))
    hit = '.mg-player [data-edge="{}"] [data-hit]'
    data = page.page.evaluate("() => JSON.parse(document.querySelector('.mg-data').textContent).explore")
    index = next(k for k, e in enumerate(data["edges"]) if e and e[0].startswith("∂e/∂a"))
    page.page.locator(hit.format(index)).hover(force=True)
    assert explained(page).startswith("∂e/∂a = ∂(a * b)/∂a = b = −3")
    assert "not known yet" in explained(page) or "Step on" in explained(page)

    while "e passes" not in page.caption():  # e's backward step: ∂L/∂e = −2 is known now
        page.click("Next step")
    page.page.mouse.move(0, 0)
    page.page.locator(hit.format(index)).hover(force=True)
    assert "−3 × −2 = 6" in explained(page) and "∂L/∂e = −2" in explained(page)

    page.click("Last step")
    a_box = page.page.locator(".mg-player [data-box]", has_text="a").filter(has_text="grad 6")
    a_box.click()  # a tap on a box: its gradient as the sum over its uses
    assert explained(page) == "∂L/∂a = 6 = −3 × −2 (one use)"


def test_a_box_used_twice_shows_a_sum_of_two_terms(open_page: Any, tmp_path: Path) -> None:
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    page = open_page(stepper(y).save(tmp_path / "p.html"))
    page.click("Last step")
    page.page.locator(".mg-player [data-box]").filter(has_text="grad 6").click()
    assert explained(page) == "∂y/∂a = 6 = 3 × 1 + 3 × 1 (the sum over its 2 uses)"


# ---------------------------------------------------------------- 4. quiz


def test_the_quiz_asks_before_it_tells(open_page: Any, tmp_path: Path) -> None:
    page = open_page(stepper(karpathy_example()[0], quiz=True).save(tmp_path / "p.html"))
    while "passes its gradient on" not in page.caption():
        page.click("Next step")
    state = page.state()
    assert state["boxes"][state["lit"]][0] == "L"
    assert page.caption().startswith("L passes its gradient on. What is the gradient of d now, ∂L/∂d?")
    assert state["labels"] == ["−2 × 1 = ?", "4 × 1 = ?"]  # the products, not their results
    assert all(texts[-1] == "grad ?" for label, texts in _by_label(state).items() if label != "L")
    frame = state["frame"]
    page.click("Next step")  # no skipping the question with Next
    assert page.state()["frame"] == frame

    box = page.page.get_by_role("textbox", name="Your gradient")
    hint = page.page.locator(".mg-hint")
    box.fill("1")  # the upstream gradient alone
    page.click("Check")
    assert hint.text_content().startswith("That is the upstream gradient")  # type: ignore[union-attr]
    box.fill("-2")  # the local derivative ∂L/∂d = f = −2 alone... which here is also the answer
    page.click("Check")
    assert hint.text_content() == "Right: the gradient of d is -2."
    assert _by_label(page.state())["d"][-1] == "grad -2"  # told, now that it was asked

    page.click("Next step")  # the next question: d passes to e and c; e's gradient
    assert "What is the gradient of e now" in page.caption()
    box.fill("5")
    box.press("Enter")
    assert "Not yet" in hint.text_content()  # type: ignore[operator]
    box.fill("-6")  # e's value
    page.click("Check")
    assert hint.text_content().startswith("That is the value of e (its data).")  # type: ignore[union-attr]
    box.fill("−1.99999")  # within 4 significant digits of −2, typed with a minus sign
    page.click("Check")
    assert hint.text_content() == "Right: the gradient of e is -2."

    page.click("Next step")
    page.click("Show")  # or just be told
    assert hint.text_content() == "The gradient of a is 6."
    assert _by_label(page.state())["a"][-1] == "grad 6"


def test_the_quiz_hints_at_the_sum_over_two_uses(open_page: Any, tmp_path: Path) -> None:
    a = Value(3.0, label="a")
    y = a * a
    y.label = "y"
    page = open_page(stepper(y, quiz=True).save(tmp_path / "p.html"))
    page.click("Next step")
    page.click("Next step")
    page.click("Next step")
    box = page.page.get_by_role("textbox", name="Your gradient")
    box.fill("3")  # one edge's share
    page.click("Check")
    assert "sum over its uses" in str(page.page.locator(".mg-hint").text_content())
    box.fill("6")
    page.click("Check")
    assert page.page.locator(".mg-hint").text_content() == "Right: the gradient of a is 6."


# ---------------------------------------------------------------- 5. forward mode


def random_graph(rng: random.Random) -> tuple[Value, list[Value]]:
    leaves = [Value(rng.uniform(-2, 2), label=f"x{i}") for i in range(rng.randint(2, 5))]
    pool = list(leaves)
    for _ in range(rng.randint(1, 20)):
        a, b = rng.choice(pool), rng.choice(pool[-5:])
        pool.append(
            rng.choice([a + b, a * b, a - b, (a * b).tanh(), a.relu() * 2.0, a.exp() / (b * b + 1.0), -a])
        )
    return pool[-1] + pool[-2] * pool[-3], leaves


def test_forward_tangents_equal_backward_gradients_on_random_graphs() -> None:
    rng = random.Random(19)
    for _ in range(300):
        root, leaves = random_graph(rng)
        root.backward()
        for x in leaves:
            steps = forward_steps(root, x)
            assert steps[-1].node is root
            assert math.isclose(steps[-1].tangent, x.grad, rel_tol=1e-12, abs_tol=1e-12)


def test_the_forward_player_ends_on_the_gradient_backward_gives(open_page: Any, tmp_path: Path) -> None:
    rng = random.Random(5)
    for n in range(4):
        root, leaves = random_graph(rng)
        root.label = "L"
        x = rng.choice(leaves)
        player = stepper(root, mode="forward", wrt=x)
        root.backward()
        page = open_page(player.save(tmp_path / f"f{n}.html"))
        page.click("Last step")
        assert page.caption().startswith(f"Done: ∂L/∂{x.label} = {num(x.grad).replace('-', '−')}")
        assert _by_label(page.state())["L"][-1] == f"tangent {num(x.grad)}"
        leaves_drawn = len({v for v in trace(root)[0] if v.is_leaf and v.label})
        note = str(page.page.locator(".mg-note").text_content())
        assert f"need {leaves_drawn} forward pass" in note and "in 1 pass" in note


def test_forward_mode_steps_node_by_node(open_page: Any, tmp_path: Path) -> None:
    L, v = karpathy_example()
    page = open_page(stepper(L, mode="forward", wrt=v["a"]).save(tmp_path / "p.html"))
    assert _by_label(page.state())["a"] == ["data 2", "tangent 1"]
    assert _by_label(page.state())["b"] == ["data -3", "tangent 0"]
    page.click("Next step")
    assert (
        page.caption() == "Forward step 1 of 3: e = a * b = −6, and its tangent ∂e/∂a = −3 × 1 + 2 × 0 = −3"
    )
    assert page.state()["labels"] == ["−3 × 1 = −3", "2 × 0 = 0"]
    page.click("Last step")
    assert page.caption() == "Done: ∂L/∂a = 6, from one forward pass that carried tangents."


def test_forward_mode_refuses_what_is_not_a_leaf_of_the_graph() -> None:
    L, v = karpathy_example()
    with pytest.raises(ValueError, match="the Value labelled 'e' is not: it is the result of an operation"):
        stepper(L, mode="forward", wrt=v["e"])
    stranger = Value(1.0, label="z")
    with pytest.raises(ValueError, match="the Value labelled 'z' is not: the output does not depend on it"):
        stepper(L, mode="forward", wrt=stranger)
    with pytest.raises(ValueError, match="forward mode needs the input"):
        stepper(L, mode="forward")
    with pytest.raises(ValueError, match='mode must be "reverse"'):
        stepper(L, mode="sideways")
    with pytest.raises(ValueError, match="wrt= chooses the input of forward mode"):
        stepper(L, wrt=v["a"])
    with pytest.raises(ValueError, match="quiz=True asks for gradients during a backward pass"):
        stepper(L, mode="forward", wrt=v["a"], quiz=True)


# ---------------------------------------------------------------- 7. keys, bidi, limits


def test_a_click_gives_the_player_the_keys(open_page: Any, tmp_path: Path) -> None:
    page = open_page(stepper(karpathy_example()[0]).save(tmp_path / "p.html"))
    page.page.locator(".mg-player svg").click(position={"x": 5, "y": 5})
    page.page.keyboard.press("ArrowRight")
    page.page.keyboard.press("ArrowRight")
    assert page.state()["frame"] == 2
    page.page.keyboard.press("End")
    assert page.caption().startswith("Done")


def test_a_right_to_left_label_cannot_reorder_the_caption(open_page: Any, tmp_path: Path) -> None:
    w, x = Value(2.0, label="\u202ew"), Value(-3.0, label="x")
    y = w * x
    page = open_page(stepper(y).save(tmp_path / "p.html"))
    page.click("Next step")
    assert page.caption() == "Forward step 1 of 1: \u2068\u202ew\u2069 * x = −6"
    # as drawn: "= −6" still reads left to right after the label, not reversed into "6− ="
    order = page.page.evaluate(
        """() => {
        const node = document.querySelector('.mg-caption').firstChild, text = node.textContent;
        const x = i => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                         return r.getBoundingClientRect().left; };
        return [x(text.indexOf('*')), x(text.indexOf('=')), x(text.indexOf('6'))];
    }"""
    )
    assert order == sorted(order)


def test_interval_and_size_limits_are_clear_errors() -> None:
    L = karpathy_example()[0]
    for bad in (0, 2**31, 60_001):
        with pytest.raises(
            ValueError, match="interval_ms must be a whole number of milliseconds from 1 to 60,000"
        ):
            stepper(L, interval_ms=bad)
    assert stepper(L, interval_ms=60_000).interval_ms == 60_000
    big = sum((Value(float(i), label=f"x{i}") * 2.0 for i in range(300)), Value(0.0))
    assert isinstance(big, Value)
    with pytest.raises(ValueError, match=r"a player of 1,201 Values would be too big .* max_nodes=1000"):
        stepper(big, max_nodes=None)
    assert len(stepper(big).frames) > 200  # the default cut is fine


# ---------------------------------------------------------------- 2. JupyterLab, untrusted


CLIENTS = {"jupyterlab": "lab/tree", "notebook": "notebooks"}  # each front end's URL of a notebook


@pytest.fixture(scope="module", params=list(CLIENTS))
def jupyter(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """JupyterLab, then Notebook 7, on 127.0.0.1, a free port, no token, with its own data dir;
    yields the URL of a notebook in it (append its name) and its folder; stopped after."""
    app = request.param
    pytest.importorskip(app)
    home = tmp_path_factory.mktemp(app)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(
        os.environ,
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", app, "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", "--IdentityProvider.token=", "--ServerApp.password=",
         f"--ServerApp.root_dir={home}",
         "--JupyterNotebookApp.news_url=" if app == "notebook" else "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(240):
            if server.poll() is not None:
                pytest.fail("JupyterLab did not start")
            try:
                urllib.request.urlopen(f"{url}/api", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        yield f"{url}/{CLIENTS[app]}/", home
    finally:
        server.terminate()
        try:
            server.wait(5)  # it may still be shutting down: it holds nothing worth waiting for
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def notebook_with_outputs(path: Path, objects: list[object]) -> None:
    """A notebook holding each object's display output as a kernel would have saved it."""
    import nbformat
    from IPython.core.formatters import DisplayFormatter

    nb = nbformat.v4.new_notebook()
    for k, obj in enumerate(objects):
        data, metadata = DisplayFormatter().format(obj)
        cell = nbformat.v4.new_code_cell(f"output_{k}")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
        nb.cells.append(cell)
    nbformat.write(nb, str(path))  # unsigned: JupyterLab opens it untrusted


def open_notebook(browser: Any, url: str, name: str, tmp_path: Path) -> Any:
    page = browser.new_page(viewport=LAPTOP)
    page.goto(f"{url}{name}?reset")  # in JupyterLab, a fresh workspace: no tab of an earlier test
    page.wait_for_selector(".jp-OutputArea-output", timeout=120_000)
    dialog = page.locator(".jp-Dialog")  # "Select Kernel": the outputs need none
    dialog.get_by_role("button", name="No Kernel", exact=True).click(timeout=60_000)
    dialog.wait_for(state="detached")
    return page


@pytest.mark.jupyter
def test_untrusted_notebook_shows_the_pictures(
    browser: Any, jupyter: tuple[str, Path], tmp_path: Path
) -> None:
    url, home = jupyter
    L = karpathy_example()[0]
    notebook_with_outputs(home / "untrusted.ipynb", [draw_svg(L), stepper(L)])
    page = open_notebook(browser, url, "untrusted.ipynb", tmp_path)
    try:
        images = page.locator(".jp-OutputArea-output img")
        assert images.count() == 2  # draw_svg's and the player's last frame
        for k in range(2):
            img = images.nth(k)
            assert img.is_visible()
            assert page.evaluate("i => i.naturalWidth > 300 && i.complete", img.element_handle()) is True
        outputs = page.locator(".jp-OutputArea-output")
        assert "SVGDrawing:" not in str(outputs.nth(0).text_content())  # not the text repr
        assert outputs.nth(1).locator("button").count() == 0  # no dead buttons
        assert "Done: every grad" in str(outputs.nth(1).text_content())  # the last frame's caption
        page.screenshot(path=str(tmp_path / "untrusted.png"))
    finally:
        page.close()


@pytest.mark.jupyter
def test_in_a_trusted_notebook_the_arrow_keys_step_the_player(
    browser: Any, jupyter: tuple[str, Path], tmp_path: Path
) -> None:
    url, home = jupyter
    notebook_with_outputs(home / "trusted.ipynb", [stepper(karpathy_example()[0]), "a second cell"])
    env = dict(os.environ, JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_CONFIG_DIR=str(home / "config"))
    subprocess.run(
        [sys.executable, "-m", "jupyter", "trust", str(home / "trusted.ipynb")], env=env, check=True
    )
    page = open_notebook(browser, url, "trusted.ipynb", tmp_path)
    try:
        player = page.locator(".mg-player")
        player.locator("svg").click(position={"x": 10, "y": 10})
        for key in ("ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft"):
            page.keyboard.press(key)
        slider = player.locator("input[type=range]")
        assert slider.input_value() == "2"
        slider.focus()  # the slider moves itself with ← →; the notebook must not take them
        page.keyboard.press("ArrowRight")
        assert slider.input_value() == "3" and player.locator("[data-lit]").count() > 0
        active = page.locator(".jp-Notebook .jp-Cell.jp-mod-active .jp-InputArea").text_content()
        assert "output_0" in str(active)  # the notebook did not move to another cell
    finally:
        page.close()


def _by_label(state: dict[str, Any]) -> dict[str, list[str]]:
    return {texts[0]: texts[1:] for texts in state["boxes"].values()}


def test_a_cut_graph_is_walked_without_storing_every_step() -> None:
    from microgrand.viz.frames import make_frames
    from microgrand.viz.scene import make_scene, replayed_pass

    y = Value(0.5, label="x")
    for _ in range(5000):
        y = y.tanh() + y * 0.5  # each node used twice: grads of drawn nodes gather from deep below
    cut = make_scene(y, set(), 40, True, True, forward=True, replay=True)
    assert len(cut.steps) < 100  # the steps that touch the 40 drawn Values, not all 10,000
    whole = make_scene(y, set(), 40, True, True, steps=replayed_pass(y), forward=True)
    assert [f.to_json() for f in make_frames(cut)] == [f.to_json() for f in make_frames(whole)]
    x = trace(y)[0][-1]
    assert x.grad == 0.0  # and nothing in the graph changed
