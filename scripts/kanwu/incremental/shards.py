"""Releases share the bulk of their files: year folders live once in a store, releases link to them.

A release of a ten-year archive holds ~110,000 files, almost all in folders that a day's
publishing does not touch: ``items/<year>/<month>`` (~450 items each), ``periodicals/<p>/<year>``, ``pdf/<p>/<year>``, ``docx/<p>/<year>``
and the search bundles ``pagefind-<year>`` (and ``pagefind-<year>-<month>``). Each of those *shards* is a folder in
``build/<audience>/store/`` and a relative symlink in every release that has it. A new release
starts as a copy of the live one in which the shards are copied as links (a few hundred) and
only the rest is hard-linked (a few thousand files); a shard the build must change is first
*unshared*, i.e. hard-link copied to a new store folder, so the live release never changes.
A store folder no kept release links to is deleted.

The web server follows these links (nginx ``disable_symlinks off``, Apache ``FollowSymLinks``,
written by ``kanwu serve-config``); they never leave the audience's own build folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

from ..paths import ABOVE as _ABOVE, SHARD, shard_of  # noqa: F401 (the path table)


def positions(release: str, dangling: bool = False) -> list[str]:
    """Shards present in a release (links or, before ``settle``, real folders); with ``dangling``,
    the shard links that lead nowhere instead."""
    out = []

    def walk(rel: str) -> None:
        full = os.path.join(release, rel) if rel else release
        if not os.path.isdir(full) or (rel and os.path.islink(full)):
            return
        for name in sorted(os.listdir(full)):
            child = f"{rel}/{name}" if rel else name
            if SHARD.fullmatch(child):
                if os.path.isdir(os.path.join(release, child)) != dangling:
                    out.append(child)
            elif _ABOVE.match(child):
                walk(child)
    walk("")
    return out


def broken(release: str) -> list[str]:
    """Shard links of ``release`` that lead nowhere."""
    return positions(release, dangling=True)


def link_copy(previous: str, new: str) -> None:
    """``new`` as a copy of ``previous``: shard links copied as links, every other file hard-linked."""
    def copy(rel: str) -> None:
        src = os.path.join(previous, rel) if rel else previous
        dst = os.path.join(new, rel) if rel else new
        os.makedirs(dst, exist_ok=True)
        plain = []
        for entry in os.scandir(src):
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), os.path.join(dst, entry.name))
            elif entry.is_dir() and _ABOVE.match(child):
                copy(child)
            elif entry.is_dir():
                plain.append(entry.path)
            else:
                os.link(entry.path, os.path.join(dst, entry.name))
        if plain:
            subprocess.run(["cp", "-al", "--", *plain, dst + "/"], check=True)
    copy("")


class Copying:
    """``link_copy`` in a thread, started while the caller goes on: most of its time is ``cp -al``
    in child processes (0.11 s at 50,000 items), which then run on another core."""

    def __init__(self, previous: str, new: str, recorded: Callable[[], dict] | None = None):
        """``recorded``: reads the inventory of ``previous``; the copy is made only when
        ``previous`` is as recorded, else ``damage`` says how it is not (and ``new`` is not made)."""
        import threading
        self._error: BaseException | None = None
        self.recorded: dict = {}
        self.damage: list[str] = []
        self._thread = threading.Thread(target=self._run, args=(previous, new, recorded), daemon=True)
        self._thread.start()

    def _run(self, previous: str, new: str, recorded) -> None:
        try:
            if recorded is not None:
                self.recorded = recorded()
                self.damage = damage(previous, self.recorded) if self.recorded else ["没有文件清单"]
                if self.damage:
                    return
            link_copy(previous, new)
        except BaseException as exc:  # noqa: BLE001 - raised again by wait()
            self._error = exc

    def wait(self) -> None:
        """Until the copy is complete; its error, if it failed."""
        self._thread.join()
        if self._error is not None:
            raise self._error


def unshare(release: str, shard: str, store: str, tag: str) -> None:
    """Give ``release`` its own copy of ``shard`` (hard links: cheap), leaving other releases' alone."""
    link = os.path.join(release, shard)
    if not os.path.islink(link):
        return  # already its own (new this build)
    target = os.path.realpath(link)
    fresh = os.path.join(store, f"{shard.replace('/', '-')}.{tag}")
    shutil.rmtree(fresh, ignore_errors=True)
    subprocess.run(["cp", "-al", "--", target, fresh], check=True)
    os.unlink(link)
    os.symlink(os.path.relpath(fresh, os.path.dirname(link)), link)


