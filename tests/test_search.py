"""Search as a reader uses it: the built sample site in headless Chromium, the found sets checked
against the text of the audience's item pages (ground truth by substring), not the page structure."""

from __future__ import annotations

import hashlib
import os
import re

import pytest
import yaml

from conftest import ROOT, built_sample, copy_sample, serve, shot
from kanwu.tools import recall
from kanwu.engine import searchdoc

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return built_sample(tmp_path_factory.mktemp("search") / "repo", "--all-audiences", "--no-pdf")


@pytest.fixture(scope="module")
def server(built):
    with serve(os.path.join(built.root, "site")) as url:
        yield url


def item_urls(site, audience):
    """The address of every item page of ``audience`` in the built ``site`` folder."""
    root = os.path.join(site, audience)
    urls = []
    for dirpath, _, files in os.walk(os.path.join(root, "items"), followlinks=True):
        if "index.html" in files:
            urls.append("/" + audience + "/" + os.path.relpath(dirpath, root).replace(os.sep, "/") + "/")
    return sorted(urls)


@pytest.fixture(scope="module")
def texts(built, server, browser):
    """{audience: {item url: {text, title}}} as Chromium renders the built pages."""
    context = browser.new_context(locale="zh-CN")
    try:
        pg = context.new_page()
        out = {}
        for audience in ("quanti", "lingdao"):
            pg.goto(f"{server}/{audience}/")
            out[audience] = recall.page_texts(pg, item_urls(os.path.join(built.root, "site"), audience))
        return out
    finally:
        context.close()


class Searcher:
    """The search page, typed into as a reader types: every result, in the order shown."""

    def __init__(self, page, server, audience="quanti", query="", scope=""):
        self.page = page
        page.goto(f"{server}/{audience}/search/" + (f"?q={query}" if query else "") + (f"&scope={scope}" if scope else ""))
        if query:
            self.wait(query)

    def wait(self, q):
        self.page.wait_for_function("q => document.getElementById('kanwu-search').getAttribute('data-done') === q",
                                    arg=q, timeout=20000)

    def all_shown(self, q):
        more = self.page.locator(".kanwu-more")
        while more.is_visible():
            more.click()
            self.wait(q)
        return self.page.eval_on_selector_all(".kanwu-result-title", "as => as.map(a => new URL(a.href).pathname)")

    def search(self, q):
        box = self.page.locator(".kanwu-search-input")
        box.fill(q)
        box.press("Enter")
        self.wait(q)
        return self.all_shown(q)

    def summary(self):
        return self.page.locator(".kanwu-search-summary").inner_text()

    def dates(self):
        """The date of every result shown, as (year, month, day)."""
        return [tuple(int(x) for x in re.search(r"日期：(\d+)年(\d+)月(\d+)日", t).groups())
                for t in self.page.locator(".kanwu-result-meta").all_inner_texts()]


truth = recall.truth  # the items whose rendered text holds the query


def test_recall_over_queries_drawn_from_the_archive(texts, server, page):
    """Every item whose page holds the query is found (recall ≥ 0.98 over ≥ 200 queries), each
    item once, as its item page; a title brings its item into the first three results."""
    quanti = texts["quanti"]
    units = yaml.safe_load(open(os.path.join(ROOT, "content", "units.yml"), encoding="utf-8"))["units"]
    kinds = recall.draw_queries(quanti, units, limits={"标题": 40, "字词": 110})
    queries = sorted({q for qs in kinds.values() for q in qs})
    assert len(queries) >= 200, {k: len(v) for k, v in kinds.items()}
    for kind in ("标题", "字词", "单位", "人名", "数量", "地名", "跨标点短语"):
        assert kinds.get(kind), f"no {kind} queries drawn: {kinds.keys()}"
    searcher = Searcher(page, server)
    results = {}
    for q in queries:
        found = searcher.search(q)
        assert len(found) == len(set(found)), f"{q}: an item shown twice: {found}"
        assert all("/quanti/items/" in u for u in found), f"{q}: a result that is not an item page: {found}"
        results[q] = found
    got = recall.score(quanti, results, kinds["标题"])
    print(f"search recall {got['recall']:.4f} over {got['queries']} queries ({got['expected']} expected hits)")
    assert got["recall"] >= 0.98, f"recall {got['recall']:.3f}; missed {len(got['misses'])}: {got['misses'][:30]}"
    assert got["titles_top3"] == got["titles"], f"titles without their item in the first three: {got['titles_low']}"


