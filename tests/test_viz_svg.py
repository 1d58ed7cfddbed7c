"""The SVG renderer (microgrand.viz.svg): one picture, written at its drawn size for draw_svg,
notebooks and the player's page alike (the page never edits SVG text).
draw_svg's boxes and cut are tested beside the player's in test_player.py."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

from example_graphs import karpathy_example

from microgrand.viz import draw_svg, stepper
from microgrand.viz.scene import make_scene
from microgrand.viz.svg import picture


def test_the_picture_is_as_large_as_drawn_around_its_elements() -> None:
    pic = picture(make_scene(karpathy_example()[0], set(), None, True, True))
    svg = ET.fromstring(pic.svg())
    assert svg.attrib["width"] == f"{pic.width:.0f}" and svg.attrib["height"] == f"{pic.height:.0f}"
    assert svg.attrib["viewBox"] == f"0 0 {pic.width:.0f} {pic.height:.0f}"
    assert len(svg) > 0 and pic.elements.strip()  # the drawn boxes, arrows and texts inside


def test_the_player_page_holds_its_picture_as_the_renderer_wrote_it() -> None:
    player = stepper(karpathy_example()[0])
    page = player.to_html()
    # one <img> of the picture (what an untrusted notebook's sanitiser keeps); the script inlines it
    sources = re.findall(r' src="data:image/svg\+xml;base64,([^"]*)"', page)
    assert [base64.b64decode(s).decode("utf-8") for s in sources] == [player.picture.svg()]
    assert player.svg == player.picture.svg()  # what a viewer without HTML shows
    assert "<svg " not in page


def test_draw_svg_is_the_fixed_picture_of_the_same_scene() -> None:
    L = karpathy_example()[0]
    scene = make_scene(L, set(), 200, True, False)
    assert draw_svg(L).svg == picture(scene).svg()
