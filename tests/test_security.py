"""Audience builds that never leak, hostile input that never gets through, atomic publishing."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, Tree, copy_sample, item_path
from kanwu.source import render

CANARY = "澜江金丝雀KX7Q"
SECRET_CANARY = "澜江秘密雀MZ3P"


def sample_tree(dest) -> Tree:
    return copy_sample(dest)


def emergency(title, body, classification, period="1年"):
    return (f"---\ntitle: {title}\nunit: yingji\ndate: 2026-11-23\ncategory: 突发事件\nurgency: 特急\n"
            f"classification: {classification}\nsecrecy_period: {period}\nevent_at: 2026-11-23 07:00+08:00\n"
            f"reported_at: 2026-11-23 08:00+08:00\nauthors: [韦立新]\ntags: [{title[:4]}]\n---\n\n{body}\n")


@pytest.fixture(scope="module")
def leaky(tmp_path_factory):
    """The sample plus a 机密 item and a 秘密 item carried in a 重要信息 issue the 全体 audience gets."""
    tree = sample_tree(tmp_path_factory.mktemp("leak") / "repo")
    tree.item("20261123-yingji-02", emergency(f"机密事项{CANARY}", f"正文含有{CANARY}，不得外泄。", "机密"))
    tree.item("20261123-yingji-03", emergency(f"秘密事项{SECRET_CANARY}", f"正文含有{SECRET_CANARY}。", "秘密"))
    tree.write("issues/urgent/2026/014.yml",
               "periodical: urgent\nyear: 2026\nnumber: 14\ntotal: 43\ndate: 2026-11-23\neditor: 林雨桐\nsigner: 赵启明\n"
               "sections:\n- heading: 首报\n  items: [20261123-yingji-03, 20261123-yingji-01]\ncopies: 15\n")
    result = tree.run("build")
    assert result.exit_code == 0, result.output
    return tree


def written_files(tree, audience):
    live = os.path.realpath(os.path.join(tree.root, "site", audience))
    docs = os.path.join(tree.root, "build", audience, "docs")
    for base in (live, docs):
        for dirpath, _, files in os.walk(base, followlinks=True):
            for name in files:
                yield os.path.join(dirpath, name)


def readable(path) -> str:
    if path.endswith(".docx"):  # a zip: every part's text
        import zipfile
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", errors="replace") for n in z.namelist())
    if path.endswith(".pdf"):
        return subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
    with open(path, "rb") as fh:
        data = fh.read()
    if path.endswith(".gz") or data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def test_canaries_absent_from_every_file_of_the_lowest_audience(leaky):
    files = list(written_files(leaky, "quanti"))
    kinds = {os.path.splitext(f)[1] for f in files}
    assert {".html", ".xml", ".gz", ".pdf", ".docx", ".md", ".json", ".js"} <= kinds | {".json"}
    hits = [f for f in files if CANARY in readable(f) or SECRET_CANARY in readable(f)
            or "20261123-yingji-02" in readable(f) or "20261123-yingji-03" in readable(f)]
    assert not hits


def test_pagefind_index_has_no_canary(leaky):
    """Pagefind's fragments are gzip'd; decompressed above, and here searched by the browser's own API."""
    live = os.path.realpath(os.path.join(leaky.root, "site", "quanti"))
    frag = [f for f in written_files(leaky, "quanti") if "/pagefind-" in f and "/fragment/" in f]
    assert frag and not any(CANARY in readable(f) for f in frag)
    assert any("梅坞县" in readable(f) for f in frag)  # the fragments are readable: the search is meaningful
    assert os.path.exists(os.path.join(live, "sitemap.xml"))


def test_redacted_issue_shows_a_note(leaky):
    live = os.path.realpath(os.path.join(leaky.root, "site", "quanti"))
    page = open(os.path.join(live, "periodicals/urgent/2026/014/index.html"), encoding="utf-8").read()
    assert "本期另有 1 条信息超出“全体”的阅读范围" in page
    assert "市应急管理局部署应对寒潮降温天气" in page
    pdf = readable(os.path.join(live, "pdf/urgent/2026/014.pdf"))
    assert "本期另有1条信息超出本阅读范围" in "".join(pdf.split())


