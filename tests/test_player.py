"""draw_svg and the backprop player, read as text: what each frame says and changes, the SVG's
boxes and edges, cutting big graphs, hostile labels, and working with no Graphviz at all.
(What a person sees in a browser is tested in tests/test_browser.py.)"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from example_graphs import karpathy_example

from microgrand import Value
from microgrand.graph import backward_steps, trace
from microgrand.viz import KINDS, draw_svg, stepper

SVG = "{http://www.w3.org/2000/svg}"


def box_texts(svg: str) -> dict[str, list[str]]:
    """box index -> the texts of its cells (label lines joined by newlines), from the SVG."""
    root = ET.fromstring(svg)
    boxes = {}
    for g in root.iter(f"{SVG}g"):
        if "data-box" in g.attrib:
            texts = []
            for t in g.iter(f"{SVG}text"):
                spans = [s.text or "" for s in t.iter(f"{SVG}tspan")]
                texts.append("\n".join(spans) if spans else t.text or "")
            boxes[g.attrib["data-box"]] = texts
    return boxes


def page_svg(html: str) -> str:
    """The picture in a player's page: an <img> whose data: URL holds the SVG."""
    found = re.search(r' src="data:image/svg\+xml;base64,([^"]*)"', html)
    assert found is not None
    return base64.b64decode(found.group(1)).decode("utf-8")


