"""Read a computation graph: every node and every edge, in a fixed order.

`trace(root)` is what the renderer draws from, and it needs nothing but the
standard library. It only reads the graph: unlike `topological_order` (which
`backward()` uses) it keeps the leaves and never touches a `grad`.
"""

from __future__ import annotations

from collections import deque
from typing import NamedTuple

from .engine import Value


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
