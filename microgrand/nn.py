"""Neural networks built on the engine: `Module`, `Neuron`, `Layer`, `MLP`, `Linear`, `Dropout`.

A neuron computes  act(w·x + b) = act(w₁x₁ + … + wₙxₙ + b).

By default a neuron is ONE graph node, its local derivatives computed right
beside the forward formula (op ``"neuron"``)::

    z = w₁x₁ + … + wₙxₙ + b;   ∂z/∂wᵢ = xᵢ,   ∂z/∂xᵢ = wᵢ,   ∂z/∂b = 1

A ReLU neuron folds its activation into the same node (op ``"relu neuron"``):
relu(z) has slope 1 (z >= 0) or 0, so its local derivatives are the ones above,
or all 0, exactly, with no rounding. Any other activation is a second node
(the engine's tanh, sigmoid, ...). Inputs that are plain numbers (data, not
Values) are not children of the node at all.

micrograd builds w·x + b from 2n+1 ``*`` and ``+`` nodes, then a ReLU node.
That fine-grained form is here for teaching (``Neuron(..., fused=False)``, or
`neuron_fine_grained`) and gives the same values and gradients, to rounding.
(Up to Python 3.11 a neuron's are the same bit for bit: ``sum()`` adds left to
right as the ``+`` nodes do. From 3.12 ``sum()`` compensates its rounding
errors, so the fused sum can differ in the last bits; a plain loop would
match, but costs about 10% of a training step.) The fused form
is what makes training fast in pure Python: micrograd's demo step (MLP
2-16-16-1, 100 samples) builds 65,818 nodes, the fused MLP 3,300 (see
bench/bench_moons.py).

Conventions (micrograd's, which PyTorch shares where it has the concept):

* ``MLP(nin, nouts)``: hidden layers use `activation`, the last layer is linear
  unless `output_activation` says otherwise. Calling a model returns a Value
  when its last layer has one output, otherwise a list of Values.
* `parameters()` order: layer by layer, neuron by neuron, the weights, then the
  bias (then a PReLU neuron's slope).
* Initialisation as micrograd: weights ~ U(-1, 1), biases 0, PReLU slopes 0.25
  (PyTorch's default). Pass ``seed=`` (an int or a `random.Random`) to make it
  reproducible; with no seed each model is initialised differently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from operator import mul
from typing import Any

from .checks import Seed, as_float, make_rng, positive_int
from .engine import MANY, Value, _node

Activation = str | Callable[[Value], Value]
Input = Value | float | int
StateDict = dict[str, Any]  # name -> float, or list of floats (JSON-serialisable)

ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid", "leaky_relu", "prelu")
"""Activation names a Neuron understands (or pass any callable Value -> Value)."""


def _check_activation(activation: Activation) -> None:
    if callable(activation):
        return
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}: use one of {', '.join(map(repr, ACTIVATIONS))}, "
            f"or a function that takes a Value and returns a Value"
        )


# ---------------------------------------------------------------- Module


class Module:
    """Base class of everything with parameters, as PyTorch's ``torch.nn.Module``.

    A subclass assigns its parameters and sub-modules as attributes in
    ``__init__``: a Value, a list of Values, a Module or a list of Modules.
    `parameters()`, `state_dict()`, `train()` and `repr()` find them in the
    order they were assigned.
    """

    training: bool = True

    def __call__(self, x: Any) -> Any:
        """The forward pass: each module defines its own."""
        raise NotImplementedError(f"{type(self).__name__} does not define __call__ (its forward pass)")

    def parameters(self) -> list[Value]:
        """All learnable Values, in the documented order (attribute order, depth first).

        A parameter shared by two sub-modules (a layer used twice) is listed once,
        where it first appears, as in PyTorch.
        """
        params: list[Value] = []
        seen: set[Value] = set()
        for _, group in self._named_groups():
            for p in [group] if isinstance(group, Value) else group:
                if p not in seen:
                    seen.add(p)
                    params.append(p)
        return params

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (PyTorch sets it to None; a Value's grad is always a float)."""
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode: bool = True) -> Module:
        """Set the `training` flag here and in every sub-module (Dropout reads it). Returns self."""
        self.training = mode
        for _, module in self._named_modules():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode, ``train(False)``: Dropout becomes the identity. Returns self."""
        return self.train(False)

    def state_dict(self) -> StateDict:
        """The parameters' data by name, e.g. ``{"layers.0.neurons.0.w": [0.1, -0.5], ...: 0.0}``.

        Plain floats and lists of floats, so ``json.dumps`` works on it.
        """
        state: StateDict = {}
        for name, group in self._named_groups():
            if isinstance(group, Value):
                state[name] = group.data
            else:
                state[name] = [p.data for p in group]
        return state

    def load_state_dict(self, state: StateDict) -> None:
        """Set the parameters' data from `state` (as made by `state_dict`).

        Everything is checked before anything is set: a missing or unexpected
        name, a wrong length or a value that is not a number raises a
        ValueError or TypeError and leaves the model unchanged (PyTorch's
        ``strict=True``).
        """
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict needs a dict (from state_dict()), got {type(state).__name__}")
        groups = dict(self._named_groups())
        missing = [k for k in groups if k not in state]
        unexpected = [k for k in state if k not in groups]
        if missing or unexpected:
            raise ValueError(
                f"state dict does not fit this {type(self).__name__}: "
                f"missing {missing}, unexpected {unexpected}"
            )
        updates: list[tuple[Value, float]] = []
        for name, group in groups.items():
            value = state[name]
            if isinstance(group, Value):
                updates.append((group, as_float(value, f"state dict entry {name!r}")))
                continue
            if not isinstance(value, (list, tuple)) or len(value) != len(group):
                raise ValueError(
                    f"state dict entry {name!r} must be a list of {len(group)} numbers, got {value!r}"
                )
            updates += [(p, as_float(x, f"state dict entry {name!r}")) for p, x in zip(group, value)]
        for p, x in updates:
            p.data = x

    def _named_groups(self, prefix: str = "") -> Iterator[tuple[str, Any]]:
        """(name, Value or list of Values) for every parameter attribute, sub-modules included."""
        for key, attr in vars(self).items():
            name = prefix + key
            if isinstance(attr, Value):
                yield name, attr
            elif isinstance(attr, Module):
                yield from attr._named_groups(name + ".")
            elif isinstance(attr, list) and attr:
                if all(isinstance(a, Value) for a in attr):
                    yield name, attr
                elif all(isinstance(a, Module) for a in attr):
                    for i, module in enumerate(attr):
                        yield from module._named_groups(f"{name}.{i}.")

    def _named_modules(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the direct sub-modules."""
        for key, attr in vars(self).items():
            if isinstance(attr, Module):
                yield key, attr
            elif isinstance(attr, list) and attr and all(isinstance(a, Module) for a in attr):
                for i, module in enumerate(attr):
                    yield f"{key}.{i}", module

    def extra_repr(self) -> str:
        """The arguments shown in repr(), as PyTorch's ``extra_repr``."""
        return ""

    def __repr__(self) -> str:
        children = [f"  ({name}): " + repr(m).replace("\n", "\n  ") for name, m in self._named_modules()]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n" + "\n".join(children) + "\n)"


