"""Training you can watch: a player of a 2-D classifier's training, built from a `fit` run.

    >>> from microgrand.viz import TrainingRecorder, training_player
    >>> watch = TrainingRecorder(X, y, val=(X_val, y_val))  # doctest: +SKIP
    >>> history = fit(model, X, y, ..., callbacks=[watch])  # doctest: +SKIP
    >>> training_player(watch)  # in a notebook: the player; .save("training.html") # doctest: +SKIP

The recorder is a `fit` callback (Keras's shape). While `fit` runs it only copies the
parameters' numbers, so training is not slowed by drawing; `training_player` then loads each
kept copy into the model, evaluates the model on a grid over the plane and on the points, puts
the model back as it was, and draws one frame per kept epoch:

* frame 0: the initial weights, before training;
* a frame per kept epoch: the plane coloured by the class the model predicts there (for two
  classes also the decision boundary, the line where the prediction changes class), the points
  (filled: training, rings: validation; circled in black: predicted wrong), the loss curves
  with the epoch marked, and the accuracy;
* the last frame is the model as `fit` returned it. When early stopping put back the weights of
  its best epoch, that is a frame of its own, marked "restored".

Sizes are bounded, and the page says what was dropped: at most `max_frames` frames (as epochs
pass, the recorder keeps every 2nd, then every 4th, ... epoch, so the kept ones stay evenly
spaced), a `grid` × `grid` sampling of the plane, loss curves of at most `MAX_CURVE_POINTS`
points (every k-th epoch), at most `MAX_POINTS` training and as many validation points drawn.
"""

from __future__ import annotations

import html
import json
import math
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..checks import as_float, positive_int
from ..engine import Value
from ..nn import Module
from ..train import Callback, History, predicted_class
from .options import check_interval
from .player import button_row, standalone
from .svg import as_img

DEFAULT_MAX_FRAMES = 30
DEFAULT_GRID = 25
MAX_GRID = 80  # 6,400 model evaluations per frame: beyond that a player takes minutes to build
MAX_CURVE_POINTS = 300
MAX_POINTS = 500
DEFAULT_INTERVAL_MS = 400

# matplotlib's tab10 (the notebooks' C0, C1, ...) for the points, and lighter ones for the regions
CLASS_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]  # fmt: skip
REGION_COLOURS = ["#c6dbef", "#fdd0a2", "#c7e9c0", "#fcbba1", "#dadaeb",
                  "#e7d4c8", "#f7d3ea", "#e0e0e0", "#eeeeb0", "#c1edf2"]  # fmt: skip
NOT_A_NUMBER = "#444444"  # a cell where the model's output is nan: it predicts no class
TRAIN_CURVE, VAL_CURVE = "#333333", "#7b3294"
BEST = "#1a7f37"  # the best epoch, and the weights early stopping restored
HIGHLIGHT_NOW = "#cc0000"  # the epoch shown, on the loss chart
# a shape per class too, so the classes differ for readers who cannot tell the colours apart
SHAPES = [
    "M{x},{y}m-4.5,0a4.5,4.5 0 1,0 9,0a4.5,4.5 0 1,0 -9,0z",  # circle
    "M{x},{y}m-4,-4h8v8h-8z",  # square
    "M{x},{y}m0,-5.2l4.8,8.4h-9.6z",  # triangle
    "M{x},{y}m0,-5.5l5.5,5.5l-5.5,5.5l-5.5,-5.5z",  # diamond
    "M{x},{y}m0,5.2l4.8,-8.4h-9.6z",  # triangle down
]

# the two pictures, in SVG units: the plane and the loss chart
PLANE_W, PLANE_H, PLANE_X, PLANE_Y, PLANE_SIZE = 400, 440, 36, 48, 356
CHART_W, CHART_H, CHART_X, CHART_Y, CHART_PW, CHART_PH = 400, 300, 46, 40, 340, 222

Points = Sequence[Sequence[float]]


