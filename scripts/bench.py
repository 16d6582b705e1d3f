"""The benchmark behind BENCHMARKS.md: every scenario beside its baseline, in one run.

    .venv/bin/python scripts/bench.py --sizes 5000 20000 50000 --out BENCHMARKS.md
    make bench            (the same, all three sizes)
    make bench-smoke      (1,000 items: it must work, not be fast; CI runs it)

Each step runs in its own process; wall time is measured around it and peak memory is that
process's maximum resident set size (wait4). These machines are noisy: compare the ratios
within one run, not absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
KANWU = os.path.join(BIN, "kanwu")

FLOOR = r"""
import os, sys, yaml
n = 0
for d, _, fs in os.walk(sys.argv[1]):
    for f in fs:
        if f.endswith('.md'):
            text = open(os.path.join(d, f), encoding='utf-8').read()
            fm = text.split('---\n', 2)[1]
            yaml.load(fm, Loader=yaml.CSafeLoader)
            n += 1
print(n)
"""


def run(cmd, cwd=None, env=None) -> tuple[float, float, str]:
    """(seconds, peak MB of that process tree's largest process, output)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    # ru_maxrss of wait4 covers the process itself; children (mkdocs runs in-process, Pagefind and the
    # PDF workers are children) are reported through RUSAGE_CHILDREN of the measured process: take the max.
    peak = usage.ru_maxrss / 1024
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{out[-3000:]}")
    return seconds, peak, out


def peak_children(cmd, cwd=None) -> tuple[float, float, str]:
    """Like run(), but the peak includes the command's own children (Pagefind, PDF workers)."""
    wrapper = ("import resource, subprocess, sys, json, time;"
               "t=time.monotonic();r=subprocess.run(sys.argv[1:]);"
               "s=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
               "print('__PEAK__', s, time.monotonic()-t);sys.exit(r.returncode)")
    seconds, own, out = run([sys.executable, "-c", wrapper, *cmd], cwd=cwd)
    m = re.search(r"__PEAK__ (\d+) ([\d.]+)", out)
    return float(m.group(2)), max(own, int(m.group(1)) / 1024), out[:m.start()]


def plain_site(docs_from: str, dest: str) -> int:
    """The baseline: the same page names as kanwu's tree, each a plain ~400-character page."""
    text = ("澜江市各地各部门认真落实市委部署，扎实推进各项重点工作，取得了明显成效。" * 12)[:400]
    n = 0
    for d, _, fs in os.walk(docs_from):
        for f in fs:
            if f.endswith(".md"):
                rel = os.path.relpath(os.path.join(d, f), docs_from)
                out = os.path.join(dest, rel)
                os.makedirs(os.path.dirname(out), exist_ok=True)
                with open(out, "w", encoding="utf-8") as fh:
                    fh.write(f"# 第{n}页\n\n{text}\n\n{text[:200]}\n")
                n += 1
    return n


def add_day(archive: str, day: dt.date, n: int = 8) -> None:
    """Today's reports: n items from county units, ready for the day's issue."""
    for k in range(n):
        unit = f"xian{k + 1:02d}"
        path = os.path.join(archive, "content", "items", f"{day:%Y}", f"{day:%m}", f"{day:%Y%m%d}-{unit}-01.md")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(f"---\ntitle: 今日第{k + 1}条工作动态\nunit: {unit}\ndate: {day}\ncategory: 动态\nurgency: 平件\n"
                     f"classification: 内部\nauthors: [信息员{unit}]\n---\n\n今天各地按照部署开展工作，进展顺利，"
                     f"群众反映良好。共完成任务{k + 3}项，覆盖村（社区）{k * 7 + 12}个。\n")


def summary_line(out: str) -> str:
    """The last line of a build's output that gives its time (the reasons for a full build follow it)."""
    return next((line for line in reversed(out.strip().splitlines()) if "用时" in line), "")


def phase(out: str, name: str) -> float:
    """A step's seconds from the build's summary line: …用时 X 秒（PDF a，生成页面 b，MkDocs c，检索索引 d）。"""
    m = re.search(rf"{name} ([\d.]+)", summary_line(out))
    return float(m.group(1)) if m else 0.0


def phases_note(out: str) -> str:
    m = re.search(r"用时 [\d.]+ 秒（(.*?)）", summary_line(out))
    return f"其中 {m.group(1)}" if m else ""


def publish(n: int, archive: str, rows: list, day: dt.date, pdf: bool, full: float | None, one_pdf: bool = True) -> None:
    """Publishing one new daily issue into the built archive: assemble, sign, build (each a command).
    On the first day of a month, last month's search bundle joins its year's."""
    add_day(archive, day)
    t1, m1, _ = run([KANWU, "--root", archive, "assemble", "上报", "--date", str(day)])
    issue = sorted(os.listdir(os.path.join(archive, "issues", "daily", str(day.year))))[-1]
    t2, m2, _ = run([KANWU, "--root", archive, "sign", os.path.join(archive, "issues", "daily", str(day.year), issue),
                     "--date", str(day), "--by", "周正平"])
    t3, m3, out = peak_children([KANWU, "--root", archive, "build"] + ([] if pdf else ["--no-pdf"]))
    total = t1 + t2 + t3
    first = day.day == 1
    rows.append((n, f"发布一期上报（{day}{'，每月第一次' if first else ''}）：kanwu assemble", t1, m1, "", ""))
    rows.append((n, "　　kanwu sign", t2, m2, "", ""))
    what = "上月并入当年检索" if first else "当月检索"
    rows.append((n, f"　　kanwu build（增量：改动的页面 + {what} + 本期 PDF）", t3, m3,
                 f"完整构建的 1/{full / t3:.1f}" if full else "", phases_note(out)))
    rows.append((n, "　　三步合计", total, max(m1, m2, m3), f"完整构建的 1/{full / total:.1f}" if full else "", ""))
    if not one_pdf:
        return
    # 4. one issue, warm: today's issue as a numbered copy (份号 000001), which no build has rendered
    out = os.path.join(os.path.dirname(archive), "pdf-one")
    shutil.rmtree(out, ignore_errors=True)
    t4, m4, _ = peak_children([KANWU, "--root", archive, "pdf", "上报", str(int(issue.split(".")[0])), "--year", str(day.year),
                               "--copies", "1-1", "--out", out])
    per = pages_per_issue(out)
    rows.append((n, "一期 PDF（本期加印份号，新排版）", t4, m4, "", f"{per:.0f} 页"))


def publish_fresh_checkout(n: int, archive: str, rows: list, day: dt.date) -> None:
    """Publishing as the shipped CI does: into a site root whose state lives outside the checkout,
    then one more daily issue from a fresh copy of the repository without build/ (what a runner has
    after ``git clean -ffdx``), beside the first publish. No PDFs (a new state has none cached)."""
    work = os.path.dirname(archive)
    srv = os.path.join(work, f"srv-{n}")
    shutil.rmtree(srv, ignore_errors=True)
    t0, m0, out0 = peak_children([KANWU, "--root", archive, "publish", "--site-root", srv, "--no-pdf"])
    rows.append((n, "发布到上线目录（首次；状态目录在仓库之外，不含 PDF）", t0, m0, "", phases_note(out0)))
    clone = os.path.join(work, f"clone-{n}")
    shutil.rmtree(clone, ignore_errors=True)
    shutil.copytree(archive, clone, symlinks=True, ignore=shutil.ignore_patterns("build", "site"))
    add_day(clone, day)
    run([KANWU, "--root", clone, "assemble", "上报", "--date", str(day)])
    folder = os.path.join(clone, "issues", "daily", str(day.year))
    run([KANWU, "--root", clone, "sign", os.path.join(folder, sorted(os.listdir(folder))[-1]), "--date", str(day), "--by", "周正平"])
    t, m, out = peak_children([KANWU, "--root", clone, "publish", "--site-root", srv, "--no-pdf"])
    rows.append((n, f"　　再发布一期（{day}），从新的检出：没有 build/，状态目录保留", t, m, f"首次的 1/{t0 / t:.1f}",
                 phases_note(out)))
    shutil.rmtree(clone, ignore_errors=True)


class _Served:
    """The archive's site folder over HTTP on 127.0.0.1, and a headless Chromium."""

    def __init__(self, archive: str):
        self.site = os.path.join(archive, "site")

    def __enter__(self):
        import functools
        import http.server
        import threading

        from playwright.sync_api import sync_playwright

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=self.site))
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.pw = sync_playwright().start()
        self.browser = self.pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        return self

    def __exit__(self, *exc):
        self.browser.close()
        self.pw.stop()
        self.httpd.shutdown()


