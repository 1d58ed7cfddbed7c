"""The scalar autograd engine: a `Value` node and reverse-mode differentiation.

Every operation on Values makes a new Value, a node of the computation graph, that remembers
its **children** (the Values it was computed from, in order, with repeats: ``a * a`` has two)
and its **local derivatives** ∂node/∂child, worked out in the forward pass beside the formula.

`backward()` visits the nodes from the output back to the inputs, each only after
every node that uses it (reverse topological order), and applies the chain rule, the
one place it lives (`chain_rule`), so that each `grad` becomes d(output)/d(node)::

    child.grad += local_derivative * node.grad        # local × upstream
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from . import copying, floats
from .checks import as_float, checked_label, constructor_error, node_inputs, not_a_number_error, operand

Number = int | float
Children = tuple["Value", ...]
Locals = tuple[float, ...]


class Value:
    """A number in a computation graph: its `data`, and after `backward()` its `grad`. A leaf's
    grad accumulates over `backward()` calls, as in PyTorch: zero it (``v.grad = 0.0``) between."""

    __slots__ = ("data", "grad", "op", "label", "children", "local_grads")

    def __init__(
        self, data: Number, children: Children = (), local_grads: Locals = (), op: str = "", label: str = ""
    ):
        """A leaf: ``Value(2.0, label="a")``. The ops pass `children` and their `local_grads`
        (to make a node of your own, use `Value.from_op`, which checks them)."""
        self.data = data if type(data) is float else as_float(data)
        if len(children) != len(local_grads):  # Value(1.0, "a") or micrograd's Value(data, children, op)
            raise constructor_error(children, local_grads)
        self.grad = 0.0
        self.op = op
        self.children = children  # the Values this one was computed from, in order, with repeats
        self.local_grads = local_grads  # ∂self/∂child for each of them, in the same order
        self.label = label if type(label) is str else checked_label(label)

    # Each op: its forward value, and beside it the local derivative(s) ∂out/∂input.

    def __add__(self, other: Operand) -> Value:
        other = other if isinstance(other, Value) else Value(operand(other, "+"))
        # a + b;   ∂/∂a = 1,  ∂/∂b = 1
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __sub__(self, other: Operand) -> Value:
        other = other if isinstance(other, Value) else Value(operand(other, "-"))
        # a - b;   ∂/∂a = 1,  ∂/∂b = -1
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __mul__(self, other: Operand) -> Value:
        other = other if isinstance(other, Value) else Value(operand(other, "*"))
        # a · b;   ∂/∂a = b,  ∂/∂b = a
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __truediv__(self, other: Operand) -> Value:
        other = other if isinstance(other, Value) else Value(operand(other, "/"))
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"division by zero in '/': {self!r} / {other!r}")
        # a / b;   ∂/∂a = 1/b,  ∂/∂b = -a/b², written -(a/b)/b so that b² cannot over- or underflow
        return Value(a / b, (self, other), (1.0 / b, -(a / b) / b), "/")

    def __pow__(self, other: Operand) -> Value:
        x = self.data
        n = other.data if isinstance(other, Value) else as_float(other, "'**' exponent")
        if isinstance(other, Value) and x < 0.0:
            raise ValueError(f"'**' with a Value exponent needs a base >= 0 (∂/∂n = xⁿ·ln x), got {x!r}")
        if x == 0.0 and n < 0.0:
            raise ZeroDivisionError(f"'**': zero to a negative power: ({x!r}) ** {n!r}")
        y = floats.power(x, n)
        # xⁿ;   ∂/∂x = n·xⁿ⁻¹ (inf at x = 0 for 0 < n < 1: √x's slope);   ∂/∂n = xⁿ·ln x (n a Value)
        dx = 0.0 if n == 0.0 else n * floats.power(x, n - 1.0)  # x⁰ = 1 is flat, even at x = 0
        if not isinstance(other, Value):
            return Value(y, (self,), (dx,), f"**{n:g}")
        dn = 0.0 if x == 0.0 else y * math.log(x)  # 0ⁿ is flat in n (as PyTorch); nan stays nan
        return Value(y, (self, other), (dx, dn), "**")

    def __neg__(self) -> Value:
        # -x;   ∂/∂x = -1
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __abs__(self) -> Value:
        x = self.data
        # |x|;   ∂/∂x = sign(x)   (0 at x = 0, as PyTorch)
        return Value(abs(x), (self,), (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,), "abs")

    # number ∘ Value: Python calls these when the left operand is a plain number
    __radd__ = __add__  # 2 + x is computed as x + 2, the same sum (its children: x, then 2)
    __rmul__ = __mul__  # 2 · x as x · 2

    def __rsub__(self, other: Operand) -> Value:
        return Value(operand(other, "-")) - self

    def __rtruediv__(self, other: Operand) -> Value:
        return Value(operand(other, "/")) / self

    def __rpow__(self, other: Operand) -> Value:
        return Value(operand(other, "**")) ** self

    def exp(self) -> Value:
        y = floats.exp(self.data)  # inf past x = 709.78, as PyTorch
        # eˣ;   ∂/∂x = eˣ
        return Value(y, (self,), (y,), "exp")

    def log(self) -> Value:
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log is defined only for x > 0, got log({x!r})")
        # ln x;   ∂/∂x = 1/x
        return Value(math.log(x), (self,), (1.0 / x,), "log")

    def sqrt(self) -> Value:
        x = self.data
        if x < 0.0:
            raise ValueError(f"sqrt is defined only for x >= 0, got sqrt({x!r})")
        y = math.sqrt(x)
        # √x;   ∂/∂x = 1/(2√x), written 0.5/√x   (±inf at ±0, as PyTorch)
        return Value(y, (self,), (0.5 / y if y != 0.0 else math.copysign(math.inf, y),), "sqrt")

    def tanh(self) -> Value:
        x = self.data
        # tanh x;   ∂/∂x = 1 - tanh²x, written 4e/(1 + e)² with e = e^(-2|x|) to keep its digits
        e = math.exp(-2.0 * abs(x))  # where tanh x ≈ ±1 (1 - t·t would cancel them away)
        return Value(math.tanh(x), (self,), (4.0 * e / (1.0 + e) ** 2,), "tanh")

    def sigmoid(self) -> Value:
        s = floats.sigmoid(self.data)
        # σ(x) = 1/(1+e⁻ˣ);   ∂/∂x = σ(x)·(1-σ(x))
        return Value(s, (self,), (s * (1.0 - s),), "sigmoid")

    def relu(self) -> Value:
        x = self.data
        # max(0, x);   ∂/∂x = 0 if x < 0 else 1   (at 0 slope 1, as our notebooks; micrograd, PyTorch: 0)
        if x < 0.0:
            return Value(0.0, (self,), (0.0,), "relu")
        return Value(x, (self,), (1.0,), "relu")  # x >= 0, or nan (which stays nan)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        x, s = self.data, as_float(slope, "leaky_relu slope")
        # x if x >= 0 else s·x;   ∂/∂x = 1 if x >= 0 else s
        if x >= 0.0:
            return Value(x, (self,), (1.0,), "leaky_relu")
        return Value(s * x, (self,), (s,), "leaky_relu")  # x < 0, or nan (which stays nan)

    def prelu(self, alpha: Operand) -> Value:
        """Leaky ReLU whose slope α learns: `alpha` is a Value (a plain number: `leaky_relu`)."""
        if not isinstance(alpha, Value):
            return self.leaky_relu(alpha)
        x, a = self.data, alpha.data
        # x if x >= 0 else α·x;   ∂/∂x = 1 if x >= 0 else α;   ∂/∂α = 0 if x >= 0 else x
        if x >= 0.0:
            return Value(x, (self, alpha), (1.0, 0.0), "prelu")
        return Value(a * x, (self, alpha), (a, x), "prelu")

    @staticmethod
    def from_op(data: Number, op: str, inputs: Sequence[Value], local_grads: Sequence[Number]) -> Value:
        """A node of your own op (a neuron's w·x + b, a loss) with any number of inputs, repeats
        allowed, and the local derivatives you worked out: ``local_grads[i]`` = ∂data/∂inputs[i]."""
        inputs, grads = node_inputs(op, inputs, local_grads)
        return Value(as_float(data, f"{op}: data"), inputs, grads, op)

    def backward(self) -> None:
        """Fill in the `grad` of every Value this one depends on: d(self)/d(that Value)."""
        order = start_backward(self)
        try:
            chain_rule(order)  # each node after every node that uses it: its grad is complete
        except TypeError as error:  # a grad or data that is not a float: say which
            raise not_a_number_error("backward()", order, error) from None

    def _backward(self) -> None:
        """micrograd's name: the chain rule at this node alone, one step of `backward()`."""
        chain_rule((self,))

    @property
    def is_leaf(self) -> bool:
        """True for a Value you made yourself, not the result of an op."""
        return not self.children

    # micrograd's names: the set of children (no order, no repeats: `children` has both), and `op`
    _prev = property(lambda self: set(self.children))
    _op = property(lambda self: self.op)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __bool__(self) -> bool:
        return bool(self.data)  # bool(x), as a PyTorch scalar tensor: False only for 0

    # pickle and deepcopy get the graph as a flat list (module `copying`), not by recursion: any depth
    __reduce__ = copying.reduce
    __deepcopy__ = copying.deepcopy


Operand = Value | int | float  # what an op accepts on either side


def chain_rule(nodes: Iterable[Value]) -> None:
    """The chain rule at each node in turn, each after every node that uses it (`topological_order`):
    child.grad += local × upstream, with upstream = node.grad = d(output)/d(node), local = ∂node/∂child."""
    for node in nodes:
        upstream = node.grad
        if upstream:  # a zero factor passes nothing back, even times inf (0 × inf is 0 here)
            children = node.children
            for i, local in enumerate(node.local_grads):  # as zip(children, local_grads), but quicker
                if local:
                    children[i].grad += local * upstream


def start_backward(root: Value) -> list[Value]:
    """A backward pass's order (`topological_order`), its interior grads set to 0 (recomputed, while
    leaves accumulate) and the root's to 1 = d(root)/d(root). A leaf root's grad just grows by 1."""
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0 if order else root.grad + 1.0
    return order


def topological_order(root: Value) -> list[Value]:
    """The non-leaf nodes `root` depends on, `root` first, each before all of its children (listed
    backwards, then reversed): depth first with an explicit stack (a million-node chain is fine). A node
    whose children were all met is listed at once: each is a leaf or listed (one on the path = a cycle)."""
    if not isinstance(root, Value):
        raise TypeError(f"topological_order needs a Value, got {type(root).__name__}: {root!r}")
    if not root.children:
        return []
    order: list[Value] = []
    met = {root}  # every node met so far, leaves too: each is a leaf, on the path, or already listed
    path, unseen = [root], [iter(root.children)]  # a path down the graph; each node's children left
    while path:
        for child in unseen[-1]:
            if child not in met:
                met.add(child)
                children = child.children
                if not children:  # a leaf: never listed
                    continue
                if children[0] in met and met.issuperset(children):  # (first child alone: a quick no)
                    order.append(child)  # all leaves or listed: list it now (a layer's later neurons)
                else:  # go down into it
                    path.append(child)
                    unseen.append(iter(children))
                    break
        else:  # no child of the last node on the path is left to go into: list it
            unseen.pop()
            order.append(path.pop())
    order.reverse()
    return order