def test_results_show_the_item_once_with_the_issues_that_carried_it(texts, server, page):
    searcher = Searcher(page, server, query="民宿消防隐患")
    found = searcher.all_shown("民宿消防隐患")
    assert found == ["/quanti/items/2026/11/20261120-meiwu-01/"]
    result = page.locator(".kanwu-result").first
    carried = result.locator(".kanwu-result-issues")
    assert "《澜江信息》上报 2026年第212期" in carried.inner_text()
    meta = result.locator(".kanwu-result-meta").inner_text()
    assert "日期：2026年11月20日" in meta and "单位：梅坞县委办" in meta and "类别：" in meta
    carried.locator("a", has_text="2026年第212期").click()
    page.wait_for_load_state()
    assert page.url.endswith("/quanti/periodicals/daily/2026/212/")


def test_snippets_are_the_items_own_text_with_the_query_marked(texts, server, page):
    searcher = Searcher(page, server, query="燃气")
    found = searcher.all_shown("燃气")
    assert set(found) == truth(texts["quanti"], "燃气")
    snippets = page.locator(".kanwu-result-snippet")
    assert snippets.count() == len(found)
    for i in range(snippets.count()):
        s = snippets.nth(i)
        text = s.inner_text()
        assert "采用情况" not in text and "特约信息" not in text and "报送单位" not in text, text
        if "燃气" in text:
            assert s.locator("mark").first.inner_text() == "燃气"
    assert page.locator(".kanwu-result-title mark").count() >= 1
    shot(page, "search")


def test_filters_count_and_narrow_together_with_the_query(texts, server, page):
    quanti = texts["quanti"]
    want = truth(quanti, "信访")
    searcher = Searcher(page, server, query="信访")
    assert set(searcher.all_shown("信访")) == want
    for name in ("刊物", "单位", "类别", "年份", "月份"):  # each facet's counts arrive on their own: wait for each
        page.wait_for_selector(f'.kanwu-facet[data-facet="{name}"] input', timeout=15000)
        assert page.locator(f'.kanwu-facet[data-facet="{name}"] input').count() >= 1, name
    year = page.locator('.kanwu-facet[data-facet="年份"] label', has_text="2026年")
    assert f"（{len(want)}）" in year.inner_text()
    # the unit with most hits: its count, then checking it leaves exactly its items
    units = {}
    for u in want:
        unit = re.search(r"报送单位：(\S+)", quanti[u]["text"]).group(1)
        units.setdefault(unit, set()).add(u)
    unit, mine = max(units.items(), key=lambda kv: (len(kv[1]), kv[0]))
    label = page.locator('.kanwu-facet[data-facet="单位"] label', has_text=unit)
    assert f"（{len(mine)}）" in label.inner_text()
    label.locator("input").check()
    searcher.wait("信访")
    assert set(searcher.all_shown("信访")) == mine
    assert "已筛选" in searcher.summary()
    assert "f=" in page.url  # the filter is in the address, so the page can be shared
    # a periodical filter on top: only items some 上报 issue carried
    daily = page.locator('.kanwu-facet[data-facet="刊物"] label', has_text="上报")
    if daily.count():
        daily.locator("input").check()
        searcher.wait("信访")
        for i in range(page.locator(".kanwu-result").count()):
            assert "上报" in page.locator(".kanwu-result").nth(i).locator(".kanwu-result-issues").inner_text()


