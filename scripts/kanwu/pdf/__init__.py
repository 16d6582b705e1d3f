"""Issue PDFs in the printed bulletin format (WeasyPrint), rendered in worker processes.

Every issue renders in a pool of workers that each keep one FontConfiguration; each
render has a time and memory limit, and a failing issue does not stop the others. A
PDF is cached under build/pdf-cache by a hash of everything that goes into it (HTML,
CSS, fonts, WeasyPrint's version), so unchanged issues are never rendered again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import os
from collections.abc import Set as AbstractSet
from typing import Any

from .. import editions
from ..audience import View
from ..incremental import fingerprint
from .. import workdir
from ..incremental.cache import cores
from ..errors import KanwuError
from ..pages.generate import issue_pdf
from ..model import Issue
from . import document
from .fonts import ROLES, resolve_all
from .worker import CSS_FILE, Job, init_worker, render_one

log = logging.getLogger(__name__)
CACHE_DIR = "pdf-cache"  # under workdir.base
TIMEOUT_S = 120
TEMPLATE = os.path.join("theme", "pdf")


INDEX_FILE = os.path.join(CACHE_DIR, "inputs.json")


def job(root: str, label: str, html: str, base: str, inputs: str = "") -> Job:
    """The job for ``html``: its PDF is cached under a hash of the HTML and the rendering setup (``base``)."""
    digest = hashlib.sha256((base + html).encode("utf-8")).hexdigest()[:32]
    return Job(label, html, workdir.path(root, CACHE_DIR, digest + ".pdf"), root, inputs)


def _code_fingerprint(root: str) -> str:
    """kanwu's own code (what the printed HTML is made by, as its imports say) and the templates."""
    h = hashlib.sha256(fingerprint.code(fingerprint.ISSUE_HTML).encode())
    template_dir = os.path.join(root, TEMPLATE)
    for name in sorted(os.listdir(template_dir)) if os.path.isdir(template_dir) else []:
        with open(os.path.join(template_dir, name), "rb") as fh:
            h.update(name.encode() + b"\0" + fh.read())
    return h.hexdigest()


