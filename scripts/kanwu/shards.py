"""Releases share the bulk of their files: year folders live once in a store, releases link to them.

A release of a ten-year archive holds ~110,000 files, almost all in folders that a day's
publishing does not touch: ``items/<year>/<month>`` (~450 items each), ``periodicals/<p>/<year>``, ``pdf/<p>/<year>``
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
import re
import shutil
import subprocess

SHARD = re.compile(r"^(items/\d{4}/\d{2}|periodicals/[^/]+/\d{4}|pdf/[^/]+/\d{4}|pagefind-\d{4}(?:-\d{2})?)(?:/|$)")
_ABOVE = re.compile(r"^(items|items/\d{4}|periodicals|periodicals/[^/]+|pdf|pdf/[^/]+)$")  # folders that hold shards
LAYOUT = "2"  # which folders are shards: a release of another layout is never copied, only rebuilt


def shard_of(rel: str) -> str | None:
    """The shard an output path (relative to the release) belongs to, or None."""
    m = SHARD.match(rel)
    return m.group(1) if m else None


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

    def __init__(self, previous: str, new: str):
        import threading
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(previous, new), daemon=True)
        self._thread.start()

    def _run(self, previous: str, new: str) -> None:
        try:
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
