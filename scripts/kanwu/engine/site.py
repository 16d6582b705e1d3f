"""Building one audience's site: generate the pages, run MkDocs, index with Pagefind,
then switch the live directory in one rename.

Layout (``workdir``: the checkout's build/, or a publish's state directory outside it):
    <work>/<audience>/docs/            generated Markdown (rewritten only where changed)
    <work>/<audience>/releases/<id>/   one complete built site per release
    <site root>/<audience>             a symlink to the live release, swapped atomically
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import shutil
import subprocess
import time
import dataclasses
from dataclasses import dataclass

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about its successor

import nh3  # noqa: E402
from mkdocs.plugins import BasePlugin  # noqa: E402

from .. import audience as audience_mod  # noqa: E402
from ..pages import generate  # noqa: E402
from ..incremental import shards  # noqa: E402
from .. import workdir  # noqa: E402
from ..incremental import years as years_mod  # noqa: E402
from ..incremental.cache import bulk_load, cores  # noqa: E402
from ..source.config import KEEP_RELEASES  # noqa: E402
from ..errors import KanwuError  # noqa: E402
from ..source.render import clean_page  # noqa: E402
from .searchindex import index_search  # noqa: E402
from ..checks.validate import asset_file, image_refs, load_checked  # noqa: E402

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    audience: str
    release: str
    live: str
    pages: int
    written: int
    removed: int
    pdfs: int
    seconds: float
    phases: tuple = ()  # (name, seconds) of the steps: PDF, pages, MkDocs, search
    full: str = ""  # why every page was built, when the live release was not reused
    every_year: str = ""  # why every year was read and its pages generated (years.plan), or ""


@contextlib.contextmanager
def lock(path: str):
    """One build of an audience at a time; a second one waits for the first."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def source_date_epoch(root: str) -> str:
    """Builds are reproducible: dates come from the last commit, never from the clock."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    res = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True)
    return res.stdout.strip() if res.returncode == 0 and res.stdout.strip() else "0"


def build(root: str, audience_name: str | None = None, pdf: bool = True, out_root: str | None = None) -> BuildResult:
    """Build one audience's site and switch it live."""
    with _workers(pdf) as workers:  # forked before the repository is read: small, and ready in time
        from ..source.config import load_config
        aud = audience_mod.pick(load_config(root), audience_name)  # a bad configuration: load_checked's error
        if workers is not None:
            _render_ahead(root, aud, audience_name, workers)
        live = os.path.join(out_root or os.path.join(root, "site"), aud.id)
        with lock(workdir.path(root, f".{aud.id}.lock")):
            result = _release(root, aud, live, pdf, workers, years_mod.signatures(root), [])
            go_live(live, result.release)
    return result


def _release(root: str, aud, live: str, pdf: bool, workers, sigs: dict, whole: list) -> BuildResult:
    """``build_release`` from the years ``load_for_build`` reads, or from all when those do not
    cover what the pages show. ``sigs``: taken before anything was read; ``whole``: [the whole
    repository] once read, for the next audience."""
    repo, sealed, why = load_for_build(root, aud, sigs, whole)
    try:
        result = build_release(root, repo, aud, live, pdf, workers, sealed, sigs)
    except years_mod.ReadAll:
        why = "生成页面时用到了未读入的年份"
        result = build_release(root, _whole(root, whole), aud, live, pdf, workers, {}, sigs)
    return dataclasses.replace(result, every_year=why) if why else result


def _whole(root: str, whole: list):
    if not whole:
        whole.append(load_checked(root))
    return whole[0]


def load_for_build(root: str, aud, sigs: dict, whole: list | None = None) -> tuple:
    """(repository, sealed years, why every year is read or ""). The repository holds the years whose pages may change
    (``years.plan``, and those tied to them) and the years tied to those (what their pages show);
    every other year is sealed, given with what it gave the last build. ``sigs``: every year's
    file signatures, taken before reading (a file changed meanwhile is read again next time)."""
    whole = [] if whole is None else whole
    record = _read_record(workdir.path(root, aud.id, years_mod.RECORD))
    dirty, why = years_mod.plan(record, root, page_salt(root, aud.id), engine_fingerprint(root), sigs)
    if dirty is None or whole:
        return _whole(root, whole), {}, why if dirty is None else ""
    kept, tied = record["years"], years_mod.ties(record["years"], {}, set())
    read = years_mod.around(dirty, tied)  # first from the record; then from what was read
    loaded = years_mod.around(read, tied) & set(sigs)
    while loaded < set(sigs):
        repo = load_checked(root, loaded)
        tied = years_mod.ties(kept, years_mod.refs_of(repo.items, repo.issues), loaded)
        read = years_mod.around(dirty, tied)
        need = years_mod.around(read, tied) & set(sigs)
        if need <= loaded:
            return repo, {y: kept[y] for y in sigs if y not in read}, ""
        loaded |= need
    return _whole(root, whole), {}, ""


