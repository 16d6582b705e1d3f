"""What generated pages are written with: relative links and addresses as MkDocs makes them,
Markdown and raw-HTML escaping, lists and tables as raw HTML, a page's front matter, dates in
Chinese. Shared by every page kind (and the printed HTML's dates) without importing the page
generation itself."""

from __future__ import annotations

import datetime as dt
import json
import re

from ..source import render


def link(src: str, dest: str) -> str:
    """A relative link from page ``src`` to file ``dest`` (both docs-relative, normalised).

    posixpath.relpath would do, but it resolves both against the working directory: at
    250,000 links per build that was the single largest cost of generation.
    """
    here, there = src.split("/")[:-1], dest.split("/")
    i = 0
    while i < len(here) and i < len(there) - 1 and here[i] == there[i]:
        i += 1
    return "/".join([".."] * (len(here) - i) + there[i:])


def page_url(path: str) -> str:
    """The address MkDocs gives a docs-relative Markdown file with
    ``use_directory_urls: true``, as mkdocs.yml sets it: units/qingxi.md → units/qingxi/."""
    if path == "index.md" or path.endswith("/index.md"):
        return path[:-8]
    return path[:-3] + "/"


def href(src: str, dest: str) -> str:
    """The relative address MkDocs writes for a Markdown link from page ``src`` to page ``dest``
    (tested against mkdocs.utils.get_relative_url), for raw HTML that MkDocs does not read:
    an item page's metadata list as Markdown inside a nested ``markdown`` block took a third of
    the Markdown conversion of every item page (0.74 → 0.48 ms measured), 51,000 of them at 50,000 items."""
    url = page_url(dest)
    here = [p for p in page_url(src).split("/") if p]
    there = [p for p in url.split("/") if p]
    i = 0
    while i < len(here) and i < len(there) and here[i] == there[i]:
        i += 1
    rel = "/".join([".."] * (len(here) - i) + there[i:]) or "."
    return rel + "/" if url.endswith("/") else rel


def md(text: str) -> str:
    """Escape text for Markdown inline content (titles come from items)."""
    text = render.esc(text).replace("&quot;", '"').replace("&#x27;", "'")
    return re.sub(r"([\\`*_{}\[\]()#+\-!|~])", r"\\\1", text)


def html_list(entries: list[str]) -> str:
    """A list as raw HTML, its entries already escaped. Listings are most of what a publish
    re-renders: a category's year page (1,831 links at 50,000 items) took 97 ms in Python-Markdown
    as a Markdown list, 38 ms as raw HTML, and MkDocs no longer checks each of its links."""
    return "<ul>\n" + "\n".join(f"<li>{e}</li>" for e in entries) + "\n</ul>" if entries else ""


def html_table(head: list[str], rows: list[list], right: set[int] | frozenset[int] = frozenset()) -> str:
    """A table as raw HTML (see ``html_list``); cells already escaped; columns in ``right`` aligned right."""
    def row(cells, tag):
        return "<tr>" + "".join(f'<{tag} align="right">{c}</{tag}>' if n in right else f"<{tag}>{c}</{tag}>"
                                for n, c in enumerate(cells)) + "</tr>"
    return ("<table>\n<thead>\n" + row(head, "th") + "\n</thead>\n<tbody>\n"
            + "\n".join(row(r, "td") for r in rows) + "\n</tbody>\n</table>")


def file_href(src: str, dest: str) -> str:
    """``href`` for a file (a PDF), not a page: from the built page of ``src`` to ``dest`` as is."""
    here = [p for p in page_url(src).split("/") if p]
    there = dest.split("/")
    i = 0
    while i < len(here) and i < len(there) - 1 and here[i] == there[i]:
        i += 1
    return "/".join([".."] * (len(here) - i) + there[i:])


def html_link(src: str, dest: str, text: str) -> str:
    """A link to page ``dest`` from page ``src`` as raw HTML, ``text`` escaped here."""
    return f'<a href="{href(src, dest)}">{render.esc(text)}</a>'


def page(title: str, body: str, kind: str, **meta) -> bytes:
    """A generated Markdown page. Its title is escaped here: MkDocs and Material write
    ``page.title`` unescaped into ``<title>``, the header, the navigation and attributes, and
    titles hold what items say (a title, a tag, a unit's name)."""
    head = {"title": render.esc(title), "kanwu": kind, **meta}
    lines = ["---"] + [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in head.items()] + ["---", "", body.strip(), ""]
    return "\n".join(lines).encode("utf-8")


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
