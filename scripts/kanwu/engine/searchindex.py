"""Pagefind: one bundle per year (and one for the newest month), each indexed on its own.

Each bundle is indexed from a staging folder of its own pages' *search documents*
(``searchdoc``: the item's text cut into character pairs, what results show as metadata):
Pagefind then reads a year's pages (or a month's), not the whole archive, and its memory stays
bounded. Documents are kept between builds by page and search key. After indexing, the filter
files are written in a fixed order (``searchfilters``): Pagefind 1.5 writes them in a different
order on every run.

**Fragments carried over.** Pagefind writes one small *fragment* per page, named by a hash of
its content, and leaves a fragment alone when a file of that name is already in its output
folder (seen with strace: a stat, no write). Writing thousands of new small files is most of its
time here (a year's 4,600 pages: 6.0 s into an empty folder, 2.1 s when the fragments are there).
So before a bundle is re-indexed, the fragments of its pages whose search key is unchanged are
hard-linked in from the bundles of the live release, by a record kept between builds
(fragment → page and key, learned from the ``url`` inside each new fragment). Only fragments are
carried over; the index chunks and metadata are always written anew. Afterwards, carried-over
fragments the new metadata does not name are removed. Unless it names exactly one fragment per
page, every new one among them, nothing is removed and the bundle is indexed again from an empty folder.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib

from . import searchdoc, searchfilters as filters
from ..incremental import shards
from ..incremental.cache import cores
from ..errors import KanwuError

FRAGMENT = ".pf_fragment"


def index_search(site_dir: str, bundles: dict, carried: dict | None = None, docs: str | None = None,
                 salt: str = "") -> dict:
    """Index ``bundles`` ({bundle: {page: search key}}) into ``site_dir``. ``carried`` maps a page
    to (its search key, the path of its fragment in the live release). ``docs`` is a folder where
    the search documents made from the pages are kept between builds, by ``salt``, page and search
    key. Returns, per bundle indexed, {fragment file: (page, search key)}. Two bundles at a time
    (Pagefind uses about one core), largest first."""
    from concurrent.futures import ThreadPoolExecutor
    order = sorted(bundles, key=lambda b: (-len(bundles[b]), b))
    with ThreadPoolExecutor(max_workers=min(2, cores())) as pool:
        running = {b: pool.submit(_index_bundle, site_dir, b, bundles[b], carried or {}, docs, salt) for b in order}
        return {b: done.result() for b, done in running.items()}


def _index_bundle(site_dir: str, bundle: str, pages: dict, carried: dict, docs: str | None, salt: str) -> dict:
    """One bundle, from a staging folder of its pages' search documents."""
    site_dir = os.path.abspath(site_dir)
    out = os.path.join(site_dir, bundle)
    made = _documents(site_dir, bundle, pages, docs, salt)
    staging, urls = _stage(bundle, made)
    try:
        shards.drop(site_dir, bundle)  # a shared bundle: unlink, never write into it
        if not pages:
            return {}
        seeded = _seed(out, pages, carried)
        _pagefind(staging, out, bundle)
        kept = _settle_fragments(out, seeded, urls, pages)
        if kept is None:  # the metadata does not account for the fragments: start this bundle over
            shutil.rmtree(out)
            _pagefind(staging, out, bundle)
            kept = _settle_fragments(out, {}, urls, pages) or {}
        filters.normalise(out)
        return kept
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _documents(site_dir: str, bundle: str, pages: dict, docs: str | None, salt: str) -> dict:
    """{page: (its HTML file in the site, its search document)}, made from the built pages; those
    whose page and search key are as in the last build come from ``docs``."""
    import pickle

    from ..paths import outputs
    path = os.path.join(docs, bundle + ".pickle") if docs else None
    kept: dict = {}
    if path:
        try:
            with open(path, "rb") as fh:
                record = pickle.load(fh)
            if record.get("salt") == salt:
                kept = record["docs"]
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, KeyError, TypeError, ValueError):
            kept = {}
    made, record = {}, {}
    for rel, key in pages.items():
        for page in outputs(rel):
            was = kept.get(page)
            if was is not None and was[0] == key:
                doc = was[1]
            else:
                folder = os.path.dirname(page)
                with open(os.path.join(site_dir, page), encoding="utf-8") as fh:
                    doc = searchdoc.document(fh.read(), "/" + folder + "/" if folder else "/")
            made[page] = (rel, doc)
            record[page] = (key, doc)
    if docs and path and record != kept:
        os.makedirs(docs, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump({"salt": salt, "docs": record}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    return made


def _stage(bundle: str, made: dict) -> tuple[str, dict]:
    """A folder of the search documents ``made`` ({page: (source page, document)}), laid out as the
    pages are in the site, and {url: source page}. In memory when there is room, else in the
    system's temporary folder."""
    for where in dict.fromkeys((_scratch(), None)):
        staging = ""
        try:
            _sweep(where or tempfile.gettempdir())
            staging = tempfile.mkdtemp(prefix=f"kanwu-{os.getpid()}-{bundle}-", dir=where)
            folders, urls = set(), {}
            for page, (rel, doc) in made.items():
                folder = os.path.dirname(page)
                if folder not in folders:
                    os.makedirs(os.path.join(staging, folder), exist_ok=True)
                    folders.add(folder)
                _write(os.path.join(staging, page), doc)
                urls["/" + folder + "/" if folder else "/"] = rel
            return staging, urls
        except OSError:  # e.g. a small /dev/shm (64 MB in a container) is full
            if staging:
                shutil.rmtree(staging, ignore_errors=True)
            if where is None:
                raise
    raise AssertionError("unreachable")


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)


_STAGING = re.compile(r"^kanwu-(\d+)-pagefind-")


def _sweep(where: str) -> None:
    """Remove the staging folders of builds that were killed (their process is gone); those of
    builds still running, of this repository or another, stay."""
    with contextlib.suppress(OSError):
        for name in os.listdir(where):
            m = _STAGING.match(name)
            if not m or int(m.group(1)) == os.getpid():
                continue
            try:
                os.kill(int(m.group(1)), 0)
            except ProcessLookupError:
                shutil.rmtree(os.path.join(where, name), ignore_errors=True)
            except OSError:  # alive, another user's
                continue


def _scratch() -> str | None:
    """Where staging folders go: memory (/dev/shm) when there is one. Creating 4,600 folders took
    2.6 s beside the releases, 0.3 s elsewhere on the same disk, 0.1 s in memory."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _seed(out: str, pages: dict, carried: dict) -> dict:
    """Hard-link the live fragments of pages whose search key is unchanged into the new bundle."""
    seeded: dict = {}
    folder = os.path.join(out, "fragment")
    for rel, key in pages.items():
        was = carried.get(rel)
        if was is None or was[0] != key:
            continue
        name = os.path.basename(was[1])
        try:
            if not seeded:
                os.makedirs(folder)
            os.link(was[1], os.path.join(folder, name))
        except OSError:  # the live release lost it: Pagefind writes it
            continue
        seeded[name] = (rel, key)
    return seeded


def _pagefind(staging: str, out: str, bundle: str) -> None:
    res = subprocess.run([sys.executable, "-m", "pagefind", "--site", staging, "--output-path", out, "--silent"],
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise KanwuError(f"Pagefind 建立检索索引 {bundle} 失败：{res.stderr.strip() or res.stdout.strip()}")
    _check_written(out, bundle)


def _check_written(out: str, bundle: str) -> None:
    """Pagefind 1.5 exits 0 when its writes fail (a full disk leaves empty files, measured): a bundle
    with an empty file or an unreadable entry is refused, as the disk error it most likely is."""
    empty = [os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs if os.path.getsize(os.path.join(d, f)) == 0]
    try:
        with open(os.path.join(out, "pagefind-entry.json"), encoding="utf-8") as fh:
            json.load(fh)["languages"]
    except (OSError, ValueError, KeyError, TypeError):
        empty.append(os.path.join(out, "pagefind-entry.json"))
    if not empty:
        return
    st = os.statvfs(out if os.path.isdir(out) else os.path.dirname(out))
    if st.f_bavail * st.f_frsize < 16 * 1024 * 1024:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), empty[0])
    raise KanwuError(f"Pagefind 建立检索索引 {bundle} 时没有写完（{empty[0]} 是空的），未上线；请检查磁盘后重新运行。")


def _settle_fragments(out: str, seeded: dict, urls: dict, pages: dict) -> dict | None:
    """Remove carried-over fragments the new index does not use; learn what each new fragment holds.
    None if the metadata does not name exactly one fragment per page, every new one among them:
    then what is used cannot be told, and nothing has been removed."""
    folder = os.path.join(out, "fragment")
    try:
        names = [n for n in os.listdir(folder) if n.endswith(FRAGMENT)]
    except FileNotFoundError:
        return {}
    if seeded:
        meta, count = _metadata(out)
        used = {n for n in names if _names(meta, n[:-len(FRAGMENT)])}
        if len(used) != count or any(n not in used for n in names if n not in seeded):
            return None
        for name in names:
            if name not in used:
                os.unlink(os.path.join(folder, name))
        names = sorted(used)
    kept = {}
    for name in names:
        if name in seeded:
            kept[name] = seeded[name]
            continue
        rel = urls.get(_fragment_url(os.path.join(folder, name)))
        if rel is not None:
            kept[name] = (rel, pages[rel])
    return kept


def _metadata(out: str) -> tuple[bytes, int]:
    """Pagefind's metadata for the bundle, uncompressed, and its page count ((b"", -1) if unreadable)."""
    try:
        with open(os.path.join(out, "pagefind-entry.json"), encoding="utf-8") as fh:
            langs = list(json.load(fh)["languages"].values())
        data = b""
        for lang in langs:
            with open(os.path.join(out, f"pagefind.{lang['hash']}.pf_meta"), "rb") as fh:
                data += zlib.decompress(fh.read(), 31)
        return data, sum(int(lang["page_count"]) for lang in langs)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, zlib.error):
        return b"", -1


def _names(meta: bytes, stem: str) -> bool:
    """Whether the metadata names the fragment ``stem`` (a CBOR text string: its header byte, then the text)."""
    raw = stem.encode("utf-8")
    return (bytes([0x60 + len(raw)]) + raw if len(raw) < 24 else raw) in meta


_URL = re.compile(rb'"url":("(?:[^"\\]|\\.)*")')


def _fragment_url(path: str) -> str | None:
    """The page URL a fragment is for (only its first bytes are uncompressed)."""
    try:
        with open(path, "rb") as fh:
            head = zlib.decompressobj(31).decompress(fh.read(), 2048)
        m = _URL.search(head)
        return json.loads(m.group(1)) if m else None
    except (OSError, ValueError, zlib.error):
        return None
