"""Graphs several test files draw and walk."""

from microgrand import Value


def karpathy_example() -> tuple[Value, dict[str, Value]]:
    """L = (a*b + c) * f, the graph of micrograd's first lecture, every node labelled."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L, {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "L": L}
