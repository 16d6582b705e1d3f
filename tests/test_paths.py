"""The path table (kanwu.paths) declares every path the build writes: a page kind added without
its place would be neither sealed with its year nor shared between releases, silently."""

from __future__ import annotations

import os

from conftest import built_sample
from kanwu import paths
from kanwu.incremental import years


def test_every_path_the_sample_build_writes_has_a_place(tmp_path):
    tree = built_sample(tmp_path / "repo", "--all-audiences")
    seen = set()
    for aud in ("quanti", "lingdao"):
        docs = os.path.join(tree.root, "build", aud, "docs")
        written = [os.path.relpath(os.path.join(d, f), docs) for d, _, fs in os.walk(docs, followlinks=True) for f in fs]
        live = os.path.realpath(os.path.join(tree.root, "site", aud))
        written += [os.path.relpath(os.path.join(d, f), live) for d, _, fs in os.walk(live, followlinks=True) for f in fs
                    if os.path.relpath(d, live).startswith("pagefind-")]
        assert len(written) > 300
        undeclared = [p for p in written if p.endswith((".md", ".pdf", ".docx")) or p.startswith("pagefind-")]
        undeclared = [p for p in undeclared if paths.kind_of(p) is None]
        assert undeclared == [], undeclared[:10]
        seen |= {paths.kind_of(p) for p in written} - {None}
    # the sample exercises every kind but corrections' own files, and the year-bound ones are a year's
    assert seen >= {"item page", "issue page", "periodical year", "listing year", "listing", "month", "notice",
                    "issue pdf", "issue docx", "search bundle", "page"}
    # every download an issue page links is a file the build wrote, in a declared place of a year
    quanti = os.path.join(tree.root, "build", "quanti", "docs")
    page = open(os.path.join(quanti, "periodicals/daily/2026/212.md"), encoding="utf-8").read()
    from kanwu.model import Issue
    issue = Issue(path="", periodical="daily", year=2026, number=212, total=0, date=None, editor="", signer="",
                  sections=(), distribution=(), copies=0)
    for d in paths.DOWNLOADS:
        rel = d.of(issue)
        assert paths.kind_of(rel) and years.page_year(rel) == 2026
        assert f"[{d.label}](../../../{rel})" in page and os.path.isfile(os.path.join(tree.root, "site", "quanti", rel))
    assert years.page_year("items/2026/11/20261124-qingxi-01.md") == 2026
    assert years.page_year("units/qingxi/2025.md") == 2025 and years.page_year("units/qingxi.md") is None
    assert paths.shard_of("pdf/daily/2026/212.pdf") == "pdf/daily/2026" and paths.shard_of("pdf/notices/2026-11.pdf") is None


def test_the_shared_folders_are_those_the_places_declare():
    assert paths.SHARD.pattern == r"^(docx/[^/]+/\d{4}|items/\d{4}/\d{2}|pagefind-\d{4}(?:-\d{2})?|pdf/[^/]+/\d{4}|periodicals/[^/]+/\d{4})(?:/|$)"
    assert paths.ABOVE.fullmatch("periodicals/daily") and not paths.ABOVE.fullmatch("periodicals/daily/2026")