class TrainingRecorder(Callback):
    """A `fit` callback that keeps what a `training_player` needs: the weights at some epochs.

    X, y: the training points to draw (2 features each) and their labels, as given to `fit`.
    val: (X_val, y_val), drawn as rings. threshold: as `accuracy`'s, for a model with one
    output (0 for a score or logit, 0.5 for a probability). max_frames: at most this many
    frames (kept epochs, the initial weights, the last epoch and the restored weights).
    """

    def __init__(
        self,
        X: Points,
        y: Sequence[Any],
        *,
        val: tuple[Points, Sequence[Any]] | None = None,
        threshold: float = 0.0,
        max_frames: int = DEFAULT_MAX_FRAMES,
    ) -> None:
        self.X, self.y = _points("X, y", X, y)
        self.val = _points("val", *val) if val is not None else ([], [])
        self.threshold = as_float(threshold, "TrainingRecorder threshold")
        self.max_frames = positive_int("TrainingRecorder max_frames", max_frames, minimum=5)
        self.model: Module | None = None
        self.params: list[Value] = []
        self.kept: dict[int, list[float]] = {}  # epoch -> the parameters' numbers after it
        self.stride = 1  # the epochs kept are the multiples of this
        self.latest: tuple[int, list[float]] = (0, [])
        self.final: list[float] | None = None  # the weights fit returned
        self.history: History | None = None

    def on_train_begin(self, model: Module) -> None:
        self.model, self.params = model, model.parameters()
        self.kept, self.stride, self.final, self.history = {0: self._weights()}, 1, None, None
        self.latest = (0, self.kept[0])

    def on_epoch_end(self, epoch: int, model: Module, history: History) -> None:
        self.latest = (epoch, self._weights())
        if epoch % self.stride == 0:
            self.kept[epoch] = self.latest[1]
            # room for the initial weights, the last epoch and the restored weights besides
            if len(self.kept) - 1 > self.max_frames - 3:
                self.stride *= 2  # keep every other one: those kept stay evenly spaced
                self.kept = {e: w for e, w in self.kept.items() if e % self.stride == 0}

    def on_train_end(self, model: Module, history: History) -> None:
        self.final, self.history = self._weights(), history

    def _weights(self) -> list[float]:
        return [p.data for p in self.params]


@dataclass
class TrainingFrame:
    """One frame: an epoch's model, as the picture and the caption show it."""

    epoch: int
    caption: str
    heading: str  # above the plane: the epoch
    scores: str  # below it: how many points are right
    cells: list[int]  # the grid's predicted classes, row by row from the top: (class, count) runs
    boundary: str  # the two-class decision boundary, an SVG path in grid cells ("" for none)
    wrong: list[int]  # the points predicted wrong (training points first, then validation)
    marker: tuple[float, float | None, float | None]  # the epoch on the loss chart: x, y train, y val
    restored: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "c": self.caption,
            "h": self.heading,
            "a": self.scores,
            "r": self.cells,
            "b": self.boundary,
            "w": self.wrong,
            "m": self.marker,
            "s": int(self.restored),
        }


def training_player(
    recorder: TrainingRecorder,
    *,
    grid: int = DEFAULT_GRID,
    interval_ms: int = DEFAULT_INTERVAL_MS,
    title: str = "Training, epoch by epoch",
) -> TrainingPlayer:
    """The player of the run `recorder` watched (pass it to `fit` as ``callbacks=[recorder]``).

    grid: the plane is sampled at grid × grid points (each one model evaluation per frame).
    interval_ms: time between frames when playing. Building evaluates the model
    ``grid² + points`` times per frame; the model is left with the weights it had.
    """
    model, history, final = recorder.model, recorder.history, recorder.final
    if model is None or history is None or final is None:
        raise ValueError(
            "training_player: this recorder has not seen a whole training run. Pass it to fit, "
            "fit(model, X, y, ..., callbacks=[recorder]), and let fit return (a run that "
            "diverged raises TrainingDiverged and has no model to show)"
        )
    grid = positive_int("training_player grid (points per side)", grid, minimum=4)
    if grid > MAX_GRID:
        raise ValueError(f"training_player grid must be at most {MAX_GRID} (points per side), got {grid}")
    interval_ms = check_interval(interval_ms)
    epochs = history.epochs
    last, restored = recorder.latest[0], history.best_epoch
    shown = sorted({*recorder.kept, last})
    weights = {**recorder.kept, last: recorder.latest[1]}
    runs = [(e, weights[e], False) for e in shown]
    if restored:
        runs.append((restored, final, True))
    saved, was_training = [p.data for p in recorder.params], model.training
    model.eval()  # predictions without dropout, as `accuracy` makes them (and no random draws)
    try:
        drawing = _Drawing(recorder, grid)
        frames = [
            drawing.frame(model, recorder.params, epoch, w, restored_weights, final=k == len(runs) - 1)
            for k, (epoch, w, restored_weights) in enumerate(runs)
        ]
    finally:
        for p, d in zip(recorder.params, saved):
            p.data = d
        model.train(was_training)
    dropped = "every epoch" if recorder.stride == 1 else f"every {_ordinal(recorder.stride)} epoch"
    note = f"Frames: {dropped} of {epochs}" + (" and the last" if last % recorder.stride else "")
    if restored:
        note += ", then the weights early stopping restored"
    note += "; the loss curves: " + (
        "every epoch" if drawing.curve_stride == 1 else f"every {_ordinal(drawing.curve_stride)} epoch"
    )
    note += f"; the plane sampled at {grid} × {grid} points"
    if drawing.cut:
        note += f"; only the first {MAX_POINTS} training and validation points are drawn"
    return TrainingPlayer(drawing, frames, interval_ms, title, note + ".")


