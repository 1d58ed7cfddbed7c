"""A differential fuzzer: random microgrand graphs against PyTorch float64.

    python tools/fuzz.py --graphs 10000 --seed 0     # the mismatches by cause, a reproducer for each bug
    python tools/fuzz.py --graphs 200 --seed 0 -v    # reproducers for the ok causes too

It exits with status 1 if any undocumented mismatch (a bug) was found.

Each graph is built twice, op by op, from the same inputs: once with microgrand, once with
PyTorch (float64 tensors, ``retain_grad`` on every non-leaf). It uses every op of `Value`
(``+ - * / **`` with numbers on either side and Value ** Value, unary -, abs, exp, log, sqrt,
tanh, sigmoid, relu, leaky_relu, prelu with a number and with a Value slope), fused neurons and
layers (`Neuron`, `Layer`, every activation; a ReLU neuron is one node), every loss and penalty
of `microgrand.losses`, reuses nodes, and draws inputs from normal values, edge values (±0,
subnormals, 1e±300, the exp and sqrt overflow thresholds) and non-finite ones (nan, ±inf).
Then the value and the gradient of EVERY node are compared.

Tolerance: relative 1e-12, absolute 1e-300. Every op is correctly rounded or within an ulp or
two (2.2e-16 each), and a graph has at most a few dozen nodes, so two correct engines agree to
about 1e-14 unless a result is ill-conditioned; 1e-12 leaves that headroom while any wrong
formula is off by far more. The absolute 1e-300 only forgives results that underflow into the
subnormal range, where a float carries fewer digits (5e-324 has one). nan equals nan; an
infinity must match in sign. Where a node sums terms that may cancel (an input used twice, as
in x/x; a neuron; BCE), the absolute tolerance grows by 1e-12 × the sum of the terms' sizes.

A graph that disagrees anywhere is then diagnosed op by op, each node on microgrand's own
input values (so rounding that earlier nodes amplified is not blamed on a later one): its
value against the PyTorch op on those values, and, for each of its inputs, microgrand's
local derivative × upstream gradient against PyTorch's vector-Jacobian product with the
same upstream gradient; finally each node's accumulated gradient against the sum of what its
consumers pass back. Where both give different finite numbers, a 60-digit mpmath reference
decides who is right (more digits where the difference quotient needs them); with an infinite
input, the limit does (the input replaced by ±10⁴⁰⁰ and ±10⁵⁰⁰, microgrand must match both).
Each disagreement is either one of the documented differences
(README, "where we differ from PyTorch"), each by one rule in `expected_rule`:

  a. ReLU'(0) = 1: relu, leaky_relu, prelu, the ReLU neuron and hinge_loss take the positive
     branch at exactly 0 (PyTorch: 0, or the slope);
  b. a node whose upstream gradient is exactly 0, or an input whose local derivative is
     exactly 0, passes nothing back (PyTorch may give 0 × inf = nan);
  c. a domain error (log of x <= 0, sqrt of x < 0, x/0, 0 ** negative, negative ** fraction,
     a Value exponent with a negative base) raises ValueError, ZeroDivisionError or
     OverflowError where PyTorch returns a non-finite number; a raise where PyTorch's value is
     finite is a mismatch, except a Value exponent with a negative base, where PyTorch's
     gradient xⁿ·ln x is nan (README rule 3 chooses the error);
  d. binary_cross_entropy's gradient with respect to a Value target at p = 0 or 1 is ±100/n
     (the clamped logs), where PyTorch's is ±inf;
  e. a local derivative outside the float range (1/x at a subnormal x, 2λw near the largest
     float) is stored as ±inf, or as 0 if it underflows, where PyTorch, multiplying in another
     order, may get a finite product (checked: the 60-digit local derivative is out of range);
  f. -0.0 or -inf to a fractional power, and its derivative n·x^(n-1), follow C's pow, where
     PyTorch switches to sqrt/rsqrt for n = ±0.5 (checked: microgrand matches C's pow);

or a bug, reported by cause (the op, the kinds of its inputs) with a one-op reproducer.
Not failures, and listed apart ("ok: ..."): a graph that disagrees although every op agrees on
microgrand's own inputs (rounding that an ill-conditioned graph amplified); a difference the
60-digit reference or the limit settles for microgrand; PyTorch's nan from 0 × inf inside its
own op where microgrand's local derivative × upstream is ±inf.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from microgrand import Value
from microgrand import losses as mg_losses
from microgrand.nn import Layer, Neuron

REL = 1e-12
ABS = 1e-300
DOMAIN_ERRORS = (ValueError, ZeroDivisionError, OverflowError)
# the ops rule c lets raise (BCE: probabilities outside [0, 1], which PyTorch refuses as well)
DOMAIN_OPS = {
    "log", "sqrt", "/", "x / number", "number / x", "**", "x ** number", "number ** x", "exp",
    "binary_cross_entropy",
}  # fmt: skip

NORMAL = lambda rng: rng.choice((rng.uniform(-3.0, 3.0), rng.gauss(0.0, 1.0), rng.uniform(-20, 20)))  # noqa: E731
EDGE_VALUES = (
    0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-310, 1e-300, -1e-300, 1e-170, 1e-20,
    1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308, 709.78, 709.79, -709.78,
    -745.13, -746.0, 1e154, 1e155, -1e155, 1e17, -1e17, 1.0, -1.0, 0.5, 2.0, 36.0, -36.0,
)  # fmt: skip
NONFINITE = (math.nan, math.inf, -math.inf)
CONSTANTS = (2.0, 3, 0.5, -1.0, -2, 0.0, 1.5, -0.5, 1e-300, 1e300, 10.0, 0.1)
EXPONENTS = (2, 3, 0.5, -1, -2, 0, 1, 1.5, -0.5, 2.5, 0.001, 310, -310, 1e-300)
LOSSES = {
    "mse_loss", "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "hinge_loss",
    "l1_penalty", "l2_penalty",
}  # fmt: skip
SLOPED = {"relu", "leaky_relu", "leaky_relu(0.1)", "prelu", "prelu(number)"}  # x is their first input
RULE_B_LOCAL = "b. zero local derivative passes nothing back (PyTorch: 0 × inf or nan upstream = nan)"
RULE_E = "e. a local derivative outside the float range stays ±inf or 0 (README 5)"
RULE_F = "f. -0.0 or -inf to a fractional power follows C's pow (README 6)"
POWERS = {"x ** number", "**"}  # the base is the first input
RELU_FAMILY = {"relu", "leaky_relu", "leaky_relu(0.1)", "prelu(number)", "prelu", "relu neuron", "hinge_loss"}


def _torch() -> Any:
    import torch

    return torch


# ---------------------------------------------------------------- the op catalogue


@dataclass
class Op:
    """One kind of graph node: how PyTorch computes it (on tensors, one per operand), how
    mpmath computes it exactly (on mpf), and how to write it in microgrand (operand names)."""

    name: str
    torch: Callable[..., Any]
    mp: Callable[..., Any] | None
    code: Callable[[list[str]], str]
    torch_relu_at_0: Callable[..., Any] | None = None  # rule a: PyTorch with ReLU'(0) = 1
    neuron: tuple[int, bool] | None = None  # (nin, bias) of a neuron node, for its reproducer
    # for a node that sums terms of either sign (a neuron, BCE): the sum of their sizes, which
    # scales the rounding the result may carry when they cancel (floats in, float out)
    magnitude: Callable[..., float] | None = None
    exponent: float | None = None  # x ** number: the number (not an input)


@dataclass(eq=False)
class Node:
    name: str
    value: Value
    tensor: Any
    op: Op | None = None  # None: a leaf
    args: list[Any] = field(default_factory=list)  # Nodes and constants (floats), in op order
    consumers: list[Node] = field(default_factory=list)


@dataclass
class Graph:
    leaves: list[Node] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)  # non-leaves, in the order built
    code: list[str] = field(default_factory=list)  # the microgrand program that builds it
    root: Node | None = None
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (verdict, cause, repro)


def _where(t: Any, x: Any, y: Any) -> Any:
    return t.where(x >= 0, x, y)


def _slope_at_0(x: Any, a: Any) -> Any:
    """x if x >= 0 else a·x, with a masked to 0 where x >= 0 first, so that the unused branch
    passes back no 0 × inf from an infinite slope (a plain where would: its branch is computed)."""
    t = _torch()
    a = a if isinstance(a, t.Tensor) else t.tensor(float(a), dtype=t.float64)
    return t.where(x >= 0, x, t.where(x >= 0, t.zeros_like(a), a) * x)


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "float('nan')"
    if math.isinf(x):
        return "float('inf')" if x > 0 else "-float('inf')"
    return repr(x)


def _mp() -> Any:
    import mpmath

    return mpmath.mp


def _binary(name: str, sym: str, fwd: Callable[[Any, Any], Any], mp: Callable[..., Any]) -> Op:
    return Op(name, fwd, mp, lambda a: f"{a[0]} {sym} {a[1]}")


def _mp_pow(a: Any, b: Any) -> Any:
    return _mp().power(a, b)


ADD = _binary("+", "+", lambda a, b: a + b, lambda a, b: a + b)
SUB = _binary("-", "-", lambda a, b: a - b, lambda a, b: a - b)
MUL = _binary("*", "*", lambda a, b: a * b, lambda a, b: a * b)
DIV = _binary("/", "/", lambda a, b: a / b, lambda a, b: a / b)
POW = _binary("**", "**", lambda a, b: _torch().pow(a, b), _mp_pow)


def _unary(name: str, fwd: Callable[[Any], Any], mp: Callable[..., Any], code: str) -> Op:
    return Op(name, fwd, mp, lambda a: code.format(a[0]))


def _mp_sigmoid(x: Any) -> Any:
    return 1 / (1 + _mp().exp(-x))


def _leaky(slope: float) -> Callable[..., Any]:
    return lambda x: x if x >= 0 else slope * x


NEG = _unary("neg", lambda x: -x, lambda x: -x, "-{}")
ABS_ = _unary("abs", lambda x: x.abs(), lambda x: abs(x), "abs({})")
EXP = _unary("exp", lambda x: x.exp(), lambda x: _mp().exp(x), "{}.exp()")
LOG = _unary("log", lambda x: x.log(), lambda x: _mp().log(x), "{}.log()")
SQRT = _unary("sqrt", lambda x: x.sqrt(), lambda x: _mp().sqrt(x), "{}.sqrt()")
TANH = _unary("tanh", lambda x: x.tanh(), lambda x: _mp().tanh(x), "{}.tanh()")
SIGMOID = _unary("sigmoid", lambda x: x.sigmoid(), _mp_sigmoid, "{}.sigmoid()")
RELU = Op(
    "relu", lambda x: x.relu(), lambda x: max(x, 0), lambda a: f"{a[0]}.relu()",
    lambda x: _where(_torch(), x, _torch().zeros_like(x)),
)  # fmt: skip
LEAKY = Op(
    "leaky_relu", lambda x: _torch().nn.functional.leaky_relu(x), _leaky(0.01),
    lambda a: f"{a[0]}.leaky_relu()",
    lambda x: _slope_at_0(x, 0.01),
)  # fmt: skip
LEAKY_01 = Op(
    "leaky_relu(0.1)", lambda x: _torch().nn.functional.leaky_relu(x, 0.1), _leaky(0.1),
    lambda a: f"{a[0]}.leaky_relu(0.1)", lambda x: _slope_at_0(x, 0.1),
)  # fmt: skip


def _prelu(x: Any, alpha: Any) -> Any:
    return _torch().nn.functional.prelu(x.reshape(1), alpha.reshape(1)).reshape(())


PRELU = Op(
    "prelu", _prelu, lambda x, a: x if x >= 0 else a * x, lambda a: f"{a[0]}.prelu({a[1]})",
    _slope_at_0,
)  # fmt: skip
PRELU_NUMBER = Op(
    "prelu(number)", _prelu, lambda x, a: x if x >= 0 else a * x, lambda a: f"{a[0]}.prelu({a[1]})",
    _slope_at_0,
)  # fmt: skip


def neuron_op(nin: int, bias: bool, relu: bool, code: str) -> Op:
    """A fused neuron node z = w·x + b (operands w₁..wₙ, x₁..xₙ, b), or relu(z) in one node."""

    def z_of(xs: Sequence[Any]) -> Any:
        w, x = xs[:nin], xs[nin : 2 * nin]
        z = xs[2 * nin] if bias else w[0] * x[0]
        for wi, xi in zip(w if bias else w[1:], x if bias else x[1:]):
            z = z + wi * xi
        return z

    def fwd(*xs: Any) -> Any:
        z = z_of(xs)
        return z.relu() if relu else z

    def relu_at_0(*xs: Any) -> Any:
        z = z_of(xs)
        return _where(_torch(), z, _torch().zeros_like(z))

    def mp(*xs: Any) -> Any:
        z = (xs[2 * nin] if bias else 0) + _mp().fsum(w * x for w, x in zip(xs[:nin], xs[nin : 2 * nin]))
        return max(z, 0) if relu else z

    def magnitude(*xs: float) -> float:
        return sum(abs(w * x) for w, x in zip(xs[:nin], xs[nin : 2 * nin])) + (
            abs(xs[2 * nin]) if bias else 0.0
        )

    name = "relu neuron" if relu else "neuron"
    return Op(name, fwd, mp, lambda a: code, relu_at_0 if relu else None, (nin, bias), magnitude)


def _stack(xs: Sequence[Any]) -> Any:
    return _torch().stack(list(xs))


def loss_op(name: str, n: int, code: str, **kw: Any) -> Op:
    """A loss or penalty node; operands: the n predictions, then the n targets."""
    F = None

    def f() -> Any:
        nonlocal F
        F = F or _torch().nn.functional
        return F

    mp = _mp
    if name == "mse_loss":
        fwd = lambda *xs: f().mse_loss(_stack(xs[:n]), _stack(xs[n:]))  # noqa: E731
        exact = lambda *xs: mp().fsum((p - t) ** 2 for p, t in zip(xs[:n], xs[n:])) / n  # noqa: E731
        relu0 = None
    elif name == "cross_entropy":
        rows, classes = kw["rows"], kw["classes"]  # rows of `width` logits
        width = n // rows

        def fwd(*xs: Any) -> Any:
            z = _stack(xs).reshape(rows, width)
            if kw["single"]:
                return f().cross_entropy(z[0], _torch().tensor(classes[0]))
            return f().cross_entropy(z, _torch().tensor(classes))

        def exact(*xs: Any) -> Any:
            total = 0
            for r in range(rows):
                z = xs[r * width : (r + 1) * width]
                total += mp().log(mp().fsum(mp().exp(zj) for zj in z)) - z[classes[r]]
            return total / rows

        relu0 = None
    elif name == "binary_cross_entropy":
        fwd = lambda *xs: f().binary_cross_entropy(_stack(xs[:n]), _stack(xs[n:]))  # noqa: E731

        def exact(*xs: Any) -> Any:
            def clog(u: Any) -> Any:
                return max(mp().log(u), -100) if u > 0 else mp().mpf(-100)

            return -mp().fsum(t * clog(p) + (1 - t) * clog(1 - p) for p, t in zip(xs[:n], xs[n:])) / n

        relu0 = None
    elif name == "binary_cross_entropy_with_logits":
        fwd = lambda *xs: f().binary_cross_entropy_with_logits(_stack(xs[:n]), _stack(xs[n:]))  # noqa: E731
        exact = lambda *xs: mp().fsum(mp().log1p(mp().exp(z)) - t * z for z, t in zip(xs[:n], xs[n:])) / n  # noqa: E731
        relu0 = None
    elif name == "hinge_loss":
        fwd = lambda *xs: (1 - _stack(xs[n:]) * _stack(xs[:n])).relu().mean()  # noqa: E731
        exact = lambda *xs: mp().fsum(max(0, 1 - y * s) for s, y in zip(xs[:n], xs[n:])) / n  # noqa: E731

        def relu0(*xs: Any) -> Any:
            m = 1 - _stack(xs[n:]) * _stack(xs[:n])
            return _where(_torch(), m, _torch().zeros_like(m)).mean()

    elif name == "l1_penalty":
        lam = kw["lam"]
        fwd = lambda *xs: _stack(xs).abs().sum() * lam  # noqa: E731
        exact = lambda *xs: lam * mp().fsum(abs(w) for w in xs)  # noqa: E731
        relu0 = None
    elif name == "l2_penalty":
        lam = kw["lam"]
        fwd = lambda *xs: (_stack(xs) * _stack(xs)).sum() * lam  # noqa: E731
        exact = lambda *xs: lam * mp().fsum(w * w for w in xs)  # noqa: E731
        relu0 = None
    else:
        raise ValueError(name)
    magnitude = None
    if name in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):

        def magnitude(*xs: float) -> float:  # |t·z| + |max(z, 0)| + 1, or |t·log p| + |(1-t)·log(1-p)|
            return (
                sum(abs(t) * 100 + abs(1 - t) * 100 + abs(z) * (1 + abs(t)) for z, t in zip(xs[:n], xs[n:]))
                / n
            )

    return Op(name, fwd, exact, lambda a: code, relu0, None, magnitude)


# ---------------------------------------------------------------- comparing numbers


def close(a: float, b: float, rel: float = REL, abs_: float = ABS) -> bool:
    """Equal within the tolerance; nan equals nan; infinities must match exactly."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(abs(a), abs(b)) + abs_


