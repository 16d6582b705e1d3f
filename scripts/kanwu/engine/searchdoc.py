"""What Pagefind indexes for an item: a small *search document* made from the item's built page.

Pagefind 1.5 segments Chinese with one dictionary when it indexes (jieba) and another when it
searches (the browser's Intl.Segmenter): a query the two cut differently finds nothing, and a
word the dictionary does not know (a place, a name, 12345热线) is hard to find at all. So
kanwu does not let Pagefind segment. Every run of letters and digits is written as overlapping
character pairs, the run's last character alone at its end::

    燃气安全检查 → 燃气 气安 安全 全检 检查 查

A text contains a query exactly when the query's pairs occur as consecutive words of the
document (the search page sends them as one quoted phrase), so every item that holds the query is
found, whatever the dictionaries think a word is. A query of one character is looked up as a word
of its own: each document ends with every character it holds, once (Pagefind's prefix search
would find 气 in 气安 only if the index chunk holding 气安 happened to be loaded). The page's own script (``theme/overrides/
assets/kanwu-search.js``) cuts the query by the same rule; ``tokens`` here and ``runs`` there must
stay in step (``tests/test_search.py`` checks both on the same strings).

The document is built from the page as readers see it (after redaction, in the build's
audience): the ``data-pagefind-body`` part less what is marked ``data-pagefind-ignore``. The text
shown in results (title, a snippet of the body, date, unit, category, the issues that carried
the item) travels as Pagefind metadata; filters and the date sort come from the hidden
``data-pagefind-filter`` and ``data-pagefind-sort`` spans the page carries.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import unicodedata
from html.parser import HTMLParser

RUN = re.compile(r"[^\W_]+")  # letters and digits, as the script's /[\p{L}\p{N}]+/u
_BLOCKS = {"p", "li", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "table", "ul", "ol", "blockquote"}
_VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "source", "col", "area", "base", "embed", "param", "track"}


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[str]:
    return RUN.findall(normalise(text))


def characters(texts: list[str]) -> list[str]:
    """Every letter or digit of ``texts``, once each, in code point order."""
    return sorted({c for text in texts for run in runs(text) for c in run})


def tokens(text: str) -> list[str]:
    """The words Pagefind indexes for ``text``: each run's character pairs, then its last character."""
    out: list[str] = []
    for run in runs(text):
        out += [run[i:i + 2] for i in range(len(run) - 1)]
        out.append(run[-1])
    return out


