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
from .frames import Frame
from .lab import lab
from .options import DEFAULT_MAX_NODES, check_interval, check_options
from .style import FORWARD, HIGHLIGHT, PARTIAL, UNKNOWN, shown_text
from .svg import Picture, as_img, picture

DEFAULT_INTERVAL_MS = 900


def stepper(
    root: Value,
    params: Iterable[Value] | None = None,
    *,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    show_local_grads: bool = True,
    interval_ms: int = DEFAULT_INTERVAL_MS,
    rankdir: str = "LR",
    mode: str = "reverse",
    wrt: Value | None = None,
    quiz: bool = False,
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
    interval_ms: time between frames when playing (1 ms to a minute).
    mode: "reverse" (backpropagation, the default) or "forward": tangents d(node)/d(wrt)
        flow from the input `wrt` (a leaf of the graph) to the output, one operation a frame.
    quiz: before each backward step shows the gradient it passes on, ask the learner for it.

    Pointing at (or tapping) an edge says its local derivative with its formula, and the
    chain-rule product once it is known; a box, its gradient as the sum over its uses.
    """
    limit, param_set = check_options("stepper", root, rankdir, max_nodes, params)
    interval_ms = check_interval(interval_ms)
    scene, frames, extra = lab(root, param_set, limit, show_local_grads, mode, wrt, quiz)
    name = shown_text(root, "label") or "the output"
    what = "Backpropagation" if mode == "reverse" else "Forward mode"
    return Player(picture(scene, rankdir), frames, interval_ms, f"{what} through {name}, step by step", extra)


class Player:
    """Frames of a forward and a backward pass, shown as an interactive HTML player.

    `frames` lists them (each a `microgrand.viz.frames.Frame`: caption, what changes).
    """

    def __init__(
        self,
        picture: Picture,
        frames: list[Frame],
        interval_ms: int,
        title: str,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.picture = picture  # the last frame, also what shows where scripts do not run
        self.svg = picture.svg()
        self.frames = frames
        self.interval_ms = interval_ms
        self.title = title
        self.extra = extra or {}  # what the page needs beside the frames (explore, quiz, note: lab.py)

    def to_html(self) -> str:
        """The player as an HTML fragment (with its script and data): paste it into any page."""
        return page(self.svg, self.frames, self.interval_ms, self.title, self.extra)

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


def page(
    svg: str, frames: list[Frame], interval_ms: int, title: str, extra: dict[str, Any] | None = None
) -> str:
    """The player as an HTML fragment: the caption, the picture, the frames and the script.

    Without its script (an untrusted notebook, whose sanitiser drops scripts, inline SVG
    and the `hidden` attribute alike; a code host's preview) the fragment is the last
    frame's caption and the picture as an ``<img>`` of SVG, which every sanitiser tested
    keeps (see `picture`). The script builds the controls (`ui` in its data) and turns
    the picture back into inline SVG, whose texts and colours it changes frame by frame.
    """
    # unique across kernels and reruns too: a notebook can hold outputs of earlier sessions
    pid = f"mg-player-{uuid.uuid4().hex[:12]}"
    script = resources.files(__package__).joinpath("player.js").read_text(encoding="utf-8")
    colours = {"backward": HIGHLIGHT, "forward": FORWARD, "partial": PARTIAL, "unknown": UNKNOWN}
    spec = {
        "frames": [f.to_json() for f in frames],
        "interval": interval_ms,
        "colours": colours,
        "ui": _controls(len(frames), extra or {}),
        **(extra or {}),
    }
    data = json.dumps(spec, ensure_ascii=True)
    data = data.replace("<", "\\u003c")  # so no text in the data can end or open a script element
    return (
        f'<div class="mg-player" id="{pid}" role="group" aria-label="{html.escape(title)}" tabindex="0" '
        'data-lm-suppress-shortcuts="true" '  # JupyterLab's shortcuts leave its keys alone
        'style="font-family: Helvetica, Arial, sans-serif; font-size: 13px">'
        f'<p class="mg-caption" role="status" style="margin:6px 0; min-height:2.6em">'
        f"{html.escape(frames[-1].caption)}</p>"
        f'<div class="mg-view">{as_img(svg, title)}</div>'
        f'<script type="application/json" class="mg-data">{data}</script>'
        f"<script>{script}\nmicrogradPlayer(document.currentScript, {json.dumps(pid)});</script></div>"
    )


def _controls(count: int, extra: dict[str, Any]) -> str:
    """The controls the script adds above and below the caption (absent where no script runs)."""
    last = count - 1
    buttons = [
        ("first", "First step", "|◀"),
        ("prev", "Previous step", "◀"),
        ("play", "Play", "Play"),
        ("next", "Next step", "▶"),
        ("last", "Last step", "▶|"),
    ]
    zoom = button_row([("zoomout", "Zoom out", "−"), ("zoomin", "Zoom in", "+"), ("fit", "Fit", "Fit")])
    follow = (
        '<label style="white-space:nowrap"><input type="checkbox" class="mg-follow" checked> '
        "Follow the node at work</label>"
    )
    quiz = (
        '<div class="mg-quiz" hidden style="margin:4px 0; padding:6px; border:1px solid #cc0000; '
        'border-radius:4px">'
        '<input type="text" inputmode="decimal" class="mg-answer" aria-label="Your gradient" '
        'placeholder="Your gradient" style="width:9em"> '
        + button_row([("check", "Check", "Check"), ("reveal", "Show", "Show")])
        + '<p class="mg-hint" aria-live="polite" style="margin:4px 0 0 0"></p></div>'
        if extra.get("quiz")
        else ""
    )
    note = extra.get("note")
    return (
        f'<div class="mg-controls" style="display:flex; gap:4px; align-items:center; flex-wrap:wrap">'
        f"{button_row(buttons)}"
        f'<input type="range" min="0" max="{last}" value="0" step="1" aria-label="Frame" '
        f'style="flex:1; min-width:120px">'
        f'<span class="mg-count" style="min-width:5em; text-align:right">1 / {count}</span>'
        f"{zoom}{follow}</div>"
        f"{quiz}"
        f'<p class="mg-explain" aria-live="polite" style="margin:4px 0; min-height:1.3em; opacity:0.85">'
        "Point at (or tap) an edge or a box to see its derivative.</p>"
        + (f'<p class="mg-note" style="margin:4px 0">{html.escape(note)}</p>' if note else "")
    )


def standalone(fragment: str, title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        f'<body style="margin:16px">\n{fragment}\n</body></html>\n'
    )


def button_row(specs: list[tuple[str, str, str]]) -> str:
    """A row of buttons, each (action, accessible name, icon)."""
    return "".join(
        f'<button type="button" data-act="{act}" aria-label="{name}" title="{name}">{icon}</button>'
        for act, name, icon in specs
    )
