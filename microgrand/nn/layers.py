"""Layers built from neurons: `Layer`, `Linear` (no activation), `MLP` (layers in a row), and
`Dropout`. Each is a `Module`; a Layer's neurons share its inputs, so they are split once into
data and Values (`Inputs`) and all its neurons are built by one call of `fused_neurons`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..checks import Seed, as_float, make_rng, positive_int
from ..engine import Value
from .module import Module
from .neuron import Activation, Input, Inputs, Neuron, as_inputs, check_activation, fused_neurons, init_bound


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
        init: str | float = "uniform",
        seed: Seed = None,
        nonlin: bool | None = None,
    ) -> None:
        positive_int("nin (the number of inputs)", nin)
        positive_int("nout (the number of neurons)", nout)
        bound = init_bound(init, nin, nout)  # an unknown init is named before any weight is drawn
        rng = make_rng(seed)
        self.neurons = [
            Neuron(nin, activation, bias=bias, fused=fused, init=bound, seed=rng, nonlin=nonlin)
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
        return self._outputs(as_inputs(x, self.nin, type(self).__name__))

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
        init: str | float = "uniform",
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
        init: str | float = "uniform",
        seed: Seed = None,
    ) -> None:
        positive_int("nin (the number of inputs)", nin)
        if isinstance(nouts, int) or not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise ValueError(
                f"nouts must be a non-empty list of layer sizes, e.g. [16, 16, 1], got {nouts!r}"
            )
        check_activation(activation)
        check_activation(output_activation)
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
        out = self.layers[0]._outputs(as_inputs(x, self.layers[0].nin, "MLP"))
        for layer in self.layers[1:]:
            out = layer._outputs(out, all_values=True)  # the last layer's outputs: all Values
        return out[0] if len(out) == 1 else out


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
