"""Neural networks built on the engine: `Module`, `Neuron`, `Layer`, `MLP`, `Linear`, `Dropout`.

A neuron computes  act(w·x + b) = act(w₁x₁ + … + wₙxₙ + b).

By default a neuron is ONE graph node, its local derivatives computed right
beside the forward formula (op ``"neuron"``; the one function that builds it
is `fused_neurons`)::

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
  bias (then a PReLU neuron's slope), labelled ``L0.n3.w1``, ``L0.n3.b`` for drawings.
* Initialisation as micrograd: weights ~ U(-1, 1), biases 0, PReLU slopes 0.25
  (PyTorch's default); ``init="kaiming_uniform"`` or ``"xavier_uniform"`` scale the
  weights to the layer's size. Pass ``seed=`` (an int or a `random.Random`) to make
  it reproducible; with no seed the weights come from Python's global `random`, so
  ``random.seed(n)`` makes them reproducible, as in micrograd.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import mul
from typing import Any

from .checks import Rng, Seed, as_float, make_rng, positive_int
from .engine import Value

Activation = str | Callable[[Value], Value]
Input = Value | float | int
StateDict = dict[str, Any]  # name -> float, or (nested) list of floats: JSON-serialisable

ACTIVATIONS = ("linear", "relu", "tanh", "sigmoid", "leaky_relu", "prelu")
"""Activation names a Neuron understands (or pass any callable Value -> Value)."""

INITS = ("uniform", "kaiming_uniform", "xavier_uniform")
"""Weight initialisations, named as in ``torch.nn.init`` (see `Neuron`)."""


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
    ``__init__`` (Values, Modules, or lists, tuples and dicts of them, nested as
    you like) and defines ``forward``; calling the module calls ``forward``.
    `named_parameters()`, `state_dict()`, `train()` and `repr()` find them in
    the order they were assigned. A Value kept anywhere else (in a set, or in an
    object that is not a Module) is refused with an error naming the attribute.
    """

    training: bool = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The forward pass: each module defines its own."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward (its forward pass)")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(name, Value) for every parameter, e.g. ``("layers.0.neurons.1.w.0", w)``.

        Depth first, in attribute order; a parameter shared by two sub-modules
        is listed once, where it first appears, as in PyTorch.
        """
        named: list[tuple[str, Value]] = []
        seen: set[Value] = set()
        for name, tensor in self._tensors():
            for pname, p in _flatten(name, tensor):
                if p not in seen:
                    seen.add(p)
                    named.append((pname, p))
        return named

    def parameters(self) -> list[Value]:
        """All learnable Values, in the order of `named_parameters` (each listed once)."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (PyTorch sets it to None; a Value's grad is always a float)."""
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode: bool = True) -> Module:
        """Set the `training` flag here and in every sub-module (Dropout reads it). Returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode) takes True or False, got {type(mode).__name__}: {mode!r}")
        self.training = mode
        for _, module in self.named_modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode, ``train(False)``: Dropout becomes the identity. Returns self."""
        return self.train(False)

    def named_modules(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for every sub-module, depth first (not self)."""
        for name, x in _walk(self, "", ()):
            if isinstance(x, Module) and x is not self:
                yield name, x

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for the direct sub-modules (in lists, tuples and dicts too)."""
        for key, attr in vars(self).items():
            yield from _modules_in(attr, key)

    def state_dict(self) -> StateDict:
        """The parameters' data by name, a list of Values as one list of floats (like a
        tensor), e.g. ``{"layers.0.neurons.0.w": [0.1, -0.5], "layers.0.neurons.0.b": 0.0}``.

        Plain floats and lists of floats, so ``json.dumps`` works on it.
        """
        return {name: _data(tensor) for name, tensor in self._tensors()}

    def load_state_dict(self, state: StateDict) -> None:
        """Set the parameters' data from `state` (as made by `state_dict`).

        Everything is checked before anything is set: a missing or unexpected
        name, a wrong length or a value that is not a number raises a
        ValueError or TypeError and leaves the model unchanged (PyTorch's
        ``strict=True``).
        """
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict needs a dict (from state_dict()), got {type(state).__name__}")
        tensors = dict(self._tensors())
        missing = [k for k in tensors if k not in state]
        unexpected = [k for k in state if k not in tensors]
        if missing or unexpected:
            raise ValueError(
                f"state dict does not fit this {type(self).__name__}: "
                f"missing {missing}, unexpected {unexpected}"
            )
        updates: list[tuple[Value, float]] = []
        for name, tensor in tensors.items():
            _pair(name, tensor, state[name], updates)
        for p, x in updates:
            p.data = x

    def _tensors(self) -> Iterator[tuple[str, Any]]:
        """(name, tensor) for every Value, or list/tuple of Values (nested), found in the attributes."""
        seen: set[str] = set()
        for name, x in _walk(self, "", ()):
            if isinstance(x, Module):
                continue
            if name in seen:  # e.g. an attribute "a.b" beside a dict a = {"b": ...}
                raise ValueError(f"two parameters share the name {name!r}: rename one of them")
            seen.add(name)
            yield name, x

    def _prefix_labels(self, prefix: str) -> None:
        """Put `prefix` before every parameter's label: a Layer numbers its neurons, an MLP its layers."""
        for p in self.parameters():
            p.label = prefix + p.label

    def extra_repr(self) -> str:
        """The arguments shown in repr(), as PyTorch's ``extra_repr``."""
        return ""

    def __repr__(self) -> str:
        children = [f"  ({name}): " + repr(m).replace("\n", "\n  ") for name, m in self.named_children()]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n" + "\n".join(children) + "\n)"