def player_data(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" class="mg-data">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))  # type: ignore[no-any-return]


# ---------------------------------------------------------------- draw_svg


def test_draw_svg_has_the_boxes_and_edges_draw_dot_has() -> None:
    L = karpathy_example()[0]
    L.backward()
    drawing = draw_svg(L, show_local_grads=True)
    assert drawing._repr_svg_() == drawing.svg
    boxes = box_texts(drawing.svg)
    assert boxes == {
        "0": ["L", "data -8", "grad 1"],
        "1": ["d", "data 4", "grad -2"],
        "2": ["f", "data -2", "grad 4"],
        "3": ["e", "data -6", "grad -2"],
        "4": ["c", "data 10", "grad -2"],
        "5": ["a", "data 2", "grad 6"],
        "6": ["b", "data -3", "grad -4"],
    }
    root = ET.fromstring(drawing.svg)
    ops = {
        g.attrib["data-op"]: g.find(f"{SVG}text").text for g in root.iter(f"{SVG}g") if "data-op" in g.attrib
    }  # type: ignore[union-attr]
    assert ops == {"0": "*", "1": "+", "3": "*"}
    labels = [t.text for t in root.iter(f"{SVG}text") if "data-elabel" in t.attrib]
    assert labels == ["-2", "4", "1", "1", "-3", "2"]  # ∂L/∂d = f, ∂L/∂f = d, 1, 1, ∂e/∂a = b, ∂e/∂b = a
    assert len([g for g in root.iter(f"{SVG}g") if "data-edge" in g.attrib]) == 6
    assert len([g for g in root.iter(f"{SVG}g") if "data-opedge" in g.attrib]) == 3


def test_draw_svg_options_colours_legend_and_saving(tmp_path: Path) -> None:
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    y = (w * x + 1.0).tanh()
    svg = draw_svg(y, [w], legend=True).svg
    fills = {
        g.attrib["data-box"]: g.find(f"{SVG}rect").attrib["fill"]  # type: ignore[union-attr]
        for g in ET.fromstring(svg).iter(f"{SVG}g")
        if "data-box" in g.attrib
    }
    nodes = trace(y)[0]
    for kind, v in {"root": y, "parameter": w, "leaf": x, "constant": nodes[3], "result": nodes[1]}.items():
        assert fills[str(nodes.index(v))] == KINDS[kind][0], kind
    assert all(meaning in svg for _, meaning in KINDS.values())
    assert "data-elabel" not in svg  # no local grads asked for
    assert not any(
        "grad" in t for texts in box_texts(draw_svg(y, show_grad=False).svg).values() for t in texts
    )
    for rankdir in ("LR", "TB", "RL", "BT"):
        ET.fromstring(draw_svg(y, rankdir=rankdir, show_local_grads=True).svg)
    path = draw_svg(y).save(tmp_path / "y.svg")
    assert ET.parse(path).getroot().tag == f"{SVG}svg"
    with pytest.raises(ValueError, match="rankdir must be one of"):
        draw_svg(y, rankdir="XY")
    with pytest.raises(TypeError, match="draw_svg needs a Value"):
        draw_svg(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="params must be a list of Values"):
        draw_svg(y, w)  # type: ignore[arg-type]


def chain(n: int) -> Value:
    y = Value(0.1, label="x")
    for _ in range(n):
        y = y.tanh()
    return y


def test_big_graphs_are_cut_as_draw_dot_cuts_them() -> None:
    y = chain(60_000)
    svg = draw_svg(y, max_nodes=40).svg
    assert len(box_texts(svg)) == 40
    assert "… 59,961 more nodes" in svg  # 60,001 Values, 40 drawn
    player = stepper(y, max_nodes=40)
    assert len(box_texts(player.svg)) == 40 and "… 59,961 more nodes" in player.svg
    # frames: start, 40 forward, backward begins, 40 steps, the rest beyond the cut, done
    backward = [f.caption for f in player.frames if f.caption.startswith("Backward step")]
    assert len(backward) == 40 and backward[-1].startswith("Backward step 40 of 40:")


# ---------------------------------------------------------------- the player's frames


def test_frames_of_the_readme_graph() -> None:
    L = karpathy_example()[0]
    captions = [f.caption for f in stepper(L).frames]
    assert captions == [
        "Before the forward pass: the inputs hold their values; the 3 operations have not run yet.",
        "Forward step 1 of 3: e = a * b = −6",
        "Forward step 2 of 3: d = e + c = 4",
        "Forward step 3 of 3: L = d * f = −8",
        "Backward pass begins: dL/dL = 1, so L's grad is 1.",
        "Backward step 1 of 3: L passes −2 × 1 = −2 to d and 4 × 1 = 4 to f",
        "Backward step 2 of 3: d passes 1 × −2 = −2 to e and 1 × −2 = −2 to c",
        "Backward step 3 of 3: e passes −3 × −2 = 6 to a and 2 × −2 = −4 to b",
        "Done: every grad is dL/d(that Value), as backward() leaves it.",
    ]


def test_backward_frames_follow_backward_steps() -> None:
    """A backward frame lights its step's node and labels its edges local × upstream = contribution."""
    x, w = Value(1.5, label="x"), Value(-0.5, label="w")
    h = (x * w + x).tanh()
    y = h * h + w
    y.label = "y"
    player = stepper(y)
    nodes = trace(y)[0]
    steps = list(backward_steps(y))  # the same pass, run here
    frames = [f for f in player.frames if f.caption.startswith("Backward step")]
    assert len(frames) == len(steps)
    for frame, step in zip(frames, steps):
        assert frame.lit == nodes.index(step.node)
        labels = [text for _, text in frame.edges]
        assert labels == [
            f"{p.local_grad:.4g} × {step.upstream:.4g} = {p.contribution:.4g}" for p in step.passes
        ]
    # h is used twice by h * h: the first contribution is a running sum, marked
    h_index = str(nodes.index(h))
    marks = [(t, more) for f in player.frames for i, t, more in f.grads if str(i) == h_index]
    assert marks[0] == ("grad ?", False) and marks[1][1] and marks[1][0].endswith("(so far)")
    assert marks[2] == (f"grad {2 * h.data:.4g}", False)


def test_the_last_frame_shows_the_grads_backward_leaves_and_nothing_changes_in_the_graph() -> None:
    stepped, reference = karpathy_example()[0], karpathy_example()[0]
    stepped.backward()  # leaves keep these grads; the player shows a pass from zero and puts them back
    before = [v.grad for v in trace(stepped)[0]]
    player = stepper(stepped)
    assert [v.grad for v in trace(stepped)[0]] == before
    reference.backward()
    final = box_texts(player.svg)
    assert [final[str(i)][-1] for i in range(7)] == [f"grad {v.grad:.4g}" for v in trace(reference)[0]]
    # replaying the frames' grads gives the same texts
    grads: dict[int, str] = {}
    for f in player.frames:
        grads.update({i: t for i, t, _ in f.grads})
    assert [grads[i] for i in range(7)] == [final[str(i)][-1] for i in range(7)]


def test_a_leaf_alone_still_plays() -> None:
    player = stepper(Value(2.0, label="x"))
    assert [f.caption.split(":")[0] for f in player.frames] == [
        "Before the forward pass",
        "Backward pass begins",
        "Done",
    ]


def test_boxes_are_sized_for_every_text_they_will_show() -> None:
    """The layout is fixed: the SVG's grad cell is as wide as its widest text in any frame."""
    a = Value(3.0, label="a")
    player = stepper(a * a)
    assert "grad 6" in player.svg and "grad 3 (so far)" not in player.svg  # the last frame drawn
    assert any(t == "grad 3 (so far)" for f in player.frames for _, t, _ in f.grads)
    lines = re.findall(r'<g data-box="1">.*?</g>', player.svg)[0]
    widths = [float(w) for w in re.findall(r'width="([\d.]+)"', lines)]
    assert widths[0] > 120  # label + "data 3" + "grad 3 (so far)", not just "grad 6"


def test_stepper_refuses_bad_options() -> None:
    L = karpathy_example()[0]
    with pytest.raises(TypeError, match="stepper needs a Value"):
        stepper([L])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="interval_ms must be a whole number"):
        stepper(L, interval_ms=0)
    with pytest.raises(ValueError, match="max_nodes must be a whole number"):
        stepper(L, max_nodes=-1)