def kind(x: float) -> str:
    """A coarse class of a number, for grouping causes."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "+inf" if x > 0 else "-inf"
    a = abs(x)
    if a == 0.0:
        return "0"
    if a < 2.2250738585072014e-308:
        return "subnormal"
    if a < 1e-150:
        return "tiny"
    if a > 1e150:
        return "huge"
    return "normal"


def kinds(xs: Sequence[float]) -> str:
    """The kinds of an op's inputs; for many inputs only whether any is non-finite."""
    ks = [kind(x) for x in xs]
    if len(ks) <= 2:
        return ", ".join(ks)
    return "non-finite inputs" if any(k in ("nan", "+inf", "-inf") for k in ks) else "finite inputs"


# ---------------------------------------------------------------- the generator


class Builder:
    """Builds one random graph in microgrand and PyTorch side by side."""

    def __init__(self, rng: random.Random, profile: str) -> None:
        self.rng = rng
        self.profile = profile
        self.g = Graph()
        self.torch = _torch()

    # inputs
    def number(self) -> float:
        r = self.rng.random()
        if self.profile == "normal" or r < 0.55:
            return NORMAL(self.rng)
        if self.profile == "edge" or r < 0.85:
            return self.rng.choice(EDGE_VALUES)
        return self.rng.choice(NONFINITE)

    def leaf(self, x: float | None = None, prefix: str = "x") -> Node:
        x = self.number() if x is None else x
        name = f"{prefix}{len(self.g.leaves)}"
        t = self.torch.tensor(x, dtype=self.torch.float64, requires_grad=True)
        node = Node(name, Value(x), t)
        self.g.leaves.append(node)
        self.g.code.append(f"{name} = Value({_fmt(x)})")
        return node

    def pick(self) -> Node:
        pool = self.g.nodes + self.g.leaves
        if self.g.nodes and self.rng.random() < 0.6:
            return self.rng.choice(self.g.nodes[-3:])  # depth
        return self.rng.choice(pool)  # reuse anything

    def const(self, choices: Sequence[float] = CONSTANTS) -> float:
        r = self.rng.random()
        if r < 0.8:
            return self.rng.choice(choices)
        return self.number()

    def tensor_of(self, arg: Any) -> Any:
        if isinstance(arg, Node):
            return arg.tensor
        return self.torch.tensor(float(arg), dtype=self.torch.float64)

    # building one op
    def add(
        self, op: Op, args: list[Any], mg: Callable[[], Any], code_args: list[str] | None = None
    ) -> Node | None:
        """Build `op` on `args` in both engines; None if microgrand raised (then it is judged here)."""
        names = code_args or [a.name if isinstance(a, Node) else _fmt(float(a)) for a in args]
        name = f"v{len(self.g.nodes)}"
        line = f"{name} = {op.code(names)}"
        try:
            value = mg()
        except DOMAIN_ERRORS as e:
            self.judge_raise(op, args, e, line)
            return None
        except Exception as e:  # any other exception is a bug
            self.g.events.append(
                ("bug", f"crash: {op.name} raises {type(e).__name__}", self.repro_build(args, line, e))
            )
            return None
        try:
            tensor = op.torch(*[self.tensor_of(a) for a in args])
        except RuntimeError as e:
            try:  # on microgrand's values (PyTorch's own may be an ulp apart: a sigmoid at 1 + ulp)
                op.torch(*[self.torch.tensor(x.value.data if isinstance(x, Node) else float(x),
                                             dtype=self.torch.float64) for x in args])  # fmt: skip
            except RuntimeError:
                cause = f"value: {op.name} returns where PyTorch refuses"
                self.g.events.append(("bug", cause, self.repro_build(args, line, e)))
                return None
            cause = f"ok: {op.name}: PyTorch refuses its own inputs (rounded differently), not microgrand's"
            self.g.events.append(("ok refuses", cause, ""))
            return None
        if not isinstance(value, Value):
            raise TypeError(f"{op.name} built {value!r}")
        tensor.retain_grad()
        node = Node(name, value, tensor, op, args)
        for a in args:
            if isinstance(a, Node) and node not in a.consumers:
                a.consumers.append(node)
        self.g.nodes.append(node)
        self.g.code.append(line)
        return node

    def judge_raise(self, op: Op, args: list[Any], e: BaseException, line: str) -> None:
        """Rule c: a named domain error is fine where PyTorch gives a non-finite value."""
        t = self.torch
        try:
            out = op.torch(
                *[t.tensor(float(a.value.data if isinstance(a, Node) else a), dtype=t.float64) for a in args]
            )
            finite = bool(t.isfinite(out).all())
        except RuntimeError:
            finite = False
        if finite:
            data = [float(a.value.data if isinstance(a, Node) else a) for a in args]
            xs = [t.tensor(x, dtype=t.float64, requires_grad=True) for x in data]
            grads = t.autograd.grad(op.torch(*xs), xs, allow_unused=True)
            smooth = all(d is None or bool(t.isfinite(d).all()) for d in grads)
            how = "value and gradient" if smooth else "value (its gradient is not)"
            if op.name in ("**", "number ** x") and data[0] < 0.0 and not smooth:
                # README rule 3: a Value exponent needs a base >= 0 (PyTorch's ∂/∂n = xⁿ·ln x is nan)
                cause = "c. domain error: a Value exponent with a negative base raises (PyTorch: ∂/∂n nan)"
                self.g.events.append(("expected c", cause, self.repro_build(args, line, e)))
                return
            cause = f"raise: {op.name} raises {type(e).__name__} where PyTorch's {how} is finite"
            self.g.events.append(("bug", cause, self.repro_build(args, line, e)))
        elif op.name in DOMAIN_OPS:
            cause = f"c. domain error: {op.name} raises {type(e).__name__}"
            self.g.events.append(("expected c", cause, self.repro_build(args, line, e)))
        else:  # PyTorch is non-finite too, but no documented rule says this op raises
            cause = f"raise: {op.name} raises {type(e).__name__}, no documented domain error"
            self.g.events.append(("bug", cause, self.repro_build(args, line, e)))

    def repro_build(self, args: list[Any], line: str, e: BaseException) -> str:
        lines = ["from microgrand import Value, losses", "from microgrand.nn import Neuron, Layer"]
        for a in args:
            if isinstance(a, Node):
                lines.append(f"{a.name} = Value({_fmt(a.value.data)})")
        lines.append(f"{line}   # {type(e).__name__}: {e}"[:400])
        return "\n".join(dict.fromkeys(lines))

    # the op menu
    def step(self) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.22:
            a, b = self.pick(), self.pick()
            op = rng.choice((ADD, SUB, MUL, DIV, DIV, POW))
            fn = {"+": lambda: a.value + b.value, "-": lambda: a.value - b.value,
                  "*": lambda: a.value * b.value,
                  "/": lambda: a.value / b.value, "**": lambda: a.value**b.value}[op.name]  # fmt: skip
            self.add(op, [a, b], fn)
        elif r < 0.40:
            a = self.pick()
            sym = rng.choice("+-*/") if rng.random() < 0.7 else "**"
            c = self.const(EXPONENTS if sym == "**" else CONSTANTS)
            if rng.random() < 0.5:  # Value ∘ number
                op = {"+": ADD, "-": SUB, "*": MUL, "/": DIV, "**": POW}[sym]
                if sym == "**":  # PyTorch's pow(Tensor, Scalar)
                    op = Op(
                        "x ** number",
                        lambda x, c=c: x**c,
                        lambda x, c=c: _mp_pow(x, c),
                        lambda n, c=c: f"{n[0]} ** {_fmt(float(c))}",
                        exponent=float(c),
                    )
                    self.add(op, [a], lambda: a.value**c)
                else:
                    op = Op(f"x {sym} number", op.torch, op.mp, op.code)
                    self.add(op, [a, c], lambda: {"+": a.value.__add__, "-": a.value.__sub__,
                                                  "*": a.value.__mul__,
                                                  "/": a.value.__truediv__}[sym](c))  # fmt: skip
            else:  # number ∘ Value: Python calls __r*__
                base = {"+": ADD, "-": SUB, "*": MUL, "/": DIV, "**": POW}[sym]
                if sym == "**":
                    c = abs(c) if rng.random() < 0.8 else c
                op = Op(
                    f"number {sym} x",
                    base.torch,
                    base.mp,
                    lambda n, s=sym, c=c: f"{_fmt(c) if c >= 0 else f'({_fmt(c)})'} {s} {n[1]}",
                )
                fns = {"+": lambda: c + a.value, "-": lambda: c - a.value, "*": lambda: c * a.value,
                       "/": lambda: c / a.value, "**": lambda: c**a.value}  # fmt: skip
                self.add(op, [c, a], fns[sym])
        elif r < 0.62:
            a = self.pick()
            op = rng.choice((NEG, ABS_, EXP, LOG, SQRT, TANH, SIGMOID, RELU, RELU, LEAKY, LEAKY_01))
            fns: dict[str, Callable[[], Value]] = {
                "neg": lambda: -a.value, "abs": lambda: abs(a.value), "exp": a.value.exp, "log": a.value.log,
                "sqrt": a.value.sqrt, "tanh": a.value.tanh, "sigmoid": a.value.sigmoid, "relu": a.value.relu,
                "leaky_relu": a.value.leaky_relu, "leaky_relu(0.1)": lambda: a.value.leaky_relu(0.1),
            }  # fmt: skip
            self.add(op, [a], fns[op.name])
        elif r < 0.68:
            a = self.pick()
            if rng.random() < 0.5:
                alpha = (
                    self.pick()
                    if rng.random() < 0.5
                    else self.leaf(rng.choice((0.25, 0.1, -0.5, 0.0, 2.0)), "alpha")
                )
                self.add(PRELU, [a, alpha], lambda: a.value.prelu(alpha.value))
            else:
                c = self.const((0.25, 0.0, -0.5, 2.0, 0.01))
                self.add(PRELU_NUMBER, [a, c], lambda: a.value.prelu(c))
        elif r < 0.82:
            self.neurons()
        else:
            self.loss()

    def neurons(self) -> None:
        rng = self.rng
        nin = rng.randint(1, 3)
        nout = rng.choice((1, 1, 2, 3))
        act = rng.choice(("linear", "relu", "relu", "tanh", "sigmoid", "leaky_relu", "prelu"))
        bias = rng.random() < 0.8
        xs: list[Any] = [self.pick() if rng.random() < 0.75 else self.const() for _ in range(nin)]
        layer_name = f"layer{len(self.g.nodes)}"
        x_code = "[" + ", ".join(x.name if isinstance(x, Node) else _fmt(float(x)) for x in xs) + "]"
        # the parameters are leaves, drawn like any input, set in parameters() order (w..., b, alpha)
        params: list[list[Node]] = []
        for j in range(nout):
            ps = [self.leaf(prefix=f"w{j}_") for _ in range(nin)]
            if bias:
                ps.append(self.leaf(prefix=f"b{j}_"))
            if act == "prelu":
                ps.append(self.leaf(rng.choice((0.25, 0.0, -1.0, 3.0)), prefix=f"a{j}_"))
            params.append(ps)
        ctor = f"Layer({nin}, {nout}, {act!r}, bias={bias})" if nout > 1 or rng.random() < 0.5 else None
        if ctor is None:
            ctor = f"Neuron({nin}, {act!r}, bias={bias})"
        build = [f"{layer_name} = {ctor}"]
        build.append(
            f"for p, q in zip({layer_name}.parameters(), "
            f"[{', '.join(p.name for ps in params for p in ps)}]): "
            f"p.data = q.data"
        )
        build.append(f"{', '.join(p.name for ps in params for p in ps)}, = {layer_name}.parameters()")
        module = (
            Layer(nin, nout, act, bias=bias, seed=0)
            if ctor.startswith("Layer")
            else Neuron(nin, act, bias=bias, seed=0)
        )
        mparams = module.parameters()
        flat = [p for ps in params for p in ps]
        if len(mparams) != len(flat):
            raise AssertionError(f"{ctor}: {len(mparams)} parameters, expected {len(flat)}")
        # the module's own parameter Values stand in for our leaves (so their grads are compared)
        for p, leaf in zip(mparams, flat):
            p.data = leaf.value.data
            leaf.value = p
        xs_mg = [x.value if isinstance(x, Node) else x for x in xs]
        try:
            outs = module(xs_mg)
        except Exception as e:
            verdict = "bug"
            self.g.events.append((verdict, f"crash: {ctor.split('(')[0]} raises {type(e).__name__}", repr(e)))
            return
        outs = outs if isinstance(outs, list) else [outs]
        self.g.code += build
        outputs: list[Node] = []
        inner: list[str] = []  # the w·x + b node under an activation: the output's first child
        for j, out in enumerate(outs):
            ps = params[j]
            w, b = ps[:nin], (ps[nin] if bias else None)
            args: list[Any] = [*w, *xs] + ([b] if bias else [])
            label = f"{layer_name} neuron {j} ({act})"
            zop = neuron_op(nin, bias, act == "relu", f"{label}: w·x + b")
            if act in ("linear", "relu"):
                outputs.append(self.register(zop, args, out))
                continue
            z_mg = out.children[0] if out.children else None
            if z_mg is None:
                raise AssertionError(f"{label}: output has no input")
            z = self.register(zop, args, z_mg)
            unary = {"tanh": TANH, "sigmoid": SIGMOID, "leaky_relu": LEAKY}.get(act)
            outputs.append(
                self.register(unary, [z], out) if unary else self.register(PRELU, [z, ps[-1]], out)
            )
            inner.append(f"{z.name} = {outputs[-1].name}.children[0]  # w·x + b")
        names = ", ".join(o.name for o in outputs)
        self.g.code.append(f"{names} = {layer_name}({x_code})")
        self.g.code += inner

    def probability(self) -> Node | None:
        """A node in [0, 1] (unless nan): the sigmoid of one from the pool, or now and then any."""
        a = self.pick()
        if self.rng.random() < 0.15:
            return a
        return self.add(SIGMOID, [a], a.value.sigmoid)

    def register(self, op: Op, args: list[Any], value: Value) -> Node:
        """A node microgrand has built already (inside a neuron or layer): add its PyTorch twin."""
        tensor = op.torch(*[self.tensor_of(a) for a in args])
        tensor.retain_grad()
        node = Node(f"v{len(self.g.nodes)}", value, tensor, op, args)
        for a in args:
            if isinstance(a, Node) and node not in a.consumers:
                a.consumers.append(node)
        self.g.nodes.append(node)
        return node

    def loss(self) -> None:
        rng = self.rng
        name = rng.choice(
            ("mse_loss", "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits",
             "hinge_loss", "l1_penalty", "l2_penalty")
        )  # fmt: skip
        n = rng.randint(1, 3)
        if name == "binary_cross_entropy" and rng.random() < 0.85:
            preds = [self.probability() for _ in range(n)]
            if any(p is None for p in preds):
                return
        else:
            preds = [self.pick() for _ in range(n)]
        fn = getattr(mg_losses, name)
        if name in ("l1_penalty", "l2_penalty"):
            lam = rng.choice((1.0, 0.5, 0.0, 1e-3, 3))
            op = loss_op(name, n, "", lam=lam)
            code = f"losses.{name}([{', '.join(p.name for p in preds)}], lam={lam!r})"
            op.code = lambda a, code=code: code
            self.add(op, list(preds), lambda: fn([p.value for p in preds], lam=lam))
            return
        if name == "cross_entropy":
            width = rng.randint(2, 3)
            rows = rng.randint(1, 2)
            single = rows == 1 and rng.random() < 0.6
            logits = [self.pick() for _ in range(rows * width)]
            classes = [rng.randrange(width) for _ in range(rows)]
            op = loss_op(name, rows * width, "", rows=rows, classes=classes, single=single)
            rows_code = [[z.name for z in logits[r * width : (r + 1) * width]] for r in range(rows)]
            mg_rows = [[z.value for z in logits[r * width : (r + 1) * width]] for r in range(rows)]
            if single:
                code = f"losses.cross_entropy([{', '.join(rows_code[0])}], {classes[0]})"
                call = lambda: fn(mg_rows[0], classes[0])  # noqa: E731
            else:
                code = f"losses.cross_entropy({rows_code}, {classes})".replace("'", "")
                call = lambda: fn(mg_rows, classes)  # noqa: E731
            op.code = lambda a, code=code: code
            self.add(op, list(logits), call)
            return
        targets: list[Any]
        if name == "hinge_loss":
            targets = [rng.choice((1, -1)) for _ in range(n)]
        elif name == "binary_cross_entropy":
            # a Value target: mostly a probability (PyTorch refuses targets outside [0, 1])
            targets = [
                self.probability() if rng.random() < 0.4 else rng.choice((0.0, 1.0, 0.5, 0.3))
                for _ in range(n)
            ]
            if any(t is None for t in targets):
                return
        else:
            targets = [self.pick() if rng.random() < 0.4 else self.const() for _ in range(n)]
        tcode = [t.name if isinstance(t, Node) else _fmt(float(t)) for t in targets]
        code = f"losses.{name}([{', '.join(p.name for p in preds)}], [{', '.join(tcode)}])"
        op = loss_op(name, n, code)
        tmg = [t.value if isinstance(t, Node) else t for t in targets]
        self.add(op, [*preds, *targets], lambda: fn([p.value for p in preds], tmg))


