"""Parsed files kept between runs and reused while a file is unchanged.

Reading and parsing 50,000 items costs seconds, and every command (check, assemble, sign,
build, pdf) needs all of them. A file's parse result depends only on its bytes, kanwu's own
code and the configuration, so it is kept in build/cache/ under the file's stat signature
(size, mtime, ctime, inode: what git itself trusts for its index), salted with a hash of the
package's source and the configuration files. A file modified within the last two seconds is
never cached (its mtime could still repeat after the next write: git's "racy clean" rule).

``KANWU_NO_CACHE=1`` turns it off (the benchmark's cold runs).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import stat
import time

from . import fingerprint
from .. import workdir

_RACY_NS = 2_000_000_000
def salt(root: str, inputs: tuple[str, ...] = (), extra: str = "") -> str:
    """kanwu's source, the configuration files ``inputs`` and ``extra``: what a cached result depends on."""
    h = hashlib.sha256(f"{fingerprint.package()}|{extra}".encode())
    for rel in inputs:
        try:
            with open(os.path.join(root, rel), "rb") as fh:
                h.update(rel.encode() + b"\0" + fh.read())
        except OSError:
            h.update(rel.encode() + b"\0missing")
    return h.hexdigest()


@contextlib.contextmanager
def bulk_load():
    """The cyclic collector off while a bulk load makes its objects, and those objects frozen after:
    they live as long as the command, and a collector turned back on with 400,000 young objects
    would scan them all at the next allocation (0.3 s at 50,000 items). Nesting never turns it on early."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


def signature(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


MISS = object()  # ParseCache.lookup: nothing kept for this file


class ParseCache:
    """``get(rel, st, parse)`` → parse(), or the result kept from an earlier run for the same file.

    Kept in shards (``shard(rel)``, e.g. the year of an item): a day's new files rewrite one
    shard of ~5,000 entries, not the whole archive's.
    """

    def __init__(self, root: str, name: str, inputs: tuple[str, ...] = (), shard=None, only: set | None = None):
        """``only``: a partial load; only these shards are read (and so rewritten), the others are kept."""
        self.folder = workdir.path(root, "cache", name)
        self.salt = salt(root, inputs)
        self.shard = shard or (lambda rel: "all")
        self.enabled = os.environ.get("KANWU_NO_CACHE", "") in ("", "0")
        self.old: dict = {}
        self.new: dict = {}
        self.dirty: set = set()  # shards whose entries changed
        if self.enabled:
            try:
                names = sorted(n for n in os.listdir(self.folder)
                               if n.endswith(".pickle") and (only is None or n[:-7] in only))
            except OSError:
                names = []
            with bulk_load():  # unpickling 50,000 objects
                for n in names:
                    try:
                        with open(os.path.join(self.folder, n), "rb") as fh:
                            stored, entries = pickle.load(fh)
                    except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError,
                            ImportError):
                        continue
                    if stored == self.salt:
                        self.old.update(entries)
                    else:
                        self.dirty.add(n[:-7])  # a stale shard: rewritten (or removed) on save

    def _kept(self, rel: str, st: os.stat_result):
        """The entry kept for the file as it is now (same signature, a regular file), or None."""
        hit = self.old.get(rel)
        return hit if hit is not None and hit[0] == signature(st) and stat.S_ISREG(st.st_mode) else None

    def has(self, rel: str, st: os.stat_result) -> bool:
        """Whether ``get`` would answer from the cache."""
        return self._kept(rel, st) is not None

    def get(self, rel: str, st: os.stat_result, parse):
        value = self.lookup(rel, st)
        return self.put(rel, st, parse()) if value is MISS else value

    def lookup(self, rel: str, st: os.stat_result):
        """The kept result for the file (kept again on ``save``), or MISS: then ``put`` its result."""
        hit = self._kept(rel, st)
        if hit is None:
            return MISS
        self.new[rel] = hit
        return hit[1]

    def put(self, rel: str, st: os.stat_result, value):
        """Keep ``value`` for the file (unless it changed too recently to be sure of); → ``value``."""
        if stat.S_ISREG(st.st_mode) and time.time_ns() - st.st_mtime_ns > _RACY_NS:
            self.new[rel] = (signature(st), value)
            self.dirty.add(self.shard(rel))
        elif rel in self.old:
            self.dirty.add(self.shard(rel))  # its old entry is dropped
        return value

    def save(self, background: bool = False) -> "Pending":
        """Write the shards whose entries changed (files gone since are dropped); never fails a command.

        ``background``: when there is much to write (a cold start: 70 MB at 50,000 items), a forked
        copy of this process writes it while the command goes on; ``Pending.wait`` before returning."""
        if not self.enabled:
            return Pending(None)
        for rel in self.old.keys() - self.new.keys():
            self.dirty.add(self.shard(rel))
        if not self.dirty:
            return Pending(None)
        with contextlib.suppress(OSError):  # the single file of earlier versions (75 MB at 50,000 items)
            os.unlink(f"{self.folder}.pickle")
        groups: dict = {name: {} for name in self.dirty}
        for rel, entry in self.new.items():
            name = self.shard(rel)
            if name in groups:
                groups[name][rel] = entry
        self.dirty = set()
        if background and hasattr(os, "fork") and sum(map(len, groups.values())) >= BACKGROUND_MIN:
            try:
                pid = os.fork()
            except OSError:
                pid = -1
            if pid == 0:  # the writer: only writes, then leaves without running any of the parent's exit code
                try:
                    self._write(groups)
                finally:
                    os._exit(0)
            if pid > 0:
                return Pending(pid)
        self._write(groups)
        return Pending(None)

    def _write(self, groups: dict) -> None:
        for name, entries in groups.items():
            path = os.path.join(self.folder, f"{name}.pickle")
            if entries:
                write_pickle(path, (self.salt, entries))
            else:
                with contextlib.suppress(OSError):
                    os.unlink(path)


def write_pickle(path: str, value) -> None:
    """Pickle ``value`` to ``path`` atomically (a temporary file renamed into place); a cache that
    cannot be written is only a slower next run, so this never fails."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


