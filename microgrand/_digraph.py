"""A `graphviz.Digraph` whose rendering errors say how to install Graphviz.

Imported only by `microgrand.viz` when a graph is drawn, so the rest of the
package works without the optional ``graphviz`` package.

The Python package only writes DOT source; the ``dot`` program of Graphviz
turns it into pictures (in Jupyter, with ``.render()`` and ``.pipe()``). When
``dot`` is missing, graphviz says it could not execute it; we say what to install.
"""

from __future__ import annotations

from typing import Any

import graphviz  # type: ignore[import-untyped, import-not-found, unused-ignore]

from .viz import INSTALL_DOT, GraphvizNotFoundError


class Digraph(graphviz.Digraph):  # type: ignore[misc, unused-ignore]
    """`graphviz.Digraph` (source, Jupyter display, render, pipe), with a clear error without ``dot``."""

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
