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


def publish_only(n: int, work: str, rows: list, day: dt.date) -> None:
    """Publishing one more daily issue into an archive built by an earlier full run (--reuse)."""
    archive = os.path.join(work, f"archive-{n}")
    if not os.path.isdir(os.path.join(archive, "site")):
        raise SystemExit(f"{archive} has not been built: run the full benchmark first")
    add_day(archive, day)
    start = time.monotonic()
    t1, m1, _ = run([KANWU, "--root", archive, "assemble", "上报", "--date", str(day)])
    issue = sorted(os.listdir(os.path.join(archive, "issues", "daily", str(day.year))))[-1]
    t2, m2, _ = run([KANWU, "--root", archive, "sign", os.path.join(archive, "issues", "daily", str(day.year), issue),
                     "--date", str(day)])
    t3, m3, out = peak_children([KANWU, "--root", archive, "build"])
    total = time.monotonic() - start
    rows.append((n, f"发布一期上报（{day}，组期 + 签发 + 增量构建 + 当年检索 + 本期 PDF）", total, max(m1, m2, m3),
                 f"其中构建 {t3:.1f} 秒", out.strip().splitlines()[-1][:70]))


def bench_size(n: int, work: str, rows: list, pdf_limit: int | None) -> None:
    archive = os.path.join(work, f"archive-{n}")
    years = max(1, round(n / 5000))
    t, m, out = run([KANWU, "--root", ROOT, "synth", archive, "--items", str(n), "--years", str(years)])
    counts = out.strip()
    rows.append((n, "生成合成档案", t, m, "", counts))

    # 1. check against the floor
    floor_t, floor_m, _ = run([sys.executable, "-c", FLOOR, os.path.join(archive, "content", "items")])
    t, m, out = run([KANWU, "--root", archive, "check"])
    rows.append((n, "kanwu check", t, m, f"{t / floor_t:.2f}× 下限", out.strip().splitlines()[-1]))
    rows.append((n, "下限：读文件 + C 解析器解析头部", floor_t, floor_m, "", ""))

    # 2. full build (generation + MkDocs + Pagefind) against plain MkDocs of as many plain pages
    t, m, out = peak_children([KANWU, "--root", archive, "build", "--no-pdf"])
    full = t
    rows.append((n, "完整构建（生成 + MkDocs + Pagefind 按年）", t, m, "", out.strip().splitlines()[-1][:60]))
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
    rows[-1] = rows[-1][:4] + (f"{full / base_t:.2f}× 基线",) + rows[-1][5:]
    rows.append((n, f"基线：普通 mkdocs build，{pages} 个普通页面，同一主题和扩展", base_t, base_m, "", ""))

    # 4. PDFs cold on both cores (all issues), then unchanged
    if pdf_limit is None or n <= pdf_limit:
        t, m, out = peak_children([KANWU, "--root", archive, "pdf", "--audience", "lingdao", "--out", os.path.join(work, "pdf")])
        count = int(re.search(r"共 (\d+) 份", out).group(1))
        rows.append((n, f"全部 {count} 期 PDF，冷启动，2 核", t, m, f"{count / t:.1f} 期/秒", ""))
        t, m, _ = run([KANWU, "--root", archive, "pdf", "--audience", "lingdao", "--out", os.path.join(work, "pdf")])
        rows.append((n, "全部 PDF，没有改动", t, m, "", ""))
        pdf = True
    else:
        rows.append((n, "全部 PDF 冷启动", 0, 0, "本次未测", f"超过 {pdf_limit} 条时跳过（时间所限）"))
        pdf = False

    # 3. publish one new daily issue into the built archive
    if pdf:
        run([KANWU, "--root", archive, "build"])  # the archive as published: with every PDF
    day = dt.date(2026, 11, 23)
    add_day(archive, day)
    start = time.monotonic()
    t1, m1, _ = run([KANWU, "--root", archive, "assemble", "上报", "--date", str(day)])
    issue = sorted(os.listdir(os.path.join(archive, "issues", "daily", "2026")))[-1]
    t2, m2, _ = run([KANWU, "--root", archive, "sign", os.path.join(archive, "issues", "daily", "2026", issue), "--date", str(day)])
    t3, m3, out = peak_children([KANWU, "--root", archive, "build"] + ([] if pdf else ["--no-pdf"]))
    total = time.monotonic() - start
    rows.append((n, "发布一期上报（组期 + 签发 + 增量构建 + 当年检索 + 本期 PDF）", total, max(m1, m2, m3),
                 f"完整构建的 {full / total:.1f} 倍速", out.strip().splitlines()[-1][:70]))

    # 5. search: bundle sizes (what a reader downloads first)
    live = os.path.realpath(os.path.join(archive, "site", "quanti"))
    first = 0
    for d in os.listdir(live):
        if d.startswith("pagefind-"):
            for name in ("pagefind-entry.json", "pagefind.js", "pagefind-ui.js", "pagefind-ui.css"):
                p = os.path.join(live, d, name)
                if os.path.exists(p):
                    first += os.path.getsize(p)
            meta = [f for f in os.listdir(os.path.join(live, d)) if f.endswith(".pf_meta")]
            first += sum(os.path.getsize(os.path.join(live, d, f)) for f in meta)
            wasm = [f for f in os.listdir(os.path.join(live, d)) if f.endswith(".pagefind")]
            first += sum(os.path.getsize(os.path.join(live, d, f)) for f in wasm)
    rows.append((n, "检索：首次检索前下载的固定部分（各年索引的入口、元数据、WASM）", 0, 0, f"{first / 1024:.0f} KB", ""))


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
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rows: list = []
    for n in args.sizes:
        if args.publish_only:
            publish_only(n, args.work, rows, dt.date.fromisoformat(args.publish_only))
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
