"""The neuron: act(w·x + b), and the routine that makes a layer's neurons ONE graph node each.

`fused_neurons` is the one place a neuron's output is built: its z = w₁x₁ + … + wₙxₙ + b as
one node, its local derivatives right beside the forward formula (op ``"neuron"``)::

    z = w₁x₁ + … + wₙxₙ + b;   ∂z/∂wᵢ = xᵢ,   ∂z/∂xᵢ = wᵢ,   ∂z/∂b = 1

A ReLU neuron folds its activation into the same node (op ``"relu neuron"``): relu(z) has slope
1 (z >= 0) or 0, so its local derivatives are the ones above, or all 0, exactly. Any other
activation is a second node (the engine's tanh, sigmoid, ...). `neuron_fine_grained` builds the
same z from ``*`` and ``+`` nodes, as micrograd does, to draw and step through by hand.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from operator import mul

from ..checks import Rng, Seed, as_float, is_number, is_ordered, make_rng, positive_float, positive_int
from ..engine import Value
from .module import Module

Activation = str | Callable[[Value], Value]
Input = Value | float | int

ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid", "leaky_relu", "prelu")
"""Activation names a Neuron understands (or pass any callable Value -> Value)."""

INITS = ("uniform", "kaiming_uniform", "xavier_uniform")
"""Weight initialisations, named as in ``torch.nn.init`` (see `Neuron`)."""


_ACTS: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,  # slope 0.01, PyTorch's default
}  # (plain functions, not a neuron's bound methods: a neuron never refers to itself)


def check_activation(activation: Activation, nonlin: bool | None = None) -> Activation:
    """The activation, or micrograd's ``nonlin=`` (True: ReLU, False: linear) if given; a
    ValueError for an unknown name."""
    if nonlin is not None:
        return "relu" if nonlin else "linear"
    if not callable(activation) and activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}: use one of {', '.join(map(repr, ACTIVATIONS))}, "
            f"or a function that takes a Value and returns a Value"
        )
    return activation


def init_bound(init: str | float, nin: int, nout: int) -> float:
    """The weights are drawn from U(-bound, bound): `init` names how, or is the bound itself."""
    if is_number(init):
        return positive_float("init (the weights' bound b: U(-b, b))", init)
    if init == "uniform":  # micrograd's
        return 1.0
    if init == "kaiming_uniform":  # He et al.: keeps the variance of ReLU activations from layer to layer
        return math.sqrt(6.0 / nin)
    if init == "xavier_uniform":  # Glorot & Bengio: for tanh and sigmoid
        return math.sqrt(6.0 / (nin + nout))
    raise ValueError(
        f"unknown init {init!r}: use one of {', '.join(map(repr, INITS))}, or a number b for U(-b, b)"
    )


def as_inputs(x: object, nin: int, owner: str) -> Sequence[Input]:
    """`x` as a list of `nin` inputs, each a Value or a real number (a numpy row is fine),
    or a clear error."""
    if not isinstance(x, (list, tuple)) and (isinstance(x, Value) or not is_ordered(x)):  # a set: no order
        raise TypeError(
            f"{owner} needs a list of {nin} numbers or Values, in order, got {type(x).__name__}: {x!r}"
        )
    xs: Sequence[Input] = x if isinstance(x, (list, tuple)) else list(x)  # type: ignore[call-overload, unused-ignore]
    if len(xs) != nin:
        raise ValueError(f"{owner} expects {nin} inputs, got {len(xs)}: {list(xs)!r}")
    where = f"{owner} input"
    for xi in xs:
        if not isinstance(xi, Value):
            as_float(xi, where)  # a TypeError unless a real number
    return xs


class Inputs:
    """A layer's checked inputs, split once and shared by all its neurons: the data of
    every input, and the inputs that are Values (only those become children of a node)."""

    __slots__ = ("x", "data", "values", "positions")

    def __init__(self, x: Sequence[Input], all_values: bool = False) -> None:
        self.x = x  # as given (a fine-grained neuron multiplies them one by one)
        values: Sequence[Value] = x if all_values else [xi for xi in x if isinstance(xi, Value)]  # type: ignore[assignment]
        self.values: tuple[Value, ...] = tuple(values)
        self.positions: list[int] | None = None  # where the Values are; None: all inputs are Values
        if len(values) == len(x):  # inside a network: a layer's inputs are the last layer's outputs
            self.data: list[float] = [v._data for v in values]  # (v.data's slot: see fused_neurons)
        else:  # data (numbers), perhaps mixed with Values
            self.data = [xi.data if isinstance(xi, Value) else float(xi) for xi in x]
            self.positions = [i for i, xi in enumerate(x) if isinstance(xi, Value)]


def fused_neurons(neurons: Sequence[Neuron], inputs: Inputs) -> list[Value]:
    """Each neuron's output, its z = w₁x₁ + … + wₙxₙ + b as ONE node:
    ∂z/∂wᵢ = xᵢ,  ∂z/∂xᵢ = wᵢ,  ∂z/∂b = 1.

    A node's children are the neuron's weights, then the inputs that are Values
    (numbers are data, not children), then its bias. A ReLU neuron's node is
    relu(z) = max(0, z) itself, whose slope is 1 for z >= 0 (the engine's
    convention at 0) and 0 below: the local derivatives above times 1, or all 0,
    exactly. Any other activation is a node of its own on top of z. One call for
    a whole layer, whose neurons share the inputs. (A neuron whose `fused` is
    False is built from ``*`` and ``+`` nodes instead, by `neuron_fine_grained`.)
    """
    x_data, x_values, positions = inputs.data, inputs.values, inputs.positions
    outputs = []
    for neuron in neurons:
        if not neuron.fused:
            outputs.append(neuron.act(neuron_fine_grained(neuron.w, neuron.b, inputs.x)))
            continue
        relu = neuron._activation == "relu"
        w, b = neuron.w, neuron.b
        # the parameters' numbers, read from the slot behind the `data` property: a neuron reads
        # every weight at every call, and the property's extra call would cost an eighth of a step
        w_data = [wi._data for wi in w]
        # from b, adding w₁x₁, w₂x₂, … in turn, as the fine-grained form does (from Python 3.12
        # sum() also compensates its rounding errors: the two agree to rounding there)
        z = sum(map(mul, w_data, x_data), b._data if b is not None else 0.0)
        children = (*w, *x_values) if b is None else (*w, *x_values, b)
        if relu and z < 0.0:  # an inactive ReLU: output 0, and it passes no gradient back
            z, local_grads = 0.0, _zeros(len(children))
        else:
            w_of_values = w_data if positions is None else [w_data[i] for i in positions]
            local_grads = (*x_data, *w_of_values) if b is None else (*x_data, *w_of_values, 1.0)
        # Value.from_op(z, op, children, local_grads), without re-checking what Inputs checked
        node = Value(z, children, local_grads, "relu neuron" if relu else "neuron")
        outputs.append(node if relu else neuron.act(node))
    return outputs


@functools.cache
def _zeros(n: int) -> tuple[float, ...]:
    """n local derivatives of 0, an inactive ReLU neuron's: one tuple for each n, shared, so such a
    neuron adds no tuple for the garbage collector to walk (most hidden ReLU neurons are inactive)."""
    return (0.0,) * n


def neuron_fine_grained(w: Sequence[Value], b: Value | None, x: Sequence[Input]) -> Value:
    """The same z = w·x + b built from ``*`` and ``+`` nodes, as micrograd does:
    (b + w₁·x₁) + w₂·x₂ + … — 2n+1 nodes to draw and step through by hand."""
    z: Value = b if b is not None else Value(0.0)
    for wi, xi in zip(w, x):
        z = z + wi * xi
    return z


class Neuron(Module):
    """act(w·x + b): `nin` weights, a bias, and an activation.

    `activation` is ``"linear"`` (none), ``"relu"``, ``"tanh"``, ``"sigmoid"``,
    ``"leaky_relu"`` (slope 0.01, PyTorch's default), ``"prelu"`` (a learnable
    slope per neuron, initialised to 0.25 as PyTorch's ``nn.PReLU``) or any
    function Value -> Value. Parameters: ``w`` (the weights), then ``b``, then
    ``alpha`` for PReLU, labelled ``w0, w1, …, b, alpha`` for drawings.
    ``bias=False`` leaves out b (the course's score x·w). ``fused=False`` builds
    w·x + b from ``*`` and ``+`` nodes (see the module doc).

    Weights start U(-1, 1) as micrograd's (``init="uniform"``), or U(-√(6/nin), √(6/nin))
    with ``init="kaiming_uniform"`` (for ReLU networks), or U(-√(6/(nin+nout)), …) with
    ``init="xavier_uniform"`` (tanh, sigmoid), or U(-b, b) for a number ``init=b``; biases
    start at 0. `seed` (an int or a `random.Random`) makes them reproducible; without one
    they come from Python's global `random`, so ``random.seed(n)`` does (as in micrograd).
    """

    def __init__(
        self,
        nin: int,
        activation: Activation = "relu",
        *,
        bias: bool = True,
        fused: bool = True,
        init: str | float = "uniform",
        seed: Seed = None,
        nonlin: bool | None = None,
    ) -> None:
        positive_int("nin (the number of inputs)", nin)
        activation = check_activation(activation, nonlin)  # nonlin=: micrograd's name
        bound = init_bound(init, nin, 1)  # (a Layer passes its own, from nin and its nout)
        rng: Rng = make_rng(seed)
        self.w = [Value(rng.uniform(-bound, bound), label=f"w{i}") for i in range(nin)]
        self.b: Value | None = Value(0.0, label="b") if bias else None
        if activation == "prelu":
            self.alpha = Value(0.25, label="alpha")
        self._activation = activation
        self.fused = fused

    @property
    def nin(self) -> int:
        return len(self.w)

    @property
    def activation(self) -> Activation:
        """The activation (read-only: a PReLU neuron's slope `alpha` is made with the neuron)."""
        return self._activation

    def forward(self, x: Sequence[Input]) -> Value:
        return fused_neurons([self], Inputs(as_inputs(x, len(self.w), "Neuron")))[0]

    def act(self, z: Value) -> Value:
        """The activation of z = w·x + b. (Looked up at each call, not kept as a bound method:
        that would make the neuron refer to itself, a cycle only the garbage collector frees.)"""
        activation = self._activation
        if activation == "linear":
            return z
        if activation == "prelu":
            return z.prelu(self.alpha)
        if isinstance(activation, str):
            return _ACTS[activation](z)
        out = activation(z)
        if not isinstance(out, Value):
            raise TypeError(
                f"activation {activation!r} must return a Value, got {type(out).__name__}: {out!r}"
            )
        return out

    def extra_repr(self) -> str:
        return f"{self.nin}, {self._settings()}"

    def _settings(self) -> str:
        act = self.activation
        name = act if isinstance(act, str) else getattr(act, "__name__", repr(act))
        return f"activation={name!r}" + ("" if self.b is not None else ", bias=False")
