"""``kanwu publish``, ``kanwu releases`` and ``kanwu rollback``: every audience built, then all
switched live together; the kept releases listed; the live links pointed back."""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass

from .. import audience as audience_mod
from .. import workdir
from ..engine.site import BuildResult, _release, _workers
from ..errors import KanwuError
from ..incremental import years as years_mod
from ..incremental.state import release_damage
from .switch import go_live, lock, release_notes, releases, switch, was_live


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
