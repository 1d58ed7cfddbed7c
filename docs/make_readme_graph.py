"""Make the pictures in the README: docs/graph.svg and docs/backward_step.svg.

    python docs/make_readme_graph.py

Needs the viz extra (pip install "microgrand[viz]") and the Graphviz program dot.
The graph is micrograd's first example, L = (a*b + c) * f, after backward(), with
the local derivative ∂out/∂in on every edge; the second picture is step 1 of the
same backward pass, node d passing its gradient to e and c.
"""

from __future__ import annotations

from pathlib import Path

from microgrand.examples import lecture_example
from microgrand.viz import backward_steps, draw_dot, draw_step, render

HERE = Path(__file__).resolve().parent


def main() -> None:
    L = lecture_example()
    L.backward()
    print(render(draw_dot(L, show_local_grads=True, legend=True), HERE / "graph.svg"))
    steps = list(backward_steps(lecture_example()))
    print(render(draw_step(steps, 1), HERE / "backward_step.svg"))


if __name__ == "__main__":
    main()
