"""`backward()` one node at a time, to watch the chain rule work.

`backward_steps(root)` does exactly what ``root.backward()`` does, but pauses
after each node has passed its gradient on, and says what it passed::

    for step in backward_steps(L):
        for p in step.passes:
            print(f"{p.local_grad} × {step.upstream} = {p.contribution}  →  {p.input.label}")

When the generator is used up, every ``.grad`` is what ``backward()`` would
have left (leaves accumulate, other nodes are reset first, as there).
`microgrand.viz.draw_step` draws the graph as it is after any step.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .engine import Value, topological_order


class GradientPass(NamedTuple):
    """What one node sent one of its inputs: ``contribution = local_grad × upstream``."""

    input: Value
    local_grad: float  # ∂node/∂input
    contribution: float  # added to input.grad
    grad_after: float  # input.grad once the contribution is added (a running sum until its last pass)


@dataclass(frozen=True)
class BackwardStep:
    """Step `index` of a backward pass: `node` passes ``upstream = d(root)/d(node)`` on."""

    index: int
    node: Value
    upstream: float  # node.grad; complete, since every node that uses `node` has already passed
    passes: tuple[GradientPass, ...]  # one per input of `node`, in order, with repeats


def backward_steps(root: Value) -> Iterator[BackwardStep]:
    """Run ``root.backward()`` lazily, yielding one `BackwardStep` per interior node,
    `root` first, each node after every node that uses it (reverse topological order).

    No grad changes until the first step is asked for. A leaf `root` yields no
    steps; its grad grows by 1, as with ``backward()``.
    """
    if not isinstance(root, Value):
        raise TypeError(
            f"backward_steps needs a Value (the output to differentiate), got {type(root).__name__}"
        )
    return _walk(root)


def _walk(root: Value) -> Iterator[BackwardStep]:
    order = topological_order(root, reset_grads=True)  # interior nodes, root first, grads at 0
    if not order:
        root.grad += 1.0
        return
    root.grad = 1.0
    for index, node in enumerate(order):
        upstream = node.grad
        passes = []
        for child, local_grad in zip(node.children, node.local_grads):
            # the chain rule, as in Value.backward (which skips a node whose upstream is 0:
            # every contribution is then 0, even where the local derivative is inf)
            contribution = local_grad * upstream if upstream != 0.0 else 0.0
            child.grad += contribution
            passes.append(GradientPass(child, local_grad, contribution, child.grad))
        yield BackwardStep(index, node, upstream, tuple(passes))
