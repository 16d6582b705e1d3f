"""The blocks of an item's HTML (Markdown rendered and sanitised, or mammoth's from a Word
document): paragraphs, headings, list items, tables and images, each with its runs of text."""

from __future__ import annotations

import html.parser
from dataclasses import dataclass, field


@dataclass
class Block:
    kind: str  # p, h3, h4, li, table, img
    runs: list = field(default_factory=list)  # (text, bold, italic)
    rows: list = field(default_factory=list)  # table: [[cell text]]
    number: int = 0  # an ordered list's item number
    src: str = ""


class _Parser(html.parser.HTMLParser):
    """Blocks of the HTML ``render.body_html`` (nh3 has removed everything else) or mammoth makes:
    paragraphs (a paragraph inside a list item or a table cell is part of it), headings, list items,
    tables, images."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.bold = self.italic = 0
        self.lists: list[list] = []  # [ordered, count]
        self.row: list | None = None
        self.cell: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li") and self.cell is None:
            kind = {"h1": "h3", "h2": "h3", "h5": "h4", "h6": "h4"}.get(tag, tag)
            number = 0
            if tag == "li" and self.lists:
                self.lists[-1][1] += 1
                number = self.lists[-1][1] if self.lists[-1][0] else 0
            if not (tag == "p" and self.current is not None and self.current.kind == "li"):
                self.current = Block(kind, number=number)
                self.blocks.append(self.current)
        elif tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 0])
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "br":
            self._text("\n")
        elif tag == "table":
            self.blocks.append(Block("table"))
        elif tag == "tr" and self.blocks and self.blocks[-1].kind == "table":
            self.row = []
            self.blocks[-1].rows.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.row.append(self.cell)
        elif tag == "img":
            self.blocks.append(Block("img", src=dict(attrs).get("src") or ""))
            self.current = None  # text after the image is a paragraph of its own

    def handle_endtag(self, tag):
        if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li") and self.cell is None:
            if not (tag == "p" and self.current is not None and self.current.kind == "li"):
                self.current = None
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag in ("td", "th"):
            self.cell = None
        elif tag == "tr":
            self.row = None

    def handle_data(self, data):
        self._text(data)

    def _text(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
            return
        if self.current is None:
            if not data.strip():
                return
            self.current = Block("p")
            self.blocks.append(self.current)
        self.current.runs.append((data, bool(self.bold), bool(self.italic)))


def html_blocks(html_text: str) -> list[Block]:
    parser = _Parser()
    parser.feed(html_text)
    parser.close()
    return parser.blocks