def _is_tensor(x: object) -> bool:
    """A Value, or a non-empty list or tuple of Values (nested): one state_dict entry."""
    if isinstance(x, Value):
        return True
    if not isinstance(x, (list, tuple)) or not x:
        return False
    return all([isinstance(e, Value) for e in x]) or all(map(_is_tensor, x))


def _walk(x: object, name: str, ancestors: tuple[Module, ...]) -> list[tuple[str, Any]]:
    """(name, Module or tensor) for `x` and everything inside it that holds parameters:
    Modules and their attributes, lists, tuples and dicts (nested), depth first."""
    found: list[tuple[str, Any]] = []
    _collect(x, name, ancestors, found)
    return found


def _collect(x: object, name: str, ancestors: tuple[Module, ...], found: list[tuple[str, Any]]) -> None:
    if _is_tensor(x):
        found.append((name, x))
    elif isinstance(x, Module):
        if any(x is a for a in ancestors):
            raise ValueError(
                f"module cycle: {name!r} is a module that contains itself (an attribute points back "
                f"to a module it belongs to); keep such a link out of the module's attributes"
            )
        found.append((name, x))
        if type(x) not in _CLASSES_CHECKED:
            for cls in [c for c in type(x).__mro__ if c is not Module and c is not object]:
                if any(isinstance(a, (Value, Module)) for a in vars(cls).values()):
                    raise TypeError(
                        f"{cls.__name__} keeps a Value or Module as a class attribute, shared by every "
                        f"instance and not found by parameters(): assign it in __init__ (self.w = Value(...))"
                    )
            _CLASSES_CHECKED.add(type(x))
        for key, attr in vars(x).items():
            _collect(attr, f"{name}.{key}" if name else key, (*ancestors, x), found)
    elif isinstance(x, (list, tuple)):
        for i, item in enumerate(x):
            _collect(item, f"{name}.{i}", ancestors, found)
    elif isinstance(x, dict):
        for key, item in x.items():
            _collect(item, f"{name}.{key}", ancestors, found)
    elif _holds_values(x):
        raise TypeError(
            f"attribute {name!r} holds Values inside a {type(x).__name__}, where parameters() cannot "
            f"find them (and an optimizer would never train them): keep Values and Modules in "
            f"attributes that are Values, Modules, or lists, tuples or dicts of them"
        )


_CLASSES_CHECKED: set[type] = set()  # Module subclasses known to keep no Value as a class attribute


def _holds_values(x: object) -> bool:
    """True for a container other than list, tuple or dict (a set, a deque, a numpy array, ...)
    or a plain object, with a Value or Module inside."""
    if x is None or isinstance(x, (bool, int, float, str)):
        return False
    if isinstance(x, (Value, Module)):
        return True
    if (
        isinstance(x, (str, bytes, Iterator, type))
        or callable(x)
        or str(getattr(x, "dtype", "object")) != "object"
    ):
        return False  # (numpy arrays of numbers have a dtype other than object: nothing to look at)
    if isinstance(x, Iterable):
        return any(_holds_values(i) for i in itertools.islice(x, 10_000))
    return hasattr(x, "__dict__") and any(isinstance(i, (Value, Module)) for i in vars(x).values())


def _modules_in(x: object, name: str) -> Iterator[tuple[str, Module]]:
    if isinstance(x, Module):
        yield name, x
    elif isinstance(x, (list, tuple)):
        for i, item in enumerate(x):
            yield from _modules_in(item, f"{name}.{i}")
    elif isinstance(x, dict):
        for key, item in x.items():
            yield from _modules_in(item, f"{name}.{key}")