# In the page, before its scripts: when the load event fires and when the first result is in the
# document (the browser's own clock, so the driver's polling is not counted).
FIRST_RESULT = """
new MutationObserver(() => {
  if (!window.__kanwuFirst && document.querySelector(".kanwu-result-title")) window.__kanwuFirst = performance.now();
  // every year's results in (the newest years' come first, with "正在检索更早的年份")
  var said = document.querySelector(".kanwu-search-summary");
  if (!window.__kanwuAll && said && /^(找到|没有找到)/.test(said.textContent) && !/正在检索/.test(said.textContent))
    window.__kanwuAll = performance.now();
}).observe(document, { subtree: true, childList: true });
window.addEventListener("load", () => { window.__kanwuLoad = performance.now(); });
"""


def _on_the_wire(site: str, url: str, size: int) -> int:
    """What a response weighs as the shipped nginx config sends it (publish/serve.py: text types of
    1 KB or more gzip-compressed at level 5; Pagefind's files, compressed already, as they are)."""
    import gzip
    import urllib.parse
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    local = os.path.join(site, path.lstrip("/"))
    if path.endswith("/"):
        local = os.path.join(local, "index.html")
    if size < 1024 or not local.endswith((".html", ".css", ".js", ".json", ".xml", ".svg")) or not os.path.isfile(local):
        return size
    with open(local, "rb") as fh:
        return len(gzip.compress(fh.read(), compresslevel=5))


