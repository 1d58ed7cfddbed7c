"""How wide a text is drawn: what the SVG renderer sizes its boxes by (Graphviz measures its own).

Boxes are sized for Helvetica; Arial and Liberation Sans have the same widths, and the
player squeezes a text that a wider font would spill out of its cell.
"""

from __future__ import annotations

import unicodedata

# Helvetica's advance widths (its AFM metrics, per 1000 units of font size) for the
# printable ASCII characters from " " to "~"; Arial and Liberation Sans share them.
_ASCII_WIDTHS = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # space to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0 to ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @ to O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P to _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # ` to o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # p to ~
]  # fmt: skip


def text_width(s: str, size: float, bold: bool = False) -> float:
    """How wide `s` is drawn in Helvetica at `size` px (an estimate that errs on the wide side)."""
    units = 0.0
    for c in s:
        code = ord(c)
        if 32 <= code < 127:
            units += _ASCII_WIDTHS[code - 32]
        elif unicodedata.east_asian_width(c) in "WF":
            units += 1000
        elif unicodedata.combining(c):
            continue
        else:
            units += 640  # Greek, maths signs, "…", ...: about an average letter, a little more
    return units * size / 1000 * (1.1 if bold else 1.04)
