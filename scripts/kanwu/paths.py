"""Where everything goes: one table of the site's places (as MkDocs keeps a page's source,
destination and URL in one ``File``).

Each ``Place`` is a kind of output path (docs-relative Markdown pages, PDFs and .docx files, and
the search bundles in the release): its pattern, whether one year's items or issues alone make it
(the ``year`` group: ``incremental.years`` seals such pages with their year), and which folder of
it is a shard (``incremental.shards``: shared between releases through the store). Page
generation builds paths with the functions below; the years, the shards, MkDocs' outputs and the
release check read the same table. ``tests/test_paths.py`` fails on a generated path no place
declares: a new page kind is one entry here and its generator.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from .model import Issue, Item
from .source.fields import CATEGORIES

YEAR = r"(?P<year>\d{4})"


@dataclass(frozen=True)
class Place:
    kind: str
    pattern: str  # a regex over the path; a ``year`` group when that year alone makes it
    shard: tuple[str, ...] = ()  # the path segments (regexes) of the shard folder it lives in


PLACES: tuple[Place, ...] = (
    Place("item page", rf"items/{YEAR}/\d{{2}}/[^/]+\.md", shard=("items", r"\d{4}", r"\d{2}")),
    Place("item asset", rf"items/{YEAR}/\d{{2}}/.+", shard=("items", r"\d{4}", r"\d{2}")),
    Place("issue page", rf"periodicals/[^/]+/{YEAR}/.+", shard=("periodicals", "[^/]+", r"\d{4}")),
    Place("periodical year", rf"periodicals/[^/]+/{YEAR}\.md"),
    Place("periodical", r"periodicals/[^/]+/index\.md|periodicals/index\.md"),
    Place("listing year", rf"(?:units|categories|tags)/[^/]+/{YEAR}\.md"),
    Place("listing", r"(?:units|categories|tags)/[^/]+\.md|(?:units|categories|tags)/index\.md"),
    Place("month", rf"months/{YEAR}-\d{{2}}\.md"),
    Place("notice", rf"notices/{YEAR}-(?:\d{{2}}|Q\d)\.md"),
    Place("notice pdf", rf"pdf/notices/{YEAR}-(?:\d{{2}}|Q\d)\.pdf"),
    Place("issue pdf", rf"pdf/(?!notices/)[^/]+/{YEAR}/.+", shard=("pdf", "[^/]+", r"\d{4}")),
    Place("issue docx", rf"docx/[^/]+/{YEAR}/.+", shard=("docx", "[^/]+", r"\d{4}")),
    Place("search bundle", r"pagefind-\d{4}(?:-\d{2})?(?:/.*)?", shard=(r"pagefind-\d{4}(?:-\d{2})?",)),
    Place("page", r"[^/]+\.md|(?:help|stats|months|notices)/[^/]+\.md"),  # home, search, supervision, help, statistics
)

_YEAR_BOUND = re.compile("|".join(  # each place's year group named apart: one match gives the year
    p.pattern.replace("(?P<year>", f"(?P<year{n}>") for n, p in enumerate(PLACES) if "(?P<year>" in p.pattern))
_KINDS = [(p.kind, re.compile(p.pattern)) for p in PLACES]
_SHARDS = sorted({p.shard for p in PLACES if p.shard})
SHARD = re.compile("^(" + "|".join("/".join(s) for s in _SHARDS) + ")(?:/|$)")
ABOVE = re.compile("^(" + "|".join(sorted({"/".join(s[:i]) for s in _SHARDS for i in range(1, len(s))})) + ")$")


def kind_of(path: str) -> str | None:
    """The place ``path`` belongs to, or None for a path no place declares."""
    return next((kind for kind, rx in _KINDS if rx.fullmatch(path)), None)


def page_year(path: str) -> int | None:
    """The year whose items or issues alone make the page (or PDF) at ``path``; None for a page
    that spans years (lists, statistics, the home page), which every build makes anew."""
    m = _YEAR_BOUND.fullmatch(path)
    return int(next(y for y in m.groups() if y)) if m else None


def shard_of(rel: str) -> str | None:
    """The shard an output path (relative to the release) belongs to, or None."""
    m = SHARD.match(rel)
    return m.group(1) if m else None


def outputs(rel: str) -> list[str]:
    """The files MkDocs writes for a docs-relative source path (use_directory_urls)."""
    if not rel.endswith(".md"):
        return [rel]
    stem = rel[:-3]
    if stem == "index":
        return ["index.html"]
    if stem.endswith("/index"):
        return [stem[:-5] + "index.html"]
    return [stem + "/index.html"]


# ---- the paths page generation writes ------------------------------------------------------

def item_page(item: Item) -> str:
    return f"items/{item.date.year:04d}/{item.date.month:02d}/{item.id}.md"


def issue_page(issue: Issue) -> str:
    return f"periodicals/{issue.periodical}/{issue.year:04d}/{issue.number:03d}.md"


def issue_pdf(issue: Issue) -> str:
    return f"pdf/{issue.periodical}/{issue.year:04d}/{issue.number:03d}.pdf"


def issue_docx(issue: Issue) -> str:
    """The issue as a Word document (word/export.py), beside its PDF."""
    return f"docx/{issue.periodical}/{issue.year:04d}/{issue.number:03d}.docx"


@dataclass(frozen=True)
class Download:
    """A file an issue may have beside its page (a format the build makes from the issue), linked
    from the page when this build has it. A new output format is its maker, a ``Place`` above and
    a line here; the issue page and its cache key read this list."""

    label: str
    of: Callable[[Issue], str]


DOWNLOADS: tuple[Download, ...] = (
    Download("下载 PDF（印刷版）", issue_pdf),
    Download("下载 Word 文档（.docx）", issue_docx),
)


def correction_pdf(issue: Issue) -> str:
    """The 勘误 notice of an issue with corrections (its own PDF stays as sent)."""
    return f"pdf/{issue.periodical}/{issue.year:04d}/{issue.number:03d}-correction.pdf"


CATEGORY_SLUGS = dict(zip(CATEGORIES, ("dongtai", "jingyan", "wenti", "jianyi", "sheqing", "diaoyan", "zongshu", "tufa")))


def category_page(category: str) -> str:
    return f"categories/{CATEGORY_SLUGS[category]}.md"


def tag_page(tag: str) -> str:
    return f"tags/{hashlib.sha1(tag.encode('utf-8')).hexdigest()[:10]}.md"


def notice_page(slug: str) -> str:
    return f"notices/{slug}.md"


def notice_pdf(slug: str) -> str:
    return f"pdf/notices/{slug}.pdf"