def _until(page, js: str, arg, seconds: float) -> None:
    """Poll ``js`` in the page until it is true. (Playwright's own waits, with a request handler
    registered, hung now and then at 50,000 items; short evaluations between sleeps do not.)"""
    deadline = time.monotonic() + seconds
    while not page.evaluate(js, arg):
        if time.monotonic() > deadline:
            raise SystemExit(f"search page: not done after {seconds} s: {page.locator('.kanwu-search-summary').inner_text()}")
        page.wait_for_timeout(50)


def search_probe(n: int, archive: str, rows: list, words: tuple[str, ...] = ("工作", "燃气", "老旧小区")) -> None:
    """``probe`` for a common word (one character pair), a rare one and a four-character phrase (three pairs)."""
    for word in words:
        probe(n, archive, rows, word)


def probe(n: int, archive: str, rows: list, word: str) -> None:
    """Headless Chromium on the live site: bytes and time until the first search result, for the
    two newest years (the default) and for every year (全部年份: the newest two years' results
    come first, the older years' while they are shown); when every year's results are listed;
    then what the page has fetched once the facets' counts are in too (the filter files come
    after the first results)."""
    for scope, label in (("", "最近两年（默认）"), ("&scope=all", "全部年份")):
        done: list = []  # the finished requests; their sizes are asked for afterwards, not in the
        # event handler (a blocking call there stalled the driver now and then at 50,000 items)
        with _Served(archive) as srv:
            page = srv.browser.new_page()
            page.on("requestfinished", lambda r: done.append(r))
            page.add_init_script(FIRST_RESULT)
            page.goto(f"{srv.url}/quanti/search/?q={word}{scope}", wait_until="load")
            _until(page, "() => !!window.__kanwuFirst", None, 60)
            first = page.evaluate("() => (window.__kanwuFirst - window.__kanwuLoad) / 1000")
            _until(page, "q => document.getElementById('kanwu-search').getAttribute('data-done') === q", word, 120)
            counted = page.evaluate("() => (performance.now() - window.__kanwuLoad) / 1000")
            every = page.evaluate("() => (window.__kanwuAll - window.__kanwuLoad) / 1000")
            every_at = page.evaluate("() => performance.timeOrigin + window.__kanwuAll")
            shown_at = page.evaluate("() => performance.timeOrigin + window.__kanwuFirst")
            found = page.locator(".kanwu-search-summary").inner_text()
            sizes = {r.url: r.sizes()["responseBodySize"] for r in done}
            # when each response was in (ms since the epoch, the browser's clock)
            ends = {r.url: r.timing["startTime"] + r.timing["responseEnd"] for r in done}
        at_first = {k: v for k, v in sizes.items() if ends[k] <= shown_at}  # what the first result waited for
        site = os.path.join(archive, "site")
        total = sum(at_first.values())
        search = sum(v for k, v in at_first.items() if "/pagefind-" in k)
        wire = sum(_on_the_wire(site, k, v) for k, v in at_first.items())
        bundles = sorted({re.search(r"/(pagefind-[0-9-]+)/", k).group(1) for k in sizes if "/pagefind-" in k})
        filters = sum(v for k, v in sizes.items() if ".pf_filter" in k)
        rows.append((n, f"检索（{label}）：Chromium 打开检索页“{word}”到出现第一条结果", first, 0,
                     f"下载 {total / 1024:.0f} KB（其中检索 {search / 1024:.0f} KB；按发布的 nginx 配置压缩后 {wire / 1024:.0f} KB）",
                     f"{found}从页面 load 事件到第一条结果插入页面（浏览器内计时）；用到 {len(bundles)} 份索引（{bundles[0]}…{bundles[-1]}）；"
                     f"全部结果在 {every:.2f} 秒时列出（到那时下载 {sum(v for k, v in sizes.items() if ends[k] <= every_at) / 1024:.0f} KB）；"
                     f"筛选计数在 {counted:.2f} 秒时齐全，到那时共下载 {sum(sizes.values()) / 1024:.0f} KB"
                     f"（其中筛选文件 {filters / 1024:.0f} KB，在第一条结果之后才取）"))