BACKGROUND_MIN = 5000  # entries to write before a forked writer pays for itself


class Pending:
    """A cache being written by a forked writer (or nothing)."""

    def __init__(self, pid: int | None):
        self.pid = pid

    def wait(self) -> None:
        if self.pid:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = None


def year_shard(rel: str) -> str:
    """content/items/2026/11/x.md → 2026; issues/daily/2026/001.yml → daily-2026."""
    parts = rel.split("/")
    if parts[0] == "issues":
        return "-".join(p for p in parts[1:3] if p and not p.endswith((".yml", ".yaml"))) or "misc"
    return parts[2] if len(parts) > 3 and parts[2].isdigit() else "misc"


def files_under(root: str, top: str = "", links: list | None = None):
    """(path relative to ``root``, DirEntry) of every file under ``top``: one scandir pass, no
    relpath, symlinks never followed (each one met, file or folder, is added to ``links``)."""
    stack = [top]
    while stack:
        rel_dir = stack.pop()
        try:
            entries = os.scandir(os.path.join(root, rel_dir) if rel_dir else root)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for e in entries:
                rel = f"{rel_dir}/{e.name}" if rel_dir else e.name
                if links is not None and e.is_symlink():
                    links.append(rel)
                if e.is_dir(follow_symlinks=False):
                    stack.append(rel)
                else:
                    yield rel, e


def walk(root: str, top: str, suffixes: tuple[str, ...], links: list | None = None) -> list[tuple[str, os.stat_result]]:
    """(relative path, lstat) of every file under ``top`` ending in one of ``suffixes``, sorted."""
    return sorted((rel, e.stat(follow_symlinks=False)) for rel, e in files_under(root, top, links)
                  if e.name.endswith(suffixes))


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


_WORK: list = []  # what fork_map's workers inherit: (function, items)


def _run_slice(bounds: tuple[int, int]) -> list:
    fn, items = _WORK[0]
    return [fn(x) for x in items[bounds[0]:bounds[1]]]


def fork_map(fn, items: list, minimum: int) -> list | None:
    """``[fn(x) for x in items]`` on every core, in forked processes that inherit ``fn`` and
    ``items`` (only results travel back); None when there are fewer than ``minimum`` items, one
    core, or the processes cannot be had: the caller then does the work itself, with the same results.
    For a cold start (no cache yet, or a new version of kanwu), where each item costs ~0.1 ms or more."""
    n = cores()
    if n < 2 or len(items) < minimum:
        return None
    import multiprocessing
    size = max(100, len(items) // (n * 8))
    _WORK[:] = [(fn, items)]
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            done = pool.map(_run_slice, [(i, i + size) for i in range(0, len(items), size)])
    except Exception:  # noqa: BLE001 - any failure here only costs the speed-up
        return None
    finally:
        _WORK.clear()
    return [r for part in done for r in part]
