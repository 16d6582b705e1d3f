"""Kanwu's own line breaking for Chinese paragraphs on the 28-cell grid.

WeasyPrint justifies by stretching spaces only, so Chinese lines never come out flush,
and lines with digits or Latin end up to a character short. kanwu therefore breaks
paragraphs itself:

* a full-width character is one cell; a run of half-width characters (digits, Latin)
  is a box of its own width, as Word sets it: a lone digit takes half a cell, not a whole
  one with a gap on each side ("11月 1 日");
* the rules of GB/T 15834 line breaking (避头尾): closing marks never start a line,
  opening marks never end one, —— and …… are never split;
* a line that comes out short (a mark pushed down, a box that did not fit, the half
  cells of its digits) is made flush by spreading the missing width evenly over its gaps
  (a tenth of a point each for a lone digit); the paragraph's last line is not. A line of
  full-width characters only is exactly 28 cells on the grid.

Each line is emitted as its own block, so WeasyPrint only draws what was decided here.
"""

from __future__ import annotations

import html
import math
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from .fonts import EM, width

NO_START = set("，。、；：！？）》」』】〕〉”’％‰")
NO_END = set("（《「『【〔〈“‘")
PAIRS = ("——", "……")
INLINE = {"strong", "em", "b", "i", "u", "s", "sub", "sup", "code", "a"}


@dataclass
class Unit:
    html: str  # its text, already escaped
    cells: int
    stack: tuple  # open inline tags as (name, attrs html)
    no_start: bool = False
    no_end: bool = False
    box: float = 0.0  # a run of half-width characters: the width (pt) of its box, its natural width

    def width(self, cell: float) -> float:
        return self.box or self.cells * cell


