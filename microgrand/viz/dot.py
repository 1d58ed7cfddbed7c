"""Graphviz, kept apart: the `Digraph` class `draw_dot` builds, and what to say when Graphviz is missing.

The Python package ``graphviz`` only writes DOT source; the ``dot`` program of
Graphviz turns it into pictures (in Jupyter, with ``.render()`` and ``.pipe()``).
Both are optional: ``graphviz`` is imported only when `digraph_class` is called,
so ``import microgrand.viz`` works without it. When ``dot`` is missing, graphviz
says it could not execute it; we say what to install.

This module imports nothing from `microgrand.viz` (viz imports it, never the reverse).
"""

from __future__ import annotations

from typing import Any

INSTALL_GRAPHVIZ_PACKAGE = (
    'drawing a graph with draw_dot needs the Python package graphviz: pip install "microgrand[viz]" '
    "(or pip install graphviz). Turning the drawing into a picture also needs the Graphviz "
    "program 'dot': apt-get install graphviz, brew install graphviz, "
    "or conda install -c conda-forge graphviz. "
    "Without Graphviz, use microgrand.viz.draw_svg or microgrand.viz.stepper: they need neither."
)
INSTALL_DOT = (
    "the Graphviz program 'dot' was not found on PATH; it is what turns a graph into a picture. "
    "Install Graphviz itself (the Python package alone is not enough): "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "or `conda install -c conda-forge graphviz`, then restart Python or the notebook kernel. "
    "Without Graphviz, microgrand.viz.draw_svg and microgrand.viz.stepper draw the graph too."
)


class GraphvizNotFoundError(RuntimeError):
    """The Graphviz program ``dot`` is not installed or not on PATH."""


def digraph_class() -> Any:
    """`graphviz.Digraph` (source, Jupyter display, render, pipe), with a clear error without ``dot``."""
    try:
        import graphviz  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError as exc:
        raise ImportError(INSTALL_GRAPHVIZ_PACKAGE) from exc

    class Digraph(graphviz.Digraph):  # type: ignore[misc, unused-ignore]
        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound as exc:
                raise GraphvizNotFoundError(INSTALL_DOT) from exc

        def render(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound as exc:
                raise GraphvizNotFoundError(INSTALL_DOT) from exc

    Digraph.__name__ = Digraph.__qualname__ = "Digraph"
    return Digraph