def random_graph(rng: random.Random, max_ops: int = 12) -> Graph:
    """One random graph (built in both engines, not yet differentiated)."""
    profile = rng.choice(("normal", "normal", "edge", "edge", "nonfinite"))
    b = Builder(rng, profile)
    for _ in range(rng.randint(1, 4)):
        b.leaf()
    for _ in range(rng.randint(1, max_ops)):
        b.step()
    sinks = [n for n in b.g.nodes if not n.consumers]
    if not sinks:
        return b.g
    root = sinks[0]
    for s in sinks[1:]:  # the root depends on every node
        node = b.add(ADD, [root, s], lambda r=root, s=s: r.value + s.value)
        if node is None:
            break
        root = node
    b.g.root = root
    return b.g


# ---------------------------------------------------------------- judging a graph


@dataclass
class Verdict:
    causes: list[tuple[str, str, str]]  # (verdict, cause, reproducer); verdict "bug", "ok ...", "expected x"
    mismatches: int  # nodes whose value or grad differed globally


def check_graph(g: Graph) -> Verdict:
    """Backpropagate in both engines, compare every node, diagnose any difference."""
    torch = _torch()
    events = list(g.events)
    if g.root is None:
        return Verdict(events, 0)
    g.root.value.backward()
    g.root.tensor.backward()
    everything = g.leaves + g.nodes
    bad = set()
    first = ""
    for n in everything:
        tg = 0.0 if n.tensor.grad is None else n.tensor.grad.item()
        if not close(n.value.data, n.tensor.item()) or not close(n.value.grad, tg):
            bad.add(id(n))
            first = (
                first
                or f"{n.name}: microgrand {n.value.data!r} grad {n.value.grad!r}, "
                f"PyTorch {n.tensor.item()!r} grad {tg!r}"
            )
    if bad:
        try:
            found = diagnose(g, torch, bad)
        except Exception as e:  # the fuzzer's own failure: reported, never hidden
            found = [("bug", f"fuzzer error: {type(e).__name__}: {e}", repro(g, None, None))]
        events += found
        if not found:  # no op disagrees on microgrand's own inputs: rounding, amplified
            cause = "ok: rounding amplified by an ill-conditioned graph (every op agrees locally)"
            events.append(("ok rounding", cause, repro(g, None, None, first)))
    return Verdict(events, len(bad))