# ---------------------------------------------------------------- the page


def test_the_page_is_self_contained(tmp_path: Path) -> None:
    L = karpathy_example()[0]
    page = stepper(L).save(tmp_path / "p.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # the picture is the page's one src: an <img> of the SVG in a data: URL (what sanitisers keep)
    sources = re.findall(r' src="([^"]*)"', page)
    assert len(sources) == 1 and sources[0].startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(sources[0].split(",")[1]).decode("utf-8")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    for text in (page, svg):
        without_xmlns = text.replace("http://www.w3.org/2000/svg", "")
        assert "http:" not in without_xmlns and "https:" not in without_xmlns and "//cdn" not in without_xmlns
        assert "@import" not in text and "<link" not in text
    ui = str(player_data(page)["ui"])  # the controls: the script adds them, so no dead buttons without it
    for name in ("First step", "Previous step", "Play", "Next step", "Last step", "Fit"):
        assert f'aria-label="{name}"' in ui
    assert 'type="range"' in ui and 'role="status"' in page
    assert len(player_data(page)["frames"]) == 9  # type: ignore[arg-type]


def test_two_players_on_one_page_have_their_own_ids() -> None:
    L = karpathy_example()[0]
    one, two = stepper(L).to_html(), stepper(L).to_html()
    ids = [re.search(r'id="([^"]+)"', h).group(1) for h in (one, two)]  # type: ignore[union-attr]
    assert ids[0] != ids[1]
    assert stepper(L)._repr_html_().count('class="mg-player"') == 1


HOSTILE = [
    "</script><script>alert(1)</script>",
    "<b>&amp;</b> ]]> <!-- -->",
    "nonchars \ufffe \uffff \ufdd0 \U0010ffff",
    "control \x00 \x07 \x1b \x7f \x85 \t",
    "surrogate \ud800",
    "two\nlines",
    "L" * 20_000,
]


@pytest.mark.parametrize("label", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_labels_are_text_in_svg_and_page(label: str) -> None:
    a = Value(1.5, label=label)
    y = Value.from_op(3.0, label, [a, a], [1.0, 1.0])
    y.label = label
    svg = draw_svg(y, show_local_grads=True, legend=True).svg
    ET.fromstring(svg)  # well-formed XML: nothing XML forbids got through
    texts = box_texts(svg)
    assert set(texts) == {"0", "1"}
    shown = texts["1"][0]
    assert len(shown) <= 48 + shown.count("\\") * 9  # shortened; escapes take a few characters each
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\ufdd0\ud800]", svg)
    if len(label) > 48:
        assert shown.endswith("…")
    html = stepper(y).to_html()
    data = player_data(html)  # the JSON inside the page parses, the script was not ended early
    assert html.count("<script") == html.count("</script>") == 2
    assert "frames" in data
    ET.fromstring(page_svg(html))


def test_a_label_that_is_not_a_str_is_named_when_drawn() -> None:
    a = Value(2.0, label="a")
    y = a * 3.0
    y.label = 5  # type: ignore[assignment]
    for draw in (lambda: draw_svg(y), lambda: stepper(y)):
        with pytest.raises(TypeError, match=r"cannot draw the result of '\*' \(data 6\): its label is int 5"):
            draw()
    y.label = "y"
    a.grad = None  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"cannot draw the Value labelled 'a': its grad is NoneType None"):
        draw_svg(y)


