"""Float arithmetic the ops need done carefully, kept out of the engine's way.

`exp` is eˣ, inf where it overflows (as PyTorch). `power` is xⁿ on real numbers,
with errors that name the values where the result is not real, and ±inf where it
is too large for a float. `sigmoid` is σ(x) = 1/(1+e⁻ˣ), written so that exp never
overflows.
"""

from __future__ import annotations

import math


def exp(x: float) -> float:
    """eˣ, or inf where it is larger than the largest float (x > 709.78), as PyTorch."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def sigmoid(x: float) -> float:
    """σ(x) = 1/(1+e⁻ˣ) of a plain float, written two ways so that exp never overflows."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def power(x: float, n: float) -> float:
    """xⁿ as a real float (±inf if too large, as PyTorch and C's pow), or an error that names the
    values where it is not real."""
    if x < 0.0 and math.isfinite(x) and math.isfinite(n) and not n.is_integer():  # (-inf: C's pow)
        raise ValueError(f"'**': a negative base to a non-integer power is not real: ({x!r}) ** {n!r}")
    if x == 0.0 and n < 0.0:  # C's pow: inf (-inf for -0.0 to an odd power); the ops raise first
        return math.copysign(math.inf, x) if n.is_integer() and n % 2.0 == 1.0 else math.inf
    try:
        return float(x**n)
    except OverflowError:  # |xⁿ| > the largest float: inf, with the sign xⁿ would have
        return -math.inf if x < 0.0 and n % 2.0 == 1.0 else math.inf