def _render_ahead(root: str, aud, audience_name: str | None, workers) -> None:
    """Start the PDFs of the issues made since the live release on the workers, before the
    repository is read: at 50,000 items the day's PDF (~1 s) then renders while the build reads
    and checks the archive (~1 s), rather than after."""
    from ..pdf import changed_manifests
    try:
        since = os.stat(workdir.path(root, aud.id, "state.pickle")).st_mtime
    except OSError:  # no release yet: everything renders anyway
        return
    workers.ahead(root, audience_name, changed_manifests(root, since))


def _workers(pdf: bool):
    """PDF rendering processes, started ahead (see ``pdf.Workers``), or nothing to close."""
    if not pdf:
        return contextlib.nullcontext()
    from ..pdf import Workers
    return Workers()


def build_release(root: str, repo, aud, live: str, pdf: bool = True, workers=None, sealed: dict | None = None,
                  sigs: dict | None = None) -> BuildResult:
    """Generate, render and index one audience into a new, complete release folder (not yet live).

    When the live release was built by the same engine (mkdocs.yml, theme, versions), the new
    release starts as a hard-linked copy of it and MkDocs rebuilds only the pages whose
    source changed (written to fresh files, so the live release is never touched); Pagefind
    re-indexes only the years those pages belong to. Otherwise everything is built.

    ``sealed``: the years ``repo`` leaves out (``load_for_build``), their pages kept as they are;
    ``sigs``: the signatures of every year's files, taken before ``repo`` was read, for the record
    of what each year gave this build (``years``); without them no such record is kept.
    """
    start = time.monotonic()
    view = audience_mod.view(repo, aud)
    work = workdir.path(root, aud.id)
    state_path = os.path.join(work, "state.pickle")
    state = _read_record(state_path)
    from ..source import render
    render.load_cache(workdir.path(root, "cache", "bodies"))
    files: dict = {}
    phases = []
    mark = time.monotonic()
    rendering = None
    if pdf:  # the jobs; rendered by the workers while the pages are generated
        from .. import pdf as pdf_mod
        rendering = pdf_mod.render_view(root, view, repo.evaluation, workers, set(sealed or ()))
        phases.append(("PDF", time.monotonic() - mark))
        mark = time.monotonic()
    # Two records: what the live release was built from (state.pickle, written when a release is
    # complete) and what the generated tree holds (tree.pickle, written as soon as the tree is).
    salt = page_salt(root, aud.id)
    known = state.get("pages") or {}
    tree_path = os.path.join(work, "tree.pickle")
    tree = _read_record(tree_path) if known else {}
    in_tree = tree.get("pages") or {}
    keys = tree.get("keys") if tree.get("salt") == salt else None
    last_keys = {p: (k, in_tree[p]) for p, k in keys.items() if p in in_tree} if keys else {}
    docs = os.path.join(work, "docs")
    os.makedirs(docs, exist_ok=True)
    folder = os.path.join(work, "releases")
    os.makedirs(folder, exist_ok=True)
    for leftover in os.listdir(folder):  # a build killed half-way leaves its temporary folder
        if leftover.startswith(".tmp-"):
            shutil.rmtree(os.path.join(folder, leftover), ignore_errors=True)
    name = f"{next_release_number(folder):06d}-" + time.strftime("%Y%m%d-%H%M%S")
    tmp = os.path.join(folder, f".tmp-{name}")
    engine = engine_fingerprint(root)
    previous = os.path.realpath(live) if os.path.islink(live) else ""
    full = why_full(work, previous, state, engine)
    incremental = not full
    word = {}
    if rendering:  # the issues as Word documents too, cached by the same inputs
        from ..word import export as word_export
        word = word_export.site_files(root, view, rendering.jobs, set(sealed or ()))
    pdfs = (rendering.paths | set(word)) if rendering else set()
    sealed = sealed or {}
    site = generate.Site(view, pdfs=pdfs, evaluation=repo.evaluation, previous=last_keys, sealed=sealed)
    if sealed and max(sealed) >= (site.today - dt.timedelta(days=7)).year:  # the home page's week reaches a sealed year
        raise years_mod.ReadAll()
    copying = None
    try:
        with bulk_load():  # keys and pages of 57,000 pages: kept to the end, and not a cycle among them
            site.prepare()  # (may fork: before the threads below)
            if rendering:
                rendering.start()
            if incremental:  # the new release starts as a copy of the live one, made meanwhile
                copying = shards.Copying(previous, tmp, lambda: read_inventory(work, previous))
            try:
                pages = site.pages()
            except BaseException:
                if rendering:
                    rendering.wait()  # no thread left using the workers the caller is about to close
                raise
        files.update(word)
        if rendering:
            waited = time.monotonic()
            files.update(rendering.result())
            phases[0] = ("PDF", phases[0][1] + time.monotonic() - waited)  # the wait beyond the generation
            mark += time.monotonic() - waited
        files.update(pages)
        assets = asset_refs(view)
        files.update(static_files(root, view, {a for y in sealed.values() for a in y["assets"]}, assets))
        try:
            written, removed, hashes = generate.write_tree(docs, files, in_tree, known)
        except generate.StaleTree:  # the tree was changed behind kanwu's back: generate every page
            if sealed:
                raise years_mod.ReadAll() from None
            if copying:
                copying.wait()  # before a fork that rendering every body may take
            files = {k: v for k, v in files.items() if k in pdfs}
            site = generate.Site(view, pdfs=pdfs, evaluation=repo.evaluation)
            files.update(site.pages())
            files.update(static_files(root, view))
            written, removed, hashes = generate.write_tree(docs, files, {}, known)
        _write_record(tree_path, {"salt": salt, "keys": site.keys, "pages": hashes})
        render.save_cache()
    except BaseException:
        if copying:  # the copy is finished before it is removed
            with contextlib.suppress(Exception):
                copying.wait()
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    phases.append(("生成页面", time.monotonic() - mark))
    bundles = bundle_keys(site.bundles, salt)
    was = (state.get("fragments") or {}) if incremental else {}  # {bundle: {fragment: (page, search key)}}
    fragments = {b: f for b, f in was.items() if b in bundles}
    store = os.path.join(work, "store")
    search_docs = os.path.join(work, "search-docs")  # a cache: lost, the documents are made again
    try:
        if incremental:
            copying.wait()
            if copying.damage:  # not copied: every page is built
                full = damaged(copying.damage) if copying.recorded else "上线版本没有文件清单"
                incremental = False
                fragments = {}
        if incremental:
            changed_outputs = [out for rel in written + removed for out in outputs(rel)]
            for shard in sorted({shards.shard_of(out) for out in changed_outputs} - {None}):
                shards.unshare(tmp, shard, store, name)
            for out in changed_outputs:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(tmp, out))
            for out in ("sitemap.xml", "sitemap.xml.gz", "404.html"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(tmp, out))
            mark = time.monotonic()
            run_mkdocs(root, docs, tmp, only=set(written), known=list(files))
            phases.append(("MkDocs", time.monotonic() - mark))
            mark = time.monotonic()
            indexed = state.get("search") or {}
            stale = {b: site.bundles[b] for b, key in bundles.items()
                     if indexed.get(b) != key or not os.path.isdir(os.path.join(tmp, b))}
            fragments.update(index_search(tmp, stale, carried_fragments(previous, was) if stale else None,
                                          docs=search_docs, salt=salt + engine))
        else:
            mark = time.monotonic()
            run_mkdocs(root, docs, tmp, pages=sorted(r for r in files if r.endswith(".md")), known=list(files))
            phases.append(("MkDocs", time.monotonic() - mark))
            mark = time.monotonic()
            fragments = index_search(tmp, site.bundles, docs=search_docs, salt=salt + engine)
        phases.append(("检索索引", time.monotonic() - mark))
        for old in os.listdir(tmp):  # bundles no longer made: a year gone from the view, last month's
            if old.startswith("pagefind-") and old not in bundles:
                shards.drop(tmp, old)
        shards.settle(tmp, store, name)
        # A copy of a complete release is complete but for what changed: check that, and the links.
        verify(tmp, {rel: None for rel in written} if incremental else files)
        broken = shards.broken(tmp)
        if broken:
            raise KanwuError(f"构建结果不完整，未上线：共享目录 {broken[0]} 的链接失效")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    release = os.path.join(folder, name)
    made = shards.inventory(tmp, copying.recorded if incremental else None)  # checked before it is reused
    os.rename(tmp, release)
    _write_record(inventory_path(work, name), made)
    note_release(work, name, root, [i.path for i in view.issues])
    _write_record(state_path, {"engine": engine, "release": name, "pages": hashes, "search": bundles,
                               "fragments": fragments})
    record = os.path.join(work, years_mod.RECORD)
    if sigs is not None:
        _write_record(record, years_mod.record(site, repo, hashes, sigs, assets, salt, engine, root))
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(record)
    return BuildResult(aud.id, release, live, sum(1 for f in files if f.endswith(".md")), len(written), len(removed),
                       sum(1 for f in files if f.endswith(".pdf")), time.monotonic() - start, tuple(phases), full)


