"""How a Value looks in every drawing: its kind and colour, its numbers, and safe label text.

Used by the Graphviz renderer (`draw_dot`), the SVG renderer (`draw_svg`) and the
player (`stepper`), so the three show a Value the same way.
"""

from __future__ import annotations

import math
import unicodedata

from ..engine import Value

# kind: (fill colour, what it means), in the order of the legend
KINDS: dict[str, tuple[str, str]] = {
    "root": ("#ffd966", "root: the Value drawn"),
    "parameter": ("#b6d7a8", "parameter: a leaf in params"),
    "leaf": ("#cfe2f3", "leaf: a labelled Value you made"),
    "constant": ("#e6e6e6", "constant: an unlabelled leaf (a number)"),
    "result": ("#ffffff", "result of an operation"),
}
HIGHLIGHT = "#cc0000"  # the node passing its gradient in a backward frame
FORWARD = "#1155cc"  # the node computing its value in a forward frame of the player
PARTIAL = "#b45f06"  # a grad that is still a running sum (more contributions to come)
UNKNOWN = "#999999"  # "grad ?": the backward pass has not reached this Value yet
MAX_LABEL = 48  # characters of a label or op name drawn; longer ones end in "…"


def kind(v: Value, root: Value, params: set[Value]) -> str:
    if v is root:
        return "root"
    if v in params:
        return "parameter"
    if v.is_leaf:
        return "leaf" if v.label else "constant"
    return "result"


def num(x: float) -> str:
    """A number as the drawings show it: 4 significant digits."""
    return f"{x:.4g}"


def number_of(v: Value, attribute: str) -> float:
    """``v.data`` or ``v.grad``, refused clearly if someone stored something else there."""
    x = getattr(v, attribute)
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(
            f"cannot draw {_name(v)}: its {attribute} is {type(x).__name__} {x!r}, not a number. "
            f"Set it back to a float, e.g. v.{attribute} = 0.0"
        )
    return float(x)


def shown_text(v: Value, attribute: str) -> str:
    """``v.label`` or ``v.op`` as drawn: checked to be a str, made printable, at most MAX_LABEL characters.

    Control characters become escapes (``\\t``, ``\\x00``), as do the ones no picture can
    hold: Unicode noncharacters (U+FFFE, U+FFFF, U+FDD0...), lone surrogates and
    private-use code points of the last planes. A newline stays a line break.
    """
    s = getattr(v, attribute)
    if not isinstance(s, str):
        raise TypeError(
            f"cannot draw {_name(v)}: its {attribute} is {type(s).__name__} {s!r}, not a str. "
            f'Give it a text label, e.g. v.{attribute} = "{s}"'
        )
    return printable(s)


def printable(s: str) -> str:
    """`s` shortened to MAX_LABEL characters ("…" at the end) with unprintable characters escaped."""
    if len(s) > MAX_LABEL:
        s = s[: MAX_LABEL - 1] + "…"
    return "".join(c if _drawable(c) else _escape(c) for c in s)


def _drawable(c: str) -> bool:
    if c == "\n":
        return True
    code = ord(c)
    if code < 0x20 or 0x7F <= code < 0xA0:
        return False
    if 0xD800 <= code < 0xE000 or 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
        return False  # surrogates and noncharacters: not allowed in XML, rejected by dot
    return unicodedata.category(c) not in ("Cc", "Cs")


def _escape(c: str) -> str:
    code = ord(c)
    if code < 0x80:
        return repr(c)[1:-1] if c in "\t\r" or code < 0x20 else f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _name(v: Value) -> str:
    label = v.label if isinstance(v.label, str) and v.label else None
    if label is not None:
        return f"the Value labelled {printable(label)!r}"
    data = v.data if isinstance(v.data, float) and math.isfinite(v.data) else None
    op = v.op if isinstance(v.op, str) and v.op else None
    what = f"the result of {printable(op)!r}" if op else "a leaf"
    return f"{what} (data {num(data)})" if data is not None else what