class Page:
    """What a built item page holds for search."""

    def __init__(self) -> None:
        self.title = ""
        self.text: list[str] = []  # searchable text, block by block
        self.body: list[str] = []  # the item's own text (kanwu-body), for snippets
        self.filters: list[tuple[str, str]] = []
        self.sorts: list[tuple[str, str]] = []
        self.meta: dict[str, str] = {}
        self.carried: list[tuple[str, str]] = []  # (issue label, link relative to the page)
        self.adopted: list[str] = []  # adoptions by other offices (no link)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, set]] = []  # (tag, roles the element opened)
        self.roles: dict[str, int] = {}
        self.span: tuple[str, str] | None = None
        self.span_text: list[str] = []
        self.section = ""  # text of the last h2 outside the body
        self.h2: list[str] | None = None
        self.li: list[str] | None = None  # the text of an item of the 采用情况 list
        self.href = ""  # its first link, and that link's text
        self.link: list[str] | None = None
        self.line: list[str] = []
        self.body_line: list[str] = []

    def _in(self, role: str) -> bool:
        return self.roles.get(role, 0) > 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        opened = set()
        if "data-pagefind-body" in a:
            opened.add("body")
        if "data-pagefind-ignore" in a or "hidden" in a:
            opened.add("ignore")
        if "kanwu-body" in (a.get("class") or "").split():
            opened.add("text")
        if tag == "h1" and self._in("body"):
            opened.add("title")
        for key, role in (("data-pagefind-filter", "filter"), ("data-pagefind-sort", "sort"),
                          ("data-pagefind-meta", "meta")):
            if key in a:
                self.span, self.span_text = (role, a[key] or ""), []
        if tag in _BLOCKS:
            self._break()
        if not self._in("body"):
            if tag == "h2":
                self.h2 = []
            elif tag == "li" and self.section == "采用情况":
                self.li, self.href, self.link = [], "", None
            elif tag == "a" and self.li is not None and not self.href and a.get("href"):
                self.href, self.link = a["href"], []
        if tag in _VOID:
            return
        for role in opened:
            self.roles[role] = self.roles.get(role, 0) + 1
        self.stack.append((tag, opened))

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if self.span is not None and tag == "span":
            role, name = self.span
            value = "".join(self.span_text).strip()
            if role == "filter":
                self.page.filters.append((name, value))
            elif role == "sort":
                self.page.sorts.append((name, value))
            else:
                self.page.meta[name] = value
            self.span = None
        while self.stack:  # tolerate unclosed elements: close up to the matching tag
            name, opened = self.stack.pop()
            for role in opened:
                self.roles[role] -= 1
            if name == tag:
                break
        if tag in _BLOCKS:
            self._break()
        if tag == "h2" and self.h2 is not None:
            self.section, self.h2 = "".join(self.h2).strip(), None
        elif tag == "a" and self.link is not None and self.li is not None:
            self.page.carried.append((" ".join("".join(self.link).split()), self.href))
            self.link = None
        elif tag == "li" and self.li is not None:
            label = " ".join("".join(self.li).split())
            if not self.href and label:
                self.page.adopted.append(label)
            self.li = self.link = None

    def handle_data(self, data):
        if self.span is not None:
            self.span_text.append(data)
            return
        if self.h2 is not None:
            self.h2.append(data)
        if self.li is not None:
            self.li.append(data)
        if self.link is not None:
            self.link.append(data)
        if not self._in("body") or self._in("ignore"):
            return
        if self._in("title"):
            self.page.title += data
        self.line.append(data)
        if self._in("text"):
            self.body_line.append(data)

    def _break(self):
        for parts, out in ((self.line, self.page.text), (self.body_line, self.page.body)):
            line = " ".join("".join(parts).split())
            if line:
                out.append(line)
            parts.clear()


def read_page(page_html: str) -> Page:
    """The search-relevant parts of a built page (only the article is read)."""
    start = page_html.find("data-pagefind-body")
    start = page_html.rfind("<", 0, start) if start >= 0 else -1
    if start < 0:
        return Page()
    end = page_html.find("</article>", start)
    reader = _Reader()
    reader.feed(page_html[start:end if end >= 0 else len(page_html)])
    reader.close()
    reader._break()
    return reader.page


def document(page_html: str, url: str) -> bytes:
    """The HTML Pagefind indexes for the page at ``url`` (e.g. ``/items/2026/11/x/``)."""
    page = read_page(page_html)
    esc = html.escape
    text = page.text[1:] if page.text and page.text[0] == " ".join(page.title.split()) else page.text
    issues = [[label, posixpath.normpath(posixpath.join(url, href)).lstrip("/") + "/"] for label, href in page.carried]
    meta = {"title": " ".join(page.title.split()), "text": "\n".join(page.body), **page.meta,
            "issues": json.dumps(issues, ensure_ascii=False), "adopted": json.dumps(page.adopted, ensure_ascii=False)}
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title></title></head><body><main data-pagefind-body>",
             f"<h1>{esc(' '.join(tokens(page.title)))}</h1>"]
    parts += [f"<p>{esc(' '.join(tokens(line)))}</p>" for line in text]
    parts.append(f"<p>{esc(' '.join(characters([page.title, *text])))}</p>")
    parts += [f'<span data-pagefind-meta="{esc(k)}">{esc(v)}</span>' for k, v in meta.items()]
    parts += [f'<span data-pagefind-filter="{esc(k)}">{esc(v)}</span>' for k, v in page.filters if v]
    parts += [f'<span data-pagefind-sort="{esc(k)}">{esc(v)}</span>' for k, v in page.sorts if v]
    parts.append("</main></body></html>")
    return "\n".join(parts).encode("utf-8")