class TrainingPlayer:
    """A training run as an interactive HTML player (see `training_player`).

    `frames` lists the frames (`TrainingFrame`); ``.save("training.html")`` writes a page that
    works offline; ``.to_html()`` gives the fragment.
    """

    def __init__(
        self, drawing: _Drawing, frames: list[TrainingFrame], interval_ms: int, title: str, note: str
    ) -> None:
        self.frames = frames
        self.interval_ms = interval_ms
        self.title = title
        self.note = note
        self.names = drawing.names  # the classes, as the labels name them
        self.plane = drawing.plane(frames[-1])  # the last frame: what shows where scripts do not run
        self.chart = drawing.chart(frames[-1])

    def to_html(self) -> str:
        """The player as an HTML fragment (with its script and data): paste it into any page."""
        return _page(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"image/svg+xml": self.plane}  # the last frame's plane, for viewers that show no HTML

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write a self-contained HTML page to `path`; it works offline in any browser."""
        path = Path(path)
        path.write_text(standalone(self.to_html(), self.title), encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return (
            f"<TrainingPlayer: {len(self.frames)} frames; display it in a notebook or .save('training.html')>"
        )


# ---------------------------------------------------------------- internals


def _points(what: str, X: Points, y: Sequence[Any]) -> tuple[list[tuple[float, float]], list[Any]]:
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f"TrainingRecorder {what}: need as many labels as points, and some; got {len(X)} and {len(y)}"
        )
    points = []
    for k, x in enumerate(X):
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence) or len(x) != 2:
            raise ValueError(
                f"TrainingRecorder draws points in a plane: each needs 2 features, but point {k} "
                f"of {what} is {x!r}"
            )
        points.append(
            (as_float(x[0], f"point {k}'s first feature"), as_float(x[1], f"point {k}'s second feature"))
        )
    return points, list(y)


class _Drawing:
    """Everything a frame is drawn on: the plane's grid, the classes, the chart's scales."""

    def __init__(self, recorder: TrainingRecorder, grid: int) -> None:
        self.recorder, self.n = recorder, grid
        self.cut = len(recorder.X) > MAX_POINTS or len(recorder.val[0]) > MAX_POINTS
        self.points = recorder.X[:MAX_POINTS] + recorder.val[0][:MAX_POINTS]
        self.labels = recorder.y[:MAX_POINTS] + recorder.val[1][:MAX_POINTS]
        self.n_train = min(len(recorder.X), MAX_POINTS)
        model = recorder.model
        assert model is not None and recorder.history is not None
        out = model(list(self.points[0]))
        self.outputs = 1 if isinstance(out, Value) else len(out)
        if self.outputs == 1:  # one score: class 1 above the threshold, as `accuracy` counts
            if len(set(self.labels)) > 2:
                raise ValueError(
                    f"training_player: a model with one output tells two classes apart, but the labels "
                    f"have {len(set(self.labels))} values; give the model one output per class"
                )
            self.targets = [int(label > 0) for label in self.labels]
            negative = next((label for label in self.labels if not label > 0), 0)
            positive = next((label for label in self.labels if label > 0), 1)
            self.names = [f"{negative:g}", f"{positive:g}"]
        else:
            if not 2 <= self.outputs <= len(CLASS_COLOURS):
                raise ValueError(
                    f"training_player draws 2 to {len(CLASS_COLOURS)} classes; "
                    f"the model has {self.outputs} outputs"
                )
            bad = [label for label in self.labels if label not in range(self.outputs)]
            if bad:
                raise ValueError(
                    f"training_player: labels must be class numbers 0 to {self.outputs - 1} for a "
                    f"model with {self.outputs} outputs, got {bad[0]!r}"
                )
            self.targets = [int(label) for label in self.labels]
            self.names = [str(k) for k in range(self.outputs)]
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        self.x0, self.x1 = _padded(min(xs), max(xs))
        self.y0, self.y1 = _padded(min(ys), max(ys))
        history = recorder.history
        self.epochs = history.epochs
        self.curves = [history.train_loss, history.val_loss]
        self.curve_stride = max(1, math.ceil(self.epochs / MAX_CURVE_POINTS))
        finite = [v for c in self.curves for v in c if math.isfinite(v)]
        self.loss_top = _nice_top(max(finite, default=1.0))
        # losses that fall by more than 10 times (a big first epoch) are drawn on a log scale,
        # as a linear one would squeeze the rest of the curve onto the axis
        low = min(finite, default=0.0)
        self.loss_bottom = 10 ** math.floor(math.log10(low)) if low > 0 and self.loss_top > 10 * low else 0.0

    # ------------------------------------------------ a frame

    def frame(
        self,
        model: Module,
        params: list[Value],
        epoch: int,
        weights: list[float],
        restored: bool,
        final: bool,
    ) -> TrainingFrame:
        for p, d in zip(params, weights):
            p.data = d
        threshold, n = self.recorder.threshold, self.n
        classes: list[int] = []
        margins: list[float] = []  # for two classes: how far into class 1 (the boundary is at 0)
        for r in range(n):
            v = self.y1 - (r + 0.5) * (self.y1 - self.y0) / n
            for c in range(n):
                u = self.x0 + (c + 0.5) * (self.x1 - self.x0) / n
                out = model([u, v])
                classes.append(predicted_class(out, threshold))  # -1 where the output is nan
                scores = [out.data] if isinstance(out, Value) else [o.data for o in out]
                if len(scores) == 1:
                    margins.append(scores[0] - threshold)
                elif len(scores) == 2:
                    margins.append(scores[1] - scores[0])
        predicted = [predicted_class(model(list(x)), threshold) for x in self.points]
        wrong = [k for k, (p, t) in enumerate(zip(predicted, self.targets)) if p != t]
        boundary = _contour(margins, n) if margins else ""
        return self._texts(epoch, restored, final, _runs(classes, n), boundary, wrong)

    def _texts(
        self, epoch: int, restored: bool, final: bool, cells: list[int], boundary: str, wrong: list[int]
    ) -> TrainingFrame:
        train_wrong = sum(1 for k in wrong if k < self.n_train)
        n_val = len(self.points) - self.n_train
        share = 1 - train_wrong / self.n_train
        right = f"{self.n_train - train_wrong} of {self.n_train} training points right ({share:.0%})"
        scores = f"training: {self.n_train - train_wrong}/{self.n_train} right"
        if n_val:
            val_right = n_val - (len(wrong) - train_wrong)
            right += f", {val_right} of {n_val} validation points ({val_right / n_val:.0%})"
            scores += f" · validation: {val_right}/{n_val} right"
        losses = [c[epoch - 1] if 0 < epoch <= len(c) else None for c in self.curves]
        train_y, val_y = (self._y(v) if v is not None else None for v in losses)
        marker = (self._x(epoch), train_y, val_y)
        said = ", ".join(
            f"{name} loss {v:.4g}" for name, v in zip(("training", "validation"), losses) if v is not None
        )
        if epoch == 0:
            heading = "Before training: epoch 0"
            caption = f"Before training: the initial weights. {right}."
        elif restored:
            history = self.recorder.history
            assert history is not None
            watched = "validation loss" if self.curves[1] else "end-of-epoch training loss"
            heading = f"Epoch {epoch}, restored: as fit returned it"
            caption = (
                f"As fit returned it: early stopping restored the weights of epoch {epoch}, whose "
                f"{watched} was the lowest ({said}); training stopped after epoch {self.epochs}. {right}."
            )
        else:
            heading = f"Epoch {epoch} of {self.epochs}" + (": as fit returned it" if final else "")
            caption = f"Epoch {epoch} of {self.epochs}: {said}. {right}." + (
                " This is the model as fit returned it." if final else ""
            )
        return TrainingFrame(epoch, caption, heading, scores, cells, boundary, wrong, marker, restored)

    # ------------------------------------------------ the pictures (the last frame; the script redraws)

    def _x(self, epoch: float) -> float:
        return round(CHART_X + CHART_PW * epoch / self.epochs, 2)

    def _y(self, loss: float) -> float | None:
        if not math.isfinite(loss):
            return None
        loss = min(loss, self.loss_top)
        if self.loss_bottom:  # log scale
            up = math.log(max(loss, self.loss_bottom) / self.loss_bottom) / math.log(
                self.loss_top / self.loss_bottom
            )
        else:
            up = loss / self.loss_top
        return round(CHART_Y + CHART_PH * (1 - up), 2)

    def plane(self, f: TrainingFrame) -> str:
        n, size = self.n, PLANE_SIZE
        scale = size / n
        to_grid = f'transform="translate({PLANE_X},{PLANE_Y}) scale({scale:.6g})"'
        out = [
            f'<svg class="mg-plane" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {PLANE_W} {PLANE_H}" '
            f'width="{PLANE_W}" height="{PLANE_H}" font-family="Helvetica, Arial, sans-serif" font-size="12" '
            f'role="img" aria-label="The plane coloured by the class the model predicts, with the points" '
            f'data-restored="{int(f.restored)}">',
            f'<rect width="{PLANE_W}" height="{PLANE_H}" fill="white"/>',
            f'<text class="mg-heading" x="{PLANE_X}" y="18" font-size="15" font-weight="bold" '
            f'fill="{BEST if f.restored else "black"}">{html.escape(f.heading)}</text>',
            f'<text class="mg-scores" x="{PLANE_X}" y="37">{html.escape(f.scores)}</text>',
            f'<g class="mg-cells" {to_grid} data-n="{n}" data-x0="{self.x0!r}" data-x1="{self.x1!r}" '
            f'data-y0="{self.y0!r}" data-y1="{self.y1!r}" data-colours="{",".join(REGION_COLOURS)}" '
            f'data-nan="{NOT_A_NUMBER}" shape-rendering="crispEdges">{_cell_rects(f.cells, n)}</g>',
            f'<path class="mg-boundary" {to_grid} d="{f.boundary}" fill="none" stroke="black" '
            f'stroke-width="2" vector-effect="non-scaling-stroke" stroke-linejoin="round"/>',
            f'<rect x="{PLANE_X}" y="{PLANE_Y}" width="{size}" height="{size}" fill="none" stroke="#888"/>',
        ]
        wrong = set(f.wrong)
        # training points filled with their class's colour, validation points as rings of it;
        # then a black circle per point, shown where the model is wrong (the script shows and hides them)
        sets = {
            "training": '<g stroke="white" stroke-width="1">',
            "validation": '<g fill="white" stroke-width="2">',
        }
        rings = ['<g class="mg-rings" fill="none" stroke="black" stroke-width="1.5">']
        for k, ((x, y), target) in enumerate(zip(self.points, self.targets)):
            if k in (0, self.n_train):
                out.append(("</g>" if k else "") + sets["training" if k == 0 else "validation"])
            px = round(PLANE_X + size * (x - self.x0) / (self.x1 - self.x0), 1)
            py = round(PLANE_Y + size * (self.y1 - y) / (self.y1 - self.y0), 1)
            paint = "fill" if k < self.n_train else "stroke"
            out.append(
                f'<path data-point="{k}" data-x="{x!r}" data-y="{y!r}" data-class="{target}" '
                f'd="{SHAPES[target % len(SHAPES)].format(x=px, y=py)}" {paint}="{CLASS_COLOURS[target]}"/>'
            )
            rings.append(
                f'<circle cx="{px}" cy="{py}" r="8" visibility="{"visible" if k in wrong else "hidden"}"/>'
            )
        out += ["</g>", *rings, "</g>"]
        for k, t in enumerate((self.x0, (self.x0 + self.x1) / 2, self.x1)):
            anchor = ("start", "middle", "end")[k]
            out.append(
                f'<text x="{PLANE_X + size * k / 2}" y="{PLANE_Y + size + 15}" text-anchor="{anchor}">'
                f"{_tick(t)}</text>"
            )
        for k, t in enumerate((self.y1, (self.y0 + self.y1) / 2, self.y0)):
            out.append(
                f'<text x="{PLANE_X - 4}" y="{PLANE_Y + size * k / 2 + (10, 4, 0)[k]}" '
                f'text-anchor="end">{_tick(t)}</text>'
            )
        out.append(
            f'<text x="{PLANE_X + size / 2}" y="{PLANE_H - 4}" text-anchor="middle" fill="#555">'
            f"horizontal: x[0], vertical: x[1]</text>"
        )
        out.append("</svg>")
        return "".join(out)

    def chart(self, f: TrainingFrame) -> str:
        out = [
            f'<svg class="mg-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_W} {CHART_H}" '
            f'width="{CHART_W}" height="{CHART_H}" font-family="Helvetica, Arial, sans-serif" font-size="12" '
            f'role="img" aria-label="The loss curves, with the epoch shown marked">',
            f'<rect width="{CHART_W}" height="{CHART_H}" fill="white"/>',
            f'<text x="{CHART_X - 30}" y="16" font-size="13" font-weight="bold">loss</text>',
            f'<line x1="{CHART_X + 100}" y1="12" x2="{CHART_X + 124}" y2="12" stroke="{TRAIN_CURVE}" '
            f'stroke-width="2"/>'
            f'<text x="{CHART_X + 128}" y="16">training</text>',
        ]
        if self.curves[1]:
            out.append(
                f'<line x1="{CHART_X + 190}" y1="12" x2="{CHART_X + 214}" y2="12" stroke="{VAL_CURVE}" '
                f'stroke-width="2" stroke-dasharray="5 3"/><text x="{CHART_X + 218}" y="16">validation</text>'
            )
        bottom = CHART_Y + CHART_PH
        out.append(
            f'<path d="M{CHART_X},{CHART_Y}V{bottom}H{CHART_X + CHART_PW}" fill="none" stroke="#888"/>'
        )
        top, low = self.loss_top, self.loss_bottom
        ticks = (
            [top, low, *(10.0**k for k in range(math.ceil(math.log10(low)), math.ceil(math.log10(top))))]
            if low
            else [top, top / 2, 0.0]
        )
        for v in dict.fromkeys(ticks):
            out.append(
                f'<text x="{CHART_X - 4}" y="{(self._y(v) or CHART_Y) + 4}" text-anchor="end">'
                f"{_tick(v)}</text>"
            )
        if low:
            out.append(f'<text x="{CHART_X + 4}" y="16" fill="#555">(log scale)</text>')
        for k, e in enumerate((0, self.epochs // 2, self.epochs)):
            anchor = ("start", "middle", "end")[k]
            out.append(f'<text x="{self._x(e)}" y="{bottom + 15}" text-anchor="{anchor}">{e}</text>')
        out.append(
            f'<text x="{CHART_X + CHART_PW / 2}" y="{CHART_H - 4}" text-anchor="middle" '
            f'fill="#555">epoch</text>'
        )
        history = self.recorder.history
        assert history is not None
        if history.best_epoch:
            x = self._x(history.best_epoch)
            left = x < CHART_X + CHART_PW / 2  # the label beside the line, on the side with room
            out.append(
                f'<line x1="{x}" y1="{CHART_Y}" x2="{x}" y2="{bottom}" stroke="{BEST}" '
                f'stroke-dasharray="2 3"/>'
                f'<text x="{x + 3 if left else x - 3}" y="{CHART_Y + 12}" fill="{BEST}" '
                f'text-anchor="{"start" if left else "end"}">best epoch {history.best_epoch}</text>'
            )
        for curve, colour, dash in zip(
            self.curves, (TRAIN_CURVE, VAL_CURVE), ("", ' stroke-dasharray="5 3"')
        ):
            epochs = [*range(1, len(curve) + 1, self.curve_stride)]
            if epochs and epochs[-1] != len(curve):
                epochs.append(len(curve))
            xy = [(self._x(e), self._y(curve[e - 1])) for e in epochs]
            d = " ".join(f"{x},{y}" for x, y in xy if y is not None)
            if d:
                out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}/>')
        x, yt, yv = f.marker
        colour = BEST if f.restored else HIGHLIGHT_NOW
        out.append(
            f'<line class="mg-now" x1="{x}" y1="{CHART_Y}" x2="{x}" y2="{bottom}" stroke="{colour}" '
            f'stroke-width="1.5"/>'
        )
        for cls, y, c in (("mg-now-train", yt, TRAIN_CURVE), ("mg-now-val", yv, VAL_CURVE)):
            seen = "visible" if y is not None else "hidden"
            out.append(
                f'<circle class="{cls}" cx="{x}" cy="{y if y is not None else bottom}" r="4" fill="{c}" '
                f'visibility="{seen}"/>'
            )
        out.append("</svg>")
        return "".join(out)


def _padded(lo: float, hi: float) -> tuple[float, float]:
    """The range of the points with a margin of 8 % on each side (±0.5 around a single value)."""
    pad = (hi - lo) * 0.08 or 0.5
    return lo - pad, hi + pad


def _nice_top(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above `x`: a round top for the loss axis."""
    if not x > 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= x)