def test_counts_exclude_restricted_items(leaky):
    live = os.path.realpath(os.path.join(leaky.root, "site", "quanti"))
    units = open(os.path.join(live, "units/index.html"), encoding="utf-8").read()
    row = re.search(r"澜江市应急管理局</a></td>\s*<td>市直单位</td>\s*<td[^>]*>(\d+)</td>", units)
    visible = len([f for f in os.listdir(os.path.join(leaky.root, "content/items/2026/11")) if "-yingji-" in f]) - 2
    assert row and int(row.group(1)) == visible - 1  # the 秘密 sample item is not counted either


def test_higher_audience_sees_secret_not_top_secret(leaky):
    result = leaky.run("build", "--audience", "领导")
    assert result.exit_code == 0, result.output
    files = list(written_files(leaky, "lingdao"))
    assert any(SECRET_CANARY in readable(f) for f in files if f.endswith(".html"))
    assert not any(CANARY in readable(f) for f in files)


def test_omit_policy_leaves_the_issue_out(tmp_path):
    tree = sample_tree(tmp_path / "repo")
    config = os.path.join(tree.root, "content/kanwu.yml")
    text = open(config, encoding="utf-8").read().replace("restricted_issues: redact", "restricted_issues: omit", 1)
    open(config, "w", encoding="utf-8").write(text)
    tree.item("20261123-yingji-03", emergency(f"秘密事项{SECRET_CANARY}", "正文。", "秘密"))
    tree.write("issues/urgent/2026/014.yml",
               "periodical: urgent\nyear: 2026\nnumber: 14\ntotal: 43\ndate: 2026-11-23\neditor: 林雨桐\nsigner: 赵启明\n"
               "sections:\n- heading: 首报\n  items: [20261123-yingji-03, 20261123-yingji-01]\n")
    assert tree.run("build", "--no-pdf").exit_code == 0
    live = os.path.realpath(os.path.join(tree.root, "site", "quanti"))
    assert not os.path.exists(os.path.join(live, "periodicals/urgent/2026/014"))
    assert os.path.exists(os.path.join(live, "periodicals/urgent/2026/013"))


def test_default_build_is_the_lowest_audience(tmp_path):
    from kanwu.audience import pick
    from kanwu.source.config import load_config
    assert pick(load_config(ROOT), None).id == "quanti"


# ---- hostile HTML ----------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<a href=\"javascript:alert(1)\">点我</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">点我</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">点我</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">点我</a>",
    "[点我](javascript:alert(1))",
    "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<svg/onload=alert('XSS')>",
    "<body onload=alert('XSS')>",
    "<style>body{background:url(\"javascript:alert(1)\")}</style>",
    "<div style=\"background-image: url(javascript:alert('XSS'))\" onmouseover=\"alert(1)\">悬停</div>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert('XSS');//\">",
    "<link rel=\"stylesheet\" href=\"javascript:alert('XSS');\">",
    "<table background=\"javascript:alert('XSS')\"><tr><td>表</td></tr></table>",
    "<form action=\"javascript:alert(1)\"><button>提交</button></form>",
    "<math><a xlink:href=\"javascript:alert(1)\">数学</a></math>",
    "<p onclick=\"alert(1)\">段落</p>",
    "<details open ontoggle=alert(1)>",
    "<a href=\"http://example.com/\" onclick=\"alert(1)\">外链</a>",
    "--8<-- \"content/kanwu.yml\"",
]
IMG_XSS = ["<IMG SRC=\"javascript:alert('XSS');\">", "<img src=x onerror=\"alert(1)\">",
           "<IMG SRC=JaVaScRiPt:alert('XSS')>", "![x](data:image/png;base64,AAAA)"]