def why_full(work: str, previous: str, state: dict, engine: str) -> str:
    """Why the live release ``previous`` cannot be the start of the next one (in Chinese), or ""."""
    if not state:
        return "没有构建记录"
    if not previous or not os.path.isdir(previous):
        return "没有上线的版本"
    if state.get("engine") != engine:
        return "主题、网站配置或 MkDocs/Material 版本已改动"
    if state.get("release") != os.path.basename(previous):
        return "上线的版本不是上次构建的版本"
    broken = shards.broken(previous)
    if broken:
        return f"上线版本的共享目录 {broken[0]} 链接失效"
    return ""  # and its files as recorded: checked while it is copied (shards.Copying)


def damaged(hurt: list[str]) -> str:
    return f"上线版本的文件被改动过（{hurt[0]}，共 {len(hurt)} 处）"


def inventory_path(work: str, name: str) -> str:
    return os.path.join(work, "inventory", name + ".pickle")


def release_damage(work: str, release: str) -> list[str] | None:
    """How ``release`` differs from what it held when it was made, or None without a record."""
    recorded = read_inventory(work, release)
    if not recorded:
        return None
    return shards.damage(release, recorded)


def read_inventory(work: str, release: str) -> dict:
    return _read_record(inventory_path(work, os.path.basename(release)))


