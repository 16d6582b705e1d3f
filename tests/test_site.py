"""The built site, as a reader uses it: real MkDocs builds, headless Chromium on 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from conftest import built_sample, copy_sample, item_path, serve, shot


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return built_sample(tmp_path_factory.mktemp("site") / "repo", "--all-audiences")


@pytest.fixture(scope="module")
def server(built):
    with serve(os.path.join(built.root, "site")) as url:
        yield url


def test_reader_path_home_issue_item_unit(page, server):
    page.goto(f"{server}/quanti/")
    assert "信息刊物库" in page.title() or "首页" in page.title()
    assert page.locator("h1").first.inner_text() == "中共澜江市委办公室 信息刊物库"
    shot(page, "home")
    # the latest 上报 issue from the home page's table
    page.locator("table a", has_text="2026年第212期").click()
    page.wait_for_load_state()
    assert "/periodicals/daily/2026/212/" in page.url
    masthead = page.locator(".kanwu-masthead").inner_text()
    assert "澜江信息" in masthead and "2026年第212期（总第395期）" in masthead and "中共澜江市委办公室" in masthead
    assert page.locator(".kanwu-distribution").inner_text().count("共印45份") == 1
    assert page.locator("a", has_text="下载 PDF").count() == 1
    shot(page, "issue")
    page.locator("a", has_text="全文页面与采用情况").first.click()
    page.wait_for_load_state()
    assert "/items/2026/11/20261120-meiwu-01/" in page.url
    assert "《澜江信息》上报 2026年第212期" in page.locator("body").inner_text()
    page.locator(".kanwu-item a", has_text="梅坞县委办").click()
    page.wait_for_load_state()
    assert page.url.endswith("/units/meiwu/")
    page.locator("article a", has_text="2026年").first.click()  # the unit's items, one page per year
    page.wait_for_load_state()
    assert page.url.endswith("/units/meiwu/2026/")
    assert page.locator("a", has_text="梅坞县旅游旺季民宿消防隐患需引起重视").count() == 1


def test_pdf_link_downloads_a_pdf(page, server):
    response = page.request.get(f"{server}/quanti/pdf/daily/2026/212.pdf")
    assert response.ok and response.body()[:5] == b"%PDF-"


def test_parts_kept_out_of_search_are_marked_as_pagefind_reads_them(built, tmp_path):
    """Item pages keep their marks and deadline states out of the index. Python-Markdown
    writes a bare attribute as data-pagefind-ignore="data-pagefind-ignore", which Pagefind reads as
    invalid (a warning per element, then a guess): the value is written out."""
    import subprocess
    import sys
    items = os.path.join(built.root, "site", "quanti", "items")
    values = []
    for dirpath, _, files in os.walk(items, followlinks=True):
        for name in files:
            if name.endswith(".html"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as fh:
                    values += re.findall(r'data-pagefind-ignore(?:="([^"]*)")?', fh.read())
    assert len(values) > 50 and set(values) == {"all"}  # the marks of every item page
    shutil.copytree(items, tmp_path / "items", symlinks=False)
    res = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(tmp_path / "items"), "--output-path",
                          str(tmp_path / "out")], capture_output=True, text=True)
    assert res.returncode == 0 and "Parsing files" in res.stdout
    assert "not valid" not in res.stdout + res.stderr


def test_no_external_references_in_any_page(built):
    site = os.path.join(built.root, "site", "quanti")
    bad = []
    pattern = re.compile(r"""<(?:link|script|img|iframe|source)\b[^>]*(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)
    for dirpath, _, files in os.walk(site, followlinks=True):
        for name in files:
            if name.endswith((".html", ".css", ".js")):
                with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                if pattern.search(text) or "fonts.googleapis" in text or "fonts.gstatic" in text:
                    bad.append(name)
    assert not bad


