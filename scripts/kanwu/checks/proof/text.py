"""An item's printed text as paragraphs the rules read, each offset mapped back to (line, column).

Markdown markup (``**``, ``#``, list markers, links' addresses, HTML tags, table bars) is blanked
with ``FILLER``, one for one, so that every offset of a paragraph is the column of the same
character in the file; fenced code is left out. The rules treat ``FILLER`` as nothing at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FILLER = "\x01"
_MARKUP = re.compile(r"[*_#>\[\]<!|`&{]")  # a line with none of these is its own text (most lines)
_LIST = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])(\s+)")
_HEADING = re.compile(r"^(\s{0,3}#{1,6})(\s+)")
_QUOTE = re.compile(r"^(\s{0,3}>\s?)+")
_HR = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$|^\s*\|?(\s*:?-+:?\s*\|)+\s*(:?-+:?\s*)?$")  # a rule, a table's |---|
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_BLANKED = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|<[^>\n]*>|&[a-zA-Z#0-9]+;|`[^`\n]*`|\*+|(?<![\w])_+|_+(?![\w])|\[|\||\{:?\s*[.#][^}]*\}")


@dataclass(frozen=True)
class Paragraph:
    field: str  # "title", "summary", or "" for the body
    text: str
    line: int  # the file line of text[0]
    col: int  # the column of text[0] on that line (1-based)
    breaks: tuple = ()  # offsets of the "\n" joining its lines

    def where(self, offset: int) -> tuple[int, int]:
        """(line, column) in the file of the character at ``offset``."""
        line, start = self.line, -1
        for b in self.breaks:
            if b >= offset:
                break
            line, start = line + 1, b
        if start < 0:
            return line, self.col + offset
        return line, offset - start


def _blank(match: re.Match) -> str:
    return FILLER * len(match.group(0))


def clean_line(line: str) -> tuple[str, bool]:
    """(the line with its markup blanked, whether it starts a block of its own)."""
    if not _MARKUP.search(line) and not _LIST.match(line):
        return line, False
    starts = False
    for pattern in (_HEADING, _QUOTE, _LIST):
        m = pattern.match(line)
        if m:
            line = FILLER * m.end() + line[m.end():]
            starts = True
    if line.lstrip().startswith("|"):
        starts = True
    return _BLANKED.sub(_blank, line), starts


def body_paragraphs(body: str, first_line: int) -> list[Paragraph]:
    """The body's paragraphs (a heading, a list entry and a table row each one of its own)."""
    out: list[Paragraph] = []
    lines: list[str] = []
    start = first_line
    fence = ""

    def flush():
        if lines:
            text = "\n".join(lines)
            breaks, at = [], -1
            for piece in lines[:-1]:
                at += len(piece) + 1
                breaks.append(at)
            if text.strip(FILLER + " \t\n"):
                out.append(Paragraph("", text, start, 1, tuple(breaks)))
            lines.clear()

    for n, raw in enumerate(body.split("\n")):
        lineno = first_line + n
        m = _FENCE.match(raw)
        if fence or m:
            flush()
            if m and not fence:
                fence = m.group(1)[0] * 3
            elif m and raw.strip().startswith(fence):
                fence = ""
            continue
        if not raw.strip() or _HR.match(raw):
            flush()
            continue
        text, own = clean_line(raw)
        if own:
            flush()
        if not lines:
            start = lineno
        lines.append(text)
    flush()
    return out
