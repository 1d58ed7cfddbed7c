"""Walk a computation graph: read it whole, or replay `backward()` one node at a time.

`trace(root)` lists every node and every edge in a fixed order; it is what the
renderers draw from, and it only reads the graph (unlike `topological_order`,
which `backward()` uses, it keeps the leaves and never touches a `grad`).

`backward_steps(root)` does exactly what ``root.backward()`` does, but pauses
after each node has passed its gradient on, and says what it passed::

    for step in backward_steps(L):
        for p in step.passes:
            print(f"{p.local_grad} × {step.upstream} = {p.contribution}  →  {p.input.label}")

When the generator is used up, every ``.grad`` is what ``backward()`` would
have left (leaves accumulate, other nodes are reset first, as there).
Both need nothing but the standard library.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from .engine import Value, start_backward


class Edge(NamedTuple):
    """One input of one operation: `output` was computed from `input`, and
    ``local_grad`` = ∂output/∂input is what the chain rule multiplies by."""

    input: Value
    output: Value
    local_grad: float


def trace(root: Value) -> tuple[list[Value], list[Edge]]:
    """All the Values `root` depends on (itself included), and the edges between them.

    ``nodes`` is in breadth-first order from `root`: ``nodes[0]`` is `root`, then
    its inputs, then theirs, so ``nodes[:n]`` are the n nodes nearest the output.
    Each Value appears once. ``edges`` has one `Edge` per input of every
    operation, with repeats (``a * a`` has two edges from ``a``), listed node by
    node in that same order, inputs in the order the operation took them.

    The same graph always gives the same lists, and a chain of a million nodes
    is fine: the walk is a loop, not a recursion.
    """
    if not isinstance(root, Value):
        raise TypeError(f"trace needs a Value (the output of a computation), got {type(root).__name__}")
    nodes: list[Value] = [root]
    seen: set[Value] = {root}
    edges: list[Edge] = []
    queue = deque([root])
    while queue:
        node = queue.popleft()
        for child, local_grad in zip(node.children, node.local_grads):
            edges.append(Edge(child, node, local_grad))
            if child not in seen:
                seen.add(child)
                nodes.append(child)
                queue.append(child)
    return nodes, edges


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


def backward_steps(root: Value, only: Container[Value] | None = None) -> Iterator[BackwardStep]:
    """Run ``root.backward()`` lazily, yielding one `BackwardStep` per interior node,
    `root` first, each node after every node that uses it (reverse topological order).

    No grad changes until the first step is asked for. A leaf `root` yields no
    steps; its grad grows by 1, as with ``backward()``.
    only: yield only the steps of these Values and of the nodes that pass a gradient to
    one of them; every other node applies the chain rule all the same, unrecorded (a
    drawing cut to the 200 Values nearest the root walks a big graph at backward()'s pace).
    """
    if not isinstance(root, Value):
        raise TypeError(
            f"backward_steps needs a Value (the output to differentiate), got {type(root).__name__}"
        )
    return _walk(root, only)


def _walk(root: Value, only: Container[Value] | None) -> Iterator[BackwardStep]:
    order = start_backward(root)  # as backward() starts: interior grads 0, the root's 1
    for index, node in enumerate(order):
        if only is not None and node not in only and not any(child in only for child in node.children):
            node._backward()
            continue
        upstream = node.grad
        running = {child: child.grad for child in node.children}  # each child's grad so far
        passes = []
        for child, local_grad in zip(node.children, node.local_grads):
            # what engine.chain_rule will send (it skips a zero factor: 0 × inf counts as 0)
            contribution = local_grad * upstream if local_grad != 0.0 and upstream != 0.0 else 0.0
            running[child] += contribution
            passes.append(GradientPass(child, local_grad, contribution, running[child]))
        node._backward()  # the chain rule at this node, exactly as backward() applies it
        yield BackwardStep(index, node, upstream, tuple(passes))