FIRST_SHOWN = """
new MutationObserver(() => {
  if (!window.__firstShown && document.querySelector(".kanwu-result-title")) { window.__firstShown = 1; window.kanwuShown(); }
}).observe(document, { subtree: true, childList: true });
"""


def test_first_results_do_not_wait_for_the_filter_files(texts, server, page):
    """The filter files (a third of what an all-years search downloads) are fetched after the first
    results are on the page, and the counts then come: the same counts, for every facet."""
    events = []  # the page's and its search worker's requests, and the moment the first result is shown
    page.on("request", lambda r: events.append(r.url))
    page.expose_function("kanwuShown", lambda: events.append("SHOWN"))
    page.add_init_script(FIRST_SHOWN)
    searcher = Searcher(page, server, query="信访")
    assert set(searcher.all_shown("信访")) == truth(texts["quanti"], "信访")
    before = events[:events.index("SHOWN")]
    assert any(".pf_index" in u for u in before) and not any(".pf_filter" in u for u in before), before
    for name in ("刊物", "单位", "类别", "年份", "月份"):
        page.wait_for_selector(f'.kanwu-facet[data-facet="{name}"] input', timeout=15000)
    assert any(".pf_filter" in u for u in events)
    year = page.locator('.kanwu-facet[data-facet="年份"] label', has_text="2026年")
    assert f"（{len(truth(texts['quanti'], '信访'))}）" in year.inner_text()


def test_sort_by_date_keeps_the_found_set(texts, server, page):
    searcher = Searcher(page, server, query="乡村")
    relevance = searcher.all_shown("乡村")
    assert set(relevance) == truth(texts["quanti"], "乡村")
    for option, sign in (("newest", -1), ("oldest", 1)):
        page.locator(".kanwu-search-sort").select_option(option)
        searcher.wait("乡村")
        shown = searcher.all_shown("乡村")
        assert set(shown) == set(relevance)
        keys = searcher.dates()
        assert keys == sorted(keys, reverse=sign < 0)


def test_an_empty_result_says_what_to_try(server, page):
    searcher = Searcher(page, server, query="无此词语甲乙丙")
    assert searcher.all_shown("无此词语甲乙丙") == []
    summary = searcher.summary()
    assert "没有找到" in summary and "减少字数" in summary


def test_header_box_on_every_page_leads_to_the_results(texts, server, page):
    for start in ("/quanti/", "/quanti/items/2026/11/20261120-meiwu-01/", "/quanti/periodicals/daily/2026/212/"):
        page.goto(server + start)
        box = page.locator(".kanwu-header-search input[name=q]")
        assert box.count() == 1, start
        box.fill("信访")
        box.press("Enter")
        page.wait_for_url("**/quanti/search/?q=*")
        searcher = Searcher.__new__(Searcher)
        searcher.page = page
        searcher.wait("信访")
        assert set(searcher.all_shown("信访")) == truth(texts["quanti"], "信访"), start


def test_nothing_above_the_audience_is_found(texts, server, page):
    title = "网络投资理财骗局在部分乡镇蔓延"  # a 秘密 item: only 领导 may read it
    assert not any(p["title"] == title for p in texts["quanti"].values())
    assert Searcher(page, server, "quanti", title).all_shown(title) == []
    assert Searcher(page, server, "lingdao", title).all_shown(title)[:1] == [
        u for u, p in texts["lingdao"].items() if p["title"] == title]


@pytest.mark.parametrize("text", ["燃气安全检查", "12345热线", "５Ｇ基站，共建成1,236个", "ＡＢＣ大写 abc",
                                  "“枫桥经验”\u00a0再出发", "县\u3000委\u200b办", "一、（一）1.", "  ", "𠀋字"])
