"""Graphs several test files draw and walk."""

from microgrand import Value
from microgrand.graph import lecture_example, trace


def karpathy_example() -> tuple[Value, dict[str, Value]]:
    """L = (a*b + c) * f, the graph of micrograd's first lecture, and its nodes by label."""
    L = lecture_example()
    return L, {v.label: v for v in trace(L)[0]}
