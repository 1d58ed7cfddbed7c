"""microgrand.examples: the README's graph, checked against the lecture's numbers by hand."""

from __future__ import annotations

import doctest

import microgrand.examples
from microgrand.examples import lecture_example
from microgrand.graph import trace


def test_the_lecture_graph_has_the_lecture_numbers() -> None:
    L = lecture_example()
    L.backward()
    values = {v.label: v for v in trace(L)[0]}
    a, b, c, f = 2.0, -3.0, 10.0, -2.0
    d = a * b + c
    data = {"L": d * f, "d": d, "e": a * b, "a": a, "b": b, "c": c, "f": f}
    assert {k: v.data for k, v in values.items()} == data
    # dL/dx by the chain rule, written out: L = d·f, d = e + c, e = a·b
    assert {k: v.grad for k, v in values.items()} == {
        "L": 1.0, "d": f, "f": d, "e": f, "c": f, "a": f * b, "b": f * a,
    }  # fmt: skip


def test_the_docstring_example_runs() -> None:
    assert doctest.testmod(microgrand.examples).failed == 0