def _flatten(name: str, tensor: Any) -> list[tuple[str, Value]]:
    """(name, Value) for each Value of a tensor: ``w`` -> ``w.0, w.1, …``."""
    if isinstance(tensor, Value):
        return [(name, tensor)]
    named: list[tuple[str, Value]] = []
    for i, t in enumerate(tensor):
        named += [(f"{name}.{i}", t)] if isinstance(t, Value) else _flatten(f"{name}.{i}", t)
    return named


def _data(tensor: Any) -> Any:
    return tensor.data if isinstance(tensor, Value) else [_data(t) for t in tensor]


def _pair(name: str, tensor: Any, value: object, updates: list[tuple[Value, float]]) -> None:
    """Queue (parameter, number) for each Value in `tensor` and its number in `value`."""
    if isinstance(tensor, Value):
        updates.append((tensor, as_float(value, f"state dict entry {name!r}")))
        return
    if not isinstance(value, (list, tuple)) or len(value) != len(tensor):
        raise ValueError(f"state dict entry {name!r} must be a list of {len(tensor)} numbers, got {value!r}")
    for t, v in zip(tensor, value):
        _pair(name, t, v, updates)


# ---------------------------------------------------------------- the neuron


def _as_inputs(x: object, nin: int, owner: str) -> Sequence[Input]:
    """`x` as a list of `nin` inputs, each a Value or a real number (a numpy row is fine),
    or a clear error."""
    if (
        isinstance(x, (Value, str, bytes, int, float))
        or not hasattr(x, "__len__")
        or not hasattr(x, "__iter__")
    ):
        raise TypeError(f"{owner} needs a list of {nin} numbers or Values, got {type(x).__name__}: {x!r}")
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
            self.data: list[float] = [v.data for v in values]
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
        w_data = [wi.data for wi in w]
        # from b, adding w₁x₁, w₂x₂, … in turn, as the fine-grained form does (from Python 3.12
        # sum() also compensates its rounding errors: the two agree to rounding there)
        z = sum(map(mul, w_data, x_data), b.data if b is not None else 0.0)
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


def _identity(z: Value) -> Value:
    return z


def _init_bound(init: str, nin: int, nout: int) -> float:
    """The weights are drawn from U(-bound, bound)."""
    if init == "uniform":  # micrograd's
        return 1.0
    if init == "kaiming_uniform":  # He et al.: keeps the variance of ReLU activations from layer to layer
        return math.sqrt(6.0 / nin)
    if init == "xavier_uniform":  # Glorot & Bengio: for tanh and sigmoid
        return math.sqrt(6.0 / (nin + nout))
    raise ValueError(f"unknown init {init!r}: use one of {', '.join(map(repr, INITS))}")


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
    ``init="xavier_uniform"`` (tanh, sigmoid); biases start at 0. `seed` (an int or a
    `random.Random`) makes them reproducible; without one they come from Python's
    global `random`, so ``random.seed(n)`` does (as in micrograd).
    """

    def __init__(
        self,
        nin: int,
        activation: Activation = "relu",
        *,
        bias: bool = True,
        fused: bool = True,
        init: str = "uniform",
        seed: Seed = None,
        nonlin: bool | None = None,
        _nout: int = 1,
    ) -> None:
        if nonlin is not None:  # micrograd's name: a ReLU neuron, or a linear one
            activation = "relu" if nonlin else "linear"
        positive_int("nin (the number of inputs)", nin)
        _check_activation(activation)
        bound = _init_bound(init, nin, _nout)
        rng: Rng = make_rng(seed)
        self.w = [Value(rng.uniform(-bound, bound), label=f"w{i}") for i in range(nin)]
        self.b: Value | None = Value(0.0, label="b") if bias else None
        if activation == "prelu":
            self.alpha = Value(0.25, label="alpha")
        self._activation = activation
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
        self.act = named[activation] if isinstance(activation, str) else self._custom

    @property
    def nin(self) -> int:
        return len(self.w)

    @property
    def activation(self) -> Activation:
        """The activation (read-only: it is looked up once, when the neuron is made)."""
        return self._activation

    def forward(self, x: Sequence[Input]) -> Value:
        return self._output(_as_inputs(x, len(self.w), "Neuron"))

    def _output(self, x: Sequence[Input]) -> Value:
        """The output for checked inputs, fused or fine-grained as `fused` says."""
        return fused_neurons([self], Inputs(x))[0]

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
    """`nout` neurons that each see the same `nin` inputs; their parameters are labelled
    ``n0.w0, n0.b, n1.w0, …``. Returns a Value when nout == 1, else a list (micrograd's Layer).

    `fused` reads and sets the flag of every neuron: ``layer.fused = False`` makes
    the whole layer fine-grained, however the model is called.
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: Activation = "relu",
        *,
        bias: bool = True,
        fused: bool = True,
        init: str = "uniform",
        seed: Seed = None,
        nonlin: bool | None = None,
    ) -> None:
        if nonlin is not None:  # micrograd's name: ReLU neurons, or linear ones
            activation = "relu" if nonlin else "linear"
        positive_int("nin (the number of inputs)", nin)
        positive_int("nout (the number of neurons)", nout)
        _init_bound(init, nin, nout)  # an unknown init is named before any weight is drawn
        rng = make_rng(seed)
        self.neurons = [
            Neuron(nin, activation, bias=bias, fused=fused, init=init, seed=rng, _nout=nout)
            for _ in range(nout)
        ]
        for j, neuron in enumerate(self.neurons):
            neuron._prefix_labels(f"n{j}.")

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    @property
    def fused(self) -> bool:
        """True if every neuron is one node (w·x + b fused); set it to change them all."""
        return all([n.fused for n in self.neurons])

    @fused.setter
    def fused(self, fused: bool) -> None:
        for n in self.neurons:
            n.fused = fused

    def forward(self, x: Sequence[Input]) -> Value | list[Value]:
        out = self.forward_list(x)
        return out[0] if len(out) == 1 else out

    def forward_list(self, x: Sequence[Input]) -> list[Value]:
        """The outputs as a list, even for one neuron."""
        return self._outputs(_as_inputs(x, self.nin, type(self).__name__))

    def _outputs(self, x: Sequence[Input], all_values: bool = False) -> list[Value]:
        """The outputs for checked inputs, each neuron fused or fine-grained as its `fused` says."""
        return fused_neurons(self.neurons, Inputs(x, all_values))  # inputs split into data and Values once

    def extra_repr(self) -> str:
        return f"{self.nin}, {len(self.neurons)}, {self.neurons[0]._settings()}"

    def __repr__(self) -> str:  # a layer is shown as one line, not its neurons
        return f"{type(self).__name__}({self.extra_repr()})"