def _inputs(base: str, view: View, issue: Issue, copy_no: int | None) -> str:
    """A hash of the issue's inputs: its manifest, its items' printed content, units, periodical."""
    import json

    from ..source.manifest import issue_to_data
    p = view.config.periodicals[issue.periodical]
    # A signed issue prints what its seal covers (a correction added later is a notice of its own)
    manifest = issue.seal or issue.revision or json.dumps(issue_to_data(issue), ensure_ascii=False, sort_keys=True, default=str)
    parts = [base, manifest, repr(p), " ".join(issue.item_ids),
             str(view.redacted.get(issue.key, 0)), str(copy_no)]
    for item_id in issue.item_ids:
        item = view.items[item_id]
        unit = view.config.units.get(item.unit)
        parts.append(f"{item_id}|{item.digest}|{unit.short if unit else ''}|{item.instructions if editions.of(p).prints_instructions else ''}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def intact(path: str) -> bool:
    """A cached PDF whole as WeasyPrint wrote it: it opens with ``%PDF-``, ends with ``%%EOF`` and its
    ``startxref`` points inside the file. A truncated or emptied cache file (a full disk, a killed
    copy, a hand) is rendered again instead of being published (a zeroed middle is not caught:
    that would need a hash of every reused PDF at every build)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(5)
            size = os.fstat(fh.fileno()).st_size
            fh.seek(max(0, size - 64))
            tail = fh.read()
    except OSError:
        return False
    if head != b"%PDF-" or not tail.rstrip().endswith(b"%%EOF"):
        return False
    at = tail.rfind(b"startxref")
    if at < 0:
        return False
    try:
        offset = int(tail[at + 9:].split()[0])
    except (ValueError, IndexError):
        return False
    return 0 < offset < size


def _read_index(root: str) -> dict:
    import json
    try:
        with open(workdir.path(root, INDEX_FILE), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def _record(root: str, jobs: list[Job]) -> None:
    import json
    index = _read_index(root)
    index.update({j.inputs: os.path.basename(j.out) for j in jobs if j.inputs and intact(j.out)})
    path = workdir.path(root, INDEX_FILE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(index, fh)
    os.replace(tmp, path)


def _fingerprint(root: str) -> str:
    """What makes a PDF of a given HTML: WeasyPrint, the stylesheet, the worker's code, the fonts."""
    h = hashlib.sha256((fingerprint.versions("weasyprint") + fingerprint.code(fingerprint.PDF_RENDER)).encode())
    try:
        with open(os.path.join(root, CSS_FILE), "rb") as fh:
            h.update(fh.read())
    except FileNotFoundError:
        raise KanwuError(f"找不到印刷版样式表 {CSS_FILE}：仓库里缺了这个文件。怎么改：用 git checkout -- theme/pdf "
                         "恢复主题目录，或从 kanwu 的仓库复制 theme/ 过来") from None
    found = resolve_all(family for family, _ in ROLES.values())
    for family, _ in ROLES.values():
        h.update("|".join(found[family]).encode())
    return h.hexdigest()


class Lookup:
    """The rendering setup's fingerprints and the inputs index, read once per command."""

    def __init__(self, root: str):
        self.root = root
        self.base = _fingerprint(root)
        self.known_base = self.base + _code_fingerprint(root)
        self.index = _read_index(root)

    def job(self, label: str, inputs: str, html) -> Job:
        """The cached file for ``inputs`` if there is one; otherwise lay out ``html()`` (a callable)."""
        cached = self.index.get(inputs)
        if cached and intact(workdir.path(self.root, CACHE_DIR, cached)):
            return Job(label, "", workdir.path(self.root, CACHE_DIR, cached), self.root, inputs)
        return job(self.root, label, html(), self.base, inputs)


def jobs_for(root: str, view: View, issues: list[Issue], copy_no: int | None = None,
             lookup: Lookup | None = None) -> list[Job]:
    """A job per issue; an issue whose inputs were rendered before is not even laid out as HTML."""
    lookup = lookup or Lookup(root)
    jobs = []
    for issue in issues:
        p = view.config.periodicals[issue.periodical]
        label = f"《{p.name}》（{p.edition}）{issue.year}年第{issue.number}期" + (f" 第{copy_no:06d}份" if copy_no else "")
        sent = document.as_sent(root, view, issue)
        inputs = _inputs(lookup.known_base, sent, issue, copy_no)
        jobs.append(lookup.job(label, inputs, lambda issue=issue, sent=sent: document.issue_html(root, sent, issue, copy_no)))
    return jobs


def correction_jobs(root: str, view: View, issues: list[Issue], lookup: Lookup) -> dict[str, Job]:
    """The 勘误 notice of every issue with corrections, keyed by its path in the site."""
    from ..pages.generate import correction_pdf
    out = {}
    for issue in issues:
        if not issue.corrections:
            continue
        text = document.correction_text(view, issue)
        inputs = hashlib.sha256((lookup.known_base + repr(sorted(text.items()))).encode("utf-8")).hexdigest()
        out[correction_pdf(issue)] = lookup.job(text["title"], inputs, lambda text=text: document.correction_html(root, text))
    return out


AHEAD_MAX = 4  # manifests changed since the last build: a day's new issues, not a bulk change


def changed_manifests(root: str, since: float) -> list[str]:
    """The manifests in each periodical's newest year written after ``since`` (when the live release
    was recorded), found without reading the repository: the day's new issues. [] when there are
    more than ``AHEAD_MAX``: then the build renders them the usual way."""
    from ..source.manifest import ISSUES_DIR
    out = []
    with contextlib.suppress(OSError):
        for p in sorted(os.listdir(os.path.join(root, ISSUES_DIR))):
            folder = os.path.join(root, ISSUES_DIR, p)
            years = [y for y in os.listdir(folder) if y.isdigit()] if os.path.isdir(folder) else []
            if not years:
                continue
            year = max(years)
            with os.scandir(os.path.join(folder, year)) as entries:
                out += [f"{ISSUES_DIR}/{p}/{year}/{e.name}" for e in entries
                        if e.name.endswith((".yml", ".yaml")) and e.is_file(follow_symlinks=False)
                        and e.stat(follow_symlinks=False).st_mtime > since]
    return sorted(out) if len(out) <= AHEAD_MAX else []


def render_ahead(root: str, audience_name: str | None, rels: list[str]) -> None:
    """In a worker: render the PDFs of the issues at ``rels`` into the cache, each from a partial
    load (the year of the issue and of its items: ~0.2 s at 50,000 items, against ~1 s for all).
    The HTML is that of the whole view, so the build's job for the issue names the same file. An
    issue that cannot be had this way (a problem in the input, a rendering that fails) is left to
    the build, which renders or reports it as usual; nothing here is ever shown to the user."""
    from .. import audience as audience_mod
    from ..source.manifest import load_manifest
    from ..checks.validate import load_repository
    for rel in rels:
        try:
            issue, _ = load_manifest(root, rel)
            if issue is None:
                continue
            years = {issue.year} | {int(i[:4]) for i in issue.item_ids if i[:4].isdigit()}
            repo = load_repository(root, years)
            if repo.errors:
                return
            view = audience_mod.view(repo, audience_mod.pick(repo.config, audience_name))
            found = [i for i in view.issues if i.path == rel and all(x in view.items for x in i.item_ids)]
            jobs = jobs_for(root, view, found)
            if jobs and not intact(jobs[0].out) and not render_one(jobs[0]):
                _record(root, jobs)
        except Exception:  # noqa: BLE001 - the build makes it again, and reports what is wrong
            continue


# ---- parent side -----------------------------------------------------------------------------

class Workers:
    """Rendering processes started ahead of need: ``kanwu build`` starts them before it reads the
    repository, so WeasyPrint and the fonts load (~1 s) on the other core meanwhile. The owner
    closes them; a round that timed out or lost a worker closes them too (they cannot be trusted)."""

    def __init__(self, processes: int | None = None):
        ctx = multiprocessing.get_context("fork")
        self.pool: Any = ctx.Pool(processes or min(cores(), 2), initializer=init_worker)
        self._early: Any = None  # ``ahead``'s renders (an AsyncResult), still running

    def ahead(self, root: str, audience_name: str | None, rels: list[str]) -> None:
        """Render the PDFs of the issues at ``rels`` in a worker now, from what little they need
        (``render_ahead``), while the caller reads the whole repository; ``run_jobs`` waits for them
        before it looks for what is missing, and then finds their files in the cache."""
        if rels and self.pool is not None:
            self._early = self.pool.apply_async(render_ahead, (root, audience_name, rels))

    def settle(self) -> None:
        """Wait for the renders started by ``ahead``; what they failed to make is made as usual."""
        early, self._early = self._early, None
        if early is not None:
            with contextlib.suppress(Exception):
                early.get(timeout=TIMEOUT_S)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def run_jobs(jobs: list[Job], processes: int | None = None, workers: Workers | None = None) -> dict[str, str]:
    """Render the jobs whose cache file is missing; → {job.key: failure reason}. ``workers``:
    started ahead (``Workers``), used first; without them, or once broken, a pool is started here."""
    if workers is not None:
        workers.settle()
    todo = [j for j in jobs if not intact(j.out)]
    failures: dict[str, str] = {}
    try:
        if todo:
            _run(todo, failures, processes, workers)
        return failures
    finally:
        # every job laid out as HTML (found cached by its HTML or rendered now): next time its
        # inputs lead straight to the file, without laying it out again
        fresh = [j for j in jobs if j.html and j.inputs]
        if fresh:
            _record(fresh[0].root, fresh)


def _run(todo: list[Job], failures: dict, processes: int | None, workers: Workers | None = None) -> dict[str, str]:
    # even one issue (today's) renders in a worker: the worker guards time and memory
    processes = processes or min(len(todo), cores(), 2)
    ctx = multiprocessing.get_context("fork")
    pending = list(todo)
    while pending:
        ahead = workers is not None and workers.pool is not None
        pool = workers.pool if ahead and workers is not None else ctx.Pool(processes, initializer=init_worker)
        clean = False
        try:
            results = [(j, pool.apply_async(render_one, (j,))) for j in pending]
            pending = []
            for i, (job, res) in enumerate(results):
                try:
                    reason = res.get(timeout=TIMEOUT_S)
                except multiprocessing.TimeoutError:
                    failures[job.key] = f"排版超过 {TIMEOUT_S} 秒，已中止"
                    pending = [j for j, r in results[i + 1:] if not r.ready()]
                    done = [(j, r) for j, r in results[i + 1:] if r.ready()]
                    for j, r in done:
                        reason2 = r.get()
                        if reason2:
                            failures[j.key] = reason2
                    break
                except Exception as exc:  # the worker died (memory limit, crash)
                    reason = f"排版进程异常退出：{type(exc).__name__}"
                if reason:
                    failures[job.key] = reason
            else:
                clean = True
        finally:
            if ahead and clean:
                pass  # the owner's, still sound: it closes them
            elif ahead and workers is not None:
                workers.close()
            else:
                pool.terminate()
                pool.join()
    return failures


def notice_jobs(root: str, view: View, evaluation, lookup: Lookup | None = None, skip: AbstractSet[str] = frozenset()) -> dict[str, Job]:
    """The monthly and quarterly notices (通报) of the view, keyed by their path in the site: only of
    periods already over (``closed``). A notice is issued after its month or quarter; the open
    period's numbers change with every day's issue, so its page is live but it is not printed
    (at 50,000 items that saved re-typesetting two 100-unit tables on every publish)."""
    from types import SimpleNamespace

    from .. import stats
    from ..incremental.cache import salt
    from ..source.config import settings_files
    from ..pages.generate import reference_date
    from ..pages.notices import closed, notice_periods, notice_slug
    from ..paths import notice_pdf

    lookup = lookup or Lookup(root)
    site = SimpleNamespace(view=view, today=reference_date(view))  # what notice_periods reads
    base = lookup.known_base + salt(root, settings_files(root), "通报")  # + the statistics' code, units, rules
    out = {}
    for period in notice_periods(site):
        if not closed(period, site.today) or period.start.year in skip:
            continue
        inputs = hashlib.sha256((base + stats.notice_key(view, period, evaluation)).encode("utf-8")).hexdigest()

        def html(period=period):  # the numbers only for a notice not printed before
            return document.notice_html(root, document.notice_text(view, stats.compute(view, period, evaluation, site.today)))
        out[notice_pdf(notice_slug(period))] = lookup.job(f"{period.label}信息工作通报", inputs, html)
    return out


def render_view(root: str, view: View, evaluation=None, workers: Workers | None = None,
                skip: AbstractSet[str] = frozenset()) -> "Rendering":
    """Every issue (and notice) of the view as a cached PDF file, keyed by its path in the site:
    rendered by the workers once started, while the caller goes on (a build generates its pages
    meanwhile), and collected by ``Rendering.result``. ``skip``: sealed years (``years``), whose
    PDFs the build keeps."""
    lookup = Lookup(root)
    issues = [i for i in view.issues if i.year not in skip]
    jobs = dict(zip((issue_pdf(i) for i in issues), jobs_for(root, view, issues, lookup=lookup)))
    jobs.update(correction_jobs(root, view, issues, lookup))
    if evaluation is not None:
        jobs.update(notice_jobs(root, view, evaluation, lookup, skip))
    return Rendering(jobs, workers)


class Rendering:
    """PDFs to render: ``paths`` are known at once, the files once ``result`` returns. ``start``
    hands them to the workers from a thread (it only waits for them) and returns at once."""

    def __init__(self, jobs: dict, workers: Workers | None):
        import threading
        self.jobs = jobs
        self.paths = set(jobs)
        self._failures: dict = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(workers,), daemon=True)

    def start(self) -> "Rendering":
        if self._thread.ident is None:
            self._thread.start()
        return self

    def wait(self) -> None:
        if self._thread.ident is not None:
            self._thread.join()

    def _run(self, workers) -> None:
        try:
            self._failures = run_jobs(list(self.jobs.values()), workers=workers)
        except BaseException as exc:  # noqa: BLE001 - raised again by result()
            self._error = exc

    def result(self) -> dict:
        self.start().wait()
        if self._error is not None:
            raise self._error
        if self._failures:
            raise KanwuError("以下各期的 PDF 未能生成（其余各期已生成并缓存）：\n"
                             + "\n".join(f"  {k}：{v}" for k, v in self._failures.items()))
        from ..pages.generate import CachedFile
        return {rel: CachedFile(job.out) for rel, job in self.jobs.items()}