def _fragment_urls(folder: str, prefix: str = "/quanti") -> dict:
    """{Pagefind result id: page address} from a bundle's fragment files."""
    import gzip
    import json
    out = {}
    for name in os.listdir(os.path.join(folder, "fragment")):
        with open(os.path.join(folder, "fragment", name), "rb") as fh:
            data = gzip.decompress(fh.read())
        out[name.rsplit(".", 1)[0]] = prefix + json.loads(data[data.index(b"{"):])["url"]
    return out


def _addresses(ids: dict[str, list[str]], found: list[str], prefix: str = "/quanti") -> list[str]:
    """The pages of the results ``found``: an id, or the page's own address for an id that two
    bundles share (the search page reads it from the result's bundle: see kanwuSearchIds). An
    earlier version guessed which of the two pages it was, and counted misses that were not."""
    return [(i if i.startswith(prefix + "/") else prefix + i) if i.startswith("/") else ids[i][0] for i in found]


def _baseline_index(archive: str, live: str, urls: list) -> str:
    """What the site searched before: Pagefind 1.5's own indexing of the item pages as they are
    (language zh, its dictionary segmentation), in one bundle under the served site folder."""
    import hashlib
    staging = os.path.join(archive, "build", "bench-baseline-pages")
    out = os.path.join(archive, "site", "_baseline", "pagefind")
    made_from = os.path.join(archive, "site", "_baseline", "pages.sha256")
    digest = hashlib.sha256()
    for url in urls:
        with open(os.path.join(live, url[len("/quanti/"):], "index.html"), "rb") as fh:
            digest.update(url.encode() + b"\0" + fh.read())
    if os.path.exists(made_from) and open(made_from).read() == digest.hexdigest():
        return out  # made from these very pages by an earlier run
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    for url in urls:
        rel = url[len("/quanti/"):]
        os.makedirs(os.path.join(staging, rel), exist_ok=True)
        shutil.copyfile(os.path.join(live, rel, "index.html"), os.path.join(staging, rel, "index.html"))
    run([sys.executable, "-m", "pagefind", "--site", staging, "--output-path", out, "--silent"])
    shutil.rmtree(staging, ignore_errors=True)
    with open(made_from, "w") as fh:
        fh.write(digest.hexdigest())
    return out


BASELINE_IDS = """async (q) => {
  const pf = window.__baseline || (window.__baseline = await import("/_baseline/pagefind/pagefind.js"));
  await pf.options({ baseUrl: "/quanti/" });
  return (await pf.search(q)).results.map((r) => r.id);
}"""