# ---------------------------------------------------------------- no Graphviz anywhere


def test_draw_svg_and_the_player_need_neither_graphviz_nor_dot(tmp_path: Path) -> None:
    program = textwrap.dedent(
        """
        import shutil, sys
        sys.modules["graphviz"] = None  # `import graphviz` raises ImportError, as if not installed
        assert shutil.which("dot") is None, "dot is still on PATH"
        from microgrand import Value
        from microgrand.viz import draw_svg, stepper
        a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        L = (a * b + a).tanh()
        L.label = "L"
        svg = draw_svg(L, show_local_grads=True, legend=True).svg
        page = stepper(L).save(sys.argv[1]).read_text()
        print(len(svg), len(page), "graphviz" in sys.modules and sys.modules["graphviz"] is not None)
        """
    )
    out = tmp_path / "p.html"
    run = subprocess.run(
        [sys.executable, "-c", program, str(out)],
        capture_output=True,
        text=True,
        env={"PATH": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert run.returncode == 0, run.stderr
    svg_len, page_len, imported = run.stdout.split()
    assert int(svg_len) > 1000 and int(page_len) > int(svg_len) and imported == "False"
    assert "Backward step 1 of" in out.read_text(encoding="utf-8")


def test_the_readme_lines_make_a_player(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Step through backprop", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    assert len([line for line in code.splitlines() if line.strip()]) == 3
    monkeypatch.chdir(tmp_path)
    exec(code, {})
    frames = player_data((tmp_path / "backprop.html").read_text(encoding="utf-8"))["frames"]
    captions = [f["c"] for f in frames]  # type: ignore[attr-defined]
    # no Value has a label but the four leaves: the others are named by their formula
    assert "Backward step 2 of 3: (a * b + c) passes 1 × −2 = −2 to (a * b) and 1 × −2 = −2 to c" in captions


def test_a_notebook_shows_the_player_as_html_and_the_drawing_as_svg() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    code = textwrap.dedent(
        """
        from microgrand import Value
        from microgrand.viz import draw_svg, stepper
        L = Value(2.0, label="a") * Value(-3.0, label="b")
        L.label = "L"
        """
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in (code, "stepper(L)", "draw_svg(L)")]
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    player, drawing = (nb.cells[k].outputs[0]["data"] for k in (1, 2))
    assert 'role="status"' in player["text/html"] and "<script>" in player["text/html"]
    assert player["image/svg+xml"].startswith("<svg")  # the last frame, for viewers without HTML
    picture = player["image/svg+xml"]
    assert page_svg(player["text/html"]) == picture  # the same picture, as an <img> a sanitiser keeps
    assert set(drawing) == {"image/svg+xml", "text/html", "text/plain"}
    assert "data a" not in drawing["image/svg+xml"] and "data 2" in drawing["image/svg+xml"]
    assert page_svg(drawing["text/html"]) == drawing["image/svg+xml"]


@pytest.mark.parametrize("ci", ["", "true"])
def test_the_browser_tests_skip_without_chromium_but_fail_on_ci(ci: str, tmp_path: Path) -> None:
    tests = Path(__file__).resolve().parent
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "MICROGRAND_NO_SKIPS")}  # see conftest
    env.update({"MICROGRAND_CHROMIUM": str(tmp_path / "no-chromium"), **({"CI": ci} if ci else {})})
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-k", "two_players",
         str(tests / "test_browser.py")],  # -n 0: one test, in this process (no workers to start)
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    if ci:
        assert run.returncode == 1 and "CI is set, so the browser tests must run" in run.stdout
    else:
        assert run.returncode == 0 and "1 skipped" in run.stdout, run.stdout


def test_a_power_is_captioned_as_it_is_written() -> None:
    """x ** 2 is the op "**2": the caption writes it after its input, with the brackets it needs
    (it said `y = **2(x) = 9`)."""
    from microgrand.viz.frames import Names

    a, b = Value(3.0, label="a"), Value(1.0, label="b")
    written = {
        "a**2": a**2,
        "(a + b)**2": (a + b) ** 2,
        "(a**2)**3": (a**2) ** 3,
        "a + b**2": a + b**2,
        "(a * b) ** b": (a * b) ** b,
    }
    assert {text: Names().formula(v) for text, v in written.items()} == {text: text for text in written}
