"""The scalar autograd engine: a `Value` node and reverse-mode differentiation.

Every arithmetic operation on Values builds a new Value that remembers

* its **inputs** (the Values it was computed from, in order, with repeats), and
* its **local derivatives** ∂out/∂input, one per input, computed in the forward
  pass right beside the forward formula.

`backward()` then visits the graph from the output back to the leaves, in
reverse topological order, and applies the chain rule in one loop::

    input.grad += local_derivative * node.grad        # local × upstream

(`microgrand.graph.backward_steps` replays that loop one node at a time, to watch it.)

How a node stores its inputs (a design note for readers). To keep a node small
(96 bytes, its float aside) and free of reference cycles, the inputs are kept inline in
four slots instead of in per-node tuples or closures:

* leaf:        ``_a is None``
* one input:   ``_a`` = input, ``_da`` = ∂out/∂a,  ``_b is None``
* two inputs:  ``_a``, ``_b`` = inputs, ``_da``, ``_db`` = their local derivatives
* many inputs: ``_a`` = tuple of inputs, ``_da`` = tuple of local derivatives,
  ``_b is MANY``

The public properties `children` and `local_grads` show them as tuples.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from .checks import as_float

Number = int | float

MANY: Any = object()
"""Marks a node with more than two inputs (stored as tuples in `_a` and `_da`)."""


class Value:
    """A scalar in a computation graph: its `data`, and the `grad` of the
    output of the last `backward()` call with respect to it.

    Gradients of leaves (Values you created yourself) accumulate across
    `backward()` calls, as in PyTorch: zero them (``v.grad = 0.0``, or
    `Module.zero_grad()`) before the next pass. A non-leaf node's `grad` is
    reset by each `backward()` that reaches it, so it always shows
    d(output)/d(node) of the last pass.
    """

    __slots__ = ("data", "grad", "label", "op", "_a", "_b", "_da", "_db")

    data: float
    grad: float
    label: str
    op: str
    _a: Any  # None (leaf), a Value, or a tuple of Values (MANY inputs)
    _b: Any  # None, a Value, or MANY
    _da: Any  # float, or a tuple of floats (MANY inputs)
    _db: Any  # float

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = as_float(data)
        self.grad = 0.0
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}")
        self.label = label
        self.op = ""
        self._a = self._b = self._da = self._db = None

    # ------------------------------------------------------------ arithmetic
    # Each op: forward value, then its local derivative(s), side by side.

    def __add__(self, other: Operand) -> Value:
        if not isinstance(other, Value):
            other = _constant(other, "+")
        # a + b;   ∂/∂a = 1,  ∂/∂b = 1
        return _node(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __sub__(self, other: Operand) -> Value:
        if not isinstance(other, Value):
            other = _constant(other, "-")
        # a - b;   ∂/∂a = 1,  ∂/∂b = -1
        return _node(self.data - other.data, "-", self, 1.0, other, -1.0)

    def __mul__(self, other: Operand) -> Value:
        if not isinstance(other, Value):
            other = _constant(other, "*")
        # a * b;   ∂/∂a = b,  ∂/∂b = a
        return _node(self.data * other.data, "*", self, other.data, other, self.data)

    def __truediv__(self, other: Operand) -> Value:
        if not isinstance(other, Value):
            other = _constant(other, "/")
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"division by zero in '/': {self!r} / {other!r}")
        # a / b;   ∂/∂a = 1/b,  ∂/∂b = -a/b²
        return _node(a / b, "/", self, 1.0 / b, other, -a / (b * b))

    def __pow__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return self._pow_value(other)
        n = as_float(other, "**")
        x = self.data
        y = _power(x, n, "**")
        # xⁿ;   ∂/∂x = n·xⁿ⁻¹   (n is a constant)
        local = 0.0 if n == 0.0 else (math.inf if x == 0.0 and n < 1.0 else n * _power(x, n - 1.0, "**"))
        return _node(y, f"**{_fmt(n)}", self, local)

    def _pow_value(self, other: Value) -> Value:
        a, b = self.data, other.data
        if a <= 0.0:
            raise ValueError(
                f"'**' with a Value exponent needs a positive base (its derivative "
                f"with respect to the exponent is a^b·ln(a)); got base {a!r}. "
                f"For a constant exponent write x ** 2.0 with a plain number."
            )
        y = _power(a, b, "**")
        # aᵇ;   ∂/∂a = b·aᵇ⁻¹,  ∂/∂b = aᵇ·ln(a)
        return _node(y, "**", self, b * _power(a, b - 1.0, "**"), other, y * math.log(a))

    def __neg__(self) -> Value:
        # -x;   ∂/∂x = -1
        return _node(-self.data, "neg", self, -1.0)

    def __abs__(self) -> Value:
        x = self.data
        # |x|;   ∂/∂x = sign(x)   (0 at x = 0, as PyTorch)
        return _node(abs(x), "abs", self, 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0))

    # number ∘ Value (Python calls these when the left operand is a number):
    # wrap the number, keep the operand order
    def __radd__(self, other: Operand) -> Value:
        return _constant(other, "+") + self

    def __rsub__(self, other: Operand) -> Value:
        return _constant(other, "-") - self

    def __rmul__(self, other: Operand) -> Value:
        return _constant(other, "*") * self

    def __rtruediv__(self, other: Operand) -> Value:
        return _constant(other, "/") / self

    def __rpow__(self, other: Operand) -> Value:
        return _constant(other, "**")._pow_value(self)

    # ------------------------------------------------------------ functions

    def exp(self) -> Value:
        x = self.data
        try:
            y = math.exp(x)
        except OverflowError:
            raise OverflowError(f"exp overflow: exp({x!r}) is larger than the largest float") from None
        # eˣ;   ∂/∂x = eˣ
        return _node(y, "exp", self, y)

    def log(self) -> Value:
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log is defined only for x > 0, got log({x!r})")
        # ln x;   ∂/∂x = 1/x
        return _node(math.log(x), "log", self, 1.0 / x)

    def sqrt(self) -> Value:
        x = self.data
        if x < 0.0:
            raise ValueError(f"sqrt is defined only for x >= 0, got sqrt({x!r})")
        y = math.sqrt(x)
        # √x;   ∂/∂x = 1/(2√x)   (+inf at 0, as PyTorch)
        return _node(y, "sqrt", self, 0.5 / y if y > 0.0 else math.inf)

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        # tanh x;   ∂/∂x = 1 - tanh²x
        return _node(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> Value:
        s = sigmoid(self.data)
        # σ(x) = 1/(1+e⁻ˣ);   ∂/∂x = σ(x)·(1-σ(x))
        return _node(s, "sigmoid", self, s * (1.0 - s))

    def relu(self) -> Value:
        x = self.data
        # max(0, x);   ∂/∂x = 1 if x >= 0 else 0
        # At exactly 0 we take the positive branch (slope 1), as the course does;
        # PyTorch takes the negative one (0 for relu, the slope for leaky_relu and prelu).
        return _node(x if x > 0.0 else 0.0, "relu", self, 1.0 if x >= 0.0 else 0.0)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        slope = as_float(slope, "leaky_relu slope")
        x = self.data
        # x if x >= 0 else slope·x;   ∂/∂x = 1 if x >= 0 else slope
        return _node(x if x >= 0.0 else slope * x, "leaky_relu", self, 1.0 if x >= 0.0 else slope)

    def prelu(self, alpha: Operand) -> Value:
        """Leaky ReLU whose slope `alpha` is a Value that learns (or a fixed number)."""
        x = self.data
        if not isinstance(alpha, Value):  # a fixed slope: leaky_relu by another name
            a = as_float(alpha, "prelu alpha")
            # x if x >= 0 else α·x;   ∂/∂x = 1 if x >= 0 else α
            return _node(x if x >= 0.0 else a * x, "prelu", self, 1.0 if x >= 0.0 else a)
        a = alpha.data
        # x if x >= 0 else α·x;   ∂/∂x = 1 if x >= 0 else α,   ∂/∂α = 0 if x >= 0 else x
        if x >= 0.0:
            return _node(x, "prelu", self, 1.0, alpha, 0.0)
        return _node(a * x, "prelu", self, a, alpha, x)

    @staticmethod
    def from_op(data: float, op: str, inputs: Sequence[Value], local_grads: Sequence[float]) -> Value:
        """A node with any number of inputs whose local derivatives you computed.

        The building block for fused ops (a neuron's w·x + b as one node):
        ``local_grads[i]`` is ∂data/∂inputs[i]. Inputs may repeat.
        """
        if not isinstance(op, str):
            raise TypeError(
                f"from_op: op must be a str naming the operation, got {type(op).__name__}: {op!r}"
            )
        inputs = tuple(inputs)
        local_grads = tuple(as_float(g, f"{op}: a local derivative") for g in local_grads)
        if not inputs:
            raise ValueError(f"{op}: a node needs at least one input; for a constant use Value(data)")
        if len(inputs) != len(local_grads):
            raise ValueError(f"{op}: {len(inputs)} inputs but {len(local_grads)} local derivatives")
        for v in inputs:
            if not isinstance(v, Value):
                raise TypeError(f"{op}: inputs must be Values, got {type(v).__name__}: {v!r}")
        return _node(as_float(data, f"{op}: data"), op, inputs, local_grads, MANY)

    # ------------------------------------------------------------ backprop

    def backward(self) -> None:
        """Fill in `.grad` of every node this Value depends on: d(self)/d(node).

        Leaves accumulate (``+=``) across calls; every other node is reset.
        A node whose gradient is exactly 0 (behind an inactive ReLU, say) has
        nothing to pass back and is skipped: its contributions 0 × local would
        all be 0 (so 0 × inf counts as 0 here; PyTorch would give nan).
        """
        order = topological_order(self, reset_grads=True)  # interior nodes, self first
        if not order:  # self is a leaf: d(self)/d(self) = 1
            self.grad += 1.0
            return
        self.grad = 1.0
        for node in order:
            upstream = node.grad
            if upstream == 0.0:
                continue
            a = node._a
            b = node._b
            # the chain rule, the only place it lives: input.grad += local × upstream
            if b is None:
                a.grad += node._da * upstream
            elif b is MANY:
                for child, local in zip(a, node._da):
                    child.grad += local * upstream
            else:
                a.grad += node._da * upstream
                b.grad += node._db * upstream

    # ------------------------------------------------------------ inspection

    @property
    def children(self) -> tuple[Value, ...]:
        """The inputs this node was computed from, in order, with repeats (``a*a`` has two)."""
        if self._a is None:
            return ()
        if self._b is None:
            return (self._a,)
        if self._b is MANY:
            return tuple(self._a)
        return (self._a, self._b)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂child for each of `children`, in the same order."""
        if self._a is None:
            return ()
        if self._b is None:
            return (self._da,)
        if self._b is MANY:
            return tuple(self._da)
        return (self._da, self._db)

    @property
    def is_leaf(self) -> bool:
        """True for a Value you created yourself (not the result of an op)."""
        return self._a is None

    def item(self) -> float:
        """The plain float, as PyTorch's ``tensor.item()``."""
        return self.data

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"


Operand = Value | int | float
"""What an arithmetic op accepts on either side: a Value or a plain number."""


def topological_order(root: Value, reset_grads: bool = False) -> list[Value]:
    """The interior (non-leaf) nodes `root` depends on, `root` first, each node
    before all of its inputs. With ``reset_grads=True`` (as `backward` asks)
    each of their grads is also set to 0 on the way, saving a second loop.

    An iterative depth-first search (no recursion, so a chain of a million
    nodes is fine). Leaves are left out: they have no inputs to pass a
    gradient to, and their `grad` must accumulate, not reset.
    """
    order: list[Value] = []
    if root._a is None:
        return order
    visited: set[Value] = set()
    stack: list[Any] = [root]
    # bound methods in locals: this loop runs once per node, and attribute lookups add up
    push, pop, emit, visit = stack.append, stack.pop, order.append, visited.add
    while stack:
        node = pop()
        if node is _DONE:  # all of the next node's inputs are in `order`
            emit(pop())
            continue
        if node in visited:
            continue
        visit(node)
        if reset_grads:
            node.grad = 0.0
        push(node)
        push(_DONE)
        a, b = node._a, node._b
        # push the inputs (leaves are left out); a node pushed twice is skipped when
        # popped, but a many-input node's inputs are often shared (a layer's inputs
        # feed every neuron), so those are checked before they are pushed
        if b is None:
            if a._a is not None:
                push(a)
        elif b is MANY:
            for child in a:
                if child._a is not None and child not in visited:
                    push(child)
        else:
            if b._a is not None:
                push(b)
            if a._a is not None:
                push(a)
    order.reverse()
    return order


def sigmoid(x: float) -> float:
    """σ(x) = 1/(1+e⁻ˣ) of a float, written two ways so that exp never overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


_DONE: Any = object()  # stack marker in topological_order
_new = object.__new__


def _node(data: float, op: str, a: Any, da: Any, b: Any = None, db: Any = None) -> Value:
    """Make an op's output node (no validation: the op has checked its inputs)."""
    out: Value = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out._a = a
    out._da = da
    out._b = b
    out._db = db
    return out


def _constant(x: object, op: str) -> Value:
    """A number operand wrapped as a constant leaf, or a TypeError that names it."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"unsupported operand for '{op}': a Value combines with a Value or a real number "
            f"(int or float), not {type(x).__name__}: {x!r}"
        )
    return Value(float(x))


def _power(x: float, n: float, op: str) -> float:
    """x ** n as a real float, or an error that names the op and the values."""
    if x < 0.0 and not n.is_integer():
        raise ValueError(f"'{op}': a negative base to a non-integer power is not real: ({x!r}) ** {n!r}")
    if x == 0.0 and n < 0.0:
        raise ZeroDivisionError(f"'{op}': zero to a negative power: ({x!r}) ** {n!r}")
    try:
        return float(x**n)
    except OverflowError:
        raise OverflowError(f"'{op}' overflow: ({x!r}) ** {n!r} is larger than the largest float") from None


def _fmt(n: float) -> str:
    return str(int(n)) if n.is_integer() and abs(n) < 1e15 else repr(n)
