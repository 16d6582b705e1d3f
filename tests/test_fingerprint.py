"""Cached results are made again when the code that made them changes (issue 24).

Every cache key's code part comes from ``kanwu.fingerprint``: the source of the job's entry modules
and every kanwu module they import. Two things are shown here for every cached job:
- the key covers the code that runs: the job, run for real in a fresh interpreter under a
  profiler, executes no kanwu module outside its closure (a module that does not run cannot reach
  the output, whatever its constants say);
- every module in the closure changes the key when its source changes (a constant edited).
And the case that was broken: a change to ``markup.cn_date``, which the PDF's HTML uses, gives a
different PDF with the old cache in place.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import copy_sample
from kanwu.incremental import fingerprint

PACKAGE = fingerprint.PACKAGE_DIR

SETUP = """
from kanwu import audience, pdf
from kanwu.checks.validate import load_checked
view, issues = pdf.chosen_issues(ROOT, "上报", 212, None, None)
"""

# kind: (the entry modules of its key, code run untraced first, the traced job)
JOBS = {
    "issue-pdf": (fingerprint.ISSUE_HTML, "from kanwu import pdf",
                  "pdf.render_command(ROOT, '上报', 212, None, None, None)"),
    "pdf-render": (fingerprint.PDF_RENDER, SETUP + "from kanwu.pdf import worker, document\n"
                   "job = worker.Job('x', document.issue_html(ROOT, view, issues[0], None), OUT + '/x.pdf', ROOT)",
                   "assert worker.render_one(job) == ''"),
    "docx": (fingerprint.ISSUE_HTML + fingerprint.DOCX, "from kanwu import pdf",
             SETUP + "from kanwu.word import export\n"
             "jobs = {p: j for p, j in zip((pdf.issue_pdf(i) for i in issues), pdf.jobs_for(ROOT, view, issues))}\n"
             "assert export.site_files(ROOT, view, jobs)"),
    "body": (fingerprint.BODY, "from kanwu.source import render",
             "render.body_html('一、**做法**\\n\\n| 项 | 数 |\\n| - | - |\\n| 巡查 | 86 |\\n\\n<script>x</script>', 'assets/')"),
    "layout": (fingerprint.LAYOUT, "from kanwu.incremental import shards",
               "assert shards.shard_of('items/2026/11/20261124-qingxi-01/index.html') == 'items/2026/11'"),
}

TRACER = """
import json, os, sys, threading
ROOT, OUT = sys.argv[1], sys.argv[2]
{setup}
import kanwu
package = os.path.dirname(kanwu.__file__) + os.sep
ran = set()
def profile(frame, event, arg):
    if event == "call" and frame.f_code.co_filename.startswith(package):
        ran.add((os.path.relpath(frame.f_code.co_filename, package), frame.f_code.co_name))
threading.setprofile(profile)
sys.setprofile(profile)
{job}
sys.setprofile(None)
threading.setprofile(None)
print(json.dumps(sorted(ran)))
"""


def module_of(rel: str) -> str:
    parts = rel[:-3].split(os.sep)
    return ".".join(["kanwu", *(parts[:-1] if parts[-1] == "__init__" else parts)])


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    tree = copy_sample(tmp_path_factory.mktemp("fp") / "repo")
    return tree


def executed(root: str, out: str, setup: str, job: str) -> dict[str, set[str]]:
    """{module: the names of its code objects that ran ('<module>': its body, on import)}"""
    script = TRACER.format(setup=setup, job=job)
    proc = subprocess.run([sys.executable, "-c", script, root, out], capture_output=True, text=True, timeout=600,
                          env=os.environ | {"PYTHONPATH": os.path.dirname(PACKAGE)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out: dict[str, set[str]] = {}
    for rel, name in json.loads(proc.stdout.strip().splitlines()[-1]):
        out.setdefault(module_of(rel), set()).add(name)
    return out


@pytest.mark.parametrize("kind", list(JOBS))
def test_a_cached_job_runs_only_code_its_key_covers_and_each_module_of_it_changes_the_key(kind, sample, tmp_path):
    entries, setup, job = JOBS[kind]
    closure = fingerprint.modules(entries)
    ran = executed(sample.root, str(tmp_path), setup, job)
    assert ran, "the profiler saw nothing"
    # Python runs a package's __init__ before its submodules: allowed outside the key only if
    # nothing but its body ran (no function of it was called) and no job module imports from it
    parents = {m for m in set(ran) - closure if ran[m] == {"<module>"} and any(c.startswith(m + ".") for c in closure)}
    outside = set(ran) - closure - parents
    assert not outside, f"{kind}: code that runs but is not in the key: {sorted(outside)}"
    # every module of the package: in the closure, an edited constant changes the key; outside it,
    # the module did not run (above), so it cannot reach the output
    copy = tmp_path / "kanwu"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = fingerprint.code(entries, str(copy))
    for name in fingerprint.all_modules(str(copy)):
        path = fingerprint.module_path(name, str(copy))
        with open(path, encoding="utf-8") as fh:
            source = fh.read()
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("\nPROBE_CONSTANT = 2\n")
        fingerprint.code.cache_clear()
        fingerprint.modules.cache_clear()
        changed = fingerprint.code(entries, str(copy)) != before
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(source)
        assert changed == (name in closure), f"{kind}: {name}"
        assert name in closure or name not in ran or name in parents
    fingerprint.code.cache_clear()
    fingerprint.modules.cache_clear()


def test_the_whole_package_is_the_pages_salt():
    assert fingerprint.modules(tuple(fingerprint.all_modules())) == set(fingerprint.all_modules())
    assert len(fingerprint.all_modules()) > 40


def test_a_change_to_the_date_format_the_pdf_uses_reaches_the_cached_pdf(tmp_path):
    """The stale-PDF case of issue 24: ``markup.cn_date`` (imported by the PDF's HTML) changed,
    ``kanwu pdf 上报 212`` run again with build/pdf-cache in place gives the new PDF."""
    tree = copy_sample(tmp_path / "repo")
    code = tmp_path / "code"
    shutil.copytree(PACKAGE, code / "kanwu", ignore=shutil.ignore_patterns("__pycache__"))

    def pdf_text() -> str:
        proc = subprocess.run([sys.executable, "-c", "import sys; from kanwu.cli import main; sys.argv[0] = 'kanwu'; main()",
                               "--root", tree.root, "pdf", "上报", "212"], capture_output=True, text=True, timeout=600,
                              env=os.environ | {"PYTHONPATH": str(code)})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        out = os.path.join(tree.root, "build", "pdf", "daily", "2026", "212.pdf")
        return subprocess.run(["pdftotext", "-layout", out, "-"], capture_output=True, text=True, check=True).stdout

    first = pdf_text()
    assert "号" not in first
    generate = code / "kanwu" / "pages" / "markup.py"
    source = generate.read_text(encoding="utf-8")
    old = 'return f"{day.year}年{day.month}月{day.day}日"'
    assert old in source
    generate.write_text(source.replace(old, 'return f"{day.year}年{day.month}月{day.day}号"'), encoding="utf-8")
    assert os.listdir(os.path.join(tree.root, "build", "pdf-cache"))  # the old cache is there
    second = pdf_text()
    assert "号" in second  # the masthead's date, made by cn_date
    assert second.replace("号", "日") == first  # and nothing else changed
