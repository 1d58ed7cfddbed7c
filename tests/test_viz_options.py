"""The options every drawing shares (microgrand.viz.options): any integer type where a count is
asked for, as ``range`` and numpy indexing take them; flags, fractions and text refused by name."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
from example_graphs import karpathy_example
from test_player import page_svg

from microgrand import Value
from microgrand.graph import backward_steps
from microgrand.viz import draw_dot, draw_step, draw_svg, stepper

needs_graphviz = pytest.mark.skipif(
    importlib.util.find_spec("graphviz") is None,
    reason='needs the graphviz package: pip install "microgrand[viz]"',
)


def svg_of(root: Value, max_nodes: object) -> str:
    return draw_svg(root, max_nodes=max_nodes).svg  # type: ignore[arg-type]


def page_of(root: Value, max_nodes: object) -> str:
    html = stepper(root, max_nodes=max_nodes).to_html()  # type: ignore[arg-type]
    return page_svg(html) + html  # the picture (an <img> of the SVG in the page) read back, then the page


def dot_of(root: Value, max_nodes: object) -> str:
    return str(draw_dot(root, max_nodes=max_nodes).source)  # type: ignore[arg-type]


DRAWINGS: list[Callable[[Value, object], str]] = [
    svg_of,
    page_of,
    pytest.param(dot_of, marks=needs_graphviz),  # type: ignore[list-item]
]


@pytest.mark.parametrize("draw", DRAWINGS)
@pytest.mark.parametrize("limit", [np.int64(3), np.int32(3), np.uint8(3)], ids=["int64", "int32", "uint8"])
def test_max_nodes_takes_any_integer_type_and_cuts_as_an_int_does(
    draw: Callable[[Value, object], str], limit: object
) -> None:
    L = karpathy_example()[0]
    drawn = draw(L, limit)
    assert "… 4 more nodes" in drawn
    assert _without_ids(drawn) == _without_ids(draw(L, 3))


@pytest.mark.parametrize("draw", DRAWINGS)
@pytest.mark.parametrize("limit", [True, 3.0, np.float64(3.0), Fraction(3), "3", np.bool_(True)])
def test_max_nodes_refuses_flags_fractions_and_text(
    draw: Callable[[Value, object], str], limit: object
) -> None:
    with pytest.raises(ValueError, match=r"max_nodes must be a whole number >= 1, or None for no limit"):
        draw(karpathy_example()[0], limit)


def test_interval_ms_takes_any_integer_type_and_refuses_a_flag() -> None:
    L = karpathy_example()[0]
    assert stepper(L, interval_ms=np.int64(250)).interval_ms == 250  # type: ignore[arg-type]
    assert '"interval": 250' in stepper(L, interval_ms=np.int16(250)).to_html()  # type: ignore[arg-type]
    for bad in (True, 2.5, "900"):
        with pytest.raises(ValueError, match="interval_ms must be a whole number of milliseconds from 1"):
            stepper(L, interval_ms=bad)  # type: ignore[arg-type]


@needs_graphviz
def test_draw_step_takes_a_numpy_step_number_and_refuses_a_flag() -> None:
    steps = list(backward_steps(karpathy_example()[0]))
    assert draw_step(steps, np.int64(1)).source == draw_step(steps, 1).source  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="draw_step: k must be an int"):
        draw_step(steps, True)


def _without_ids(s: str) -> str:
    return re.sub(r"mg-player-[0-9a-f]+", "ID", s)
