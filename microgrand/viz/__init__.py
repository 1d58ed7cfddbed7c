"""Draw a computation graph: values, gradients, and the chain rule on the edges.

Three ways to look at a graph, all showing the same boxes and colours:

* `stepper(root)`: a player that steps through the forward and the backward pass,
  frame by frame, in a notebook or a saved HTML page (no Graphviz needed);
* `draw_svg(root)`: one SVG picture (no Graphviz needed);
* `draw_dot(root)` and `draw_step(steps, k)`: a `graphviz.Digraph`, for those who
  have Graphviz (PDF, PNG, DOT source); `render` writes it to a file.

    >>> from microgrand import Value
    >>> from microgrand.viz import draw_dot, draw_svg, render, stepper
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> L = a * b + a
    >>> L.label = "L"
    >>> stepper(L).save("backprop.html")  # doctest: +SKIP
    >>> L.backward()
    >>> draw_svg(L, show_local_grads=True).save("L.svg")  # doctest: +SKIP
    >>> g = draw_dot(L, show_local_grads=True)  # a graphviz.Digraph: a notebook shows it
    >>> render(g, "L.png")  # doctest: +SKIP

What a drawing shows:

* one box per Value: ``label | data | grad`` (no label cell if it has none);
* one small oval per operation (``+``, ``*``, ``tanh``, ...), with edges
  input → operation → result. An input used twice (``a * a``) has two edges;
* with ``show_local_grads=True``, each input → operation edge carries the local
  derivative ∂result/∂input: the chain rule multiplies the result's grad by it
  to give the input its share;
* the colour of a box says what kind of Value it is (``legend=True`` draws this key):

  ========== ====================================================================
  root       gold, thick border: the Value you drew (the output; its grad is 1)
  parameter  green: a leaf you listed in ``params`` (e.g. ``model.parameters()``),
             a Value that training updates
  leaf       blue: any other leaf with a label, e.g. an input you created
  constant   grey: a leaf without a label, usually a plain number an operator
             wrapped (the 2 in ``x * 2``)
  result     white: the output of an operation
  ========== ====================================================================

  A label cannot tell an input ``x`` from a weight ``w``, so the parameters are
  the ones you pass, as in torchviz's ``make_dot(params=...)``.

Big graphs: only the `max_nodes` Values nearest the root are drawn (breadth
first, see `microgrand.graph.trace`), with at most 3 edges per Value drawn (the
widest operations keep their first inputs), plus one dashed box "… N more nodes,
M more edges" standing for the rest, so a 60,000-node graph, or one whose every operation takes all the
Values before it, stays a picture you can read.

Watching backward: `draw_step` draws the graph after step k of
`microgrand.graph.backward_steps`, with the node passing its gradient
in red, ``local × upstream = contribution`` on its edges, and grads shown only
for the nodes the pass has reached.

Node names are ``n0, n1, ...`` in trace order (never ``id()``), so the same graph
gives the same DOT source in every run. Labels are text, never markup: ``{ } | < > " \\``
and newlines are drawn as they are; control characters and the characters no picture
can hold (U+FFFE, U+FFFF, ...) as escapes (``\\x1b``, ``\\ufffe``); a label longer than
48 characters is cut, ending in "…". A label that is not a str is refused, naming the Value.

`draw_dot` needs the optional Python package ``graphviz`` (``pip install "microgrand[viz]"``)
to build a drawing, and the Graphviz program ``dot`` to turn it into a picture; it is
imported only then. `draw_svg` and `stepper` lay the graph out themselves and need neither.

What is built from what (one job per module, data flowing one way)::

    microgrand.graph.trace ─► scene ─► svg (+ layout) ─► draw_svg
                                    ├► dot ─────────────► draw_dot, draw_step, render
                                    └► frames ─► player (+ player.js) ─► stepper

``scene`` works out everything a drawing shows once (boxes, arrows, texts, kinds, the
cut, the grads after each backward step); the renderers only read it. ``style`` is how a
Value looks (colours, numbers, safe labels), ``fonts`` how wide a text is, ``options``
the checks every drawing shares.

Training you can watch: ``training`` draws no graph but a 2-D classifier's training, from a
`fit` run that a `TrainingRecorder` watched (``fit(..., callbacks=[recorder])``):
`training_player(recorder)` steps through the epochs (decision regions, points, loss curves)
with the player's controls (``training.js``).
"""

from __future__ import annotations

from ..graph import BackwardStep, Edge, GradientPass, backward_steps, trace
from .dot import INSTALL_DOT, INSTALL_GRAPHVIZ_PACKAGE, GraphvizNotFoundError, draw_dot, draw_step, render
from .player import Player, stepper
from .style import HIGHLIGHT, KINDS
from .svg import SVGDrawing, draw_svg
from .training import TrainingPlayer, TrainingRecorder, training_player

__all__ = [
    "HIGHLIGHT",
    "INSTALL_DOT",
    "INSTALL_GRAPHVIZ_PACKAGE",
    "KINDS",
    "BackwardStep",
    "Edge",
    "GradientPass",
    "GraphvizNotFoundError",
    "Player",
    "SVGDrawing",
    "TrainingPlayer",
    "TrainingRecorder",
    "backward_steps",
    "draw_dot",
    "draw_step",
    "draw_svg",
    "render",
    "stepper",
    "trace",
    "training_player",
]
