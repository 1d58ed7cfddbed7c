"""Every differentiable op of `Value`, listed once with independent references.

Each entry gives the op applied to Values, the same function on plain floats
(the forward reference, from `math`), its analytic partial derivatives written
out by hand, the PyTorch equivalent, and the domain to sample points from.
The tests in test_ops.py, test_torch_parity.py and test_properties.py are
generated from this list, so a new op needs one entry here to be tested.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from microgrand import Value


@dataclass(frozen=True)
class Op:
    name: str
    arity: int
    apply: Callable[..., Value]  # on Values (or a Value and a number)
    forward: Callable[..., float]  # on floats: the reference value
    derivatives: Callable[..., tuple[float, ...]]  # analytic ∂/∂ each input
    domain: tuple[tuple[float, float], ...]  # sampling interval per input
    torch: Callable[..., Any] | None = None  # the same op on torch tensors
    points: tuple[tuple[float, ...], ...] = ()  # fixed points always tested


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _step(x: float, below: float) -> float:
    return 1.0 if x >= 0.0 else below


# fmt: off
OPS: list[Op] = [
    Op("add", 2, lambda a, b: a + b, lambda a, b: a + b, lambda a, b: (1.0, 1.0),
       ((-5, 5), (-5, 5)), lambda a, b: a + b, ((1.5, -2.0),)),
    Op("sub", 2, lambda a, b: a - b, lambda a, b: a - b, lambda a, b: (1.0, -1.0),
       ((-5, 5), (-5, 5)), lambda a, b: a - b, ((1.5, -2.0),)),
    Op("mul", 2, lambda a, b: a * b, lambda a, b: a * b, lambda a, b: (b, a),
       ((-5, 5), (-5, 5)), lambda a, b: a * b, ((3.0, -4.0),)),
    Op("div", 2, lambda a, b: a / b, lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2),
       ((-5, 5), (0.5, 5)), lambda a, b: a / b, ((3.0, -4.0),)),
    Op("pow_value", 2, lambda a, b: a**b, lambda a, b: a**b, lambda a, b: (b * a ** (b - 1), a**b * math.log(a)),
       ((0.2, 3), (-2, 2)), lambda a, b: a**b, ((2.0, 3.0),)),
    Op("radd", 1, lambda a: 2.5 + a, lambda a: 2.5 + a, lambda a: (1.0,), ((-5, 5),), lambda a: 2.5 + a),
    Op("rsub", 1, lambda a: 2.5 - a, lambda a: 2.5 - a, lambda a: (-1.0,), ((-5, 5),), lambda a: 2.5 - a),
    Op("rmul", 1, lambda a: 2.5 * a, lambda a: 2.5 * a, lambda a: (2.5,), ((-5, 5),), lambda a: 2.5 * a),
    Op("rdiv", 1, lambda a: 2.5 / a, lambda a: 2.5 / a, lambda a: (-2.5 / a**2,), ((0.5, 5),), lambda a: 2.5 / a),
    Op("rpow", 1, lambda a: 2.5**a, lambda a: 2.5**a, lambda a: (2.5**a * math.log(2.5),), ((-3, 3),),
       lambda a: 2.5**a),
    Op("pow2", 1, lambda a: a**2, lambda a: a**2, lambda a: (2 * a,), ((-5, 5),), lambda a: a**2, ((0.0,), (-3.0,))),
    Op("pow3", 1, lambda a: a**3, lambda a: a**3, lambda a: (3 * a**2,), ((-3, 3),), lambda a: a**3, ((-2.0,),)),
    Op("pow_neg1", 1, lambda a: a**-1, lambda a: a**-1, lambda a: (-(a**-2),), ((0.5, 5),), lambda a: a**-1,
       ((-2.0,),)),
    Op("pow_half", 1, lambda a: a**0.5, lambda a: a**0.5, lambda a: (0.5 * a**-0.5,), ((0.1, 5),),
       lambda a: a**0.5),
    Op("neg", 1, lambda a: -a, lambda a: -a, lambda a: (-1.0,), ((-5, 5),), lambda a: -a),
    Op("abs", 1, abs, abs, lambda a: (math.copysign(1.0, a) if a != 0 else 0.0,), ((-5, 5),), abs,
       ((-2.0,), (2.0,), (0.0,))),
    Op("exp", 1, lambda a: a.exp(), math.exp, lambda a: (math.exp(a),), ((-5, 5),), lambda a: a.exp(), ((0.0,),)),
    Op("log", 1, lambda a: a.log(), math.log, lambda a: (1 / a,), ((0.1, 10),), lambda a: a.log(), ((1.0,),)),
    Op("sqrt", 1, lambda a: a.sqrt(), math.sqrt, lambda a: (0.5 / math.sqrt(a),), ((0.1, 10),),
       lambda a: a.sqrt(), ((4.0,),)),
    Op("tanh", 1, lambda a: a.tanh(), math.tanh, lambda a: (1 - math.tanh(a) ** 2,), ((-4, 4),),
       lambda a: a.tanh(), ((0.0,),)),
    Op("sigmoid", 1, lambda a: a.sigmoid(), _sigmoid, lambda a: (_sigmoid(a) * (1 - _sigmoid(a)),), ((-8, 8),),
       lambda a: a.sigmoid(), ((0.0,),)),
    # ReLU family: derivative at exactly 0 is 1 here (the course's convention); PyTorch says 0
    Op("relu", 1, lambda a: a.relu(), lambda a: max(0.0, a), lambda a: (_step(a, 0.0),), ((-5, 5),),
       lambda a: a.relu(), ((-1.0,), (2.0,))),
    Op("leaky_relu", 1, lambda a: a.leaky_relu(0.1), lambda a: a if a >= 0 else 0.1 * a,
       lambda a: (_step(a, 0.1),), ((-5, 5),), lambda a: __import__("torch").nn.functional.leaky_relu(a, 0.1),
       ((-1.0,), (2.0,))),
    Op("leaky_relu_default", 1, lambda a: a.leaky_relu(), lambda a: a if a >= 0 else 0.01 * a,
       lambda a: (_step(a, 0.01),), ((-5, 5),), lambda a: __import__("torch").nn.functional.leaky_relu(a),
       ((-3.0,),)),
    Op("prelu", 2, lambda a, alpha: a.prelu(alpha), lambda a, alpha: a if a >= 0 else alpha * a,
       lambda a, alpha: (_step(a, alpha), 0.0 if a >= 0 else a), ((-5, 5), (0.0, 0.5)),
       lambda a, alpha: __import__("torch").nn.functional.prelu(a.reshape(1), alpha.reshape(1)).reshape(()),
       ((-2.0, 0.25), (3.0, 0.25))),
    Op("prelu_number", 1, lambda a: a.prelu(0.2), lambda a: a if a >= 0 else 0.2 * a,
       lambda a: (_step(a, 0.2),), ((-5, 5),), None, ((-2.0,),)),
]
# fmt: on

# Points where an op is not differentiable (kinks): finite differences are
# meaningless within `KINK_MARGIN` of them.
KINKS = {
    "abs": (0.0,),
    "relu": (0.0,),
    "leaky_relu": (0.0,),
    "leaky_relu_default": (0.0,),
    "prelu": (0.0,),
    "prelu_number": (0.0,),
}
KINK_MARGIN = 1e-3
