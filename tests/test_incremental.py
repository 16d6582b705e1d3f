"""Incremental generation and the parse cache: what is reused must equal what would be made anew.

A build keeps a page unchanged when the key of its inputs is that of the last build, and a
command reuses a parsed file while its stat signature is unchanged. Each test changes one
thing a page depends on indirectly, rebuilds, and compares the generated tree with a fresh
generation of every page from the same sources.
"""

from __future__ import annotations

import os
import re
import time

import pytest

from conftest import ROOT, copy_sample, item_path

from kanwu import audience
from kanwu.pages import generate
from kanwu.incremental import shards
from kanwu.checks import validate


def fresh_pages(root: str) -> dict:
    repo = validate.load_checked(root)
    view = audience.view(repo, audience.pick(repo.config, "lingdao"))
    return generate.Site(view, evaluation=repo.evaluation).pages()


def assert_tree_is_fresh(tree):
    docs = os.path.join(tree.root, "build", "lingdao", "docs")
    for rel, data in fresh_pages(tree.root).items():
        with open(os.path.join(docs, rel), "rb") as fh:
            assert fh.read() == data, f"{rel} kept from an earlier build but its inputs changed"


def build(tree) -> int:
    result = tree.run("build", "--no-pdf", "--audience", "lingdao")
    assert result.exit_code == 0, result.output
    return int(re.search(r"改写 (\d+) 个源文件", result.output).group(1))


def edit(tree, rel: str, old: str, new: str) -> None:
    full = os.path.join(tree.root, rel)
    with open(full, encoding="utf-8") as fh:
        text = fh.read()
    assert old in text, (rel, old)
    with open(full, "w", encoding="utf-8") as fh:
        fh.write(text.replace(old, new, 1))


def page_text(tree, rel: str) -> str:
    with open(os.path.join(tree.root, "build", "lingdao", "docs", rel), encoding="utf-8") as fh:
        return fh.read()