# ---------------------------------------------------------------- the neuron


def _checked_inputs(x: Sequence[Input], nin: int, owner: str) -> Sequence[Input]:
    """`x` if it is a list of `nin` inputs, each a Value or a real number; else a clear error."""
    if isinstance(x, (Value, int, float)) or not isinstance(x, Sequence):
        raise TypeError(f"{owner} needs a list of {nin} numbers or Values, got {type(x).__name__}: {x!r}")
    if len(x) != nin:
        raise ValueError(f"{owner} expects {nin} inputs, got {len(x)}: {list(x)!r}")
    for xi in x:
        if not isinstance(xi, Value):
            as_float(xi, f"{owner} input")  # a TypeError unless a real number
    return x


class _Inputs:
    """A layer's (checked) inputs split once, then shared by all its neurons: the
    data of every input, and the inputs that are Values (they become children)."""

    __slots__ = ("data", "values", "positions")

    @classmethod
    def of_values(cls, values: list[Value]) -> _Inputs:
        """Inputs known to be Values (a previous layer's outputs): nothing to check."""
        inputs = cls.__new__(cls)
        inputs.values = tuple(values)
        inputs.data = [v.data for v in values]
        inputs.positions = None
        return inputs

    def __init__(self, x: Sequence[Input]) -> None:
        if set(map(type, x)) == {Value}:  # the usual case inside a network: every input is a Value
            self.values: tuple[Value, ...] = tuple(x)  # type: ignore[arg-type]
            self.data: list[float] = [xi.data for xi in x]  # type: ignore[union-attr]
            self.positions: list[int] | None = None  # None: all of them
        else:  # data (numbers), perhaps mixed with Values
            self.positions = [i for i, xi in enumerate(x) if isinstance(xi, Value)]
            self.values = tuple(x[i] for i in self.positions)  # type: ignore[misc]
            self.data = [xi.data if isinstance(xi, Value) else float(xi) for xi in x]