def search_recall(n: int, archive: str, rows: list) -> None:
    """What search finds: ≥ 200 queries drawn from the archive's text, the items holding each
    (ground truth from the pages as Chromium lays them out) against what each way of searching
    returns, every year included. Ways: kanwu's search page (character pairs) and Pagefind 1.5's
    own Chinese segmentation of the same pages (what the site did before)."""
    import yaml

    from kanwu.tools import recall

    live = os.path.realpath(os.path.join(archive, "site", "quanti"))
    urls = sorted("/quanti/" + os.path.relpath(d, live) + "/" for d, _, fs in os.walk(os.path.join(live, "items"), followlinks=True)
                  if "index.html" in fs)
    ids: dict[str, list[str]] = {}  # an id is unique within one bundle only
    for d in sorted(os.listdir(live)):
        if d.startswith("pagefind-"):
            for i, url in _fragment_urls(os.path.join(live, d)).items():
                ids.setdefault(i, []).append(url)
    started = time.monotonic()
    base_ids = _fragment_urls(_baseline_index(archive, live, urls))
    base_t = time.monotonic() - started
    units = yaml.safe_load(open(os.path.join(archive, "content", "units.yml"), encoding="utf-8"))["units"]
    with _Served(archive) as srv:
        page = srv.browser.new_page()
        page.goto(f"{srv.url}/quanti/")
        started = time.monotonic()
        pages = recall.page_texts(page, urls)
        truth_t = time.monotonic() - started
        print(f"[{n}] ground truth: {len(pages)} pages in {truth_t:.0f} s", file=sys.stderr, flush=True)
        kinds = recall.draw_queries(pages, units, limits={"标题": 30})
        queries = sorted({q for qs in kinds.values() for q in qs})
        ways = {}
        page.goto(f"{srv.url}/quanti/search/?scope=all")
        page.wait_for_function("() => typeof window.kanwuSearchIds === \"function\"")
        started = time.monotonic()
        shared = sorted(i for i, u in ids.items() if len(u) > 1)
        ways["kanwu：字符对索引（本站检索页）"] = ({q: _addresses(ids, page.evaluate("([q, s]) => window.kanwuSearchIds(q, s)", [q, shared]))
                                            for q in queries}, time.monotonic() - started)
        home = srv.browser.new_page()
        home.goto(f"{srv.url}/quanti/")
        started = time.monotonic()
        ways["Pagefind 1.5.2 自带中文分词（原检索）"] = ({q: [base_ids[i] for i in home.evaluate(BASELINE_IDS, q)]
                                               for q in queries}, time.monotonic() - started)
    counts = "、".join(f"{k} {len(v)}" for k, v in kinds.items())
    rows.append((n, f"检索召回：{len(queries)} 个检索词（{counts}），标准答案取 {len(pages)} 个信息页在 Chromium 中的文字",
                 truth_t, 0, "", f"原检索索引另建用时 {base_t:.1f} 秒"))
    for way, (results, t) in ways.items():
        got = recall.score(pages, results, kinds.get("标题", set()))
        by_kind = "；".join(
            f"{k} {recall.score(pages, {q: results[q] for q in qs})['recall']:.3f}" for k, qs in kinds.items())
        missed = "、".join(sorted({q for q, _ in got["misses"]})[:6])
        rows.append((n, f"　　{way}", t, 0,
                     f"召回率 {got['recall']:.4f}（{got['found']}/{got['expected']}），全部找到的检索词 {got['complete']}/{got['queries']}，"
                     f"标题在前三 {got['titles_top3']}/{got['titles']}",
                     f"按类：{by_kind}" + (f"；漏检举例：{missed}" if missed else "")))


def publish_only(n: int, work: str, rows: list, day: dt.date) -> None:
    """Publishing one more daily issue into an archive built by an earlier full run."""
    archive = os.path.join(work, f"archive-{n}")
    if not os.path.isdir(os.path.join(archive, "site")):
        raise SystemExit(f"{archive} has not been built: run the full benchmark first")
    publish(n, archive, rows, day, True, None)