def _ordinal(k: int) -> str:
    return f"{k}{'th' if 10 <= k % 100 < 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"


def _tick(x: float) -> str:
    return f"{x:.3g}".replace("-", "−")


def _runs(classes: list[int], n: int) -> list[int]:
    """Row by row, (class, count) for each run of equal classes: a row of one class is 2 numbers."""
    out: list[int] = []
    for r in range(0, len(classes), n):
        row = classes[r : r + n]
        start = 0
        for c in range(1, n + 1):
            if c == n or row[c] != row[start]:
                out += [row[start], c - start]
                start = c
    return out


def _cell_rects(runs: list[int], n: int) -> str:
    """The runs as rectangles, in grid cells (the script draws the other frames the same way)."""
    out, at = [], 0
    for k in range(0, len(runs), 2):
        cls, count = runs[k], runs[k + 1]
        fill = REGION_COLOURS[cls] if cls >= 0 else NOT_A_NUMBER
        out.append(
            f'<rect x="{at % n}" y="{at // n}" width="{count}" height="1" fill="{fill}" data-class="{cls}"/>'
        )
        at += count
    return "".join(out)


def _contour(margins: list[float], n: int) -> str:
    """Where the margin is 0, as an SVG path in grid cells: marching squares over the samples.

    Sample (r, c) sits at the centre of its cell, (c + ½, r + ½). Each square of four samples
    whose signs differ holds one segment (two for a saddle, split by the sign at its middle),
    between the points on its sides where the margin, interpolated linearly, is 0. Segments
    that share a point are joined into one line."""

    def m(r: int, c: int) -> float:
        return margins[r * n + c]

    def crossing(a: tuple[int, int], b: tuple[int, int]) -> tuple[float, float]:
        ma, mb = m(*a), m(*b)
        t = ma / (ma - mb)
        return (a[1] + 0.5 + t * (b[1] - a[1]), a[0] + 0.5 + t * (b[0] - a[0]))

    points: dict[tuple[int, int, int], tuple[float, float]] = {}  # (r, c, 0 across / 1 down) -> point
    links: dict[tuple[int, int, int], list[tuple[int, int, int]]] = {}
    for r in range(n - 1):
        for c in range(n - 1):
            corners = [m(r, c), m(r, c + 1), m(r + 1, c + 1), m(r + 1, c)]  # clockwise from top left
            if not all(math.isfinite(v) for v in corners):
                continue
            side = [v > 0 for v in corners]
            sides = {  # each side of the square: its key and its two samples
                "top": ((r, c, 0), (r, c), (r, c + 1)),
                "right": ((r, c + 1, 1), (r, c + 1), (r + 1, c + 1)),
                "bottom": ((r + 1, c, 0), (r + 1, c), (r + 1, c + 1)),
                "left": ((r, c, 1), (r, c), (r + 1, c)),
            }
            crossed = [s for s, (_, a, b) in sides.items() if (m(*a) > 0) != (m(*b) > 0)]
            if len(crossed) == 2:
                pairs = [(crossed[0], crossed[1])]
            elif len(crossed) == 4:  # a saddle: the middle's sign says which corners join
                middle = sum(corners) / 4 > 0
                pairs = (
                    [("top", "right"), ("bottom", "left")]
                    if middle == side[0]
                    else [("top", "left"), ("right", "bottom")]
                )
            else:
                continue
            for s1, s2 in pairs:
                k1, k2 = sides[s1][0], sides[s2][0]
                for key, s in ((k1, s1), (k2, s2)):
                    if key not in points:
                        points[key] = crossing(sides[s][1], sides[s][2])
                links.setdefault(k1, []).append(k2)
                links.setdefault(k2, []).append(k1)
    # join segments into lines: start from the ends of open lines, then walk what is left (loops)
    parts, done = [], set()
    starts = [k for k, v in links.items() if len(v) == 1] + list(links)
    for start in starts:
        if start in done:
            continue
        line, at, before = [start], start, None
        done.add(start)
        while True:
            nxt = next((k for k in links[at] if k != before and k not in done), None)
            if nxt is None:
                if len(line) > 2 and start in links[at] and before != start:
                    line.append(start)  # close the loop
                break
            line.append(nxt)
            done.add(nxt)
            before, at = at, nxt
        parts.append("M" + "L".join(f"{points[k][0]:.2f},{points[k][1]:.2f}" for k in line))
    return "".join(parts)