def _read_record(path: str) -> dict:
    """A build record (page keys and hashes of 57,000 pages at 50,000 items), or {} if there is none
    or it cannot be read: then the build starts over. Pickled, since JSON took 0.1 s each way."""
    import pickle
    try:
        with open(path, "rb") as fh, bulk_load():  # the collector off: 0.07 -> 0.02 s for years.pickle
            data = pickle.load(fh)
    except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, IndexError, pickle.UnpicklingError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_record(path: str, data: dict) -> None:
    import pickle
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def page_salt(root: str, audience_id: str) -> str:
    """What every generated page depends on besides its own key: kanwu's code, the configuration."""
    from ..incremental.cache import salt
    from ..source.config import CONFIG_FILE, UNITS_FILE
    return salt(root, (CONFIG_FILE, UNITS_FILE), audience_id)


def engine_fingerprint(root: str) -> str:
    """What changes the HTML of a page whose Markdown did not change (or the release's layout of
    shared folders): then everything is rebuilt."""
    import hashlib

    import material
    import mkdocs
    from ..incremental import fingerprint  # and the layout of shared folders: shards.py's code
    h = hashlib.sha256(f"{mkdocs.__version__}|{getattr(material, '__version__', '')}|{fingerprint.code(fingerprint.LAYOUT)}".encode())
    paths = [os.path.join(root, "mkdocs.yml")]
    for dirpath, _, names in os.walk(os.path.join(root, "theme", "overrides")):
        paths += [os.path.join(dirpath, n) for n in sorted(names)]
    for path in sorted(paths):
        h.update(os.path.relpath(path, root).encode() + b"\0")
        try:
            with open(path, "rb") as fh:
                h.update(fh.read())
        except FileNotFoundError:  # no mkdocs.yml: MkDocs stops the build further on, and says why
            h.update(b"\0missing")
    return h.hexdigest()


def outputs(rel: str) -> list[str]:
    """The files MkDocs writes for a docs-relative source path (use_directory_urls)."""
    if not rel.endswith(".md"):
        return [rel]
    stem = rel[:-3]
    if stem == "index":
        return ["index.html"]
    if stem.endswith("/index"):
        return [stem[:-5] + "index.html"]
    return [stem + "/index.html"]


def bundle_keys(bundles: dict, salt: str) -> dict[str, str]:
    """One key per Pagefind bundle: its pages and what the index reads from each."""
    import hashlib
    out = {}
    for name, pages in bundles.items():
        h = hashlib.sha1(salt.encode("utf-8"))
        for path in sorted(pages):
            h.update(f"\n{path}\t{pages[path]}".encode("utf-8"))
        out[name] = h.hexdigest()[:20]
    return out


def carried_fragments(release: str, fragments: dict) -> dict:
    """{page: (search key, path of its Pagefind fragment in ``release``)} from the build record."""
    return {page: (key, os.path.join(release, bundle, "fragment", name))
            for bundle, names in fragments.items() for name, (page, key) in names.items()}


RELEASES_FILE = "releases.json"  # beside releases/, not in them: a release folder is served


