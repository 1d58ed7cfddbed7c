"""The step-through player: `stepper(root)`, an HTML page that replays a forward and a backward pass.

The page holds the picture (`svg.picture` of the scene, as the last frame shows it, so where
scripts do not run, e.g. a code host's preview, the graph is still there), the frames
(`frames.make_frames`) as JSON, and `player.js`, which replays them on the picture: it
changes only texts and colours, never positions. Everything is in the page: no network.
"""

from __future__ import annotations

import html
import json
import os
import uuid
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from ..engine import Value
from .frames import Frame, make_frames
from .options import DEFAULT_MAX_NODES, check_options
from .scene import make_scene, replayed_pass
from .style import FORWARD, HIGHLIGHT, PARTIAL, UNKNOWN, shown_text
from .svg import Picture, picture

DEFAULT_INTERVAL_MS = 900


def stepper(
    root: Value,
    params: Iterable[Value] | None = None,
    *,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    show_local_grads: bool = True,
    interval_ms: int = DEFAULT_INTERVAL_MS,
    rankdir: str = "LR",
) -> Player:
    """A player that steps through the forward and the backward pass of `root`.

    In a notebook, make it the value of a cell: buttons (first, previous, play/pause,
    next, last), a slider and the ← → keys move through the frames, and a caption
    says what happens in each, e.g. "Backward step 2 of 3: d passes 1 × −2 = −2 to e
    and 1 × −2 = −2 to c". ``.save("backprop.html")`` writes a page that works
    offline; ``.to_html()`` gives the fragment. No Graphviz needed.

    The backward frames are `backward_steps(root)`, run from zero grads; every grad
    is put back afterwards, so making a player changes nothing in the graph.
    params: leaves to draw as parameters (green), e.g. ``model.parameters()``.
    max_nodes: draw the Values nearest the root, as `draw_dot` does.
    show_local_grads: write ∂result/∂input on each input edge in every frame.
    interval_ms: time between frames when playing.
    """
    limit, param_set = check_options("stepper", root, rankdir, max_nodes, params)
    if isinstance(interval_ms, bool) or not isinstance(interval_ms, int) or interval_ms < 1:
        raise ValueError(f"interval_ms must be a whole number of milliseconds >= 1, got {interval_ms!r}")
    steps = replayed_pass(root)
    scene = make_scene(root, param_set, limit, True, show_local_grads, steps=steps, forward=True)
    name = shown_text(root, "label") or "the output"
    title = f"Backpropagation through {name}, step by step"
    return Player(picture(scene, rankdir), make_frames(scene), interval_ms, title)


class Player:
    """Frames of a forward and a backward pass, shown as an interactive HTML player.

    `frames` lists them (each a `microgrand.viz.frames.Frame`: caption, what changes).
    """

    def __init__(self, picture: Picture, frames: list[Frame], interval_ms: int, title: str) -> None:
        self.picture = picture  # the last frame, also what shows where scripts do not run
        self.svg = picture.svg()
        self.frames = frames
        self.interval_ms = interval_ms
        self.title = title

    def to_html(self) -> str:
        """The player as an HTML fragment (with its script and data): paste it into any page."""
        return page(self.picture.svg(fluid=True), self.frames, self.interval_ms, self.title)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        # the last frame as a plain picture too, for viewers that show no HTML; IPython adds
        # text/html from _repr_html_, which every notebook front end prefers
        return {"image/svg+xml": self.svg}

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write a self-contained HTML page to `path`; it works offline in any browser."""
        path = Path(path)
        path.write_text(standalone(self.to_html(), self.title), encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return f"<Player: {len(self.frames)} frames; display it in a notebook or .save('backprop.html')>"


def page(svg: str, frames: list[Frame], interval_ms: int, title: str) -> str:
    """The player as an HTML fragment: controls, caption, the picture, the frames and the script."""
    # unique across kernels and reruns too: a notebook can hold outputs of earlier sessions
    pid = f"mg-player-{uuid.uuid4().hex[:12]}"
    script = resources.files(__package__).joinpath("player.js").read_text(encoding="utf-8")
    colours = {"backward": HIGHLIGHT, "forward": FORWARD, "partial": PARTIAL, "unknown": UNKNOWN}
    spec = {"frames": [f.to_json() for f in frames], "interval": interval_ms, "colours": colours}
    data = json.dumps(spec, ensure_ascii=True)
    data = data.replace("<", "\\u003c")  # so no text in the data can end or open a script element
    last = len(frames) - 1
    buttons = [
        ("first", "First step", "|◀"),
        ("prev", "Previous step", "◀"),
        ("play", "Play", "Play"),
        ("next", "Next step", "▶"),
        ("last", "Last step", "▶|"),
    ]
    controls = _buttons(buttons)
    zoom = _buttons([("zoomout", "Zoom out", "−"), ("zoomin", "Zoom in", "+"), ("fit", "Fit", "⤢")])
    return (
        f'<div class="mg-player" id="{pid}" role="group" aria-label="{html.escape(title)}" tabindex="0" '
        f'style="font-family: Helvetica, Arial, sans-serif; font-size: 13px">'
        f'<div class="mg-controls" hidden style="gap:4px; align-items:center; flex-wrap:wrap">'
        f'{controls}<input type="range" min="0" max="{last}" value="{last}" step="1" '
        f'aria-label="Frame" style="flex:1; min-width:120px">'
        f'<span class="mg-count" style="min-width:5em; text-align:right">{last + 1} / {last + 1}</span>'
        f"{zoom}</div>"
        f'<p class="mg-caption" role="status" style="margin:6px 0; min-height:2.6em">'
        f"{html.escape(frames[-1].caption)}</p>"
        f'<div class="mg-view" style="overflow:hidden; border:1px solid #ddd; cursor:grab; '
        f'touch-action:none">{svg}</div>'
        f'<script type="application/json" class="mg-data">{data}</script>'
        f"<script>{script}\nmicrogradPlayer(document.currentScript, {json.dumps(pid)});</script></div>"
    )


def standalone(fragment: str, title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body style="margin:16px">\n{fragment}\n</body></html>\n'
    )


def _buttons(specs: list[tuple[str, str, str]]) -> str:
    """A row of buttons, each (action, accessible name, icon)."""
    return "".join(
        f'<button type="button" data-act="{act}" aria-label="{name}" title="{name}">{icon}</button>'
        for act, name, icon in specs
    )