class _Tokens(HTMLParser):
    """Inner HTML of a paragraph → (char, tag stack) list; None if it holds anything else."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chars: list = []
        self.stack: list = []
        self.complex = False

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.chars.append(("\n", tuple(self.stack)))
            return
        if tag not in INLINE:
            self.complex = True
            return
        attr_html = "".join(f' {k}="{html.escape(v or "", quote=True)}"' for k, v in attrs)
        self.stack.append((tag, attr_html))

    def handle_endtag(self, tag):
        if tag in INLINE and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()
        elif tag in INLINE:
            self.complex = True

    def handle_data(self, data):
        for ch in data:
            self.chars.append((ch, tuple(self.stack)))


def full_width(ch: str, family: str) -> bool:
    return width(ch, family) >= EM * 0.95 or unicodedata.east_asian_width(ch) in "WF"


def units_of(chars: list, family: str, cell: float, font_size: float) -> list[Unit]:
    out: list[Unit] = []
    i = 0
    while i < len(chars):
        ch, stack = chars[i]
        if ch in "\n":
            out.append(Unit("\n", 0, stack))
            i += 1
            continue
        if ch in "\t\r":
            ch = " "
        pair = "".join(c for c, _ in chars[i:i + 2])
        if pair in PAIRS:
            out.append(Unit(html.escape(pair), 2, stack))
            i += 2
            continue
        if full_width(ch, family):
            out.append(Unit(html.escape(ch), 1, stack, ch in NO_START, ch in NO_END))
            i += 1
            continue
        j = i
        while (j < len(chars) and chars[j][1] == stack and chars[j][0] not in "\n"
               and not full_width(chars[j][0], family) and j - i < 40):
            j += 1
            if chars[j - 1][0] == " " and j - i >= 12:
                break  # long Latin text may break after a space
        run = "".join(c for c, _ in chars[i:j])
        natural = sum(width(c, family) for c in run) * font_size / EM
        cells = max(1, math.ceil((natural - 0.5) / cell))  # what it would take on the grid (a hint only)
        first, last = run.lstrip()[:1], run.rstrip()[-1:]
        out.append(Unit(html.escape(run), cells, stack, first in ",.;:!?)]%", last in "([" or run.endswith("#"),
                        box=round(natural, 2)))
        i = j
    return out


SLACK = 0.5  # pt a line may overflow its width: two digits (2 × 8 pt) fill one 15.75 pt cell


def break_lines(units: list[Unit], capacity: int, first_capacity: int,
                cell: float = 15.75) -> list[tuple[list[Unit], int, bool]]:
    """→ [(units, capacity in cells, forced_end)] greedily by width, honouring 避头尾."""
    lines = []
    start = 0
    cap = first_capacity
    while start < len(units):
        used = 0.0
        i = start
        while i < len(units) and units[i].html != "\n" and used + units[i].width(cell) <= cap * cell + SLACK:
            used += units[i].width(cell)
            i += 1
        if i < len(units) and units[i].html == "\n":
            lines.append((units[start:i], cap, True))
            start, cap = i + 1, capacity
            continue
        if i >= len(units):
            lines.append((units[start:i], cap, True))
            break
        if i == start:  # one unit wider than a line: it goes alone
            i = start + 1
        else:
            j = i
            while j > start + 1 and (units[j].no_start or units[j - 1].no_end):
                j -= 1
            if not (units[j].no_start or units[j - 1].no_end):
                i = j
        lines.append((units[start:i], cap, False))
        start, cap = i, capacity
    return lines


def _emit(units: list[Unit], gap: float, spans: bool) -> str:
    """The line's HTML. ``gap``: extra width between units; as letter-spacing of the line (set by
    the caller) plus a right margin on half-width boxes, which letter-spacing does not reach; or,
    with ``spans``, as an empty box between units (for lines with —— or ……, whose two characters
    letter-spacing would pull apart). An issue has ~250 such gaps: boxes cost a third of its layout."""
    out: list[str] = []
    current: tuple[tuple[str, str], ...] = ()
    last = len(units) - 1
    for n, u in enumerate(units):
        if u.stack != current:
            out.append("".join(f"</{t}>" for t, _ in reversed(current)))
            out.append("".join(f"<{t}{a}>" for t, a in u.stack))
            current = u.stack
        if u.box:
            margin = f";margin-right:{gap:.3f}pt" if gap and not spans and n < last else ""
            out.append(f'<span class="hw" style="width:{u.box:.2f}pt{margin}">{u.html}</span>')
        else:
            out.append(u.html)
        if gap and spans and n < last:
            out.append(f'<span class="gap" style="width:{gap:.3f}pt"></span>')
    out.append("".join(f"</{t}>" for t, _ in reversed(current)))
    return "".join(out)


def paragraph(inner_html: str, family: str, cells: int = 28, indent: int = 2, cell: float = 15.75,
              font_size: float = 16.0, css_class: str = "") -> str | None:
    """A paragraph as line blocks on the grid, or None when it holds more than inline text."""
    parser = _Tokens()
    parser.feed(inner_html)
    parser.close()
    if parser.complex:
        return None
    chars = parser.chars
    while chars and chars[0][0].isspace():
        chars = chars[1:]
    while chars and chars[-1][0].isspace():
        chars = chars[:-1]
    if not chars:
        return ""
    units = units_of(chars, family, cell, font_size)
    rows = []
    for n, (line, cap, forced_end) in enumerate(break_lines(units, cells, cells - indent, cell)):
        used = sum(u.width(cell) for u in line)
        gap = 0.0
        if not forced_end and used < cap * cell - 0.01 and len(line) > 1:
            gap = (cap * cell - used) / (len(line) - 1)
        spans = any(u.cells == 2 and not u.box for u in line)  # a pair: —— or ……
        style = [f"padding-left:{indent * cell:.2f}pt"] if n == 0 and indent else []
        if gap and not spans:
            style.append(f"letter-spacing:{cell - font_size + gap:.3f}pt")
        style_attr = f' style="{";".join(style)}"' if style else ""
        rows.append(f'<span class="ln"{style_attr}>{_emit(line, gap, spans)}</span>')
    cls = f' class="{css_class}"' if css_class else ""
    return f"<p{cls}>" + "".join(rows) + "</p>"