def note_release(work: str, name: str, root: str, issues: list[str]) -> None:
    """Record what release ``name`` is: the commit it was built from, when, and the issues it
    published first (those no earlier release of this state directory had)."""
    data = release_notes(work)
    known = set(data.get("known", ()))
    first = sorted(i for i in issues if i not in known)
    try:
        commit = subprocess.run(["git", "-C", root, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                                text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    data.setdefault("releases", {})[name] = {"commit": commit, "built": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                                             "first": first}
    data["known"] = sorted(known | set(issues))
    _write_notes(work, data)


def note_live(work: str, name: str) -> None:
    """Record that release ``name`` went live. Only such releases are rollback targets: a publish
    killed after building one audience's release, before switching, leaves a complete release
    nobody ever saw."""
    data = release_notes(work)
    note = data.setdefault("releases", {}).setdefault(name, {})
    note.setdefault("live", dt.datetime.now().astimezone().isoformat(timespec="seconds"))
    data["tracks_live"] = True
    _write_notes(work, data)


def was_live(notes: dict, name: str) -> bool:
    """Whether release ``name`` ever went live (notes written before kanwu tracked it: every one)."""
    if not notes.get("tracks_live"):
        return True
    return bool(notes.get("releases", {}).get(name, {}).get("live"))


def _write_notes(work: str, data: dict) -> None:
    import json
    path = os.path.join(work, RELEASES_FILE)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)
    os.replace(tmp, path)


def release_notes(work: str) -> dict:
    import json
    try:
        with open(os.path.join(work, RELEASES_FILE), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def _forget(work: str, names: set) -> None:
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(inventory_path(work, name))
    data = release_notes(work)
    if not data.get("releases"):
        return
    data["releases"] = {k: v for k, v in data["releases"].items() if k not in names}
    _write_notes(work, data)


@dataclass(frozen=True)
class Release:
    audience: str
    name: str
    live: bool
    commit: str
    built: str
    first: tuple
    size: int  # bytes of the release's own files (the shared year folders not counted)
    went_live: bool = True  # False: built by a publish that stopped before switching


def list_releases(root: str, out_root: str | None = None) -> list[Release]:
    """Every kept release of every audience, oldest first, with what was recorded of it."""
    from ..source.config import load_config
    out = []
    for aud in load_config(root).audiences:
        live = os.path.join(out_root or os.path.join(root, "site"), aud)
        current = os.path.realpath(live) if os.path.islink(live) else ""
        work = workdir.path(root, aud)
        data = release_notes(work)
        notes = data.get("releases", {})
        for r in releases(os.path.join(work, "releases")):
            name = os.path.basename(r)
            note = notes.get(name, {})
            size = 0
            for d, _, fs in os.walk(r):
                for f in fs:
                    with contextlib.suppress(OSError):
                        size += os.lstat(os.path.join(d, f)).st_size
            out.append(Release(aud, name, os.path.realpath(r) == current, note.get("commit", ""), note.get("built", ""),
                               tuple(note.get("first", ())), size, was_live(data, name)))
    return out


def next_release_number(folder: str) -> int:
    numbers = [int(d.split("-")[0]) for d in os.listdir(folder) if d[:6].isdigit()]
    return max(numbers, default=0) + 1


def publish(root: str, out_root: str | None = None, pdf: bool = True) -> list[BuildResult]:
    """Check, build every audience, then switch them all: a failing check or build switches nothing.

    One publish at a time (a lock): two merges in quick succession publish one after the other.
    Each audience reads the years its build needs (see ``build``); every year with a changed file is
    among them, so a problem anywhere stops the publish.
    """
    from ..source.config import load_config
    with lock(workdir.path(root, ".publish.lock")), _workers(pdf) as workers:
        config = load_config(root)  # a bad configuration: load_checked's error
        keep = config.publish["keep_releases"]
        sigs = years_mod.signatures(root)
        results: list = []
        whole: list = []
        try:
            for aud in config.audiences.values():
                live = os.path.join(out_root or os.path.join(root, "site"), aud.id)
                with lock(workdir.path(root, f".{aud.id}.lock")):
                    results.append(_release(root, aud, live, pdf, workers, sigs, whole))
        except BaseException:
            for r in results:
                shutil.rmtree(r.release, ignore_errors=True)
            raise
        for r in results:
            go_live(r.live, r.release, keep)
        return results


def rollback(root: str, out_root: str | None = None, audience_name: str | None = None, to: str | None = None,
             steps: int = 1) -> list[tuple[str, str]]:
    """Point each audience's live link back ``steps`` releases, or to release ``to`` (its full
    name or its number, e.g. 000012): all audiences or none."""
    from ..source.config import load_config
    config = load_config(root)
    names = [audience_mod.pick(config, audience_name).id] if audience_name else list(config.audiences)
    targets = []
    for aud in names:  # find every target first: roll back all audiences or none
        live = os.path.join(out_root or os.path.join(root, "site"), aud)
        folder = workdir.path(root, aud, "releases")
        notes = release_notes(os.path.dirname(folder))
        kept = [r for r in releases(folder) if was_live(notes, os.path.basename(r))]
        current = os.path.realpath(live) if os.path.islink(live) else ""
        if to:
            match = [r for r in kept if os.path.basename(r) == to or os.path.basename(r).split("-")[0] == to.zfill(6)]
            if not match:
                listed = "、".join(os.path.basename(r) for r in kept) or "没有"
                raise KanwuError(f"阅读范围 {aud} 没有上线过的版本“{to}”（可回退的版本：{listed}；"
                                 "构建完却未上线的版本不能回退），未做任何回退。")
            targets.append((aud, live, match[0]))
            continue
        older = [r for r in kept if os.path.realpath(r) < current]
        if len(older) < steps:
            raise KanwuError(f"阅读范围 {aud} 只保留了 {len(older)} 个更早的版本，不能回退 {steps} 步，未做任何回退"
                             f"（用 kanwu releases 查看）。")
        targets.append((aud, live, older[-steps]))
    for aud, live, target in targets:
        hurt = release_damage(os.path.dirname(os.path.dirname(target)), target)
        if hurt:
            raise KanwuError(f"阅读范围 {aud} 的版本 {os.path.basename(target)} 的文件被改动过（{hurt[0]}，共 {len(hurt)} 处），"
                             "不能回退到它，未做任何回退；请重新构建（kanwu build）。")
    for aud, live, target in targets:
        switch(live, target)
    return [(aud, os.path.basename(target)) for aud, _, target in targets]


def asset_refs(view) -> dict[int, set[str]]:
    """{year: the image addresses its visible items write}."""
    out: dict = {}
    for item in view.items.values():
        for m in image_refs(item.body):
            out.setdefault(item.date.year, set()).add(m.group(1))
    return out


def static_files(root: str, view, more: set[str] = frozenset(), refs: dict | None = None) -> dict:
    """Help pages and the assets the visible items reference (and nothing else); ``more``: the
    image addresses the sealed years' items write, checked again here (``years.ReadAll`` if one
    no longer resolves: then every item is read, and ``kanwu check`` reports it); ``refs``:
    ``asset_refs(view)`` if the caller has it."""
    out = {}
    help_dir = os.path.join(root, "content", "help")
    if os.path.isdir(help_dir):
        for name in sorted(os.listdir(help_dir)):
            full = os.path.join(help_dir, name)
            if name.endswith(".md") and os.path.isfile(full) and not os.path.islink(full):
                with open(full, "rb") as fh:
                    out[f"help/{name}"] = fh.read()
    mine = set().union(*(asset_refs(view) if refs is None else refs).values())
    for ref in sorted(mine | set(more)):
        try:
            name, full = asset_file(root, ref)
        except ValueError:
            if ref in mine:
                continue  # reported by kanwu check, which every build runs first
            raise years_mod.ReadAll() from None
        with open(full, "rb") as fh:
            out[f"assets/{name}"] = fh.read()
    return out


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def run_mkdocs(root: str, docs: str, site_dir: str, only: set | None = None, pages: list | None = None,
               known: list | None = None) -> None:
    """MkDocs over ``docs`` into ``site_dir``: every page, or ``only`` these docs paths.

    ``only`` is for a release that starts as a copy of the live one built by the same engine:
    MkDocs still sees every file (links resolve and are checked in strict mode), but reads,
    renders and writes just the pages that changed, and copies just the changed other files.
    The theme's own files are already in the copy. (MkDocs' ``--dirty`` would do the same by
    comparing two modification times per page: seconds at 50,000 pages.)

    ``known``: every file in ``docs`` (kanwu wrote them), so MkDocs need not walk the tree.

    A full build of many ``pages`` renders them in two processes (MkDocs itself uses one core).
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as mkdocs_config
    from mkdocs.exceptions import Abort, ConfigurationError

    collect = _Collect()
    mk_log = logging.getLogger("mkdocs")
    mk_log.addHandler(collect)
    old_level = mk_log.level
    mk_log.setLevel(logging.WARNING)
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch(root)
    try:
        cfg = mkdocs_config(config_file=os.path.join(root, "mkdocs.yml"), docs_dir=docs, site_dir=site_dir)
        cfg.plugins["kanwu-clean-help"] = _CleanHelp()  # in code: editing mkdocs.yml cannot remove it
        if only is None and pages and len(pages) >= PARALLEL_PAGES and cores() >= 2:
            collect.messages += _build_parallel(cfg, pages, known)
            if collect.messages:
                raise Abort("warnings in strict mode")
        elif only is None:
            mkdocs_build(cfg)
        else:
            _build_some(cfg, only, known=known)
            if collect.messages:
                raise Abort("warnings in strict mode")
    except (Abort, ConfigurationError, SystemExit) as exc:
        detail = "\n".join(collect.messages) or str(exc)
        raise KanwuError(f"MkDocs 构建失败（严格模式）：\n{detail}") from None
    finally:
        mk_log.removeHandler(collect)
        mk_log.setLevel(old_level)
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


class _CleanHelp(BasePlugin):
    """Sanitises the help pages (content/help/*.md, proposed by any unit) as items are sanitised:
    their HTML after Markdown, and their title (the first heading) as plain text."""

    def on_page_content(self, html_text, page, **kwargs):
        if not page.file.src_uri.startswith("help/"):
            return html_text
        if page.title:
            page._title_from_render = nh3.clean(str(page.title), tags=set())  # escaped text, as items' titles
        return clean_page(html_text)


def docs_files(config, paths: list[str], record: str | None = None):
    """MkDocs' ``get_files`` for a docs folder whose files are known: the same ``Files``, in the
    same order, without walking 57,000 files or normalising each path through ``pathlib``.

    With ``record`` (a file), each path's inclusion level (``exclude_docs``, ``not_in_nav``: two
    gitignore matches per file) is kept for the next run with the same mkdocs.yml and MkDocs, and
    only new paths are matched: the file table took 0.15 s at 57,000 files, 0.08 s with the record."""
    import mkdocs
    from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions

    def order(rel: str) -> str:
        """mkdocs.structure.files.file_sort_key as one string: (folders, not an index page, name)
        compared part by part is the order of the folders joined by \x01, then \x00 and the rest."""
        folder, _, name = rel.rpartition("/")
        stem = name.rpartition(".")[0] if "." in name.lstrip(".") else name
        return (folder.replace("/", "\x01") + "\x00" if folder else "") + ("0" if stem in ("index", "README") else "1") + name

    docs, site, directory_urls = config.docs_dir, config.site_dir, config.use_directory_urls
    key, levels = "", {}
    if record:
        import hashlib
        with open(config.config_file_path, "rb") as fh:
            key = f"{mkdocs.__version__}:{hashlib.sha1(fh.read()).hexdigest()}"
        kept = _read_record(record)
        levels = kept.get("levels", {}) if kept.get("key") == key else {}
    level = {item.value: item for item in InclusionLevel}
    undefined = InclusionLevel.UNDEFINED.value
    out = []
    with bulk_load():  # 57,000 objects that live as long as the MkDocs run: no collector passes over them
        for rel in sorted(paths, key=order):
            f = File.__new__(File)
            f.src_uri, f.src_dir, f.dest_dir, f.use_directory_urls = rel, docs, site, directory_urls
            f.inclusion = level.get(levels.get(rel, undefined), InclusionLevel.UNDEFINED)
            out.append(f)
        set_exclusions(out, config)  # only the files still UNDEFINED
        if record and (len(levels) != len(out) or any(f.src_uri not in levels for f in out)):
            _write_record(record, {"key": key, "levels": {f.src_uri: f.inclusion.value for f in out}})
        return Files(out)


def nav_sources(nav) -> set[str]:
    """The Markdown files named in mkdocs.yml's ``nav``."""
    out = set()
    stack = [nav or []]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if node.endswith(".md"):
                out.add(node)
        elif isinstance(node, dict):
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node
    return out


PARALLEL_PAGES = 2000
_CHILD_CONFIG: list = []  # the MkDocs config a forked helper builds with


def _build_half(only: set, known: list | None) -> list[str]:
    """In a forked helper: build ``only``; → the warnings MkDocs logged (strict mode fails on them)."""
    collect = _Collect()
    logging.getLogger("mkdocs").addHandler(collect)
    try:
        _build_some(_CHILD_CONFIG[0], only, templates=False, known=known)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the build
        return collect.messages + [f"{type(exc).__name__}: {exc}"]
    return collect.messages


def _build_parallel(config, pages: list[str], known: list | None = None) -> list[str]:
    """Half the pages in this process (with the theme's files and the static templates), half in a fork."""
    import multiprocessing
    _CHILD_CONFIG[:] = [config]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        other = pool.apply_async(_build_half, (set(pages[1::2]), known))
        _build_some(config, set(pages[0::2]), theme=True, known=known)
        return other.get()


def _build_some(config, only: set, theme: bool = False, templates: bool = True, known: list | None = None) -> None:
    """The steps of ``mkdocs.commands.build.build`` (MkDocs 1.6), for the pages in ``only``;
    with ``theme``, also every static file (a release built from scratch); with ``templates``,
    the theme's static templates (404.html, sitemap.xml).

    With ``known`` (every file in the docs folder) and no ``site_url`` (an intranet site: the
    sitemap lists nothing), the 50,000 pages not in ``only`` get a ``File`` each, for links to
    resolve and be checked, but no ``Page``: only the navigation's pages and those in ``only`` do.
    """
    import mkdocs.structure.pages as mk_pages
    from mkdocs.commands.build import _build_page, _build_theme_template, _populate_page
    from mkdocs.structure.files import Files, get_files
    from mkdocs.structure.nav import get_navigation

    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    lean = known is not None and not config.site_url
    files = docs_files(config, known, os.path.join(os.path.dirname(config.docs_dir), "files.pickle")) if lean \
        else get_files(config)
    env = config.theme.get_env()
    if theme:
        files.add_files_from_theme(env, config)
    files = config.plugins.on_files(files, config=config)
    build_date = mk_pages.get_build_date()  # the same for every page (SOURCE_DATE_EPOCH): once, not 50,000 times
    saved, mk_pages.get_build_date = mk_pages.get_build_date, lambda: build_date
    try:
        if lean:
            wanted = set(only) | nav_sources(config.nav)
            nav = get_navigation(Files([f for f in files if f.src_uri in wanted]), config)
        else:
            nav = get_navigation(files, config)  # also gives every page its Page object (links, sitemap)
    finally:
        mk_pages.get_build_date = saved
    nav = config.plugins.on_nav(nav, config=config, files=files)
    doc_files = files.documentation_pages()
    pages = [f.page for f in doc_files if f.src_uri in only and f.page is not None]
    for page in pages:
        _populate_page(page, config, files)
    env = config.plugins.on_env(env, config=config, files=files)
    if theme:
        files.copy_static_files()
    else:
        for f in files:
            if f.src_uri in only and not f.is_documentation_page():
                f.copy_file()
    for template in config.theme.static_templates if templates else ():
        # lean: no site_url, so the sitemap lists no page; it need not loop over 50,000 of them
        _build_theme_template(template, env, Files([]) if lean else files, config, nav)
    for page in pages:
        _build_page(page, config, doc_files, nav, env)
    for page in pages:
        page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
    config.plugins.on_post_build(config=config)


def verify(site_dir: str, files: dict) -> None:
    """A release is switched live only when every page and PDF is there."""
    missing = []
    for rel in files:
        if rel.endswith(".md"):
            stem = rel[:-3]
            out = "index.html" if stem == "index" else (stem[:-5] + "index.html" if stem.endswith("/index")
                                                       else stem + "/index.html")
        else:
            out = rel
        if not os.path.exists(os.path.join(site_dir, out)):
            missing.append(out)
    if missing:
        raise KanwuError(f"构建结果不完整，未上线：缺少 {len(missing)} 个文件，例如 {missing[0]}")


def go_live(live: str, release: str, count: int = KEEP_RELEASES) -> None:
    """Switch ``live`` to ``release``, record that it went live, prune the releases around it."""
    switch(live, release)
    folder = os.path.dirname(release)
    note_live(os.path.dirname(folder), os.path.basename(release))
    prune(folder, keep=os.path.realpath(release), count=count)


def switch(live: str, release: str) -> None:
    """Point ``live`` at ``release`` with one rename(2): readers see the old site or the new one."""
    os.makedirs(os.path.dirname(live), exist_ok=True)
    if os.path.exists(live) and not os.path.islink(live):
        raise KanwuError(f"{live} 是普通目录而不是发布链接；请移走后重试。")
    tmp = f"{live}.kanwu-new"
    with contextlib.suppress(FileNotFoundError):
        os.remove(tmp)
    os.symlink(os.path.relpath(release, os.path.dirname(live)), tmp)
    os.replace(tmp, live)


def releases(folder: str) -> list[str]:
    """Complete releases, oldest first (temporary folders of unfinished builds excluded)."""
    if not os.path.isdir(folder):
        return []
    return sorted(os.path.join(folder, d) for d in os.listdir(folder) if d[:6].isdigit())


def prune(folder: str, keep: str, count: int = KEEP_RELEASES) -> None:
    """Keep the live release and the ``count - 1`` live ones before it (for rollback).

    The others are renamed out of the releases folder at once and deleted by a detached
    ``rm -rf``: removing 60,000 files takes seconds that publishing should not wait for.
    """
    notes = release_notes(os.path.dirname(folder))
    older = [r for r in releases(folder) if os.path.realpath(r) < keep]
    doomed = [r for r in older if not was_live(notes, os.path.basename(r))]  # built, never switched to
    older = [r for r in older if r not in doomed]
    doomed += older[: max(0, len(older) - (count - 1))]
    doomed += [r for r in releases(folder) if os.path.realpath(r) > keep]  # releases rolled back from
    for r in doomed:
        os.rename(r, os.path.join(folder, f".trash-{os.path.basename(r)}"))
    if doomed:
        _forget(os.path.dirname(folder), {os.path.basename(r) for r in doomed})
    # store folders no release links to (a build in progress counts: its .tmp- folder is listed too)
    store = os.path.join(os.path.dirname(folder), "store")
    kept = [os.path.join(folder, d) for d in os.listdir(folder) if not d.startswith(".trash-")]
    for unused in shards.collect(store, kept):
        os.rename(unused, os.path.join(store, f".trash-{os.path.basename(unused)}"))
    trash = [os.path.join(folder, d) for d in os.listdir(folder) if d.startswith(".trash-")]
    if os.path.isdir(store):
        trash += [os.path.join(store, d) for d in os.listdir(store) if d.startswith(".trash-")]
    if trash:
        subprocess.Popen(["rm", "-rf", "--", *trash], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