def proof_off(n: int, archive: str, rows: list, rounds: int = 3) -> None:
    """kanwu check cold with proofreading on (the office's levels) and off (every rule 关闭), in
    turns, best of ``rounds`` each: what proofreading costs a check of the whole archive."""
    import re
    cfg = os.path.join(archive, "content", "kanwu.yml")
    on = open(cfg, encoding="utf-8").read()
    off = re.sub(r"^(  [a-z]+-[a-z-]+: )(错误|警告)", r"\g<1>关闭", on, flags=re.M)
    best: dict = {}
    out = ""
    try:
        for _ in range(rounds):
            for label, text in (("on", on), ("off", off)):
                with open(cfg, "w", encoding="utf-8") as fh:
                    fh.write(text)
                shutil.rmtree(os.path.join(archive, "build", "cache"), ignore_errors=True)
                t, m, got = run([KANWU, "--root", archive, "check"])
                if label not in best or t < best[label][0]:
                    best[label] = (t, m)
                out = got if label == "on" else out
    finally:
        with open(cfg, "w", encoding="utf-8") as fh:
            fh.write(on)
    (t_on, m_on), (t_off, m_off) = best["on"], best["off"]
    rows.append((n, "kanwu check，冷，校对关闭（对照：全部规则设为“关闭”）", t_off, m_off, f"最快 {rounds} 次之一", ""))
    rows.append((n, "kanwu check，冷，校对开启（content/kanwu.yml 的级别）", t_on, m_on, f"{t_on / t_off:.2f}× 校对关闭",
                 out.strip().splitlines()[-1]))


def bench_size(n: int, work: str, rows: list, pdf_limit: int | None) -> None:
    archive = os.path.join(work, f"archive-{n}")
    years = max(1, round(n / 5000))
    t, m, out = run([KANWU, "--root", ROOT, "synth", archive, "--items", str(n), "--years", str(years)])
    counts = out.strip()
    rows.append((n, "生成合成档案", t, m, "", counts))

    # 1. check against the floor
    floor_t, floor_m, _ = run([sys.executable, "-c", FLOOR, os.path.join(archive, "content", "items")])
    shutil.rmtree(os.path.join(archive, "build", "cache"), ignore_errors=True)
    t, m, out = run([KANWU, "--root", archive, "check"])
    rows.append((n, "kanwu check，冷（没有解析缓存，并写入缓存）", t, m, f"{t / floor_t:.2f}× 下限", out.strip().splitlines()[-1]))
    t, m, out = run([KANWU, "--root", archive, "check"])
    rows.append((n, "kanwu check，热（文件未变，用解析缓存）", t, m, f"{t / floor_t:.2f}× 下限", ""))
    rows.append((n, "下限：读文件 + C 解析器解析头部", floor_t, floor_m, "", ""))
    proof_off(n, archive, rows)

    # 2. full build (generation + MkDocs + Pagefind) against plain MkDocs of as many plain pages
    t, m, out = peak_children([KANWU, "--root", archive, "build", "--no-pdf"])
    full = t
    search_t = phase(out, "检索索引")
    rows.append((n, "完整构建（读取 + 生成 + MkDocs + Pagefind 按年）", t, m, "", phases_note(out)))
    plain = os.path.join(work, f"plain-{n}")
    shutil.rmtree(plain, ignore_errors=True)
    pages = plain_site(os.path.join(archive, "build", "quanti", "docs"), os.path.join(plain, "docs"))
    shutil.copytree(os.path.join(ROOT, "theme"), os.path.join(plain, "theme"))
    cfg = open(os.path.join(ROOT, "mkdocs.yml"), encoding="utf-8").read()
    cfg = cfg.replace("docs_dir: build/docs", "docs_dir: docs").replace("site_dir: build/site", "site_dir: site")
    cfg = cfg.replace("strict: true", "strict: false")
    open(os.path.join(plain, "mkdocs.yml"), "w", encoding="utf-8").write(cfg)
    base_t, base_m, _ = run([os.path.join(BIN, "mkdocs"), "build", "-q"], cwd=plain,
                            env=os.environ | {"NO_MKDOCS_2_WARNING": "1"})
    rows[-1] = rows[-1][:4] + (f"{full / base_t:.2f}× 基线；不计检索 {(full - search_t) / base_t:.2f}×",) + rows[-1][5:]
    rows.append((n, f"基线：普通 mkdocs build，{pages} 个普通页面，同一主题和扩展", base_t, base_m, "", ""))
    rows.append((n, "其中：检索索引（Pagefind，每年一份、最新一月单独一份，两个并行）", search_t, m, "", "峰值内存为整个构建的子进程最大值"))

    # 4. PDFs cold on both cores (all issues), then unchanged
    if pdf_limit is None or n <= pdf_limit:
        t, m, out = peak_children([KANWU, "--root", archive, "pdf", "--audience", "lingdao", "--out", os.path.join(work, "pdf")])
        count = int(re.search(r"共 (\d+) 份", out).group(1))
        per = pages_per_issue(os.path.join(work, "pdf"))
        rows.append((n, f"全部 {count} 期 PDF，冷启动，2 核", t, m, f"{count / t:.1f} 期/秒",
                     f"平均每期 {per:.1f} 页（抽样 pdfinfo），约 {count * per / t:.0f} 页/秒"))
        t, m, _ = run([KANWU, "--root", archive, "pdf", "--audience", "lingdao", "--out", os.path.join(work, "pdf")])
        rows.append((n, "全部 PDF，没有改动", t, m, "", ""))
        pdf = True
    else:
        rows.append((n, "全部 PDF 冷启动", 0, 0, "本次未测", f"超过 {pdf_limit} 条时跳过（时间所限）"))
        pdf = False

    # 3. publish one new daily issue into the built archive
    if pdf:
        run([KANWU, "--root", archive, "build"])  # the archive as published: with every PDF
    t, m, out = peak_children([KANWU, "--root", archive, "build"] + ([] if pdf else ["--no-pdf"]))
    rows.append((n, "构建，没有任何改动", t, m, "", phases_note(out)))
    publish(n, archive, rows, dt.date(2026, 11, 23), pdf, full)
    publish(n, archive, rows, dt.date(2026, 12, 1), pdf, full, one_pdf=False)
    publish_fresh_checkout(n, archive, rows, dt.date(2026, 12, 2))

    # 5. search in a real browser: what it finds, then how fast the first result comes
    search_recall(n, archive, rows)
    search_probe(n, archive, rows)