def _neuron_nodes(neurons: Sequence[Neuron], inputs: _Inputs, relu: bool = False) -> list[Value]:
    """For each neuron, z = w₁x₁ + … + wₙxₙ + b as one node;  ∂z/∂wᵢ = xᵢ,  ∂z/∂xᵢ = wᵢ,  ∂z/∂b = 1.

    A node's children are the neuron's weights, then the inputs that are
    Values, then its bias. With ``relu=True`` each node is relu(z) = max(0, z),
    whose slope is 1 for z >= 0 (the engine's convention at 0) and 0 below:
    the local derivatives above times 1, or all 0. (One function for a whole
    layer, whose neurons share the inputs: a loop here is cheaper than a call
    per neuron.)
    """
    x_data, x_values, positions = inputs.data, inputs.values, inputs.positions
    op = "relu neuron" if relu else "neuron"
    nodes = []
    for neuron in neurons:
        w, b = neuron.w, neuron.b
        w_data = [wi.data for wi in w]  # (a comprehension reads slots faster than map)
        # from b, adding w₁x₁, w₂x₂, … in turn, as the fine-grained form does (on Python >= 3.12
        # sum() also compensates its rounding errors: the two agree to rounding there)
        z = sum(map(mul, w_data, x_data), b.data if b is not None else 0.0)
        children = (*w, *x_values) if b is None else (*w, *x_values, b)
        # Value.from_op(z, op, children, local_grads) without its input checks: they would
        # cost a third of the forward pass, and cannot fail here (the weights and bias are
        # the neuron's own Values; _Inputs has sorted the Values from the numbers).
        if relu and not z >= 0.0:  # an inactive ReLU passes no gradient back (nan too, as Value.relu)
            nodes.append(_node(0.0, op, children, _zeros(len(children)), MANY))
            continue
        w_of_values = w_data if positions is None else [w_data[i] for i in positions]
        local_grads = (*x_data, *w_of_values) if b is None else (*x_data, *w_of_values, 1.0)
        nodes.append(_node(z if z > 0.0 or not relu else 0.0, op, children, local_grads, MANY))
    return nodes


_ZEROS: dict[int, tuple[float, ...]] = {}


def _zeros(n: int) -> tuple[float, ...]:
    """A tuple of n zeros, made once per length and shared (a tuple cannot change)."""
    zeros = _ZEROS.get(n)
    if zeros is None:
        zeros = _ZEROS[n] = (0.0,) * n
    return zeros


