"""Graphs to draw and step through: the README's pictures, the tests and the benchmarks use them.

>>> from microgrand.examples import lecture_example
>>> L = lecture_example()
>>> L.backward()
>>> L.data, L.grad
(-8.0, 1.0)
"""

from __future__ import annotations

from .engine import Value


def lecture_example() -> Value:
    """L = (a·b + c)·f with a, b, c, f = 2, -3, 10, -2: the first graph of micrograd's lecture,
    of notebook 2 and of the README's pictures, every node labelled (e = a·b, d = e + c, L)."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L
