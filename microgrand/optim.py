"""Optimizers: gradient descent w ← w − η·dL/dw, and its refinements.

Both follow ``torch.optim`` exactly (names, arguments and update formulas),
so the numbers match PyTorch step for step. Each `step()` reads the `grad`
that `backward()` left on every parameter and updates its `data`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet

from .checks import as_float, nonnegative_float, not_a_number_error, parameter_list, positive_float
from .engine import Value


def _distinct_parameters(params: Iterable[Value], owner: str) -> list[Value]:
    """The parameters as a list in which each appears once (PyTorch warns; here it is an error)."""
    ps = parameter_list(params, owner)
    seen: set[Value] = set()
    for i, p in enumerate(ps):
        if p in seen:
            raise ValueError(
                f"{owner}: parameter {i} ({p!r}) appears twice in the list, so each step would "
                f"update it twice; pass each parameter once (model.parameters() does)"
            )
        seen.add(p)
    return ps


class Optimizer:
    """What every optimizer has: the parameters, `zero_grad()` and `step()`."""

    weight_decay = 0.0

    def __init__(self, params: Iterable[Value]) -> None:
        self.params = _distinct_parameters(params, type(self).__name__)

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 before the next backward() (which adds to it)."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its grad (the rule is each optimizer's `_update`)."""
        try:
            self._update()
        except TypeError as error:  # a grad or data that is not a float (p.grad = None, say): say which
            raise not_a_number_error("step()", self.params, error) from None

    def reset_state(self) -> None:
        """Forget what earlier steps left (SGD's momentum, Adam's moments and step count), as a new
        optimizer starts; `fit` calls it when training diverges, since that momentum led there."""

    def _update(self) -> None:
        raise NotImplementedError

    def _grad(self, p: Value) -> float:
        """The gradient a step follows: with weight decay, that of loss + (wd/2)·Σp², i.e. grad + wd·p."""
        wd = self.weight_decay
        return p.grad + wd * p.data if wd else p.grad


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
        self.lr = nonnegative_float("SGD lr (learning rate)", lr)
        self.momentum = nonnegative_float("SGD momentum", momentum)
        self.weight_decay = nonnegative_float("SGD weight_decay", weight_decay)
        self.reset_state()

    def reset_state(self) -> None:
        self.velocity: list[float] | None = None  # PyTorch's momentum_buffer, one per parameter

    def _update(self) -> None:
        lr, mu = self.lr, self.momentum
        if mu == 0.0:
            for p in self.params:
                p.data -= lr * self._grad(p)
            return
        grads = [self._grad(p) for p in self.params]
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
        self.lr = nonnegative_float("Adam lr (learning rate)", lr)
        self.betas = _betas(betas)
        self.eps = positive_float("Adam eps", eps)  # it keeps the step finite where a gradient is 0
        self.weight_decay = nonnegative_float("Adam weight_decay", weight_decay)
        self.reset_state()

    def reset_state(self) -> None:
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _update(self) -> None:
        self.t += 1
        beta1, beta2 = self.betas
        lr, eps = self.lr, self.eps
        correction1 = 1.0 - beta1**self.t
        correction2 = 1.0 - beta2**self.t
        m, v = self.m, self.v
        for i, p in enumerate(self.params):
            g = self._grad(p)
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            m_hat = m[i] / correction1
            v_hat = v[i] / correction2
            p.data -= lr * m_hat / (math.sqrt(v_hat) + eps)


def _betas(betas: object) -> tuple[float, float]:
    """Adam's (β₁, β₂): a pair of numbers, each in [0, 1)."""
    if isinstance(betas, (AbstractSet, Mapping)):
        raise TypeError(
            f"Adam betas must be a pair in order (beta1, beta2), e.g. (0.9, 0.999); a "
            f"{type(betas).__name__} has no order, so which is beta1 is a guess: got {betas!r}"
        )
    if isinstance(betas, (str, bytes)) or not isinstance(betas, Collection) or len(betas) != 2:
        raise TypeError(
            f"Adam betas must be a pair of numbers (beta1, beta2), e.g. (0.9, 0.999); got {betas!r}"
        )
    checked = []
    for name, beta in zip(("betas[0]", "betas[1]"), betas):
        beta = as_float(beta, f"Adam {name}")
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Adam {name} must be in [0, 1), got {beta!r}")
        checked.append(beta)
    return checked[0], checked[1]