def _identity(z: Value) -> Value:
    return z


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
    ``alpha`` for PReLU. ``bias=False`` leaves out b (the course's score x·w).
    ``fused=False`` builds w·x + b from ``*`` and ``+`` nodes (see module doc).
    """

    def __init__(
        self,
        nin: int,
        activation: Activation = "relu",
        *,
        bias: bool = True,
        fused: bool = True,
        seed: Seed = None,
    ) -> None:
        positive_int("nin (the number of inputs)", nin)
        _check_activation(activation)
        rng = make_rng(seed)
        self.w = [Value(rng.uniform(-1.0, 1.0)) for _ in range(nin)]
        self.b: Value | None = Value(0.0) if bias else None
        if activation == "prelu":
            self.alpha = Value(0.25)
        self.activation = activation
        self.fused = fused
        # the activation as a function Value -> Value, looked up once here, not per call
        named: dict[str, Callable[[Value], Value]] = {
            "linear": _identity,
            "relu": Value.relu,
            "tanh": Value.tanh,
            "sigmoid": Value.sigmoid,
            "leaky_relu": Value.leaky_relu,  # slope 0.01
            "prelu": self._prelu,
        }
        self._act = named[activation] if isinstance(activation, str) else self._custom

    @property
    def nin(self) -> int:
        return len(self.w)

    def __call__(self, x: Sequence[Input]) -> Value:
        x = _checked_inputs(x, len(self.w), "Neuron")
        if not self.fused:
            return self._act(neuron_fine_grained(self.w, self.b, x))
        return self._forward(_Inputs(x))

    def _forward(self, inputs: _Inputs) -> Value:
        if self.activation == "relu":
            return _neuron_nodes([self], inputs, relu=True)[0]
        return self._act(_neuron_nodes([self], inputs)[0])

    def _prelu(self, z: Value) -> Value:
        return z.prelu(self.alpha)

    def _custom(self, z: Value) -> Value:
        out = self.activation(z)  # type: ignore[operator]
        if not isinstance(out, Value):
            raise TypeError(
                f"activation {self.activation!r} must return a Value, got {type(out).__name__}: {out!r}"
            )
        return out

    def extra_repr(self) -> str:
        return f"{self.nin}, {self._settings()}"

    def _settings(self) -> str:
        act = self.activation
        name = act if isinstance(act, str) else getattr(act, "__name__", repr(act))
        return f"activation={name!r}" + ("" if self.b is not None else ", bias=False")


# ---------------------------------------------------------------- layers


class Layer(Module):
    """`nout` neurons that each see the same `nin` inputs.

    Calling it returns a Value when nout == 1, else a list (micrograd's Layer).
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: Activation = "relu",
        *,
        bias: bool = True,
        fused: bool = True,
        seed: Seed = None,
    ) -> None:
        positive_int("nin (the number of inputs)", nin)
        positive_int("nout (the number of neurons)", nout)
        rng = make_rng(seed)
        self.neurons = [Neuron(nin, activation, bias=bias, fused=fused, seed=rng) for _ in range(nout)]
        self.fused = fused

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        out = self.forward_list(x)
        return out[0] if len(out) == 1 else out

    def forward_list(self, x: Sequence[Input]) -> list[Value]:
        """The outputs as a list, even for one neuron."""
        x = _checked_inputs(x, self.nin, type(self).__name__)
        if not self.fused:
            return [n._act(neuron_fine_grained(n.w, n.b, x)) for n in self.neurons]
        return self._forward(_Inputs(x))

    def _forward(self, inputs: _Inputs) -> list[Value]:
        # the inputs are split into data and Values once, for all the neurons
        if self.neurons[0].activation == "relu":  # the activation is part of the node
            return _neuron_nodes(self.neurons, inputs, relu=True)
        return [n._act(z) for n, z in zip(self.neurons, _neuron_nodes(self.neurons, inputs))]

    def extra_repr(self) -> str:
        return f"{self.nin}, {len(self.neurons)}, {self.neurons[0]._settings()}"

    def __repr__(self) -> str:  # a layer is shown as one line, not its neurons
        return f"{type(self).__name__}({self.extra_repr()})"


class Linear(Layer):
    """A layer with no activation: f(x) = x·W + b, as PyTorch's ``nn.Linear(nin, nout)``.

    The course's linear model, score = features · weights, is
    ``Linear(nin, 1, bias=False)``.
    """

    def __init__(self, nin: int, nout: int = 1, *, bias: bool = True, fused: bool = True, seed: Seed = None):
        super().__init__(nin, nout, "linear", bias=bias, fused=fused, seed=seed)


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` is 2 inputs -> 16 -> 16 -> 1 output.

    Hidden layers use `activation`; the last layer uses `output_activation`
    (``"linear"`` by default: raw scores, as micrograd's MLP). Returns a Value
    when the last layer has one output, otherwise a list.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation = "relu",
        *,
        output_activation: Activation = "linear",
        fused: bool = True,
        seed: Seed = None,
    ) -> None:
        positive_int("nin (the number of inputs)", nin)
        if isinstance(nouts, int) or not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise ValueError(
                f"nouts must be a non-empty list of layer sizes, e.g. [16, 16, 1], got {nouts!r}"
            )
        _check_activation(activation)
        _check_activation(output_activation)
        rng = make_rng(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(
                sizes[i], sizes[i + 1], output_activation if i == last else activation, fused=fused, seed=rng
            )
            for i in range(len(nouts))
        ]
        self.fused = fused

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        if self.fused:
            out = self.layers[0]._forward(_Inputs(_checked_inputs(x, self.layers[0].nin, "MLP")))
            for layer in self.layers[1:]:
                out = layer._forward(_Inputs.of_values(out))
        else:
            out = self.layers[0].forward_list(_checked_inputs(x, self.layers[0].nin, "MLP"))
            for layer in self.layers[1:]:
                out = layer.forward_list(out)
        return out[0] if len(out) == 1 else out


# ---------------------------------------------------------------- dropout


class Dropout(Module):
    """Inverted dropout on activations, as PyTorch's ``nn.Dropout(p)``.

    In training mode each input is zeroed with probability `p` and the kept
    ones are scaled by 1/(1-p), so the expected value is unchanged:

        y = x·m/(1-p),  m ~ Bernoulli(1-p);   ∂y/∂x = m/(1-p)

    In eval mode (``model.eval()``) it is the identity. Apply it to a layer's
    outputs (a list of Values, or one Value); the result has the same shape.

    The course says dropout "sets some weights to zero". Dropout proper zeroes
    activations (neuron outputs), which is what this does; zeroing weights is a
    different method, DropConnect.
    """

    def __init__(self, p: float = 0.5, *, seed: Seed = None) -> None:
        p = as_float(p, "Dropout p")
        if not 0.0 <= p < 1.0:
            raise ValueError(
                f"Dropout p is the probability of zeroing an input and must be in [0, 1), got {p!r}"
            )
        self.p = p
        self.rng = make_rng(seed)

    def __call__(self, x: Value | Sequence[Value]) -> Any:
        if isinstance(x, Value):
            return self._drop(x)
        return [self._drop(xi) for xi in x]

    def _drop(self, x: Value) -> Value:
        if not isinstance(x, Value):
            raise TypeError(f"Dropout acts on Values (a layer's outputs), got {type(x).__name__}: {x!r}")
        if not self.training or self.p == 0.0:
            return x
        scale = 0.0 if self.rng.random() < self.p else 1.0 / (1.0 - self.p)
        return Value.from_op(x.data * scale, "dropout", (x,), (scale,))

    def extra_repr(self) -> str:
        return f"p={self.p}"
