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
import logging
import os
import shutil
import time
import dataclasses
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .. import audience as audience_mod
from .. import workdir
from ..checks.validate import asset_file, image_refs, load_checked
from ..errors import KanwuError
from ..incremental import shards
from ..incremental import years as years_mod
from ..incremental.cache import bulk_load
from ..incremental.state import (_read_record, _write_record, damaged, engine_fingerprint, inventory_path, page_salt,
                                 read_inventory, why_full)
from ..pages import generate
from ..paths import outputs
from ..publish.switch import go_live, lock, next_release_number, note_release
from .mkdocs_run import run_mkdocs
from .searchindex import index_search

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
    beside = beside_pdf(root, view, rendering, set(sealed or ())) if rendering else {}
    pdfs = (rendering.paths | set(beside)) if rendering else set()
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
        files.update(beside)
        if rendering:
            waited = time.monotonic()
            files.update(rendering.result())
            phases[0] = ("PDF", phases[0][1] + time.monotonic() - waited)  # the wait beyond the generation
            mark += time.monotonic() - waited
        files.update(pages)
        assets = asset_refs(view)
        files.update(static_files(root, view, {a for y in sealed.values() for a in y.assets}, assets))
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
            assert copying is not None  # an incremental build copies the live release
            copying.wait()
            if copying.damage:  # not copied: every page is built
                full = damaged(copying.damage) if copying.recorded else "上线版本没有文件清单"
                incremental = False
                fragments = {}
        if incremental:
            changed_outputs = [out for rel in written + removed for out in outputs(rel)]
            for shard in sorted({s for out in changed_outputs if (s := shards.shard_of(out))}):
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
    made = shards.inventory(tmp, copying.recorded if incremental and copying else None)  # checked before it is reused
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




def asset_refs(view) -> dict[int, set[str]]:
    """{year: the image addresses its visible items write}."""
    out: dict = {}
    for item in view.items.values():
        for m in image_refs(item.body):
            out.setdefault(item.date.year, set()).add(m.group(1))
    return out


def beside_pdf(root: str, view, rendering, sealed: set) -> dict:
    """The formats made from each issue's print inputs besides its PDF, cached by the same inputs
    (``paths.DOWNLOADS`` links them): {path: file}. A new format is one line here."""
    from ..word import export as word_export
    return {**word_export.site_files(root, view, rendering.jobs, sealed)}


def static_files(root: str, view, more: AbstractSet[str] = frozenset(), refs: dict | None = None) -> dict:
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




def verify(site_dir: str, files: dict) -> None:
    """A release is switched live only when every page and PDF is there."""
    missing = []
    for rel in files:
        missing += [out for out in outputs(rel) if not os.path.exists(os.path.join(site_dir, out))]
    if missing:
        raise KanwuError(f"构建结果不完整，未上线：缺少 {len(missing)} 个文件，例如 {missing[0]}")
