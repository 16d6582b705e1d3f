"""Proofreading (校对) for the quarterly error-free review (无差错): an item's printed text (title,
summary, body) → findings, each a rule's id, a place, the text at fault and how to fix it.

    text.py          the item as paragraphs, Markdown blanked, every offset a file column
    punctuation.py   GB/T 15834: full-width marks, pairs, doubles, 顿号, ellipsis, dash
    numbers.py       GB/T 15835: digits, years, one form per expression, ranges, 〇, grouping
    dates.py         dates against the calendar and the front matter
    names.py         leaders and their titles on the item's date; units' registered names
    words.py         the office's typos, confusions and words not to print
    rules.py         the catalogue: ids, names, default levels, which are safe to fix

The levels come from content/kanwu.yml (``proofreading:``), the lists from content/leaders.yml and
content/proof/ (``source.proofdata``).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from . import dates, names, numbers, punctuation, words
from .rules import BY_ID, OFF, RULES, Hit
from .text import FILLER, Paragraph, body_paragraphs
from ...errors import Problem

__all__ = ["Finding", "Proofreader", "proofreader", "RULES", "BY_ID", "Hit"]

CHECKERS = (punctuation.check, numbers.check, dates.check, names.check_leaders, names.check_units, words.check)


@dataclass(frozen=True)
class Context:
    date: dt.date
    reported_at: dt.datetime | None = None
    leaders: names.Leaders | None = None
    units: names.Units | None = None
    words: words.Words | None = None


@dataclass(frozen=True)
class Finding:
    """A hit placed in its file: ``text`` at (line, col), the level set for its rule."""

    path: str
    field: str
    line: int
    col: int
    text: str
    rule: str
    level: str
    message: str
    hint: str
    replacement: str | None

    def problem(self) -> Problem:
        return Problem(self.path, self.line, self.col, self.level, self.field, self.message, self.hint, self.rule)


class Proofreader:
    def __init__(self, settings, units: dict):
        self.levels = dict(settings.levels) if settings else {r.id: r.level for r in RULES}
        self.leaders = names.Leaders(settings.leaders if settings else ())
        self.units = names.Units(units)
        self.words = words.Words(*((settings.typos, settings.confusions, settings.banned) if settings else ()))
        self.active = any(level != OFF for level in self.levels.values())

    def context(self, day: dt.date, reported_at: dt.datetime | None = None) -> Context:
        return Context(day, reported_at, self.leaders, self.units, self.words)

    def hits(self, text: str, ctx: Context) -> list[Hit]:
        """Every rule's hits on one paragraph (every level, 关闭 too), in order, one per place and rule."""
        out, seen = [], set()
        for check in CHECKERS:
            for hit in check(text, ctx):
                key = (hit.rule, hit.start)
                if key not in seen:
                    seen.add(key)
                    out.append(hit)
        out.sort(key=lambda h: (h.start, h.rule))
        return out

    def item(self, item, root: str | None = None) -> list[Finding]:
        """The item's findings at the levels set (none for a rule set to 关闭)."""
        if not self.active:
            return []
        ctx = self.context(item.date, item.reported_at)
        out = []
        for para in paragraphs(item):
            shift = None
            for h in self.hits(para.text, ctx):
                level = self.levels.get(h.rule, OFF)
                if level == OFF:
                    continue
                line, col = para.where(h.start)
                if para.field:  # a front-matter value: quoted or not, read from the file when it matters
                    if shift is None:
                        shift = _value_offset(root or "", item.path, para.line, para.col, para.text)
                    col += shift
                out.append(Finding(item.path, para.field, line, col, para.text[h.start:h.end].replace(FILLER, ""),
                                   h.rule, level, h.message, h.hint, h.replacement))
        return out


def paragraphs(item) -> list[Paragraph]:
    """The title, the summary and the body's paragraphs, each placed in the item's file (a
    front-matter value at the column of its field's value: its opening quote, if quoted)."""
    out = []
    for field in ("title", "summary"):
        value = getattr(item, field, "")
        if value:
            line, col = item.lines.get(field, (1, 1))
            out.append(Paragraph(field, value, line, col))
    return out + body_paragraphs(item.body, item.body_line)


def _value_offset(root: str, path: str, line: int, col: int, value: str) -> int:
    """0 for a plain value, 1 for a quoted one: where its first character is on the line."""
    try:
        with open(os.path.join(root, path), encoding="utf-8-sig") as fh:
            for n, text in enumerate(fh, 1):
                if n == line:
                    at = text.find(value[:8], col - 1)
                    return at - (col - 1) if at >= 0 else 0
    except (OSError, UnicodeDecodeError):
        pass
    return 0


_READERS: dict = {}


def proofreader(config) -> Proofreader:
    """The configuration's proofreader, made once per configuration (its lists compiled once)."""
    settings = getattr(config, "proof", None)
    key = (id(settings), id(config.units))
    hit = _READERS.get(key)
    if hit is None or hit[0] is not settings:
        _READERS.clear()
        hit = _READERS[key] = (settings, Proofreader(settings, config.units))
    return hit[1]
