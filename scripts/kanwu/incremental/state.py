"""A build's own record, behind one door: what the last build of an audience left (its state,
the tree's page keys, each release's inventory), the salts its pages and engine are keyed by,
and why a build cannot start from the live release (in Chinese, printed by the build)."""

from __future__ import annotations

import os

from . import shards
from .cache import bulk_load


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
    from ..source.config import settings_files
    return salt(root, settings_files(root), audience_id)


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