class Linear(Layer):
    """A layer with no activation: f(x) = x·W + b, as PyTorch's ``nn.Linear(nin, nout)``.

    The course's linear model, score = features · weights, is
    ``Linear(nin, 1, bias=False)``.
    """

    def __init__(
        self,
        nin: int,
        nout: int = 1,
        *,
        bias: bool = True,
        fused: bool = True,
        init: str = "uniform",
        seed: Seed = None,
    ):
        super().__init__(nin, nout, "linear", bias=bias, fused=fused, init=init, seed=seed)

    def extra_repr(self) -> str:
        return f"{self.nin}, {len(self.neurons)}" + ("" if self.neurons[0].b is not None else ", bias=False")


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` is 2 inputs -> 16 -> 16 -> 1 output.

    Hidden layers use `activation`; the last layer uses `output_activation`
    (``"linear"`` by default: raw scores, as micrograd's MLP). Returns a Value
    when the last layer has one output, otherwise a list. Parameters are
    labelled ``L0.n3.w1`` (layer 0, neuron 3, weight 1). `init` and `seed` as
    in `Neuron`; `fused` reads and sets every layer's flag.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation = "relu",
        *,
        output_activation: Activation = "linear",
        fused: bool = True,
        init: str = "uniform",
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
                sizes[i],
                sizes[i + 1],
                output_activation if i == last else activation,
                fused=fused,
                init=init,
                seed=rng,
            )
            for i in range(len(nouts))
        ]
        for k, layer in enumerate(self.layers):
            layer._prefix_labels(f"L{k}.")

    @property
    def fused(self) -> bool:
        """True if every layer is fused; set it to change them all."""
        return all(layer.fused for layer in self.layers)

    @fused.setter
    def fused(self, fused: bool) -> None:
        for layer in self.layers:
            layer.fused = fused

    def forward(self, x: Sequence[Input]) -> Value | list[Value]:
        out = self.layers[0]._outputs(_as_inputs(x, self.layers[0].nin, "MLP"))
        for layer in self.layers[1:]:
            out = layer._outputs(out, all_values=True)  # the last layer's outputs: all Values
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

    def forward(self, x: Value | Sequence[Value]) -> Any:
        if isinstance(x, Value):
            return self._drop(x)
        return [self._drop(xi) for xi in x]

    def _drop(self, x: Value) -> Value:
        if not isinstance(x, Value):
            raise TypeError(f"Dropout acts on Values (a layer's outputs), got {type(x).__name__}: {x!r}")
        if not self.training or self.p == 0.0:
            return x
        scale = 0.0 if self.rng.random() < self.p else 1.0 / (1.0 - self.p)
        # y = x·scale;   ∂y/∂x = scale
        return Value(x.data * scale, (x,), (scale,), "dropout")

    def extra_repr(self) -> str:
        return f"p={self.p}"