def fresh_theme(archive: str) -> None:
    """An archive made by an earlier run holds the theme of its day (synth copies it): put this
    checkout's theme and site config in, so that what is measured is the code under test."""
    shutil.rmtree(os.path.join(archive, "theme"))
    shutil.copytree(os.path.join(ROOT, "theme"), os.path.join(archive, "theme"))
    shutil.copy(os.path.join(ROOT, "mkdocs.yml"), os.path.join(archive, "mkdocs.yml"))


def search_only(n: int, work: str, rows: list) -> None:
    """Search alone: the archive (made and built without PDFs when missing), recall, first result."""
    archive = os.path.join(work, f"archive-{n}")
    if not os.path.isdir(os.path.join(archive, "site")):
        t, m, out = run([KANWU, "--root", ROOT, "synth", archive, "--items", str(n), "--years", str(max(1, round(n / 5000)))])
        rows.append((n, "生成合成档案", t, m, "", out.strip()))
    fresh_theme(archive)
    t, m, out = peak_children([KANWU, "--root", archive, "build", "--no-pdf"])
    rows.append((n, "构建（不含 PDF）", t, m, "", phases_note(out)))
    search_recall(n, archive, rows)
    search_probe(n, archive, rows)


def pdf_baseline(n: int, work: str, rows: list, sample: int = 120) -> None:
    """Cold PDFs beside plain WeasyPrint on the same issues' HTML, alternating (kanwu.tools.pdfbench)."""
    import json
    archive = os.path.join(work, f"archive-{n}")
    if not os.path.isdir(archive):
        run([KANWU, "--root", ROOT, "synth", archive, "--items", str(n), "--years", str(max(1, round(n / 5000)))])
    _, m, out = run([sys.executable, "-m", "kanwu.tools.pdfbench", archive, "--sample", str(sample)])
    r = json.loads(out.strip().splitlines()[-1])
    per = r["kanwu_pages"] / r["issues"]
    rows.append((n, f"冷启动 PDF，同一批 {r['issues']} 期：kanwu（版记移到偶数页、PDF/A、资源白名单）", r["kanwu"], m,
                 f"{r['kanwu'] / r['plain']:.2f}× 基线",
                 f"{r['issues'] / r['kanwu']:.1f} 期/秒，{r['processes']} 个进程，平均每期 {per:.1f} 页；"
                 f"{r['tail_moved']} 期的版记落在奇数页，单独排版记移到偶数页；两轮交替取最好"))
    rows.append((n, "基线：WeasyPrint 直接排同一批 HTML（同一样式表和字体，每期一遍，普通 PDF）", r["plain"], 0, "",
                 f"{r['issues'] / r['plain']:.1f} 期/秒"))


