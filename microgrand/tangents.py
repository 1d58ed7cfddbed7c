"""Forward mode: push a tangent (a dual number's second part) from one input to the output.

Reverse mode (`backward()`) starts at the output with d(out)/d(out) = 1 and, in one
pass, gives every input its gradient. Forward mode starts at one input `x` with
dx/dx = 1 (every other leaf 0) and carries ``tangent = d(node)/dx`` along with each
value, node by node from the inputs up: a node's tangent is the sum over its inputs
of ``local × tangent of that input`` (the chain rule read the other way). At the
output it is ``d(out)/dx``: one number, so all the gradients need one forward pass
per input, against reverse mode's one pass for them all.

    for step in forward_steps(L, wrt=a):
        print(step.node.label, step.tangent)   # ... and last: L  d(L)/d(a)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from .engine import Value, topological_order


class TangentTerm(NamedTuple):
    """One input's share of a node's tangent: ``contribution = local_grad × tangent``."""

    input: Value
    local_grad: float  # ∂node/∂input
    tangent: float  # d(input)/dx
    contribution: float


@dataclass(frozen=True)
class ForwardStep:
    """Step `index` of a forward-mode pass: `node` gets ``tangent = d(node)/dx``."""

    index: int
    node: Value
    tangent: float
    terms: tuple[TangentTerm, ...]  # one per input of `node`, in order, with repeats


def forward_steps(root: Value, wrt: Value) -> list[ForwardStep]:
    """The tangent d(node)/d(wrt) of every operation `root` depends on, inputs first, `root` last.

    `wrt` must be a leaf of the graph (an input you made). Reads the graph only: no
    ``grad`` changes. A zero factor passes nothing on, as in `backward()` (0 × inf is 0).
    """
    order = topological_order(root)
    order.reverse()  # each node after all of its inputs
    tangents = {wrt: 1.0}  # d(wrt)/d(wrt); any other leaf: 0
    steps = []
    for index, node in enumerate(order):
        terms = []
        total = 0.0
        for child, local_grad in zip(node.children, node.local_grads):
            tangent = tangents.get(child, 0.0)
            contribution = local_grad * tangent if local_grad != 0.0 and tangent != 0.0 else 0.0
            total += contribution
            terms.append(TangentTerm(child, local_grad, tangent, contribution))
        tangents[node] = total
        steps.append(ForwardStep(index, node, total, tuple(terms)))
    return steps
