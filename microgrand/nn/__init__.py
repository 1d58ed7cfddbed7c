"""Neural networks built on the engine: `Module`, `Neuron`, `Layer`, `MLP`, `Linear`, `Dropout`.

Three files, one job each: `module` (the bookkeeping every network shares: parameters, names,
state dicts, train/eval, repr, all read from one walk over a module's attributes), `neuron`
(a neuron, and `fused_neurons`, the routine that makes each neuron one graph node) and `layers`
(`Layer`, `Linear`, `MLP`, `Dropout`).

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
  bias (then a PReLU neuron's slope), labelled ``L0.n3.w1``, ``L0.n3.b`` for drawings
  and named by their path, ``layers.0.neurons.3.w.1``, in `named_parameters()` and `state_dict()`.
* Initialisation as micrograd: weights ~ U(-1, 1), biases 0, PReLU slopes 0.25
  (PyTorch's default); ``init="kaiming_uniform"`` or ``"xavier_uniform"`` scale the
  weights to the layer's size. Pass ``seed=`` (an int or a `random.Random`) to make
  it reproducible; with no seed the weights come from Python's global `random`, so
  ``random.seed(n)`` makes them reproducible, as in micrograd.
"""

from .layers import MLP, Dropout, Layer, Linear
from .module import Module
from .module import StateDict as StateDict
from .neuron import ACTIVATIONS as ACTIVATIONS
from .neuron import INITS as INITS
from .neuron import Activation as Activation
from .neuron import Input as Input
from .neuron import Neuron, fused_neurons, neuron_fine_grained

# the API reference's entries; the constants and type aliases above import from here too
__all__ = ["MLP", "Dropout", "Layer", "Linear", "Module", "Neuron", "fused_neurons", "neuron_fine_grained"]