def _operand_tensors(torch: Any, node: Node, grad: bool) -> list[Any]:
    return [
        torch.tensor(
            a.value.data if isinstance(a, Node) else float(a),
            dtype=torch.float64,
            requires_grad=grad and isinstance(a, Node),
        )
        for a in node.args
    ]


def diagnose(g: Graph, torch: Any, bad: set[int]) -> list[tuple[str, str, str]]:
    """Each node on microgrand's own inputs: its value, what it passes to each input, and each
    input's accumulated gradient. Returns (verdict, cause, reproducer) per disagreement."""
    out: list[tuple[str, str, str]] = []
    passed: dict[int, list[float]] = {}  # id(node) -> what its consumers pass it, as documented
    tainted: set[int] = set()  # inputs of a node whose value is wrong
    magnitude: dict[int, list[float]] = {}
    for n in g.nodes:
        op = n.op
        assert op is not None
        data = [a.value.data if isinstance(a, Node) else float(a) for a in n.args]
        # ---- the value
        t_value = op.torch(*_operand_tensors(torch, n, False)).item()
        size = _finite_or_zero(op.magnitude(*data)) if op.magnitude else 0.0
        if not close(n.value.data, t_value, abs_=ABS + REL * size) and _relu_at_0_value(torch, n, op):
            out.append(
                ("expected a", f"a. ReLU'(0) = 1 ({op.name} at exactly 0: value x, PyTorch α·0 = nan)", "")
            )
        elif (
            op.name in POWERS
            and _c_pow_case(op, data)
            and close(n.value.data, _c_pow(*_base_and_exponent(op, data)))
        ):
            out.append(("expected f", RULE_F, ""))
        elif not close(n.value.data, t_value, abs_=ABS + REL * size):
            verdict = arbitrate(op, data, n.value.data, t_value, None)
            cause = f"value: {op.name}({_kinds_of(op, data)})"
            note = f"microgrand {n.value.data!r}, PyTorch {t_value!r}"
            out.append((verdict, _ok_text(verdict, cause), repro(g, n, None, note)))
            if verdict == "bug":  # its gradients follow from the wrong value: not judged further
                tainted.update(id(a) for a in n.args if isinstance(a, Node))
                continue
        # ---- what it passes back, input by input
        gup = n.value.grad
        nodes_in = [a for a in dict.fromkeys(a for a in n.args if isinstance(a, Node))]
        if not nodes_in:
            continue
        xs = _operand_tensors(torch, n, True)
        t_contrib = _vjp(torch, op.torch, xs, gup)
        t_relu0 = _vjp(torch, op.torch_relu_at_0, xs, gup) if op.torch_relu_at_0 else None
        children, locals_ = n.value.children, n.value.local_grads
        for child in nodes_in:
            positions = [i for i, a in enumerate(n.args) if a is child]
            t_sum = sum(t_contrib[i] for i in positions)
            mg_locals = [lg for c, lg in zip(children, locals_) if c is child.value]
            if not mg_locals:
                out.append(
                    (
                        "bug",
                        f"structure: {op.name} does not list an input among its children",
                        repro(g, n, gup),
                    )
                )
                continue
            # microgrand as documented: nothing from a zero upstream or a zero local derivative
            documented = 0.0 if gup == 0.0 else sum(lg * gup for lg in mg_locals if lg != 0.0)
            passed.setdefault(id(child), []).append(documented)
            terms = [abs(lg * gup) for lg in mg_locals if lg != 0.0] if gup != 0.0 else []
            magnitude.setdefault(id(child), []).extend(terms)  # the size of the terms, for rounding
            # an input used twice (x/x) gets terms that may cancel: their size scales the rounding
            size = _size(terms) if len(terms) > 1 else 0.0
            if close(documented, t_sum, abs_=ABS + REL * size):
                continue
            same = _same_formula(op, n.value.data, gup, mg_locals)
            if same is not None and close(documented, same):
                cause = (
                    f"ok: exact derivative at microgrand's forward value (an ulp from PyTorch's), {op.name}"
                )
                out.append(("ok formula", cause, ""))
                continue
            rule = expected_rule(op, n, data, gup, mg_locals, documented, t_relu0, positions, t_contrib)
            if rule:
                out.append((f"expected {rule[0]}", rule, ""))
                continue
            if not math.isfinite(gup) and math.isnan(t_sum) and math.isinf(documented):
                # PyTorch's nan comes from 0 × inf inside its op (softmax of a -inf-like logit):
                # microgrand's local derivative is PyTorch's (upstream 1) and nonzero, × ±inf
                t_local = sum(_vjp(torch, op.torch, xs, 1.0)[i] for i in positions)
                mg_local = sum(lg for lg in mg_locals if lg != 0.0)
                limit = arbitrate(op, data, mg_local, t_local, (positions, 1.0)) if mg_local != 0.0 else ""
                if not close(mg_local, t_local, 1e-9) and limit == "ok limit":  # an infinite input
                    t_local = mg_local
                if t_local == 0.0 and limit == "ok torch":  # PyTorch's local derivative rounds to 0
                    cause = f"ok: PyTorch's local derivative rounds to 0 (so 0 × inf = nan), {op.name}"
                    out.append(
                        ("ok inf", cause, repro(g, n, gup, f"d/d{child.name}: microgrand {documented!r}"))
                    )
                    continue
                if t_local != 0.0 and close(mg_local, t_local, 1e-9) and any(lg == 0.0 for lg in mg_locals):
                    # the input used twice, once with a zero local derivative (mse_loss([v], [v]))
                    out.append(("expected b", RULE_B_LOCAL, ""))
                    continue
                if t_local != 0.0 and close(mg_local, t_local, 1e-9):
                    cause = (
                        f"ok: PyTorch nan (0 × inf inside its op) where local × upstream is ±inf, {op.name}"
                    )
                    out.append(
                        ("ok inf", cause, repro(g, n, gup, f"d/d{child.name}: microgrand {documented!r}"))
                    )
                    continue
            verdict = arbitrate(op, data, documented, t_sum, (positions, gup), size)
            cause = f"grad: {op.name}({_kinds_of(op, data)}), upstream {kind(gup)}"
            cause = _ok_text(verdict, cause)
            note = f"d/d{child.name}: microgrand {documented!r}, PyTorch {t_sum!r}"
            out.append((verdict, cause, repro(g, n, gup, note)))
    # ---- each node's gradient is the sum of what its consumers pass back (the root gets 1)
    for n in g.leaves + g.nodes:
        parts = passed.get(id(n), [])
        if n is g.root:
            parts = [*parts, 1.0]
        try:
            expect = math.fsum(parts)
        except OverflowError:  # the order of the terms decides whether their sum overflows
            continue
        except ValueError:  # inf - inf
            expect = sum(parts)
        if math.isinf(expect) and all(math.isfinite(t) for t in magnitude.get(id(n), [])):
            continue  # finite terms whose sum overflows in one order and not in another
        terms = magnitude.get(id(n), [])
        scale = _size([*terms, 1.0])
        if id(n) in bad and id(n) not in tainted and not close(n.value.grad, expect, abs_=ABS + REL * scale):
            culprit, consumer = _culprit(n)
            note = f"d/d{n.name}: microgrand {n.value.grad!r}, documented {expect!r}"
            where = repro(g, consumer, consumer.value.grad, note) if consumer else repro(g, None, None, note)
            out.append(("bug", f"backward: {culprit}", where))
    return out