def render_command(root: str, periodical: str | None, number: int | None, year: int | None,
                   audience_name: str | None, copies: str | None) -> dict[str, str]:
    """``kanwu pdf``: the chosen issues (or all of the audience's) as {relative path: cached file}."""
    with Workers() as workers:  # started before the repository is read (see Workers)
        return _render_command(root, periodical, number, year, audience_name, copies, workers)


def chosen_issues(root: str, periodical: str | None, number: int | None, year: int | None,
                  audience_name: str | None) -> tuple[View, list[Issue]]:
    """The audience's view and the issues a command names (all of them without a periodical)."""
    from .. import audience as audience_mod
    from ..checks.validate import load_checked

    repo = None
    if periodical and number is not None and year:  # one issue: the years its items are in (as sign)
        from ..editorial.assemble import load_issue
        from ..source.config import load_config
        from ..source.manifest import manifest_path
        p = load_config(root).periodical(periodical)
        if p is not None and os.path.isfile(os.path.join(root, manifest_path(p.id, year, number))):
            repo, _ = load_issue(root, manifest_path(p.id, year, number))
    repo = repo or load_checked(root)
    aud = audience_mod.pick(repo.config, audience_name)
    view = audience_mod.view(repo, aud)
    issues = list(view.issues)
    if periodical:
        p = repo.config.periodical(periodical)
        if p is None:
            raise KanwuError(f"没有刊物“{periodical}”。")
        if p.id not in aud.periodicals:
            raise KanwuError(f"《{p.name}》（{p.edition}）不在阅读范围“{aud.name}”内；请用 --audience 指定更高的范围。")
        issues = [i for i in issues if i.periodical == p.id]
        if number is not None:
            year = year or max((i.year for i in issues if i.number == number), default=0)
            issues = [i for i in issues if i.number == number and i.year == year]
            if not issues:
                raise KanwuError(f"《{p.name}》（{p.edition}）没有第{number}期。")
    return view, issues


