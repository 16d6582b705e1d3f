"""Releases on disk: one build of an audience at a time (a lock), numbered release folders, the
atomic switch of the live link, pruning, and the notes of which releases went live."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import subprocess

from ..errors import KanwuError
from ..incremental import shards
from ..incremental.state import inventory_path
from ..source.config import KEEP_RELEASES


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


def next_release_number(folder: str) -> int:
    numbers = [int(d.split("-")[0]) for d in os.listdir(folder) if d[:6].isdigit()]
    return max(numbers, default=0) + 1


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