def assert_clean(html_text: str, where: str):
    """Judge real tags only: escaped text such as &lt;script&gt; is harmless words on a page."""
    tags = re.findall(r"<[a-zA-Z/!][^>]*>", html_text)
    for tag in tags:
        assert not re.match(r"<(script|iframe|object|embed|style|meta|base|link|form|svg|math)\b", tag, re.I), (where, tag)
        assert not re.search(r"\son\w+\s*=", tag, re.I), (where, tag)
        assert not re.search(r"(href|src|action|background)\s*=\s*[\"']?\s*(javascript|data|vbscript):", tag, re.I), (where, tag)


@pytest.mark.parametrize("vector", XSS + IMG_XSS)
def test_sanitiser_output_is_clean(vector):
    assert_clean(render.body_html(f"正文。\n\n{vector}\n", asset_prefix=""), vector)


def test_img_vectors_rejected_by_check(tree):
    for n, vector in enumerate(IMG_XSS, 1):
        tree.item(f"20261103-qingxi-{n:02d}", f"---\ntitle: 测试{n}\nunit: qingxi\ndate: 2026-11-03\ncategory: 动态\n"
                  f"urgency: 平件\nclassification: 内部\nauthors: [测试]\n---\n\n正文。\n\n{vector}\n")
    result = tree.run("check")
    assert result.exit_code == 1
    assert result.output.count("图片") >= len(IMG_XSS) - 1


def test_xss_vectors_never_reach_a_built_page(tmp_path):
    tree = sample_tree(tmp_path / "repo")
    for n, vector in enumerate(XSS, 1):
        tree.item(f"20261123-qingxi-{n + 1:02d}", f"---\ntitle: 测试样本{n}\nunit: qingxi\ndate: 2026-11-23\n"
                  f"category: 经验\nurgency: 平件\nclassification: 内部\nauthors: [测试]\n---\n\n正文第{n}条。\n\n{vector}\n")
    result = tree.run("build", "--no-pdf")
    assert result.exit_code == 0, result.output
    live = os.path.realpath(os.path.join(tree.root, "site", "quanti"))
    for n in range(1, len(XSS) + 1):
        page = open(os.path.join(live, f"items/2026/11/20261123-qingxi-{n + 1:02d}/index.html"), encoding="utf-8").read()
        article = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', page, re.S).group(1)
        assert_clean(article, XSS[n - 1])
        assert "javascript:" not in page.lower() and not re.search(r"\son\w+\s*=\s*[\"']?alert", page)
        assert f"正文第{n}条" in article
    snippet = open(os.path.join(live, f"items/2026/11/20261123-qingxi-{len(XSS) + 1:02d}/index.html"), encoding="utf-8").read()
    assert "office:" not in snippet and "periodicals:" not in snippet  # no include mechanism


def test_absurd_nesting_rejected_with_message(tree):
    from kanwu.source.render import RenderError
    with pytest.raises(RenderError, match="嵌套过深"):
        render.body_html("<div>" * 2000 + "x" + "</div>" * 2000, asset_prefix="")
    with pytest.raises(RenderError, match="嵌套过深"):
        render.body_html("> " * 500 + "x", asset_prefix="")


def test_nesting_fails_the_build_cleanly(tmp_path):
    tree = sample_tree(tmp_path / "repo")
    tree.item("20261123-qingxi-02", "---\ntitle: 嵌套\nunit: qingxi\ndate: 2026-11-23\ncategory: 经验\nurgency: 平件\n"
              "classification: 内部\nauthors: [测试]\n---\n\n" + "<div>" * 2000 + "x" + "</div>" * 2000 + "\n")
    result = tree.run("check")
    assert result.exit_code == 1 and "嵌套过深" in result.output
    assert "Traceback" not in result.output


# ---- atomic, single, reproducible ------------------------------------------------------------