def _render_command(root: str, periodical: str | None, number: int | None, year: int | None,
                    audience_name: str | None, copies: str | None, workers: Workers) -> dict[str, str]:
    view, issues = chosen_issues(root, periodical, number, year, audience_name)
    if not copies:
        jobs = jobs_for(root, view, issues)
        failures = run_jobs(jobs, workers=workers)
        if failures:
            raise KanwuError("以下各期的 PDF 未能生成：\n" + "\n".join(f"  {k}：{v}" for k, v in failures.items()))
        return {issue_pdf(i): j.out for i, j in zip(issues, jobs)}
    try:
        first, _, last = copies.partition("-")
        numbers = range(int(first), int(last or first) + 1)
    except ValueError:
        raise KanwuError(f"--copies 应写成“起-止”，例如 1-40，现在是“{copies}”") from None
    if len(issues) != 1:
        raise KanwuError("加印份号时请指定一期：kanwu pdf 刊物 期号 --copies 1-40")
    lookup = Lookup(root)
    jobs = [j for n in numbers for j in jobs_for(root, view, issues, copy_no=n, lookup=lookup)]
    failures = run_jobs(jobs, workers=workers)
    if failures:
        raise KanwuError("以下份的 PDF 未能生成：\n" + "\n".join(f"  {k}：{v}" for k, v in failures.items()))
    base = issue_pdf(issues[0])[:-4]
    return {f"{base}/{n:06d}.pdf": j.out for n, j in zip(numbers, jobs)}