def drop(release: str, shard: str) -> None:
    """Remove a shard from ``release`` (its link, or its folder when not yet settled)."""
    path = os.path.join(release, shard)
    if os.path.islink(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def settle(release: str, store: str, tag: str) -> None:
    """Move every shard ``release`` holds as a real folder into the store, and link it."""
    os.makedirs(store, exist_ok=True)
    for shard in positions(release):
        path = os.path.join(release, shard)
        if os.path.islink(path):
            continue
        target = os.path.join(store, f"{shard.replace('/', '-')}.{tag}")
        shutil.rmtree(target, ignore_errors=True)
        os.rename(path, target)
        os.symlink(os.path.relpath(target, os.path.dirname(path)), path)


def collect(store: str, releases: list[str]) -> list[str]:
    """Store folders no release in ``releases`` (nor a build in progress) links to."""
    if not os.path.isdir(store):
        return []
    used = set()
    for release in releases:
        for shard in positions(release):
            used.add(os.path.realpath(os.path.join(release, shard)))
    return [os.path.join(store, d) for d in os.listdir(store)
            if not d.startswith(".") and os.path.realpath(os.path.join(store, d)) not in used]



def inventory(release: str, earlier: dict | None = None) -> dict:
    """What ``release`` holds: {"own": {path: stat}, "shards": {shard: (store folder, {path: stat})}},
    a stat being (size, mtime in ns), folders included (adding or removing a file changes its
    folder's mtime). Recorded when a release is complete and compared before it is reused (copied
    into the next release, or rolled back to).

    A shard linked to the same store folder as in ``earlier`` (the inventory of the release this
    one was copied from, checked by ``damage``) takes its entries from there: a day's build walks
    only its own files and the shards it changed, not the ~110,000 files of a ten-year archive
    (1.4 s on a test machine). Hashing the content instead would read the whole site every time."""
    own: dict = {}
    linked: dict = {}
    known = (earlier or {}).get("shards", {})

    def walk(full: str, rel: str, out: dict, top: bool) -> None:
        with os.scandir(full) as entries:
            for entry in entries:
                child = f"{rel}/{entry.name}" if rel else entry.name
                try:
                    if top and entry.is_symlink() and SHARD.fullmatch(child):
                        folder = os.path.basename(os.path.realpath(entry.path))
                        was = known.get(child)
                        if was and was[0] == folder:
                            linked[child] = was
                        else:
                            st = entry.stat()
                            linked[child] = (folder, {"": (st.st_size, st.st_mtime_ns)})  # its own folder too
                            walk(entry.path, "", linked[child][1], False)
                        continue
                    st = entry.stat()
                    out[child] = (st.st_size, st.st_mtime_ns)
                    if entry.is_dir():
                        walk(entry.path, child, out, top)
                except OSError:  # a dangling link
                    out[child] = (-1, -1)
    walk(release, "", own, True)
    return {"own": own, "shards": linked}


def damage(release: str, recorded: dict) -> list[str]:
    """How ``release`` differs from its ``inventory`` taken when it was made, in Chinese: files
    missing, changed or added since, its own files walked again, the shards' by the recorded
    names (the store is shared: a folder's changed mtime shows a file added or removed)."""
    now = inventory(release, recorded)  # shards still linked to the recorded store folders: reused...
    out = _differ(recorded.get("own", {}), now["own"], "")
    for shard, (folder, entries) in sorted(recorded.get("shards", {}).items()):
        if shard not in now["shards"] or now["shards"][shard][0] != folder:
            out.append(f"缺少 {shard}/")
            continue
        base = os.path.join(release, shard) + "/"
        names = list(entries)
        try:  # ...and checked here, one stat per recorded path (0.6 s for 216,000 on a test machine)
            now_st: list[tuple[int, int] | None] = [(s.st_size, s.st_mtime_ns) for s in map(os.stat, [base + n for n in names])]
        except OSError:
            now_st = [_stat(base + n) for n in names]
        if now_st != list(entries.values()):
            for name, was, got in zip(names, entries.values(), now_st, strict=True):
                if got != was:
                    out.append(f"{'缺少' if got is None else '被改动'} {shard}/{name}")
    out += [f"多出 {shard}/" for shard in sorted(set(now["shards"]) - set(recorded.get("shards", {})))]
    return out


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _differ(recorded: dict, now: dict, prefix: str) -> list[str]:
    out = [f"缺少 {prefix}{p}" for p in sorted(set(recorded) - set(now))]
    out += [f"被改动 {prefix}{p}" for p in sorted(p for p, st in now.items() if p in recorded and recorded[p] != st)]
    out += [f"多出 {prefix}{p}" for p in sorted(set(now) - set(recorded))]
    return out
