"""Copying and pickling a graph of Values without recursion, so that a graph of any depth copies.

Python's own `copy.deepcopy` and `pickle` follow each object's references recursively: down a
chain of Values, one call per node, so a chain of a few thousand ops hit the recursion limit (and
raising the limit crashed Python). `Value` hands both a flat list of its graph instead, built with
the engine's iterative `topological_order`: every node once, each after its children, which are
named by their place in the list.

Leaves stay Value objects in that list, so a leaf shared within one pickled object (a model's
parameter, used by the model and by a loss pickled with it) comes back as one leaf. `deepcopy`
keeps every node shared within one copy, through its `memo`, as it does for any object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import engine  # (the module, not its names: engine imports this module while it is defined)

if TYPE_CHECKING:
    from .engine import Value

Flat = tuple[float, float, str, str, tuple[int, ...], tuple[float, ...]]  # data grad op label children locals


def leaves_then_nodes(root: Value) -> list[Value]:
    """Every Value in `root`'s graph once: its leaves, then the other nodes, each after its children."""
    nodes = engine.topological_order(root)[::-1]
    leaves = {id(child): child for node in nodes for child in node.children if not child.children}
    return [*leaves.values(), *nodes] if nodes else [root]


def reduce(root: Value) -> tuple[Any, tuple[tuple[Value, ...], tuple[Flat, ...]]]:
    """What pickle stores for `root` (`Value.__reduce__`): `rebuild` and its arguments, the graph's
    leaves as Values and each other node as plain data, its children by index."""
    nodes = leaves_then_nodes(root)
    leaves = tuple(node for node in nodes if not node.children) if root.children else ()
    index = {id(node): i for i, node in enumerate(leaves)}
    flat = []
    for node in nodes[len(leaves) :]:
        index[id(node)] = len(index)
        kids = tuple(index[id(child)] for child in node.children)
        flat.append((node.data, node.grad, node.op, node.label, kids, node.local_grads))
    return rebuild, (leaves, tuple(flat))


def rebuild(leaves: tuple[Value, ...], nodes: tuple[Flat, ...]) -> Value:
    """The graph back from `reduce`'s list: each node's children index into leaves + the nodes
    rebuilt before it; the last node is the root."""
    built = list(leaves)
    for data, grad, op, label, kids, local_grads in nodes:
        built.append(engine.Value(data, tuple(built[k] for k in kids), local_grads, op, label))
        built[-1].grad = grad
    return built[-1]


def deepcopy(root: Value, memo: dict[int, Any]) -> Value:
    """`copy.deepcopy(root)`: each node copied after its children, which are in `memo` by then
    (a Value already copied in the same deepcopy, a model's parameter say, stays shared)."""
    for node in leaves_then_nodes(root):
        if id(node) not in memo:
            children = tuple(memo[id(child)] for child in node.children)
            memo[id(node)] = clone = engine.Value(node.data, children, node.local_grads, node.op, node.label)
            clone.grad = node.grad
    copied: Value = memo[id(root)]
    return copied