def _kinds_of(op: Op, data: list[float]) -> str:
    """Input kinds for a cause: each one for an op of one or two inputs; for a neuron or a loss
    (any number of inputs) only whether any is non-finite, so one cause is one group."""
    if op.neuron is not None or op.name in LOSSES or len(data) > 2:
        return "non-finite inputs" if any(not math.isfinite(x) for x in data) else "finite inputs"
    return kinds(data)


def _limit(op: Op, data: list[float]) -> float | None:
    """The op's value with each ±inf input replaced by ±10⁴⁰⁰ and then by ±10⁵⁰⁰ (beyond any
    float, 60 digits): ±inf if both results are, the float if both round to the same one;
    None where the two disagree (an inf - inf, say: no limit to speak of)."""
    import mpmath

    results = []
    for big in ("1e400", "1e500"):
        with mpmath.workdps(60):
            try:
                xs = [
                    mpmath.mpf(big) * (1 if x > 0 else -1) if math.isinf(x) else mpmath.mpf(x) for x in data
                ]
                y = op.mp(*xs)
            except (ValueError, ZeroDivisionError, OverflowError, TypeError):
                return None
            if not isinstance(y, mpmath.mpf):
                return None
            results.append(
                math.copysign(math.inf, y) if abs(y) > mpmath.mpf(1.7976931348623157e308) else float(y)
            )
    return results[0] if results[0] == results[1] else None


