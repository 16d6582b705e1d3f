"""The search page, and which Pagefind bundle indexes each item page (``engine.searchindex``
builds them)."""

from __future__ import annotations

import json
from collections import defaultdict

from ..paths import item_page
from .markup import page


def pages(site) -> dict:
    """The search page. Search reads each item page (its data-pagefind-body part) and the issues
    that carried it (shown on the result, and its 刊物 filter); issue pages are not indexed: a
    result is an item, once, not every issue that repeats its text."""
    site.bundles = search_bundles([(item_page(i), i.date, site.search_key(i)) for i in site.made_items]) | site.kept_bundles()
    return {"search.md": make(site)}


def make(site) -> bytes:
    bundles = json.dumps(sorted(site.bundles, reverse=True))  # newest first: 2026-11, 2026, 2025, …
    body = f"""# 全文检索

输入关键词检索信息：标题、正文、报送单位、日期、撰稿人和标签里有这个词的都能找到（不联网，在本机浏览器中完成）。每条信息只列一次，并注明刊载它的各期；可按刊物、单位、类别、年份、月份筛选，按相关度或日期排序。先检索最近两年；要查更早的，选“全部年份”。

<div id="kanwu-search" data-bundles='{bundles}'></div>
"""
    return page("全文检索", body, "search")
def search_bundles(indexed: list) -> dict[str, dict[str, str]]:
    """Which Pagefind bundle indexes each page: one per year, and the newest month on its own.

    Publishing adds pages to the newest month, so a day's build re-indexes a month's pages
    (~500), not a year's (~5,000); the month joins its year's bundle when the next month
    starts. A bundle is re-indexed only when its pages or their search keys change.
    """
    if not indexed:
        return {}
    newest = max(day for _, day, _ in indexed)
    out: dict = defaultdict(dict)
    for path, day, key in indexed:
        name = (f"pagefind-{day:%Y-%m}" if (day.year, day.month) == (newest.year, newest.month)
                else f"pagefind-{day.year}")
        out[name][path] = key
    return dict(out)


# ---- writing -------------------------------------------------------------------------------
