"""microgrand: a scalar autograd engine for learning backpropagation.

>>> from microgrand import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> L = a * b + a
>>> L.backward()
>>> a.grad, b.grad      # dL/da = b + 1, dL/db = a
(-2.0, 2.0)
"""

from . import data, losses, nn, optim, train
from .engine import Value
from .finite_differences import GradcheckError, analytic_grad, gradcheck, numerical_grad
from .graph import backward_steps, trace

__version__ = "0.2.0.dev0"  # the one place it is written; pyproject.toml reads it
__all__ = [
    "GradcheckError",
    "Value",
    "analytic_grad",
    "backward_steps",
    "data",
    "gradcheck",
    "losses",
    "nn",
    "numerical_grad",
    "optim",
    "trace",
    "train",
]
