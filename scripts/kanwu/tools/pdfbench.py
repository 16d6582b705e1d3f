"""Cold PDF rendering beside plain WeasyPrint, on the same issues, in one run (scripts/bench.py --pdf-only).

``python -m kanwu.tools.pdfbench ROOT --sample N`` takes N issues of the highest audience (every
k-th, so all periodicals and years are in), lays each out as HTML once, and then renders the same
HTML files, alternating, best of ``--rounds``:

- **kanwu**: ``pdf.run_jobs`` into an empty folder, the workers ``kanwu pdf`` uses (the asset
  fetcher, the 版记 moved to an even page, laid out alone, when it fell on an odd one, PDF/A-2b);
- **plain WeasyPrint**: the same number of processes, each HTML laid out once with the same
  stylesheet and fonts (``HTML(string).write_pdf(stylesheets=[css])``), as a user of WeasyPrint would.

Prints one JSON line: issues, pages, seconds of each, and in how many issues kanwu moved the 版记.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import tempfile
import time

_CSS: list = []


def _plain_init(root: str) -> None:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from ..pdf.worker import CSS_FILE
    fonts = FontConfiguration()
    _CSS[:] = [CSS(filename=os.path.join(root, CSS_FILE), font_config=fonts), fonts]


def _plain_one(args: tuple[str, str, str]) -> int:
    from weasyprint import HTML
    html, base, out = args
    css, fonts = _CSS
    doc = HTML(string=html, base_url=base).render(stylesheets=[css], font_config=fonts)
    doc.write_pdf(out)
    return len(doc.pages)


def _pages(path: str) -> int:
    import subprocess
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    return next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root")
    ap.add_argument("--sample", type=int, default=120)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--processes", type=int, default=0, help="0: as kanwu pdf (min(cores, 2))")
    args = ap.parse_args()

    from .. import audience as audience_mod
    from ..checks.validate import load_checked
    from ..incremental.cache import cores
    from ..pdf import document, run_jobs
    from ..pdf.worker import EVEN_MARK, Job

    repo = load_checked(args.root)
    top = max(repo.config.audiences.values(), key=lambda a: (len(a.periodicals), a.max_classification))
    view = audience_mod.view(repo, top)
    issues = sorted(view.issues, key=lambda i: (i.periodical, i.year, i.number))
    step = max(1, len(issues) // args.sample)
    chosen = issues[::step][: args.sample]
    html = [document.issue_html(args.root, document.as_sent(args.root, view, i), i) for i in chosen]
    processes = args.processes or min(cores(), 2)
    base = "file://" + os.path.join(os.path.abspath(args.root), "content", "assets") + "/"

    work = tempfile.mkdtemp(prefix="kanwu-pdfbench-")
    times: dict[str, list[float]] = {"kanwu": [], "plain": []}
    pages = {"kanwu": 0, "plain": 0}
    moved = 0
    try:
        for _ in range(args.rounds):
            for kind in ("kanwu", "plain"):
                out = os.path.join(work, kind)
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                start = time.monotonic()
                if kind == "kanwu":
                    jobs = [Job(f"#{n}", h, os.path.join(out, f"{n:04d}.pdf"), args.root) for n, h in enumerate(html)]
                    failures = run_jobs(jobs, processes=processes)
                    if failures:
                        raise SystemExit(f"kanwu failed: {failures}")
                else:
                    ctx = multiprocessing.get_context("fork")
                    with ctx.Pool(processes, initializer=_plain_init, initargs=(args.root,)) as pool:
                        pool.map(_plain_one, [(h, base, os.path.join(out, f"{n:04d}.pdf")) for n, h in enumerate(html)], chunksize=1)
                times[kind].append(time.monotonic() - start)
                files = sorted(os.listdir(out))
                pages[kind] = sum(_pages(os.path.join(out, f)) for f in files)
        # the 版记 moved: a double-sided issue whose plain layout has an odd number of pages
        plain = os.path.join(work, "plain")
        moved = sum(1 for n, h in enumerate(html) if EVEN_MARK in h and _pages(os.path.join(plain, f"{n:04d}.pdf")) % 2)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"issues": len(html), "processes": processes, "kanwu": min(times["kanwu"]), "plain": min(times["plain"]),
                      "kanwu_pages": pages["kanwu"], "plain_pages": pages["plain"], "tail_moved": moved,
                      "all": times}))


if __name__ == "__main__":
    main()