def kanwu(tree, *args, **kw):
    exe = os.path.join(os.path.dirname(sys.executable), "kanwu")
    return subprocess.Popen([exe, "--root", tree.root, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, **kw)


def site_hashes(path):
    out = {}
    for dirpath, _, files in os.walk(path, followlinks=True):
        for name in files:
            full = os.path.join(dirpath, name)
            with open(full, "rb") as fh:
                out[os.path.relpath(full, path)] = hashlib.sha256(fh.read()).hexdigest()
    return out


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tree = sample_tree(tmp_path_factory.mktemp("atomic") / "repo")
    assert tree.run("build").exit_code == 0
    return tree


def test_kill_9_mid_build_keeps_the_old_site(published):
    live = os.path.join(published.root, "site", "quanti")
    before = os.path.realpath(live)
    hashes = site_hashes(before)
    # a change, so that the killed build has real work to do
    path = os.path.join(published.root, item_path("20261123-qingxi-01"))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n新增一段。\n")
    proc = kanwu(published, "build")
    releases = os.path.join(published.root, "build", "quanti", "releases")
    deadline = time.time() + 60
    while time.time() < deadline:
        new = [r for r in os.listdir(releases) if os.path.join(releases, r) != before]
        if new and os.path.exists(os.path.join(releases, new[0], "items")):
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert os.path.realpath(live) == before
    assert site_hashes(os.path.realpath(live)) == hashes
    done = published.run("build")
    assert done.exit_code == 0
    assert "新增一段" in open(os.path.join(os.path.realpath(live), "items/2026/11/20261123-qingxi-01/index.html"),
                          encoding="utf-8").read()


def test_two_builds_at_once_end_as_one_complete_site(published):
    procs = [kanwu(published, "build") for _ in range(2)]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    live = os.path.realpath(os.path.join(published.root, "site", "quanti"))
    assert os.path.exists(os.path.join(live, "index.html"))
    clean = sample_tree_hashes(published)
    assert site_hashes(live) == clean


def sample_tree_hashes(tree):
    assert tree.run("build").exit_code == 0
    return site_hashes(os.path.realpath(os.path.join(tree.root, "site", "quanti")))


def test_clean_builds_are_byte_identical(tmp_path):
    hashes = []
    for n in range(2):
        tree = sample_tree(tmp_path / f"r{n}")
        result = tree.run("build")
        assert result.exit_code == 0, result.output
        hashes.append(site_hashes(os.path.realpath(os.path.join(tree.root, "site", "quanti"))))
    assert hashes[0] == hashes[1]
    assert any(k.endswith(".pdf") for k in hashes[0]) and "sitemap.xml.gz" in hashes[0]


def test_incremental_build_equals_clean_build_and_spares_the_live_release(tmp_path):
    """A publish starts from a hard-linked copy of the live release: the live one must not change,
    and the result must be byte-identical to a clean build of the same sources."""
    tree = sample_tree(tmp_path / "inc")
    assert tree.run("build").exit_code == 0
    old_release = os.path.realpath(os.path.join(tree.root, "site", "quanti"))
    old_hashes = site_hashes(old_release)
    tree.item("20261124-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    tree.write("issues/daily/2026/213.yml", "periodical: daily\nyear: 2026\nnumber: 213\ntotal: 396\ndate: 2026-11-24\n"
               "editor: 林雨桐\nsigner: 周正平\nsections:\n- heading: 县区动态\n  items: [20261124-qingxi-01]\ncopies: 45\n")
    result = tree.run("build")
    assert result.exit_code == 0, result.output
    written = int(re.search(r"改写 (\d+) 个源文件", result.output).group(1))
    assert 0 < written < 40  # only what the new item and issue touch, not the whole site
    assert site_hashes(old_release) == old_hashes
    incremental = site_hashes(os.path.realpath(os.path.join(tree.root, "site", "quanti")))
    clean = sample_tree(tmp_path / "clean")
    shutil.copy(os.path.join(tree.root, item_path("20261124-qingxi-01")),
                os.path.join(clean.root, item_path("20261124-qingxi-01")))
    shutil.copy(os.path.join(tree.root, "issues/daily/2026/213.yml"), os.path.join(clean.root, "issues/daily/2026/213.yml"))
    assert clean.run("build").exit_code == 0
    assert incremental == site_hashes(os.path.realpath(os.path.join(clean.root, "site", "quanti")))


# Vectors that set window.__pwn if they run: in a title, a tag, an author and a unit's names.
FIELD_XSS = ['x<img src=x onerror="window.__pwn=1">', "</title><script>window.__pwn=2</script>",
             "<svg onload=window.__pwn=3>", '"><script>window.__pwn=4</script>', "'><svg/onload=window.__pwn=5>"]


def test_front_matter_fields_never_run_as_script_in_chromium(tmp_path, browser):
    """Every front-matter field an item or the unit list gives is text on every page that shows
    it (page titles, the header, navigation, lists, tag and unit pages, search results)."""
    import yaml

    tree = sample_tree(tmp_path / "repo")
    units_file = os.path.join(tree.root, "content", "units.yml")
    units = yaml.safe_load(open(units_file, encoding="utf-8"))
    for unit in units["units"]:
        if unit["id"] == "qingxi":
            unit["name"] = "中共青溪县委办公室" + FIELD_XSS[2]
            unit["short"] = "青溪" + FIELD_XSS[3]
    with open(units_file, "w", encoding="utf-8") as fh:
        yaml.safe_dump(units, fh, allow_unicode=True)
    for n, vector in enumerate(FIELD_XSS, 1):
        meta = {"title": f"标题{n}{vector}", "unit": "qingxi", "date": "2026-11-23", "category": "经验",
                "urgency": "平件", "classification": "内部", "authors": [f"作者{vector}"], "tags": [f"标签{n}{vector}"]}
        tree.item(f"20261123-qingxi-{n + 1:02d}", "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n\n正文。\n")
    result = tree.run("check")
    assert result.exit_code == 0, result.output
    result = tree.run("build", "--no-pdf")
    assert result.exit_code == 0, result.output
    live = os.path.realpath(os.path.join(tree.root, "site", "quanti"))
    pages = []
    for dirpath, _, files in os.walk(live, followlinks=True):
        if "index.html" in files and "pagefind" not in dirpath:
            with open(os.path.join(dirpath, "index.html"), encoding="utf-8") as fh:
                if "标题" in fh.read():
                    rel = os.path.relpath(dirpath, live).replace(os.sep, "/")
                    pages.append("/quanti/" + ("" if rel == "." else rel + "/"))
    pages.sort()
    pages.append("/quanti/search/?q=" + "标题1")
    assert any("/tags/" in p for p in pages) and any("/units/qingxi/" in p for p in pages)
    with watched(browser, os.path.join(tree.root, "site")) as (server, pg, ran):
        for p in pages:
            pg.goto(server + p, wait_until="load")
            if "?q=" in p:
                pg.wait_for_selector("#kanwu-search[data-done]")
                assert pg.locator(".kanwu-result-title", has_text="标题1").count() == 1
            pwn = pg.evaluate("() => window.__pwn")
            if pwn:
                ran.append((p, pwn))
        # the vectors are there, as text the reader can read
        pg.goto(server + "/quanti/items/2026/11/20261123-qingxi-02/")
        assert FIELD_XSS[0] in pg.title() and FIELD_XSS[0] in pg.locator("h1").first.inner_text()
    assert not ran, f"script from a front-matter field ran: {ran}"


@contextlib.contextmanager
def watched(browser, site_dir):
    """The built site served on 127.0.0.1, one page in Chromium, and what ran: alert() dialogs."""
    from conftest import serve
    ran: list = []
    with serve(site_dir) as server:
        context = browser.new_context(locale="zh-CN")
        try:
            pg = context.new_page()
            pg.on("dialog", lambda d: (ran.append(d.message), d.dismiss()))
            yield server, pg, ran
        finally:
            context.close()


HELP_XSS = ["# 帮助<img src=x onerror=\"window.__pwn=11\">", "</title><script>window.__pwn=12</script>",
            "<script>window.__pwn=13</script>", "<p onclick=\"window.__pwn=14\" id=p>点这里</p>",
            "[链接](javascript:window.__pwn=15)", "<svg onload=\"window.__pwn=16\"></svg>",
            "<iframe srcdoc=\"<script>parent.__pwn=17</script>\"></iframe>"]


def test_help_pages_are_sanitised_like_items(tmp_path, browser):
    """content/help/*.md reaches the site through a pull request any unit can open: the XSS corpus
    appended to submit.md (and a hostile first heading) comes out as text, in the file and in Chromium."""
    tree = sample_tree(tmp_path / "repo")
    help_file = os.path.join(tree.root, "content", "help", "submit.md")
    text = open(help_file, encoding="utf-8").read()
    text = HELP_XSS[0] + "\n\n" + text.split("\n", 1)[1] + "\n\n## 附\n\n" + "\n\n".join(XSS + HELP_XSS[1:]) + "\n"
    open(help_file, "w", encoding="utf-8").write(text)
    result = tree.run("build", "--no-pdf")
    assert result.exit_code == 0, result.output
    live = os.path.realpath(os.path.join(tree.root, "site", "quanti"))
    page = open(os.path.join(live, "help", "submit", "index.html"), encoding="utf-8").read()
    article = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', page, re.S).group(1)
    assert_clean(article, "help/submit.md")
    head = page.split("<body", 1)[0]
    assert not re.search(r"<(img|svg|script)[^>]*(onerror|onload|__pwn)", head, re.I), head  # the title, as text
    assert "在网页上报送" in article  # the help itself is still there
    with watched(browser, os.path.join(tree.root, "site")) as (server, pg, ran):
        for p in ("/quanti/help/submit/", "/quanti/help/", "/quanti/"):
            pg.goto(server + p, wait_until="load")
            if pg.locator("#p").count():
                pg.locator("#p").click()
            ran += [pwn] if (pwn := pg.evaluate("() => window.__pwn")) else []
        pg.goto(server + "/quanti/help/submit/")
        assert pg.title().startswith("帮助 - ")  # the heading's text; its tag was HTML, dropped
    assert ran == []


# Vectors that made check or build take minutes (Python-Markdown is quadratic in unmatched [ and <;
# the nesting regex was quadratic in "<a<a…"), or hang (a FIFO), or swallow memory (a 50 MB item).
BOUNDED = {"03": "<a" * 60000, "04": "[" * 30000, "05": "<a\n" * 40000,
           "06": "".join("    " * i + "- 层\n" for i in range(60)), "07": "正文很长。" * 60000}


def test_hostile_sizes_are_located_errors_within_seconds(tmp_path):
    tree = sample_tree(tmp_path / "repo")
    head = "---\ntitle: 边界{}\nunit: qingxi\ndate: 2026-11-23\ncategory: 经验\nurgency: 平件\nclassification: 内部\nauthors: [测试]\n---\n\n"
    for n, body in BOUNDED.items():
        tree.item(f"20261123-qingxi-{n}", head.format(n) + body + "\n")
    os.mkfifo(os.path.join(tree.root, "content", "items", "2026", "11", "20261123-qingxi-08.md"))
    exe = os.path.join(os.path.dirname(sys.executable), "kanwu")
    res = subprocess.run([exe, "--root", tree.root, "check"], capture_output=True, text=True, timeout=60)
    out = res.stdout + res.stderr
    assert res.returncode == 1 and "Traceback" not in out and "内部错误" not in out
    located: dict = {}
    for m in re.finditer(r"20261123-qingxi-(\d\d)\.md:\d+:\d+: 错误 — (.*)", out):
        located[m.group(1)] = located.get(m.group(1), "") + m.group(2)
    assert "“<”" in located["03"] and "这一行有 120,000 个字符" in located["03"], out
    assert "“[”" in located["04"] and "“<”" in located["05"] and "嵌套过深（59 层" in located["06"]
    assert "超过一条信息的上限" in located["07"] and "不是普通文件" in located["08"]


def test_rendering_has_a_time_limit(monkeypatch):
    """The backstop behind the bounds: a body that still renders too long is a RenderError, not a hang."""
    from kanwu.source.render import RenderError
    monkeypatch.setattr(render, "RENDER_SECONDS", 0.05)
    body = "[ " * 1400 + "\n" + "[\n" * 100  # under the bracket bound, ~0.5 s in Python-Markdown
    with pytest.raises(RenderError, match="排版超过"):
        render.body_html(body, asset_prefix="")
    assert "<p>" in render.body_html("正文。", asset_prefix="")  # and the timer is gone after