def _page(player: TrainingPlayer) -> str:
    """The player as an HTML fragment: the caption, the two pictures, a key, the frames and the script.

    As the step-through player's page (`microgrand.viz.player.page`): where no script runs (an
    untrusted notebook, whose sanitiser drops scripts and inline SVG) it is the last frame's
    caption and pictures, as ``<img>`` of SVG; the script adds the controls and makes the
    pictures inline SVG again, which it redraws frame by frame.
    """
    pid = f"mg-training-{uuid.uuid4().hex[:12]}"
    script = resources.files(__package__).joinpath("training.js").read_text(encoding="utf-8")
    last = len(player.frames) - 1
    buttons = [
        ("first", "First frame", "|◀"),
        ("prev", "Previous frame", "◀"),
        ("play", "Play", "Play"),
        ("next", "Next frame", "▶"),
        ("last", "Last frame", "▶|"),
    ]
    controls = (
        f'<div class="mg-controls" style="display:flex; gap:4px; align-items:center; flex-wrap:wrap">'
        f'{button_row(buttons)}<input type="range" min="0" max="{last}" value="{last}" step="1" '
        f'aria-label="Frame" style="flex:1; min-width:120px">'
        f'<span class="mg-count" style="min-width:5em; text-align:right">{last + 1} / {last + 1}</span></div>'
    )
    spec = {
        "frames": [f.to_json() for f in player.frames],
        "interval": player.interval_ms,
        "colours": {"now": HIGHLIGHT_NOW, "restored": BEST},
        "ui": controls,
    }
    data = json.dumps(spec, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")
    key = "".join(
        f'<span style="white-space:nowrap"><span style="display:inline-block; width:10px; height:10px; '
        f'background:{REGION_COLOURS[k]}; border:1px solid {CLASS_COLOURS[k]}"></span> '
        f"class {html.escape(name)}</span> "
        for k, name in enumerate(player.names)
    )
    boundary = "; the black line is the decision boundary" if len(player.names) == 2 else ""
    if any(cls == -1 for f in player.frames for cls in f.cells[::2]):
        boundary += "; dark grey: the model's output is nan there (no class)"
    panel = '<div style="flex:1 1 300px; max-width:400px">'
    return (
        f'<div class="mg-training" id="{pid}" role="group" aria-label="{html.escape(player.title)}" '
        'tabindex="0" data-lm-suppress-shortcuts="true" '  # JupyterLab's shortcuts leave its keys alone
        'style="font-family: Helvetica, Arial, sans-serif; font-size: 13px; max-width:820px">'
        f'<p class="mg-caption" role="status" style="margin:6px 0; min-height:3.9em">'
        f"{html.escape(player.frames[-1].caption)}</p>"
        f'<div class="mg-panels" style="display:flex; flex-wrap:wrap; gap:8px; align-items:flex-start">'
        f"{panel}{as_img(player.plane, 'The plane coloured by the class the model predicts, and the points')}"
        f"</div>{panel}{as_img(player.chart, 'The loss curves, with the epoch shown marked')}</div></div>"
        f'<p class="mg-note" style="margin:6px 0; font-size:12px">{key}· filled: training points, '
        f"rings: validation points, circled in black: predicted wrong{boundary}. "
        f"{html.escape(player.note)}</p>"
        f'<script type="application/json" class="mg-data">{data}</script>'
        f"<script>{script}\nmicrogradTrainingPlayer(document.currentScript, {json.dumps(pid)});</script>"
        "</div>"
    )