def pages_per_issue(folder: str, sample: int = 60) -> float:
    import random
    pdfs = sorted(os.path.join(d, f) for d, _, fs in os.walk(folder) for f in fs if f.endswith(".pdf"))
    pick = random.Random(1).sample(pdfs, min(sample, len(pdfs)))
    pages = []
    for path in pick:
        info = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
        m = re.search(r"^Pages:\s+(\d+)", info, re.M)
        if m:
            pages.append(int(m.group(1)))
    return sum(pages) / len(pages) if pages else 0.0


def machine() -> str:
    import importlib.metadata as md
    versions = ", ".join(f"{p} {md.version(p)}" for p in ("mkdocs", "mkdocs-material", "weasyprint", "pagefind", "pyyaml"))
    mem = ""
    try:
        mem = f"{int(open('/proc/meminfo').read().split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{platform.platform()}, {os.cpu_count()} 核, {mem}, Python {platform.python_version()}; {versions}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 50000])
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--pdf-limit", type=int, default=None, help="skip cold PDFs above this many items")
    ap.add_argument("--publish-only", metavar="YYYY-MM-DD",
                    help="only publish one more daily issue of that day into archives built by an earlier full run")
    ap.add_argument("--search-only", action="store_true", help="only search: recall against the text, first result")
    ap.add_argument("--proof-only", action="store_true", help="only kanwu check with proofreading on and off, in turns")
    ap.add_argument("--pdf-only", action="store_true", help="only cold PDFs, beside plain WeasyPrint on the same HTML")
    ap.add_argument("--fresh-checkout-only", metavar="YYYY-MM-DD",
                    help="only publish into a site root, then one more issue of that day from a fresh checkout")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rows: list = []
    for n in args.sizes:
        if args.publish_only:
            publish_only(n, args.work, rows, dt.date.fromisoformat(args.publish_only))
        elif args.search_only:
            search_only(n, args.work, rows)
        elif args.pdf_only:
            pdf_baseline(n, args.work, rows)
        elif args.proof_only:
            archive = os.path.join(args.work, f"archive-{n}")
            if not os.path.isdir(archive):
                run([KANWU, "--root", ROOT, "synth", archive, "--items", str(n), "--years", str(max(1, round(n / 5000)))])
            proof_off(n, archive, rows)
        elif args.fresh_checkout_only:
            archive = os.path.join(args.work, f"archive-{n}")
            if not os.path.isdir(archive):
                run([KANWU, "--root", ROOT, "synth", archive, "--items", str(n), "--years", str(max(1, round(n / 5000)))])
            publish_fresh_checkout(n, archive, rows, dt.date.fromisoformat(args.fresh_checkout_only))
        else:
            bench_size(n, args.work, rows, args.pdf_limit)
    lines = ["# 性能测试结果（BENCHMARKS）", "",
             f"- 日期：{dt.date.today()}", f"- 机器：{machine()}",
             f"- 命令：`{' '.join([os.path.relpath(sys.executable, ROOT), 'scripts/bench.py', *sys.argv[1:]])}`", "",
             "每一步在自己的进程中运行；峰值内存是该进程（及其子进程中最大者）的最大常驻内存。比较同一次运行中的比值。", "",
             "| 规模 | 步骤 | 用时（秒） | 峰值内存（MB） | 对比 | 备注 |", "| ---: | --- | ---: | ---: | --- | --- |"]
    for n, step, t, m, ratio, note in rows:
        lines.append(f"| {n} | {step} | {t:.2f} | {m:.0f} | {ratio} | {note} |")
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