def test_audiences_differ(built):
    lingdao = os.path.join(built.root, "site", "lingdao")
    quanti = os.path.join(built.root, "site", "quanti")
    assert os.path.exists(os.path.join(lingdao, "periodicals", "neican", "2026", "088", "index.html"))
    assert not os.path.exists(os.path.join(quanti, "periodicals", "neican"))
    assert not os.path.exists(os.path.join(quanti, "items", "2026", "11", "20261104-zhengfawei-01"))


def test_generation_rewrites_only_what_changed(built):
    again = built.run("build")
    assert "改写 0 个源文件，删除 0 个" in again.output, again.output
    path = os.path.join(built.root, item_path("20261123-qingxi-01"))
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("65%", "66%"))
    changed = built.run("build")
    written = int(re.search(r"改写 (\d+) 个源文件", changed.output).group(1))
    assert 1 <= written <= 2, changed.output  # the item page (it is in no issue), nothing else
    os.remove(path)
    removed = built.run("build")
    assert re.search(r"删除 [1-9]\d* 个", removed.output)
    docs = os.path.join(built.root, "build", "quanti", "docs")
    assert not os.path.exists(os.path.join(docs, "items/2026/11/20261123-qingxi-01.md"))
    live = os.path.realpath(os.path.join(built.root, "site", "quanti"))
    assert not os.path.exists(os.path.join(live, "items/2026/11/20261123-qingxi-01/index.html"))


def test_serve_regenerates_on_change(tmp_path):
    """kanwu serve: edit an item, the served page changes without restarting."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    tree = copy_sample(tmp_path / "repo")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = os.path.join(os.path.dirname(sys.executable), "kanwu")
    proc = subprocess.Popen([exe, "--root", tree.root, "serve", "--dev-addr", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/items/2026/11/20261123-qingxi-01/"

    def fetch():
        try:
            return urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
        except OSError:
            return ""
    try:
        deadline = time.time() + 90
        while "青溪县组织开展冬季麦田管理" not in fetch():
            assert time.time() < deadline, "kanwu serve did not come up"
            time.sleep(0.5)
        path = os.path.join(tree.root, item_path("20261123-qingxi-01"))
        text = open(path, encoding="utf-8").read()
        open(path, "w", encoding="utf-8").write(text.replace("青溪县组织开展冬季麦田管理", "青溪县全面开展冬季麦田管理"))
        deadline = time.time() + 90
        while "青溪县全面开展冬季麦田管理" not in fetch():
            assert time.time() < deadline, "the page was not regenerated"
            time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_every_internal_link_of_the_site_resolves(built):
    """Item pages write their metadata links as HTML (``generate.href``), which MkDocs neither
    rewrites nor checks: every relative link on every page must reach a file of the site."""
    live = os.path.realpath(os.path.join(built.root, "site", "lingdao"))  # the widest audience: every kind of page
    seen = broken = 0
    for folder, _, names in os.walk(live, followlinks=True):
        for name in names:
            if not name.endswith(".html"):
                continue
            text = open(os.path.join(folder, name), encoding="utf-8").read()
            for ref in re.findall(r'<a\b[^>]*\bhref="([^"#?:]+)"', text):
                target = os.path.normpath(os.path.join(live, ref.lstrip("/")) if ref.startswith("/") else os.path.join(folder, ref))
                seen += 1
                if not (os.path.isfile(target) or os.path.isfile(os.path.join(target, "index.html"))):
                    broken += 1
                    print(os.path.relpath(os.path.join(folder, name), live), "→", ref)
    assert seen > 1000 and broken == 0


def test_item_metadata_links_are_the_addresses_mkdocs_writes():
    from mkdocs.utils import get_relative_url

    from kanwu.pages.markup import href, page_url
    pages = ["index.md", "units/index.md", "units/qingxi.md", "items/2026/11/20261103-qingxi-01.md",
             "items/2026/11/20261104-qingxi-01.md", "items/2026/12/x.md", "months/2026-11.md", "help/index.md",
             "periodicals/daily/2026/001.md", "tags/06722b464d.md", "a.md"]
    for src in pages:
        for dest in pages:
            assert href(src, dest) == get_relative_url(page_url(dest), page_url(src)), (src, dest)