def test_the_page_cuts_a_query_as_the_index_cuts_text(page, server, text):
    page.goto(f"{server}/quanti/search/")
    cut = page.evaluate("t => window.kanwuSearchPhrase(t)", text)
    assert cut["runs"] == searchdoc.runs(text)
    # the query's pairs are the text's words, less the single last character the index adds
    assert cut["words"] == searchdoc.tokens(text)[:-1]


def test_indexes_and_filters_are_byte_reproducible(built, tmp_path):
    """Two builds of the same content give the same search bundles, filter files included."""
    other = copy_sample(tmp_path / "again")
    assert other.run("build", "--all-audiences", "--no-pdf").exit_code == 0

    def bundles(tree):
        out = {}
        for audience in ("quanti", "lingdao"):
            live = os.path.realpath(os.path.join(tree.root, "site", audience))
            for d in sorted(os.listdir(live)):
                if not d.startswith("pagefind-"):
                    continue
                for dirpath, _, files in os.walk(os.path.join(live, d), followlinks=True):
                    for name in files:
                        full = os.path.join(dirpath, name)
                        with open(full, "rb") as fh:
                            out[os.path.relpath(full, live)] = hashlib.sha256(fh.read()).hexdigest()
        return out

    first, second = bundles(built), bundles(other)
    assert any("/filter/" in k for k in first), "no filter files were written"
    assert first == second


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """A built synthetic archive of three years, large enough for Pagefind to cut each year's
    index into several chunks."""
    from click.testing import CliRunner

    from kanwu.cli import cli
    archive = str(tmp_path_factory.mktemp("synth") / "archive")
    runner = CliRunner()
    assert runner.invoke(cli, ["--root", ROOT, "synth", archive, "--items", "600", "--years", "3"]).exit_code == 0
    result = runner.invoke(cli, ["--root", archive, "build", "--no-pdf"])
    assert result.exit_code == 0, result.output
    return archive


def test_two_years_pages_with_one_id_are_both_shown(server, page):
    """Pagefind's result id is a 7-hex-digit hash of the page, unique within one bundle only: in
    50,000 items seven pages share an id with a page of another year. Each must still be shown
    once, in the plain search's relevance order (the finding run on a stand-in for Pagefind that
    answers as two such bundles would)."""
    page.goto(f"{server}/quanti/search/")
    page.wait_for_function("() => typeof window.kanwuFind === 'function'")
    ids = page.evaluate("""async () => {
      const r = (id, score) => ({ id: id, score: score, data: async () => ({}) });
      const pf = { search: async (q) => q.startsWith('"')
        ? { results: [r("a", 1), r("a", 1), r("b", 1), r("c", 1)], filters: {} }
        : { results: [r("b", 3), r("a", 2), r("d", 2), r("a", 1)], filters: {} } };
      const found = await window.kanwuFind(pf, { q: "燃气安全", filters: {}, sort: "relevance" });
      return found.results.map((x) => x.id);
    }""")
    assert ids == ["b", "a", "a", "c"], ids


def test_search_loads_recent_years_first_and_all_years_on_request(synthesized, browser):
    """A reader's first search downloads the newest two years' indexes only; 全部年份 adds the rest,
    and finds what only the older years hold."""
    archive = synthesized
    live = os.path.realpath(os.path.join(archive, "site", "quanti"))
    bundles = sorted(d for d in os.listdir(live) if d.startswith("pagefind-"))
    years = sorted({int(b[9:13]) for b in bundles})
    assert len(years) == 3
    month = [b for b in bundles if len(b) == len("pagefind-2026-11")]
    assert len(month) == 1 and month[0][9:13] == str(years[-1])  # the newest month has its own bundle
    context = browser.new_context(locale="zh-CN")
    with serve(os.path.join(archive, "site")) as server:
        try:
            pg = context.new_page()
            requests = []
            pg.on("request", lambda r: requests.append(r.url))
            searcher = Searcher(pg, server, query="工作")
            recent = searcher.all_shown("工作")
            assert recent
            assert any(f"/{month[0]}/" in u for u in requests)
            assert any(f"/pagefind-{years[-1]}/" in u for u in requests)
            assert any(f"/pagefind-{years[-2]}/" in u for u in requests)
            assert not any(f"/pagefind-{years[0]}/" in u for u in requests)
            assert all(f"/items/{years[0]}/" not in u for u in recent)
            shot(pg, "search-scope")
            requests.clear()
            pg.locator('.kanwu-scope input[value="all"]').check()
            pg.wait_for_url("**scope=all**")
            searcher.wait("工作")
            every = searcher.all_shown("工作")
            assert any(f"/pagefind-{years[0]}/" in u for u in requests)
            assert pg.locator(".kanwu-search-input").input_value() == "工作"
            assert set(recent) < set(every) and any(f"/items/{years[0]}/" in u for u in every)
        finally:
            context.close()