def test_pages_kept_by_key_equal_a_fresh_generation(tmp_path, monkeypatch):
    tree = copy_sample(tmp_path / "repo")
    made = []  # the item pages each build generates (the others are kept by key)
    from kanwu.pages import item as item_kind
    item_page = item_kind.make
    monkeypatch.setattr(item_kind, "make", lambda site, item: made.append(item.id) or item_page(site, item))
    build(tree)
    kept_before = page_text(tree, "items/2026/11/20261106-yunling-01.md")

    # 1. A new 续报 joins a chain: every earlier report of the chain shows it in its timeline.
    tree.item("20261124-yunling-01", "---\ntitle: 云岭县县道滑坡处置完毕（终报）\nunit: yunling\ndate: 2026-11-24\n"
              "category: 突发事件\nurgency: 特急\nclassification: 内部\nevent_at: 2026-11-05 06:50+08:00\n"
              "reported_at: 2026-11-24 09:00+08:00\nfollow_up_of: 20261106-yunling-01\nauthors: [彭志远]\n---\n\n"
              "县道已全线恢复通行，边坡加固工程完工。\n")
    assert 0 < build(tree) < 40
    assert "处置完毕" in page_text(tree, "items/2026/11/20261105-yunling-01.md")
    assert page_text(tree, "items/2026/11/20261106-yunling-01.md") != kept_before
    assert_tree_is_fresh(tree)

    # 2. A record is added to an item (feedback to an instruction): its page and its unit's change.
    edit(tree, item_path("20261112-zhujian-01"), "instructions:", "adopted_by:\n  - {by: 省委办公厅, publication: 《每日要情》, "
         "date: 2026-11-20}\ninstructions:")
    build(tree)
    assert "省委办公厅" in page_text(tree, "items/2026/11/20261112-zhujian-01.md")
    assert_tree_is_fresh(tree)

    # 3. The configuration changes (a unit's short name): every page showing it follows.
    edit(tree, "content/units.yml", "short: 青溪县委办", "short: 青溪县委")
    build(tree)
    assert_tree_is_fresh(tree)

    # 4. A later item moves the build's reference date past no deadline: no instruction's page is made again.
    tree.item("20261127-qingxi-01", "---\ntitle: 青溪县完成秋冬季农田水利检修\nunit: qingxi\ndate: 2026-11-27\n"
                                    "category: 动态\nurgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n"
                                    "青溪县完成秋冬季农田水利检修。\n")
    made.clear()
    build(tree)
    assert made == ["20261127-qingxi-01"]
    assert_tree_is_fresh(tree)

    # 5. A later item moves the build's reference date past a deadline: that instruction is re-judged.
    assert "已逾期" not in page_text(tree, "items/2026/11/20261113-yingji-01.md")  # due 2026-11-30, no answer
    made.clear()
    tree.item("20261201-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-12-01\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    build(tree)
    assert "已逾期" in page_text(tree, "items/2026/11/20261113-yingji-01.md")
    assert sorted(made) == ["20261113-yingji-01", "20261201-qingxi-01"]
    assert_tree_is_fresh(tree)


def test_a_tree_edited_by_hand_is_generated_again(tmp_path):
    tree = copy_sample(tmp_path / "repo")
    build(tree)
    rel = "items/2026/11/20261106-yunling-01.md"
    os.remove(os.path.join(tree.root, "build", "lingdao", "docs", rel))
    build(tree)
    assert_tree_is_fresh(tree)


def test_parse_cache_sees_every_change(tmp_path):
    tree = copy_sample(tmp_path / "repo")
    rel = item_path("20261105-yunling-01")
    full = os.path.join(tree.root, rel)
    old = os.stat(full)
    os.utime(full, ns=(old.st_atime_ns, old.st_mtime_ns - 10_000_000_000))  # older than the racy window
    assert tree.run("check").exit_code == 0
    assert os.path.exists(os.path.join(tree.root, "build", "cache", "items", "2026.pickle"))
    # Same size, same second: a change the cache must still see (mtime in nanoseconds, ctime, inode).
    with open(full, encoding="utf-8") as fh:
        text = fh.read()
    with open(full, "w", encoding="utf-8") as fh:
        fh.write(text.replace("category: 突发事件", "category: 突发时间", 1))
    assert os.path.getsize(full) == old.st_size
    result = tree.run("check")
    assert result.exit_code == 1 and "突发时间" in result.output
    # And a cached run reports exactly what an uncached one does.
    time.sleep(0.01)
    again = tree.run("check")
    os.environ["KANWU_NO_CACHE"] = "1"
    try:
        cold = tree.run("check")
    finally:
        del os.environ["KANWU_NO_CACHE"]
    assert again.output == cold.output


def test_a_partial_load_keeps_the_cache_of_the_years_it_did_not_read(tmp_path):
    from kanwu.incremental.cache import ParseCache, files_under, year_shard
    root = str(tmp_path)
    for y in (2024, 2025, 2026):
        path = os.path.join(root, "content", "items", str(y), "01", f"{y}0105-a-01.md")
        os.makedirs(os.path.dirname(path))
        with open(path, "w") as fh:
            fh.write(str(y))
        os.utime(path, ns=(0, time.time_ns() - 10_000_000_000))  # older than the racy window
    files = sorted((rel, e.stat()) for rel, e in files_under(root, "content"))
    calls = []

    def load(files, partial):
        cache = ParseCache(root, "items", shard=year_shard, only={year_shard(f) for f, _ in files} if partial else None)
        out = [cache.get(rel, st, lambda rel=rel: calls.append(rel) or rel) for rel, st in files]
        cache.save()
        return out

    assert load(files, False) == [f for f, _ in files] and len(calls) == 3
    assert load(files[2:], True) == [files[2][0]] and len(calls) == 3  # 2026 only, from the cache
    assert sorted(os.listdir(os.path.join(root, "build", "cache", "items"))) == ["2024.pickle", "2025.pickle", "2026.pickle"]
    assert load(files, False) == [f for f, _ in files] and len(calls) == 3  # nothing parsed again
    assert load(files[2:], False) and sorted(os.listdir(os.path.join(root, "build", "cache", "items"))) == ["2026.pickle"]


def test_parsing_on_every_core_gives_what_one_process_gives(tmp_path, monkeypatch):
    """A cold start parses items and manifests in a process per core (at 50,000 items: 9.4 s → 6 s)."""
    tree = copy_sample(tmp_path / "repo")
    tree.item("20261110-qingxi-09", "---\ntitle：全角冒号\n---\n正文\n")  # one with a problem, too
    monkeypatch.setenv("KANWU_NO_CACHE", "1")
    serial = validate.load_repository(tree.root)
    calls = []
    real = validate.parse_many
    monkeypatch.setattr(validate, "PARALLEL_MIN", 1)

    def spy(*args):
        ahead = real(*args)
        calls.append(len(ahead))  # (the loader takes its results out of it)
        return ahead

    monkeypatch.setattr(validate, "parse_many", spy)
    parallel = validate.load_repository(tree.root)
    assert calls == [len(serial.items) + 1 + len(serial.issues)]  # every item and manifest, parsed ahead
    assert parallel.items == serial.items and parallel.issues == serial.issues
    assert parallel.problems == serial.problems and any("全角冒号" in p.message for p in serial.problems)


def test_a_cache_written_in_the_background_is_complete_when_the_load_returns(tmp_path, monkeypatch):
    from kanwu.incremental import cache
    tree = copy_sample(tmp_path / "repo")
    for folder, _, names in os.walk(os.path.join(tree.root, "content", "items")):
        for name in names:  # older than the racy window: every item is kept
            os.utime(os.path.join(folder, name), ns=(0, time.time_ns() - 10_000_000_000))
    monkeypatch.setattr(cache, "BACKGROUND_MIN", 1)
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    first = validate.load_repository(tree.root)
    assert forks == [1]  # the items' cache went to a forked writer
    assert os.listdir(os.path.join(tree.root, "build", "cache", "items")) == ["2026.pickle"]
    monkeypatch.setattr(validate, "parse_item", lambda *a: pytest.fail("parsed again"))
    again = validate.load_repository(tree.root)
    assert again.items == first.items and again.problems == first.problems


def test_rendered_bodies_are_kept_in_shards_read_when_needed(tmp_path, monkeypatch):
    from kanwu.source import render
    folder = str(tmp_path / "bodies")
    render.load_cache(folder)
    first = [render.body_html(f"第{n}段，**加粗**。", "") for n in range(40)]
    render.save_cache()
    shards = os.listdir(folder)
    assert 10 < len(shards) <= 40 and all(re.fullmatch(r"[0-9a-f]{2}\.pickle", n) for n in shards)
    render.load_cache(folder)
    assert render._CACHE == {}  # nothing read until a body is asked for
    monkeypatch.setattr(render, "_body_html", lambda *a: pytest.fail("rendered again"))
    assert render.body_html("第7段，**加粗**。", "") == first[7] == "<p>第7段，<strong>加粗</strong>。</p>"
    assert len(render._CACHE) == 1
    render.save_cache()  # nothing new: nothing rewritten
    assert sorted(os.listdir(folder)) == sorted(shards)


def test_bodies_rendered_on_every_core_give_the_pages_one_process_gives(tmp_path, monkeypatch):
    from kanwu.incremental import cache
    from kanwu.source import render
    tree = copy_sample(tmp_path / "repo")
    render.load_cache("")
    serial = fresh_pages(tree.root)
    render.load_cache("")
    monkeypatch.setattr(render, "PARALLEL_MIN", 1)
    runs = []
    real = cache.fork_map

    def spy(fn, items, minimum):
        done = real(fn, items, minimum)
        if fn is render._try_render:  # (not the parse cache's cold start)
            runs.append((len(items), done is not None))
        return done

    monkeypatch.setattr(cache, "fork_map", spy)
    here, rendered_here, real_render = os.getpid(), [], render._body_html

    def counted(*args):
        if os.getpid() == here:
            rendered_here.append(args)
        return real_render(*args)

    monkeypatch.setattr(render, "_body_html", counted)
    parallel = fresh_pages(tree.root)
    assert rendered_here == []  # the pages found every body they show already rendered
    # Every distinct body of the item pages and the full-text issues went to the forked workers once.
    assert len(runs) == 1 and runs[0][1] and runs[0][0] >= len(validate.load_checked(tree.root).items)
    assert parallel == serial

    # A body that cannot be rendered is reported as one process reports it, not lost in a worker.
    render.load_cache("")
    item = os.path.join(tree.root, item_path("20261110-qingxi-01"))
    with open(item, encoding="utf-8") as fh:
        text = fh.read()
    with open(item, "w", encoding="utf-8") as fh:
        fh.write(text + "\n" + "<div>" * 60 + "深" + "</div>" * 60 + "\n")
    repo = validate.load_repository(tree.root)
    view = audience.view(repo, audience.pick(repo.config, "lingdao"))
    with pytest.raises(render.RenderError, match="嵌套过深"):
        generate.Site(view, evaluation=repo.evaluation).pages()
    assert runs[-1][1]  # (the others were rendered by the workers)


def test_releases_share_unchanged_year_folders(tmp_path):
    """A publish copies links to the year folders it does not change, never the folders themselves."""
    tree = copy_sample(tmp_path / "repo")
    build(tree)
    first = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    assert os.path.islink(os.path.join(first, "items", "2026", "11"))
    assert os.path.islink(os.path.join(first, "pagefind-2026-11"))
    tree.item("20261124-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    build(tree)
    second = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    # the changed month got its own copy; the periodicals' year folders were not touched: still shared
    assert (os.path.realpath(os.path.join(first, "items", "2026", "11"))
            != os.path.realpath(os.path.join(second, "items", "2026", "11")))
    assert not os.path.exists(os.path.join(first, "items", "2026", "11", "20261124-qingxi-01"))
    assert os.path.exists(os.path.join(second, "items", "2026", "11", "20261124-qingxi-01", "index.html"))
    assert (os.path.realpath(os.path.join(first, "periodicals", "daily", "2026"))
            == os.path.realpath(os.path.join(second, "periodicals", "daily", "2026")))
    # a third build: the first release is pruned, and the store keeps only what the kept releases use
    tree.item("20261124-qingxi-02", "---\ntitle: 青溪县开展冬季防火检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季防火检查。\n")
    build(tree)
    store = os.path.join(tree.root, "build", "lingdao", "store")
    releases_dir = os.path.join(tree.root, "build", "lingdao", "releases")
    kept = [os.path.join(releases_dir, d) for d in os.listdir(releases_dir) if d[:1].isdigit()]
    assert len(kept) == 2
    used = {os.path.realpath(os.path.join(r, "items", "2026", "11")) for r in kept}
    live = [d for d in os.listdir(store) if not d.startswith(".trash-")]
    assert {os.path.join(store, d) for d in live if d.startswith("items-2026-11.")} <= used
    assert len([d for d in live if d.startswith("items-2026-11.")]) == 2


def test_a_build_failing_while_the_release_is_copied_leaves_the_live_one_alone(tmp_path, monkeypatch):
    """A publish copies the live release while it generates the pages: if the generation fails,
    the half-made copy is removed once the copy is over, and the live release stays as it was."""
    tree = copy_sample(tmp_path / "repo")
    build(tree)
    live = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    before = sorted(os.listdir(live))
    tree.item("20261124-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    copied = []
    link_copy = shards.link_copy
    monkeypatch.setattr(shards, "link_copy", lambda *a: (time.sleep(0.5), link_copy(*a), copied.append(a[1])))

    def fail(self):
        raise RuntimeError("生成失败")
    monkeypatch.setattr(generate.Site, "pages", fail)
    with pytest.raises(RuntimeError):
        tree.run("build", "--no-pdf", "--audience", "lingdao")
    releases = os.path.join(tree.root, "build", "lingdao", "releases")
    assert copied and copied[0].startswith(os.path.join(releases, ".tmp-"))  # the copy had begun, and finished
    assert not [d for d in os.listdir(releases) if d.startswith(".tmp-")]
    assert os.path.realpath(os.path.join(tree.root, "site", "lingdao")) == live and sorted(os.listdir(live)) == before


def test_two_process_full_build_equals_one_process_build(tmp_path, monkeypatch):
    """Large archives render their pages in two processes: the site must not depend on it."""
    from kanwu.engine import mkdocs_run
    hashes = []
    for n, threshold in enumerate((10 ** 9, 1)):
        monkeypatch.setattr(mkdocs_run, "PARALLEL_PAGES", threshold)
        tree = copy_sample(tmp_path / f"r{n}")
        build(tree)
        live = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
        hashes.append({os.path.relpath(os.path.join(d, f), live): open(os.path.join(d, f), "rb").read()
                       for d, _, fs in os.walk(live, followlinks=True) for f in fs})
    assert hashes[0].keys() == hashes[1].keys()
    assert [k for k in hashes[0] if hashes[0][k] != hashes[1][k]] == []


def test_a_days_publish_reindexes_only_the_newest_months_bundle(tmp_path):
    """Search bundles: one per year and the newest month apart; a day's items re-index the month only."""
    import glob
    import gzip
    import json

    from click.testing import CliRunner

    from kanwu.cli import cli
    archive = str(tmp_path / "archive")
    runner = CliRunner()
    assert runner.invoke(cli, ["--root", ROOT, "synth", archive, "--items", "500", "--years", "2"]).exit_code == 0

    def build_live() -> str:
        result = runner.invoke(cli, ["--root", archive, "build", "--no-pdf"])
        assert result.exit_code == 0, result.output
        return os.path.realpath(os.path.join(archive, "site", "quanti"))

    def bundles(live: str) -> dict:
        return {d: os.path.realpath(os.path.join(live, d)) for d in os.listdir(live) if d.startswith("pagefind-")}

    def indexed_text(folder: str) -> str:
        out = []
        for f in glob.glob(os.path.join(folder, "fragment", "*.pf_fragment")):
            with open(f, "rb") as fh:
                out.append(gzip.decompress(fh.read()).decode("utf-8", errors="replace"))
        return "".join(out)

    def add(day: str, n: int) -> None:
        path = os.path.join(archive, "content", "items", day[:4], day[5:7], f"{day.replace('-', '')}-xian01-0{n}.md")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f"---\ntitle: 第{n}条冬季供暖保障检查\nunit: xian01\ndate: {day}\ncategory: 动态\nurgency: 平件\n"
                     f"classification: 内部\nauthors: [信息员]\n---\n\n供暖保障检查组走访居民{n}户，核对管网压力。\n")

    first = bundles(build_live())
    month = [b for b in first if len(b) == len("pagefind-2026-11")]
    assert len(month) == 1 and len(first) == 3  # two years, the newest month apart
    newest = month[0][9:]
    pages = 0
    for folder in first.values():
        with open(os.path.join(folder, "pagefind-entry.json"), encoding="utf-8") as fh:
            pages += sum(lang["page_count"] for lang in json.load(fh)["languages"].values())
    live = os.path.realpath(os.path.join(archive, "site", "quanti"))
    html = [d for d, _, fs in os.walk(live, followlinks=True) if "index.html" in fs
            and re.search(r"/items/\d{4}/\d{2}/[^/]+$", d)]
    assert pages == len(html)  # every item page in exactly one bundle (an issue's text is its items')

    add(f"{newest}-28", 1)
    second = bundles(build_live())
    assert second.keys() == first.keys()
    assert second[month[0]] != first[month[0]]  # re-indexed ...
    assert all(second[b] == first[b] for b in first if b != month[0])  # ... and nothing else
    assert "第1条冬季供暖保障检查" in indexed_text(second[month[0]])

    y, m = int(newest[:4]), int(newest[5:])
    following = f"{y + m // 12}-{m % 12 + 1:02d}"
    add(f"{following}-01", 2)
    third = bundles(build_live())
    assert f"pagefind-{following}" in third and month[0] not in third  # last month joined its year's bundle
    assert "第1条冬季供暖保障检查" in indexed_text(third[f"pagefind-{newest[:4]}"])
    assert "第2条冬季供暖保障检查" in indexed_text(third[f"pagefind-{following}"])


def test_carried_over_search_fragments_equal_a_fresh_index(tmp_path, monkeypatch):
    """When last month joins its year's search bundle, its pages' Pagefind fragments are linked in,
    not written again; the bundles then hold exactly the files an index from scratch writes. If the
    metadata cannot be read as expected, the bundle is indexed anew and is still complete."""
    import gzip
    import json
    import pickle
    import shutil

    from click.testing import CliRunner

    from kanwu.engine import searchindex
    from kanwu.cli import cli
    runner = CliRunner()
    archive = str(tmp_path / "archive")
    assert runner.invoke(cli, ["--root", ROOT, "synth", archive, "--items", "300", "--years", "2"]).exit_code == 0

    def build_live(root: str) -> dict:
        result = runner.invoke(cli, ["--root", root, "build", "--no-pdf"])
        assert result.exit_code == 0, result.output
        live = os.path.realpath(os.path.join(root, "site", "quanti"))
        return {d: os.path.realpath(os.path.join(live, d)) for d in os.listdir(live) if d.startswith("pagefind-")}

    def files(folder: str) -> dict:
        out = {}
        for sub, _, names in os.walk(folder):
            for name in names:
                with open(os.path.join(sub, name), "rb") as fh:
                    out[os.path.relpath(os.path.join(sub, name), folder)] = fh.read()
        return out

    def complete(folder: str) -> None:  # one fragment per page, each named in the metadata, nothing else
        with open(os.path.join(folder, "pagefind-entry.json"), encoding="utf-8") as fh:
            langs = json.load(fh)["languages"]
        meta = b"".join(gzip.decompress(open(os.path.join(folder, f"pagefind.{lang['hash']}.pf_meta"), "rb").read())
                        for lang in langs.values())
        fragments = os.listdir(os.path.join(folder, "fragment"))
        assert len(fragments) == sum(lang["page_count"] for lang in langs.values())
        assert all(f[:-len(".pf_fragment")].encode() in meta for f in fragments)

    def add(day: str, n: int) -> str:
        rel = f"items/{day[:4]}/{day[5:7]}/{day.replace('-', '')}-xian01-0{n}.md"
        os.makedirs(os.path.dirname(os.path.join(archive, "content", rel)), exist_ok=True)
        with open(os.path.join(archive, "content", rel), "w", encoding="utf-8") as fh:
            fh.write(f"---\ntitle: 第{n}条河道清淤进度\nunit: xian01\ndate: {day}\ncategory: 动态\nurgency: 平件\n"
                     f"classification: 内部\nauthors: [信息员]\n---\n\n清淤船队第{n}段作业完成，淤泥外运。\n")
        return rel

    month = next(b for b in build_live(archive) if len(b) == len("pagefind-2026-11"))
    q_page = add(f"{month[9:]}-28", 3)  # Q: not yet in an issue, so it may still change
    first = build_live(archive)
    # A wrong record costs only time: page P's fragment is said to be the one of Q, and Q changes.
    state_path = os.path.join(archive, "build", "quanti", "state.pickle")
    with open(state_path, "rb") as fh:
        state = pickle.load(fh)
    record = state["fragments"][month]
    q_name = next(n for n, (page, _) in record.items() if page == q_page)
    p_name = next(n for n, (page, _) in sorted(record.items()) if page.startswith("items/") and page != q_page)
    record[q_name] = record.pop(p_name)
    with open(state_path, "wb") as fh:
        pickle.dump(state, fh)
    with open(os.path.join(archive, "content", q_page), "a", encoding="utf-8") as fh:
        fh.write("\n补充：现场复核完毕。\n")

    y, m = int(month[9:13]), int(month[14:])
    add(f"{y + m // 12}-{m % 12 + 1:02d}-01", 1)
    second = build_live(archive)
    year = f"pagefind-{month[9:13]}"
    assert month not in second and second[year] != first[year]  # last month joined its year: re-indexed
    joined = os.listdir(os.path.join(second[year], "fragment"))
    assert q_name not in joined and p_name in joined  # Q's old fragment, linked for P, removed; P's written
    assert not os.path.samefile(os.path.join(first[month], "fragment", p_name), os.path.join(second[year], "fragment", p_name))
    linked = [f for f in os.listdir(os.path.join(first[month], "fragment")) if f not in (p_name, q_name)]
    assert linked and all(os.path.samefile(os.path.join(first[month], "fragment", f), os.path.join(second[year], "fragment", f))
                          for f in linked)  # the month's other fragments carried over, not rewritten

    fresh = str(tmp_path / "fresh")
    shutil.copytree(archive, fresh, ignore=shutil.ignore_patterns("build", "site"))
    anew = build_live(fresh)
    assert anew.keys() == second.keys()
    for bundle in second:
        complete(second[bundle])
        assert files(second[bundle]) == files(anew[bundle]), bundle

    # The metadata read wrong: every new fragment looks unused, so the bundle is indexed anew.
    monkeypatch.setattr(searchindex, "_names", lambda meta, stem: False)
    add(f"{y + m // 12}-{m % 12 + 1:02d}-02", 2)
    third = build_live(archive)
    newest = next(b for b in third if len(b) == len("pagefind-2026-11"))
    complete(third[newest])
    assert "第2条河道清淤进度" in "".join(gzip.decompress(open(os.path.join(third[newest], "fragment", f), "rb").read())
                                     .decode("utf-8", "replace") for f in os.listdir(os.path.join(third[newest], "fragment")))


def test_search_staging_falls_back_to_disk_when_memory_is_full(tmp_path, monkeypatch):
    """Pages are staged for Pagefind in /dev/shm; when that is full (64 MB in many containers) or
    missing, the build stages them in the temporary folder instead, and leaves nothing behind."""
    from kanwu.engine import searchindex
    tree = copy_sample(tmp_path / "repo")
    small = tmp_path / "shm"
    small.mkdir()
    real = searchindex._write

    def full(path, data):
        if str(path).startswith(str(small)):
            raise OSError(28, "No space left on device")
        return real(path, data)
    monkeypatch.setattr(searchindex, "_scratch", lambda: str(small))
    monkeypatch.setattr(searchindex, "_write", full)
    build(tree)
    assert os.listdir(small) == []
    live = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    bundles = [d for d in os.listdir(live) if d.startswith("pagefind-")]
    assert bundles and all(os.listdir(os.path.join(live, b, "fragment")) for b in bundles)

    monkeypatch.setattr(searchindex, "_scratch", lambda: str(tmp_path / "missing"))
    tree.item("20261124-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    assert build(tree) > 0


def test_staging_left_by_a_killed_build_is_swept_and_a_running_ones_kept(tmp_path, monkeypatch):
    """A build killed while Pagefind ran leaves its staging folder in memory: the next build removes
    it, and leaves alone those of builds still running (of any repository) and anything else."""
    import subprocess
    import sys

    from kanwu.engine import searchindex
    tree = copy_sample(tmp_path / "repo")
    shm = tmp_path / "shm"
    shm.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for name in (f"kanwu-{gone.stdout.strip()}-pagefind-2026-abc", f"kanwu-{running.pid}-pagefind-2026-def",
                     "kanwu-notes", "other-pagefind-2026"):
            (shm / name / "items").mkdir(parents=True)
        monkeypatch.setattr(searchindex, "_scratch", lambda: str(shm))
        build(tree)
        assert sorted(os.listdir(shm)) == sorted([f"kanwu-{running.pid}-pagefind-2026-def", "kanwu-notes",
                                                  "other-pagefind-2026"])
    finally:
        running.kill()
        running.wait()


def test_known_docs_files_equal_mkdocs_get_files(tmp_path):
    """The lean incremental MkDocs run builds its File list from kanwu's own list: it must be MkDocs' own."""
    from mkdocs.config import load_config as mkdocs_config
    from mkdocs.structure.files import get_files

    from kanwu.engine import mkdocs_run
    tree = copy_sample(tmp_path / "repo")
    build(tree)
    docs = os.path.join(tree.root, "build", "lingdao", "docs")
    for rel in ("a-b/index.md", "a/b/x.md", "a/z.md", "a/index.md", "a.md", "a/.hidden.md",
                "a/x.tar.gz", "a/..b", "a/c.", "a/b/index.md", "a0/y.md", "help/notes/README.md"):  # orders to keep
        os.makedirs(os.path.dirname(os.path.join(docs, rel)), exist_ok=True)
        with open(os.path.join(docs, rel), "w", encoding="utf-8") as fh:
            fh.write("# x\n")
    known = [os.path.relpath(os.path.join(d, f), docs).replace(os.sep, "/") for d, _, fs in os.walk(docs) for f in fs]
    cfg = mkdocs_config(config_file=os.path.join(tree.root, "mkdocs.yml"), docs_dir=docs, site_dir=str(tmp_path / "s"))
    mine, theirs = mkdocs_run.docs_files(cfg, known), get_files(cfg)

    def attrs(files):
        return [(f.src_uri, f.dest_uri, f.url, f.name, f.inclusion, f.abs_src_path, f.abs_dest_path,
                 f.is_documentation_page(), f.edit_uri) for f in files]
    assert len(theirs) > 50 and attrs(mine) == attrs(theirs)
    assert mkdocs_run.nav_sources(cfg.nav) >= {"index.md", "periodicals/index.md"}

    # Inclusion levels kept between runs: the same, and matched again when mkdocs.yml changes.
    record = str(tmp_path / "files.pickle")
    assert attrs(mkdocs_run.docs_files(cfg, known, record)) == attrs(theirs)
    assert os.path.exists(record)
    with open(os.path.join(docs, "a", "new.md"), "w", encoding="utf-8") as fh:
        fh.write("# new\n")
    assert attrs(mkdocs_run.docs_files(cfg, known + ["a/new.md"], record)) == attrs(get_files(cfg))
    with open(cfg.config_file_path, "a", encoding="utf-8") as fh:
        fh.write("\nexclude_docs: |\n  a/z.md\n")
    cfg = mkdocs_config(config_file=os.path.join(tree.root, "mkdocs.yml"), docs_dir=docs, site_dir=str(tmp_path / "s"))
    again = get_files(cfg)
    assert attrs(mkdocs_run.docs_files(cfg, known + ["a/new.md"], record)) == attrs(again)
    assert {f.src_uri for f in again if f.inclusion.name == "EXCLUDED"} - {f.src_uri for f in theirs if f.inclusion.name == "EXCLUDED"} == {"a/z.md"}


def test_an_incremental_release_equals_a_full_build(tmp_path):
    """After a day's publish built incrementally (changed pages only, no Page for the rest), every
    HTML file of the live release is byte for byte what a build from scratch makes."""
    tree = copy_sample(tmp_path / "repo")
    build(tree)
    tree.item("20261124-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查，"
                                    "详见[上报第212期](../../../periodicals/daily/2026/212.md)。\n")
    assert 0 < build(tree) < 40  # incremental: a few pages

    def html(live: str) -> dict:
        out = {}
        for d, _, fs in os.walk(live, followlinks=True):
            for f in fs:
                if f.endswith((".html", ".xml", ".xml.gz")):  # sitemap.xml.gz: its gzip header too
                    with open(os.path.join(d, f), "rb") as fh:
                        out[os.path.relpath(os.path.join(d, f), live)] = fh.read()
        return out
    incremental = html(os.path.realpath(os.path.join(tree.root, "site", "lingdao")))
    os.unlink(os.path.join(tree.root, "build", "lingdao", "state.pickle"))  # the next build starts from scratch
    build(tree)
    full = html(os.path.realpath(os.path.join(tree.root, "site", "lingdao")))
    assert incremental.keys() == full.keys()
    assert [k for k in full if incremental[k] != full[k]] == []


def test_a_live_release_with_a_dangling_shared_folder_is_rebuilt(tmp_path):
    """A store folder lost behind kanwu's back: the next build does not copy the damage, it rebuilds."""
    import shutil
    tree = copy_sample(tmp_path / "repo")
    build(tree)
    live = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    shutil.rmtree(os.path.realpath(os.path.join(live, "periodicals", "daily", "2026")))
    tree.item("20261124-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    build(tree)
    again = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    assert again != live
    assert os.path.exists(os.path.join(again, "periodicals", "daily", "2026", "198", "index.html"))
    assert os.path.exists(os.path.join(again, "items", "2026", "11", "20261124-qingxi-01", "index.html"))
    from kanwu.incremental import shards
    assert shards.broken(again) == []


@pytest.mark.parametrize("damage", [b"", b"\x80\x05garbage", b"\x80\x05K\x01."])  # empty, broken, not a dict
def test_damaged_build_records_mean_a_build_from_scratch(tmp_path, damage):
    """state.pickle and tree.pickle are kanwu's own; cut short or overwritten, the next build starts over."""
    tree = copy_sample(tmp_path / "repo")
    assert tree.run("build", "--audience", "lingdao").exit_code == 0  # with the PDFs, linked from their cache
    live = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    with open(os.path.join(live, "index.html"), "rb") as fh:
        home = fh.read()
    for name in ("state.pickle", "tree.pickle"):
        with open(os.path.join(tree.root, "build", "lingdao", name), "wb") as fh:
            fh.write(damage)
    assert tree.run("build", "--audience", "lingdao").exit_code == 0
    docs = os.path.join(tree.root, "build", "lingdao", "docs")
    assert [f for _, _, fs in os.walk(docs) for f in fs if f.endswith(".kanwu-tmp")] == []  # PDFs linked again: none left over
    again = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    month = ("items", "2026", "11")  # not a copy sharing the live release's folders: rebuilt
    assert os.path.realpath(os.path.join(again, *month)) != os.path.realpath(os.path.join(live, *month))
    with open(os.path.join(again, "index.html"), "rb") as fh:
        assert fh.read() == home


def test_truncated_cached_pdfs_are_rendered_again_not_published(tmp_path):
    """A cache file cut short (a full disk, a killed copy) is not published: the next build renders
    it again, and every PDF of the live release opens in poppler and holds its text."""
    import glob
    import subprocess
    tree = copy_sample(tmp_path / "repo")
    assert tree.run("build", "--audience", "lingdao").exit_code == 0
    cached = glob.glob(os.path.join(tree.root, "build", "pdf-cache", "*.pdf"))
    assert len(cached) >= 20
    for path in cached:
        size = os.path.getsize(path)
        with open(path, "r+b") as fh:
            fh.truncate(size // 2)
    os.unlink(os.path.join(tree.root, "build", "lingdao", "state.pickle"))  # a build from scratch reuses the cache
    result = tree.run("build", "--audience", "lingdao")
    assert result.exit_code == 0, result.output
    live = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    pdfs = [os.path.join(d, f) for d, _, fs in os.walk(live, followlinks=True) for f in fs if f.endswith(".pdf")]
    assert len(pdfs) >= 20
    for path in pdfs:
        info = subprocess.run(["pdfinfo", path], capture_output=True, text=True)
        assert info.returncode == 0 and "Pages:" in info.stdout, (path, info.stderr)
        text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True).stdout
        assert "期" in text, path


def _cut_a_shared_pdf(live: str) -> str:
    pdf = os.path.join(live, "pdf", "daily", "2026", "198.pdf")
    assert os.path.islink(os.path.dirname(pdf))  # in the shared store
    with open(pdf, "r+b") as fh:
        fh.truncate(os.path.getsize(pdf) // 2)
    return "pdf/daily/2026/198.pdf"


def _delete_an_own_file(live: str) -> str:
    css = next(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(live, "assets")) for f in fs if f.endswith(".css"))
    os.unlink(css)
    return os.path.relpath(css, live)


def _plant(where: str):
    def plant(live: str) -> str:
        with open(os.path.join(live, where, "planted.html"), "w", encoding="utf-8") as fh:
            fh.write("<script>alert(1)</script>")
        return where + "/planted.html"
    return plant


@pytest.mark.parametrize("harm", [_cut_a_shared_pdf, _delete_an_own_file, _plant("items/2026/11"), _plant("units")],
                         ids=["shared-pdf-cut-short", "own-file-deleted", "file-added-to-shared", "file-added-to-own"])
def test_a_live_release_damaged_in_place_is_rebuilt_not_copied(tmp_path, harm):
    """Files deleted, cut short or added in the live release (its own files or the shared store's)
    are found before the release is copied: the next build rebuilds everything and says why, the
    damage is gone from the new release, and the build after that is incremental again."""
    import subprocess
    tree = copy_sample(tmp_path / "repo")
    pdf = harm is _cut_a_shared_pdf
    assert tree.run("build", "--audience", "lingdao", *([] if pdf else ["--no-pdf"])).exit_code == 0
    live = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    with open(os.path.join(live, "pdf", "daily", "2026", "198.pdf") if pdf else os.path.join(live, "index.html"), "rb") as fh:
        size = len(fh.read())
    hurt = harm(live)
    tree.item("20261124-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    result = tree.run("build", "--audience", "lingdao", *([] if pdf else ["--no-pdf"]))
    assert result.exit_code == 0, result.output
    assert "完整构建：上线版本的文件被改动过" in result.output, result.output
    again = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    if pdf:
        fixed = os.path.join(again, hurt)
        assert os.path.getsize(fixed) == size
        assert subprocess.run(["pdfinfo", fixed], capture_output=True).returncode == 0
    else:
        assert os.path.exists(os.path.join(again, hurt)) != hurt.endswith("planted.html")
    assert os.path.exists(os.path.join(again, "items", "2026", "11", "20261124-qingxi-01", "index.html"))

    edit(tree, item_path("20261124-qingxi-01"), "冬季安全检查。", "冬季安全检查，排查隐患二十处。")
    result = tree.run("build", "--audience", "lingdao", *([] if pdf else ["--no-pdf"]))
    assert result.exit_code == 0, result.output
    assert "完整构建" not in result.output  # nothing damaged: the live release is copied
    assert 0 < int(re.search(r"改写 (\d+) 个源文件", result.output).group(1)) < 40


def test_a_first_build_and_a_changed_theme_say_why_everything_was_built(tmp_path):
    tree = copy_sample(tmp_path / "repo")
    result = tree.run("build", "--no-pdf", "--audience", "lingdao")
    assert "完整构建：没有构建记录。" in result.output, result.output
    with open(os.path.join(tree.root, "mkdocs.yml"), "a", encoding="utf-8") as fh:
        fh.write("\n# a comment changes the engine's fingerprint\n")
    result = tree.run("build", "--no-pdf", "--audience", "lingdao")
    assert "完整构建：主题、网站配置或 MkDocs/Material 版本已改动。" in result.output, result.output


def test_a_build_says_why_it_generated_every_years_pages(tmp_path, monkeypatch):
    """years.plan's reasons for reading every year (it used to return None silently)."""
    from kanwu.incremental import fingerprint
    tree = copy_sample(tmp_path / "repo")
    assert tree.run("build", "--no-pdf", "--audience", "lingdao").exit_code == 0
    result = tree.run("build", "--no-pdf", "--audience", "lingdao")
    assert "完整构建" not in result.output and "全部年份" not in result.output, result.output  # a day's build
    with open(os.path.join(tree.root, "content", "kanwu.yml"), "a", encoding="utf-8") as fh:
        fh.write("\n# 一行注释也是配置的改动\n")
    result = tree.run("build", "--no-pdf", "--audience", "lingdao")
    reason = "全部年份的页面重新生成：设置已改动（kanwu.yml、units.yml、leaders.yml 或 content/proof/ 的词表）。"
    assert reason in result.output, result.output
    assert "完整构建" not in result.output  # the live release was still reused
    with open(os.path.join(tree.root, "content", "proof", "banned.yml"), "a", encoding="utf-8") as fh:
        fh.write("  - {word: 盲流人员, instead: 流动人口}\n")  # the notices count defects by the office's lists
    result = tree.run("build", "--no-pdf", "--audience", "lingdao")
    assert reason in result.output, result.output
    monkeypatch.setattr(fingerprint, "package", lambda *a: "another version of kanwu")
    result = tree.run("build", "--no-pdf", "--audience", "lingdao")
    assert "全部年份的页面重新生成：kanwu 的代码已更新。" in result.output, result.output