def _size(terms: list[float]) -> float:
    """At least the sum of the terms' sizes (n × the largest), capped at the largest float so
    that 1e-12 of it stays finite; 0 if a term is not finite (then nothing is forgiven)."""
    if not terms or not all(math.isfinite(t) for t in terms):
        return 0.0
    return min(max(abs(t) for t in terms) * len(terms), sys.float_info.max)


def _finite_or_zero(x: float) -> float:
    return x if math.isfinite(x) else 0.0


def _relu_at_0_value(torch: Any, n: Node, op: Op) -> bool:
    """Rule a for values: at exactly 0 microgrand takes the positive branch, x; PyTorch's
    negative branch α·0 is nan for an infinite or nan slope α."""
    if op.torch_relu_at_0 is None or op.name not in SLOPED:
        return False
    alt = op.torch_relu_at_0(*_operand_tensors(torch, n, False)).item()
    return close(n.value.data, alt) and n.args[0].value.data == 0.0


def _ok_text(verdict: str, cause: str) -> str:
    if verdict == "ok torch":
        return f"ok: PyTorch less accurate (60-digit reference), {cause}"
    if verdict == "ok limit":
        return f"ok: microgrand gives the limit (60 digits, ±inf inputs as ±10⁴⁰⁰), PyTorch does not: {cause}"
    if verdict == "ok both wrong":
        return f"ok: both non-finite where the exact result is finite, {cause}"
    return cause