# What the page said when its first result was put in, and when (ms since the epoch, the browser's clock).
EARLIEST = """
window.__kanwuEarly = null;
new MutationObserver(() => {
  if (!window.__kanwuEarly && document.querySelector(".kanwu-result-title"))
    window.__kanwuEarly = { summary: document.querySelector(".kanwu-search-summary").textContent,
                            at: performance.timeOrigin + performance.now() };
}).observe(document, { subtree: true, childList: true });
"""


def test_every_year_shows_the_newest_years_first_and_sorts_by_date_across_years(synthesized, browser):
    """全部年份: the first results come from the newest two years' indexes alone (each index's
    metadata is downloaded whole, and the older years' would be more than the page and its first
    results together); the older years' results then join the same list, which ends as every item
    holding the query, once each. Sorted by date, the order holds across years: Pagefind sorts
    within one index only (a sorted result's score is its place in its own index), and the page
    used to interleave the years' orders (2025-12-19 before 2026-10-23, newest first)."""
    archive = synthesized
    site = os.path.join(archive, "site")
    live = os.path.realpath(os.path.join(site, "quanti"))
    years = sorted({int(b[9:13]) for b in os.listdir(live) if b.startswith("pagefind-")})
    assert len(years) == 3
    context = browser.new_context(locale="zh-CN")
    with serve(site) as server:
        try:
            pg = context.new_page()
            pg.goto(f"{server}/quanti/")
            expected = truth(recall.page_texts(pg, item_urls(site, "quanti")), "工作")
            assert {u.split("/")[3] for u in expected} == {str(y) for y in years}  # every year holds it
            pg.add_init_script(EARLIEST)
            finished: list = []  # Pagefind's worker fetches too; the timings are read afterwards
            pg.on("requestfinished", lambda r: finished.append(r))
            searcher = Searcher(pg, server, query="工作", scope="all")
            early = pg.evaluate("() => window.__kanwuEarly")
            assert "正在检索更早的年份" in early["summary"], early["summary"]
            before = [r.url for r in finished if r.timing["startTime"] <= early["at"]]
            after = [r.url for r in finished if r.timing["startTime"] > early["at"]]
            assert any(f"/pagefind-{years[-1]}/" in u and ".pf_meta" in u for u in before), before
            assert not any(f"/pagefind-{years[0]}/" in u for u in before), "the first results waited for the oldest year"
            assert any(f"/pagefind-{years[0]}/" in u and ".pf_meta" in u for u in after), after
            every = searcher.all_shown("工作")
            assert len(every) == len(set(every)) and set(every) == expected
            assert searcher.summary() == f"找到 {len(expected)} 条信息。"
            for option, newest_first in (("newest", True), ("oldest", False)):
                pg.locator(".kanwu-search-sort").select_option(option)
                searcher.wait("工作")
                shown = searcher.all_shown("工作")
                assert len(shown) == len(every) and set(shown) == expected
                dates = searcher.dates()
                assert len({d[0] for d in dates}) == 3
                assert dates == sorted(dates, reverse=newest_first), f"{option}: out of date order across years"
        finally:
            context.close()
