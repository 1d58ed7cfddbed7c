"""Optimizers: gradient descent w ← w − η·dL/dw, and its refinements.

Both follow ``torch.optim`` exactly (names, arguments and update formulas),
so the numbers match PyTorch step for step. Each `step()` reads the `grad`
that `backward()` left on every parameter and updates its `data`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .engine import Value, _as_float


def _param_list(params: Iterable[Value], owner: str) -> list[Value]:
    if isinstance(params, Value):
        raise TypeError(f"{owner} needs a list of parameters, e.g. model.parameters(), not a single Value")
    ps = list(params)
    if not ps:
        raise ValueError(f"{owner} got an empty parameter list")
    for p in ps:
        if not isinstance(p, Value):
            raise TypeError(f"{owner} parameters must be Values, got {type(p).__name__}: {p!r}")
    return ps


def _non_negative(name: str, x: float, owner: str) -> float:
    x = _as_float(x, f"{owner} {name}")
    if not x >= 0.0:  # also rejects nan
        raise ValueError(f"{owner} {name} must be >= 0, got {x!r}")
    return x


class Optimizer:
    """What every optimizer has: the parameters, `zero_grad()` and `step()`."""

    def __init__(self, params: Iterable[Value]) -> None:
        self.params = _param_list(params, type(self).__name__)

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 before the next backward() (which adds to it)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD`` (dampening=0, nesterov=False).

    For each parameter w with gradient g:

        g ← g + λ·w                    (weight_decay λ: the gradient of (λ/2)·w², an L2 penalty)
        v ← g on the first step, then v ← μ·v + g      (momentum μ > 0)
        w ← w − η·v                    (η = lr; with μ = 0, v is just g)
    """

    def __init__(
        self, params: Iterable[Value], lr: float = 0.001, momentum: float = 0.0, weight_decay: float = 0.0
    ) -> None:
        super().__init__(params)
        self.lr = _non_negative("lr (learning rate)", lr, "SGD")
        self.momentum = _non_negative("momentum", momentum, "SGD")
        self.weight_decay = _non_negative("weight_decay", weight_decay, "SGD")
        self.velocity: list[float] | None = None  # PyTorch's momentum_buffer, one per parameter

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        if mu == 0.0:
            for p in self.params:
                p.data -= lr * (p.grad + wd * p.data if wd else p.grad)
            return
        grads = [p.grad + wd * p.data if wd else p.grad for p in self.params]
        if self.velocity is None:
            self.velocity = grads
        else:
            self.velocity = [mu * v + g for v, g in zip(self.velocity, grads)]
        for p, v in zip(self.params, self.velocity):
            p.data -= lr * v


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (amsgrad=False). With step count t and gradient g:

    g ← g + λ·w                          (weight_decay λ, added to the gradient as PyTorch)
    m ← β₁·m + (1 − β₁)·g                (running mean of gradients)
    v ← β₂·v + (1 − β₂)·g²               (running mean of squared gradients)
    m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)     (bias correction: m and v start at 0)
    w ← w − η·m̂/(√v̂ + ε)
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params)
        self.lr = _non_negative("lr (learning rate)", lr, "Adam")
        beta1, beta2 = betas
        for name, beta in (("betas[0]", beta1), ("betas[1]", beta2)):
            beta = _as_float(beta, f"Adam {name}")
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Adam {name} must be in [0, 1), got {beta!r}")
        self.betas = (float(beta1), float(beta2))
        self.eps = _non_negative("eps", eps, "Adam")
        self.weight_decay = _non_negative("weight_decay", weight_decay, "Adam")
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        self.t += 1
        beta1, beta2 = self.betas
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        correction1 = 1.0 - beta1**self.t
        correction2 = 1.0 - beta2**self.t
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = p.grad + wd * p.data if wd else p.grad
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            m_hat = m[i] / correction1
            v_hat = v[i] / correction2
            p.data -= lr * m_hat / (math.sqrt(v_hat) + eps)