def _same_formula(op: Op, y: float, g: float, mg_locals: list[float]) -> float | None:
    """For ops whose derivative is a function of the output y (tanh' = 1 - y², σ' = y(1 - y),
    exp' = y), that function evaluated exactly at microgrand's own y, times g. Forward values
    an ulp apart (math.tanh and PyTorch's tanh need not round alike) make derivatives that
    differ by far more near y = ±1, in both engines alike; this is the fair reference then."""
    if len(mg_locals) != 1 or op.name not in ("tanh", "sigmoid", "exp") or not math.isfinite(y):
        return None
    try:
        import mpmath
    except ImportError:
        return None
    with mpmath.workdps(60):
        yy = mpmath.mpf(y)
        d = {"tanh": 1 - yy * yy, "sigmoid": yy * (1 - yy), "exp": yy}[op.name]
        return float(d * g)


def _culprit(n: Node) -> tuple[str, Node | None]:
    """Name the consumer whose contribution microgrand did not pass back as documented."""
    for c in n.consumers:
        g = c.value.grad
        for child, lg in zip(c.value.children, c.value.local_grads):
            if child is n.value and lg == 0.0 and g != 0.0 and not math.isfinite(g):
                return (
                    f"{c.op.name if c.op else '?'}: zero local derivative × non-finite upstream gives nan",
                    c,
                )
    return "a node's grad is not the sum of its consumers' contributions", None


def _vjp(torch: Any, fn: Callable[..., Any], xs: list[Any], g: float) -> dict[int, float]:
    """PyTorch's vector-Jacobian product: what each operand position receives from upstream g."""
    xs2 = [x.detach().requires_grad_(x.requires_grad) for x in xs]
    positions = [i for i, x in enumerate(xs2) if x.requires_grad]
    y = fn(*xs2)
    grads = torch.autograd.grad(
        y, [xs2[i] for i in positions], grad_outputs=torch.tensor(g, dtype=torch.float64), allow_unused=True
    )
    return {i: 0.0 if d is None else d.item() for i, d in zip(positions, grads)}


def expected_rule(
    op: Op, n: Node, data: list[float], gup: float, mg_locals: list[float], documented: float,
    t_relu0: dict[int, float] | None, positions: list[int], t_contrib: dict[int, float],
) -> str | None:  # fmt: skip
    """The documented difference that explains microgrand's `documented` contribution, if any."""
    if gup == 0.0:
        return "b. zero upstream gradient passes nothing back (PyTorch: 0 × inf = nan)"
    if t_relu0 is not None and op.name in RELU_FAMILY:
        t_sum0 = sum(t_relu0[i] for i in positions)
        if close(documented, t_sum0):
            return f"a. ReLU'(0) = 1 ({op.name} at exactly 0)"
    t_sum = sum(t_contrib[i] for i in positions)
    if any(lg == 0.0 for lg in mg_locals) and not math.isfinite(gup):
        return RULE_B_LOCAL
    fused = op.neuron is not None or op.name in LOSSES  # an elementary op's 0 is its formula's
    if fused and all(lg == 0.0 for lg in mg_locals) and math.isnan(t_sum):  # 0 × inf inside it
        return "b. zero local derivative passes nothing back (PyTorch: 0 × inf = nan inside the fused op)"
    if op.name in POWERS and _c_pow_case(op, data) and close(documented, gup * _c_pow_slope(op, data)):
        return RULE_F
    if all(math.isfinite(x) for x in data) and math.isfinite(gup) and math.isfinite(t_sum):
        # rule e: the stored local derivative overflowed (to ±inf) or underflowed (to 0)
        overflowed = any(math.isinf(lg) for lg in mg_locals)
        underflowed = documented == 0.0 and any(lg == 0.0 for lg in mg_locals)
        if overflowed or underflowed:
            exact = _exact(op, data, (positions, 1.0))
            if exact is not None and (abs(exact) > sys.float_info.max if overflowed else abs(exact) < 5e-324):
                return RULE_E
    if op.name == "binary_cross_entropy":
        npred = len(n.args) // 2
        targets = [i for i in positions if i >= npred]
        if targets and any(data[i - npred] in (0.0, 1.0) for i in targets) and math.isfinite(documented):
            return "d. binary_cross_entropy: d/d(target) at p = 0 or 1 is ±100/n (PyTorch: ±inf)"
    return None


def _base_and_exponent(op: Op, data: list[float]) -> tuple[float, float]:
    return data[0], (op.exponent if op.exponent is not None else data[1])


def _c_pow_case(op: Op, data: list[float]) -> bool:
    """Rule f's case: a base of -0.0 or -inf to a finite fractional power."""
    x, n = _base_and_exponent(op, data)
    return (
        (x == -math.inf or (x == 0.0 and math.copysign(1.0, x) < 0))
        and math.isfinite(n)
        and not n.is_integer()
    )


def _c_pow(x: float, n: float) -> float:
    """C's pow (Annex F) for a base of ±0 or ±inf, where Python's math.pow raises; else math.pow."""
    odd = n.is_integer() and n % 2 == 1
    if x == 0.0:
        return math.copysign(0.0 if n > 0 else math.inf, x if odd else 1.0)
    if math.isinf(x) and x < 0:
        return (-1.0 if odd else 1.0) * (math.inf if n > 0 else 0.0)
    return math.pow(x, n)


def _c_pow_slope(op: Op, data: list[float]) -> float:
    """d(xⁿ)/dx = n·x^(n-1) with C's pow (for rule f)."""
    x, n = _base_and_exponent(op, data)
    return n * _c_pow(x, n - 1.0)


