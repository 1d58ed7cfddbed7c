"""The graph renderer: DOT source (no `dot` needed), real SVG/PNG pictures (with `dot`),
determinism, big graphs, hostile labels, backward frames, and the errors when
graphviz or `dot` is missing (simulated, never by uninstalling)."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from example_graphs import docs_script, karpathy_example

from microgrand import Value
from microgrand.graph import backward_steps, trace
from microgrand.viz import KINDS, GraphvizNotFoundError, draw_dot, draw_step, render

needs_graphviz = pytest.mark.skipif(
    importlib.util.find_spec("graphviz") is None,
    reason='needs the graphviz package: pip install "microgrand[viz]"',
)
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz program dot")
SVG = "{http://www.w3.org/2000/svg}"


def node_lines(source: str) -> dict[str, str]:
    """name -> the attribute text of each node statement in DOT source."""
    statements = re.findall(r"^\t+(\w+) \[(.*)\]$", source, re.M)
    return {name: attrs for name, attrs in statements if name not in ("graph", "node", "edge")}


def edge_lines(source: str) -> list[tuple[str, str, str]]:
    """(tail, head, attributes) of each edge statement, in order."""
    return re.findall(r"^\t+(\w+) -> (\w+)(?: \[(.*)\])?$", source, re.M)


def cells(label_attrs: str) -> list[str]:
    """The text of each table cell of a box, markup removed and entities decoded."""
    return [html.unescape(re.sub(r"<[^>]*>", "", c)) for c in re.findall(r"<TD>(.*?)</TD>", label_attrs)]


# ---------------------------------------------------------------- DOT source


@needs_graphviz
def test_one_box_per_value_one_oval_per_op_and_edges_input_to_op_to_result() -> None:
    L = karpathy_example()[0]
    L.backward()
    src = draw_dot(L).source
    nodes = node_lines(src)
    boxes = {name: cells(attrs) for name, attrs in nodes.items() if re.fullmatch(r"n\d+", name)}
    assert boxes == {
        "n0": ["L", "data -8", "grad 1"],
        "n1": ["d", "data 4", "grad -2"],
        "n2": ["f", "data -2", "grad 4"],
        "n3": ["e", "data -6", "grad -2"],
        "n4": ["c", "data 10", "grad -2"],
        "n5": ["a", "data 2", "grad 6"],
        "n6": ["b", "data -3", "grad -4"],
    }
    assert [n for n in nodes if n.endswith("_op")] == ["n0_op", "n1_op", "n3_op"]  # leaves have no op
    assert "label=<*>" in nodes["n0_op"] and "label=<+>" in nodes["n1_op"]
    assert [(t, h) for t, h, _ in edge_lines(src)] == [
        ("n0_op", "n0"), ("n1_op", "n1"), ("n3_op", "n3"),
        ("n1", "n0_op"), ("n2", "n0_op"), ("n3", "n1_op"), ("n4", "n1_op"), ("n5", "n3_op"), ("n6", "n3_op"),
    ]  # fmt: skip


@needs_graphviz
def test_a_times_a_draws_two_edges() -> None:
    a = Value(3.0, label="a")
    src = draw_dot(a * a).source
    assert [(t, h) for t, h, _ in edge_lines(src)] == [("n0_op", "n0"), ("n1", "n0_op"), ("n1", "n0_op")]


@needs_graphviz
def test_show_local_grads_writes_the_local_derivative_on_each_input_edge() -> None:
    L = karpathy_example()[0]
    edges = edge_lines(draw_dot(L, show_local_grads=True).source)
    labels = {(t, h): re.search(r"label=(\S+)", a).group(1) for t, h, a in edges if a}  # type: ignore[union-attr]
    # ∂L/∂d = f, ∂L/∂f = d, ∂d/∂e = ∂d/∂c = 1, ∂e/∂a = b, ∂e/∂b = a
    assert labels == {
        ("n1", "n0_op"): "-2", ("n2", "n0_op"): "4", ("n3", "n1_op"): "1",
        ("n4", "n1_op"): "1", ("n5", "n3_op"): "-3", ("n6", "n3_op"): "2",
    }  # fmt: skip
    assert "label" not in "".join(a for _, _, a in edge_lines(draw_dot(L).source))


@needs_graphviz
def test_show_grad_false_leaves_the_grad_out() -> None:
    boxes = [cells(a) for a in node_lines(draw_dot(karpathy_example()[0], show_grad=False).source).values()]
    assert ["L", "data -8"] in boxes and not any(c.startswith("grad") for box in boxes for c in box)


@needs_graphviz
def test_root_parameters_leaves_constants_and_results_have_their_own_colours() -> None:
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    y = (w * x + 1.0).tanh()  # 1.0 becomes an unlabelled constant leaf
    src = draw_dot(y, params=[w]).source
    fill = {
        n: re.search(r'BGCOLOR="([^"]+)"', a).group(1) for n, a in node_lines(src).items() if "TABLE" in a
    }  # type: ignore[union-attr]
    nodes, _ = trace(y)
    kind_of = {"root": y, "parameter": w, "leaf": x, "constant": nodes[3], "result": nodes[1]}
    assert nodes[3].label == "" and nodes[3].is_leaf
    for kind, v in kind_of.items():
        assert fill[f"n{nodes.index(v)}"] == KINDS[kind][0], kind
    assert len({colour for colour, _ in KINDS.values()}) == len(KINDS)  # all distinct
    assert 'BORDER="2"' in node_lines(src)["n0"]  # the root also has a thick border


@needs_graphviz
def test_legend_is_one_key_box_with_a_row_per_kind_in_its_colour() -> None:
    L = karpathy_example()[0]
    assert "legend" not in draw_dot(L).source
    key = node_lines(draw_dot(L, legend=True).source)["legend"]
    rows = re.findall(r'<TD BGCOLOR="([^"]+)" BORDER="\d">([^<]*)</TD>', key)
    assert rows == list(KINDS.values())


@needs_graphviz
def test_rankdir_is_passed_on_and_bad_options_are_refused() -> None:
    L = karpathy_example()[0]
    assert "rankdir=TB" in draw_dot(L, rankdir="TB").source
    with pytest.raises(ValueError, match=r"rankdir must be one of LR, TB, RL, BT, got 'XY'"):
        draw_dot(L, rankdir="XY")
    with pytest.raises(ValueError, match=r"max_nodes must be a whole number >= 1.*got 0"):
        draw_dot(L, max_nodes=0)
    with pytest.raises(TypeError, match=r"draw_dot needs a Value.*float"):
        draw_dot(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"params must be Values.*str: 'w'"):
        draw_dot(L, params=["w"])  # type: ignore[list-item]


@needs_graphviz
def test_drawing_changes_no_grad() -> None:
    L = karpathy_example()[0]
    L.backward()
    nodes, _ = trace(L)
    before = [n.grad for n in nodes]
    draw_dot(L, show_local_grads=True)
    assert [n.grad for n in nodes] == before


@needs_graphviz
def test_same_graph_same_source_in_this_process_and_in_two_others() -> None:
    program = textwrap.dedent(
        """
        from microgrand import Value
        from microgrand.viz import draw_dot
        a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        h = (a * b + a * a).tanh()
        z = Value.from_op(h.data + 2 * b.data, "h+2b", [h, b], [1.0, 2.0]) * 3.0
        z.backward()
        print(draw_dot(z, show_local_grads=True, params=[a], legend=True).source, end="")
        """
    )
    runs = [
        subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    namespace: dict[str, object] = {}
    program_here = program.replace(
        'print(draw_dot(z, show_local_grads=True, params=[a], legend=True).source, end="")', ""
    )
    exec(program_here, namespace)
    here = draw_dot(namespace["z"], show_local_grads=True, params=[namespace["a"]], legend=True).source  # type: ignore[arg-type]
    assert runs[0].stdout == runs[1].stdout == here
    assert "0x" not in here and str(id(namespace["z"])) not in here  # no memory addresses


# ---------------------------------------------------------------- big graphs


def chain(n: int) -> Value:
    y = Value(0.1, label="x")
    for _ in range(n):
        y = y.tanh()
    return y


@needs_graphviz
def test_a_100000_node_chain_draws_the_nearest_nodes_and_one_summary_box() -> None:
    y = chain(100_000)
    src = draw_dot(y, max_nodes=40).source
    nodes = node_lines(src)
    assert len([n for n in nodes if re.fullmatch(r"n\d+", n)]) == 40
    assert "… 99,961 more nodes" in nodes["more"]  # 100,001 Values, 40 drawn
    assert ("more", "n39_op", "style=dashed") in edge_lines(src)  # the cut is marked where it is


@needs_graphviz
def test_the_limit_keeps_the_nodes_nearest_the_root_and_counts_the_rest() -> None:
    L = karpathy_example()[0]
    src = draw_dot(L, max_nodes=3).source  # L, d, f
    nodes = node_lines(src)
    assert [cells(nodes[n])[0] for n in ("n0", "n1", "n2")] == ["L", "d", "f"]
    assert "n3" not in nodes and "… 4 more nodes" in nodes["more"]
    assert ("more", "n1_op", "style=dashed") in edge_lines(src)
    assert "more" not in draw_dot(L, max_nodes=7).source  # everything fits: no summary
    assert "more" not in draw_dot(chain(500), max_nodes=None).source


@needs_dot
@needs_graphviz
def test_the_100000_node_chain_renders_with_the_limit(tmp_path: Path) -> None:
    out = render(draw_dot(chain(100_000), max_nodes=60), tmp_path / "chain.svg")
    texts = [t.text for t in ET.parse(out).iter(f"{SVG}text")]
    assert "… 99,941 more nodes" in texts
    assert sum(t == "tanh" for t in texts) == 60


# ---------------------------------------------------------------- hostile labels

HOSTILE = [
    'x"]; evil [label="pwned"',
    "{a|<b>c}",
    "</TD></TR></TABLE>>",
    "back\\slash \\n \\",
    "\\N \\G \\E \\T \\H \\L: dot's escapes for node, graph, edge, tail, head names",
    "two\nlines",
    "&amp; &lt;",
    "tab\there, nul\x00",
    "ünïcödé ∂L/∂x",
]


def as_drawn(label: str) -> str:
    """A label as the drawings show it: at most 48 characters (the 48th "…"), tab and NUL as escapes."""
    if len(label) > 48:
        label = label[:47] + "…"
    return label.replace("\t", "\\t").replace("\x00", "\\x00")


@needs_graphviz
@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_stay_inside_their_box_in_the_source(label: str) -> None:
    a = Value(1.5, label=label)
    y = Value.from_op(3.0, label, [a, a], [1.0, 1.0])  # the op name is user text too
    y.label = label
    src = draw_dot(y, show_local_grads=True).source
    assert set(node_lines(src)) == {"n0", "n0_op", "n1"}  # no extra or broken statements
    assert len(edge_lines(src)) == 3
    shown = as_drawn(label)
    box = node_lines(src)["n1"]
    first_cell = re.search(r"<TD><B>(.*?)</B></TD>", box).group(1)  # type: ignore[union-attr]
    # a backslash is written doubled (dot would expand \N, \G, ...), every other character as itself
    assert first_cell.count("\\") == 2 * shown.count("\\")
    assert html.unescape(first_cell.replace("<BR/>", "\n")).replace("\\\\", "\\") == shown


@needs_dot
@needs_graphviz
@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_render_as_text(label: str, tmp_path: Path) -> None:
    a = Value(1.5, label=label)
    y = Value.from_op(3.0, label, [a, a], [1.0, 1.0])
    y.label = label
    g = draw_dot(y)
    parsed = json.loads(
        subprocess.run(["dot", "-Tjson"], input=g.source, capture_output=True, text=True, check=True).stdout
    )
    assert [o["name"] for o in parsed["objects"]] == ["n0", "n0_op", "n1"]
    assert len(parsed["edges"]) == 3

    svg = ET.parse(render(g, tmp_path / "hostile.svg"))
    shown = as_drawn(label).split("\n")
    boxes = {}
    for group in svg.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if title is not None and title.text in ("n0", "n1"):
            boxes[title.text] = [t.text or "" for t in group.iter(f"{SVG}text")]
    assert sorted(boxes) == ["n0", "n1"]
    for texts in boxes.values():  # the label's lines, then data and grad
        assert texts[:-2] == [line.strip() for line in shown]
        assert texts[-2] in ("data 1.5", "data 3") and texts[-1] == "grad 0"


# ---------------------------------------------------------------- backward frames


@needs_graphviz
def test_a_frame_highlights_its_node_and_shows_grads_only_where_the_pass_has_been() -> None:
    L = karpathy_example()[0]
    steps = list(backward_steps(L))
    src = draw_step(steps, 1).source  # d passes its grad -2 to e and c
    nodes = node_lines(src)
    grads = {cells(nodes[f"n{i}"])[0]: cells(nodes[f"n{i}"])[-1] for i in range(7)}
    assert grads == {
        "L": "grad 1", "d": "grad -2", "f": "grad 4",  # reached by step 0 (L passes to d and f)
        "e": "grad -2", "c": "grad -2",  # reached now, by step 1
        "a": "grad ?", "b": "grad ?",  # not yet
    }  # fmt: skip
    assert 'COLOR="#cc0000"' in nodes["n1"] and 'COLOR="#cc0000"' not in nodes["n0"]
    assert "#cc0000" in nodes["n1_op"]
    red = [(t, h, a) for t, h, a in edge_lines(src) if a and "#cc0000" in a]
    assert [(t, h) for t, h, _ in red] == [("n1_op", "n1"), ("n3", "n1_op"), ("n4", "n1_op")]
    assert all('label="1 × -2 = -2"' in a for _, h, a in red if h == "n1_op")


@needs_graphviz
def test_frames_depend_only_on_the_steps_not_on_what_was_drawn_or_run_since() -> None:
    L = karpathy_example()[0]
    steps = list(backward_steps(L))
    first = draw_step(steps, 0).source
    draw_step(steps, 2)
    L.backward()  # changes the grads stored in the Values; the frames come from the steps
    assert draw_step(steps, 0).source == first
    assert draw_step(steps, -1).source == draw_step(steps, 2).source


@needs_graphviz
def test_a_leaf_alone_is_one_root_box() -> None:
    src = draw_dot(Value(1.5, label="x")).source
    assert list(node_lines(src)) == ["n0"] and edge_lines(src) == []
    assert cells(node_lines(src)["n0"]) == ["x", "data 1.5", "grad 0"]


@needs_graphviz
def test_a_frame_of_a_times_a_shows_both_contributions() -> None:
    a = Value(3.0, label="a")
    src = draw_step(list(backward_steps(a * a)), 0).source
    assert [a for t, _, a in edge_lines(src) if t == "n1"] == [
        'label="3 × 1 = 3" color="#cc0000" fontcolor="#cc0000" penwidth=2'
    ] * 2
    assert cells(node_lines(src)["n1"])[-1] == "grad 6"


@needs_graphviz
def test_the_last_frame_shows_the_grads_backward_leaves() -> None:
    stepped, reference = karpathy_example()[0], karpathy_example()[0]
    reference.backward()
    last = node_lines(draw_step(list(backward_steps(stepped)), -1).source)
    final = node_lines(draw_dot(reference).source)
    assert [cells(last[f"n{i}"]) for i in range(7)] == [cells(final[f"n{i}"]) for i in range(7)]


@needs_graphviz
def test_draw_step_refuses_steps_it_cannot_draw() -> None:
    L = karpathy_example()[0]
    steps = list(backward_steps(L))
    with pytest.raises(IndexError, match=r"step k=3 does not exist; this pass has 3 steps \(0 to 2\)"):
        draw_step(steps, 3)
    with pytest.raises(ValueError, match=r"pass all the steps"):
        draw_step(steps[1:], 0)
    with pytest.raises(ValueError, match=r"a root that is a leaf has no steps"):
        draw_step(list(backward_steps(Value(1.0))), 0)
    with pytest.raises(TypeError, match=r"k must be an int.*1.5"):
        draw_step(steps, 1.5)  # type: ignore[arg-type]


# ---------------------------------------------------------------- pictures


@needs_dot
@needs_graphviz
def test_render_writes_svg_and_png_and_nothing_else(tmp_path: Path) -> None:
    L = karpathy_example()[0]
    L.backward()
    svg = render(draw_dot(L, show_local_grads=True, legend=True), tmp_path / "graph.svg")
    png = render(L, tmp_path / "graph.png", show_local_grads=True)  # a Value: drawn with these options
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.png", "graph.svg"]
    texts = [t.text for t in ET.parse(svg).iter(f"{SVG}text")]
    assert {"L", "data -8", "grad 6", "-3"} <= set(texts)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match=r"cannot tell the picture format from '.*graph.txt'"):
        render(L, tmp_path / "graph.txt")
    with pytest.raises(TypeError, match=r"options \['legend'\] apply only when graph is a Value"):
        render(draw_dot(L), tmp_path / "g.svg", legend=True)


@needs_dot
@needs_graphviz
def test_a_notebook_shows_the_drawing_as_svg() -> None:
    bundle = draw_step(list(backward_steps(karpathy_example()[0])), 0)._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    texts = [t.text for t in ET.fromstring(bundle["image/svg+xml"]).iter(f"{SVG}text")]
    assert {"-2 × 1 = -2", "4 × 1 = 4", "grad ?"} <= set(texts)  # L passes ∂L/∂d·1 and ∂L/∂f·1


# ---------------------------------------------------------------- without graphviz or dot


@needs_graphviz
def test_without_dot_rendering_says_how_to_install_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = draw_dot(karpathy_example()[0])  # building the source needs no dot
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot anywhere
    for attempt in (
        lambda: render(g, tmp_path / "x.svg"),
        lambda: g._repr_mimebundle_(),  # what Jupyter calls
        lambda: g.render(tmp_path / "x", format="png"),
        lambda: g.pipe(format="svg"),
    ):
        with pytest.raises(GraphvizNotFoundError) as err:
            attempt()
        message = str(err.value)
        assert "'dot' was not found" in message
        for how in (
            "apt-get install graphviz",
            "brew install graphviz",
            "conda install -c conda-forge graphviz",
        ):
            assert how in message
    assert not (tmp_path / "x.svg").exists()


def test_without_the_graphviz_package_drawing_says_what_to_pip_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # `import graphviz` now raises ImportError
    monkeypatch.delitem(sys.modules, "microgrand.viz.dot", raising=False)
    L = karpathy_example()[0]
    with pytest.raises(ImportError, match=r'pip install "microgrand\[viz\]"'):
        draw_dot(L)
    with pytest.raises(ImportError, match=r'pip install "microgrand\[viz\]"'):
        draw_step(list(backward_steps(L)), 0)
    assert len(trace(L)[0]) == 7  # reading the graph needs no graphviz


def test_microgrand_imports_without_graphviz_and_never_imports_it_unasked() -> None:
    program = textwrap.dedent(
        """
        import sys
        import microgrand, microgrand.viz, microgrand.graph
        assert "graphviz" not in sys.modules, "importing microgrand imported graphviz"
        sys.modules["graphviz"] = None  # as if it were not installed
        from microgrand import Value
        from microgrand.viz import backward_steps, draw_dot, trace
        L = Value(2.0, label="a") * 3.0
        assert [s.upstream for s in backward_steps(L)] == [1.0] and len(trace(L)[0]) == 3
        try:
            draw_dot(L)
        except ImportError as e:
            print(e)
        """
    )
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert 'pip install "microgrand[viz]"' in run.stdout


@needs_dot
@needs_graphviz
def test_the_script_that_makes_the_readme_pictures_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = docs_script("make_readme_graph")
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backward_step.svg", "graph.svg"]
    texts = {t.text for t in ET.parse(tmp_path / "graph.svg").iter(f"{SVG}text")}
    assert {"grad 6", "grad -4", "-3", "root: the Value drawn"} <= texts  # dL/da = 6, dL/db = -4


REJECTED_BY_DOT = [
    "nonchars \ufffe \uffff",
    "more nonchars \ufdd0 \U0001fffe \U0010ffff",
    "controls \x1b \x7f \x85",
    "a lone surrogate \ud800",
    "L" * 20_000,  # dot fails on labels of ~16 KB
]


@needs_dot
@needs_graphviz
@pytest.mark.parametrize("label", REJECTED_BY_DOT, ids=range(len(REJECTED_BY_DOT)))
def test_labels_dot_would_reject_are_escaped_or_shortened_and_render(label: str, tmp_path: Path) -> None:
    a = Value(1.5, label=label)
    y = Value.from_op(3.0, label, [a, a], [1.0, 1.0])
    y.label = label
    svg = ET.parse(render(draw_dot(y, show_local_grads=True), tmp_path / "x.svg"))
    texts = [t.text or "" for t in svg.iter(f"{SVG}text")]
    shown = [t for t in texts if t.startswith(label[:8].replace("\x1b", "\\x1b"))]
    assert len(shown) == 3  # both boxes and the op's oval
    for t in shown:
        assert len(t) <= 48 or "\\" in t
        assert not re.search("[\x00-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]", t)
    if len(label) > 48:
        assert all(t == label[:47] + "…" for t in shown)
    else:
        assert "\\u" in shown[0] or "\\x" in shown[0] or "\\U" in shown[0]


def test_a_label_that_is_not_a_str_is_named_by_draw_dot() -> None:
    pytest.importorskip("graphviz")
    y = Value(2.0, label="a") * 3.0
    y.label = 5  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"cannot draw the result of '\*' \(data 6\): its label is int 5"):
        draw_dot(y)
    y.label = "y"
    y.grad = "1"  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"cannot draw the Value labelled 'y': its grad is str '1'"):
        draw_dot(y)