def _exact(op: Op, data: list[float], grad: tuple[list[int], float] | None, big: str = "") -> Any:
    """The op's value, or its derivative with respect to the input at `positions` times g, at
    60 digits (more inside the difference quotient); each ±inf input replaced by ±`big`.
    None where there is no real exact value (outside the op's domain)."""
    import mpmath

    mp = mpmath.mp
    with mpmath.workdps(60):
        xs = [mp.mpf(big) * (1 if x > 0 else -1) if math.isinf(x) else mp.mpf(x) for x in data]
        try:
            if grad is None:
                exact = op.mp(*xs)
            else:
                positions, g = grad
                at = xs[positions[0]]

                def f(t: Any) -> Any:
                    ys = list(xs)
                    for i in positions:
                        ys[i] = t
                    return op.mp(*ys)

                h = abs(at) * mp.mpf(10) ** -25 if at != 0 else mp.mpf(10) ** -40
                # enough digits that a step h still shows beside the largest input (1e30 + 1e-333);
                # then more, until two precisions agree: tanh(331 ± h) differ only in digit 290
                largest = max([abs(x) for x in xs] + [mp.mpf(1)])
                dps = 60 + int(mp.log10(largest / h))
                exact = None
                for extra in range(0, 1300, 150):
                    with mpmath.workdps(dps + extra):
                        d = mp.diff(f, at, h=h) * g
                    if exact is not None and d != 0 and abs(d - exact) <= abs(d) * mp.mpf(10) ** -30:
                        break
                    exact = d
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            return None
    return exact if isinstance(exact, mpmath.mpf) else None


def _to_float(x: Any) -> float:
    return float(x) if abs(x) < 1.7976931348623157e308 else math.copysign(math.inf, x)


def arbitrate(
    op: Op,
    data: list[float],
    mine: float,
    theirs: float,
    grad: tuple[list[int], float] | None,
    size: float = 0.0,
) -> str:
    """Who is right when microgrand and PyTorch differ: the 60-digit value (or derivative).
    With an infinite input: the limit, the input replaced by ±10⁴⁰⁰ and by ±10⁵⁰⁰ (for a
    derivative by ±10³⁰ and ±10⁴⁰), where microgrand must agree with both."""
    if op.mp is None or any(math.isnan(x) for x in data) or (grad is not None and not math.isfinite(grad[1])):
        return "bug"
    try:
        import mpmath
    except ImportError:
        return "bug"
    if not all(math.isfinite(x) for x in data):
        if grad is None:
            return "ok limit" if _limit(op, data) == mine != theirs else "bug"
        # (a derivative is a difference quotient: the stand-ins must leave room for its step)
        limits = [_exact(op, data, grad, big) for big in ("1e30", "1e40")]
        if all(e is not None and close(mine, _to_float(e), 1e-9, ABS + REL * size) for e in limits):
            return "ok limit"
        return "bug"
    exact = _exact(op, data, grad)
    if exact is None:
        return "bug"  # no real exact value here (outside the domain): nothing to settle
    exact_f = _to_float(exact)
    if not math.isfinite(exact_f):
        return "bug"
    if not math.isfinite(mine):
        return "ok both wrong" if not math.isfinite(theirs) else "bug"
    err_mine = abs(mpmath.mpf(mine) - exact)
    err_theirs = abs(mpmath.mpf(theirs) - exact) if math.isfinite(theirs) else mpmath.inf
    tiny = 8 * math.ulp(exact_f) + ABS + REL * size
    if err_mine <= err_theirs or err_mine <= tiny:
        return "ok torch"
    return "bug"


def repro(g: Graph, n: Node | None, gup: float | None, note: str = "") -> str:
    """A short program: the op on microgrand's own input values (or the whole graph)."""
    head = ["from microgrand import Value, losses", "from microgrand.nn import Layer, Neuron"]
    if n is None or n.op is None:
        tail = [f"# {note}"] if note else []
        return "\n".join([*head, *g.code, f"{g.root.name if g.root else '?'}.backward()", *tail])
    lines = list(head)
    names = []
    for a in n.args:
        if isinstance(a, Node):
            lines.append(f"{a.name} = Value({_fmt(a.value.data)})")
            names.append(a.name)
        else:
            names.append(_fmt(float(a)))
    lines = list(dict.fromkeys(lines))
    ins = [a.name for a in dict.fromkeys(a for a in n.args if isinstance(a, Node))]
    if n.op.neuron is not None:
        nin, bias = n.op.neuron
        act = "relu" if n.op.name == "relu neuron" else "linear"
        params = names[:nin] + ([names[2 * nin]] if bias else [])
        lines.append(f"neuron = Neuron({nin}, {act!r}, bias={bias})")
        lines.append(f"for p, v in zip(neuron.parameters(), [{', '.join(params)}]): p.data = v.data")
        lines.append(f"out = neuron([{', '.join(names[nin : 2 * nin])}])")
        ins = ["*neuron.parameters()"] + [x for x in ins if x not in params]
    else:
        lines.append(f"out = {n.op.code(names)}")
    if gup is not None:
        lines.append(
            "out.backward()" if gup == 1.0 else f"(out * {_fmt(gup)}).backward()  # upstream {_fmt(gup)}"
        )
        lines.append(f"print(out.data, [v.grad for v in [{', '.join(ins)}]])")
    else:
        lines.append("print(out.data)")
    if note:
        lines.append(f"# {note}")
    return "\n".join(lines)


# ---------------------------------------------------------------- the run


@dataclass
class Report:
    graphs: int = 0
    nodes: int = 0
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (verdict, cause) -> graphs
    examples: dict[tuple[str, str], str] = field(default_factory=dict)  # the shortest reproducer

    def bugs(self) -> list[tuple[str, int]]:
        return [(c, k) for (v, c), k in self.counts.most_common() if v == "bug"]

    def add(self, verdict: Verdict, nodes: int) -> None:
        self.graphs += 1
        self.nodes += nodes
        for v, cause, example in {(v, c): (v, c, e) for v, c, e in verdict.causes}.values():
            key = (v.split()[0] if v.startswith("expected") else v, cause)
            self.counts[key] += 1
            if example and (key not in self.examples or len(example) < len(self.examples[key])):
                self.examples[key] = example

    def text(self, verbose: bool = True) -> str:
        lines = [f"{self.graphs} graphs, {self.nodes} nodes"]
        for title, want in (("BUGS (undocumented mismatches)", "bug"),
                            ("expected (documented differences)", "expected"),
                            ("ok (not microgrand's fault)", "ok")):  # fmt: skip
            rows = [(key, k) for key, k in self.counts.most_common() if key[0].startswith(want)]
            lines.append(f"\n== {title}: {len(rows)} causes")
            for key, k in rows:
                lines.append(f"  {k:6d} graphs  {key[1]}")
                example = self.examples.get(key)
                if example and (want == "bug" or verbose):
                    lines += ["        | " + line for line in example.splitlines()]
        return "\n".join(lines)


def run(graphs: int, seed: int, max_ops: int = 12) -> Report:
    rng = random.Random(seed)
    report = Report()
    for _ in range(graphs):
        g = random_graph(rng, max_ops)
        report.add(check_graph(g), len(g.leaves) + len(g.nodes))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-ops", type=int, default=12)
    parser.add_argument("-v", "--verbose", action="store_true", help="reproducers for the ok causes too")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    report = run(args.graphs, args.seed, args.max_ops)
    print(report.text(args.verbose))
    print(f"\n{time.perf_counter() - start:.1f} s")
    return 1 if report.bugs() else 0


if __name__ == "__main__":
    sys.exit(main())
