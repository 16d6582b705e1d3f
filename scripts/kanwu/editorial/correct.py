"""勘误: recording a correction to an item of signed issues, and keeping the text they were sent with.

A signed issue is the record: its PDF is typeset from the text each item had when it was signed
(the content hash in the manifest). ``kanwu correct`` is run after the item's file was edited: it
keeps that text as ``issues/sent/<hash>/<item path>`` (from the last commit, or further back in
git history), and appends the correction, in block style, to every signed issue carrying the item.
The site then shows the corrected text, marked, and a 勘误 notice; the issue's PDF stays as sent.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from dataclasses import replace

from ..source import manifest
from ..errors import KanwuError
from ..source.load import load_item
from ..model import Correction, Issue, Item

sent_root = manifest.sent_root
SENT_DIR = manifest.SENT_DIR


def sent_item(root: str, item: Item, digest: str, config) -> Item | None:
    """The item as it was when its content hash was ``digest`` (None when that text is not kept)."""
    if item.digest == digest:
        return item
    base = os.path.join(root, sent_root(digest))
    if not os.path.isfile(os.path.join(base, item.path)):
        return None
    old, _ = load_item(base, item.path, config)
    return old if old is not None and old.digest == digest else None


def changed_items(issue: Issue, items: dict) -> list[str]:
    """The items of a signed issue whose text is no longer what the issue recorded."""
    recorded = dict(issue.digests)
    return [i for i in issue.item_ids if i in items and i in recorded and items[i].digest != recorded[i]]


def record(root: str, repo, item_id: str, what: str, by: str, on: dt.date) -> list[str]:
    """Keep the as-sent text and append the correction to every signed issue carrying ``item_id``;
    the manifests written, in order."""
    item = repo.items.get(item_id)
    if item is None:
        raise KanwuError(f"信息“{item_id}”不存在或有错误（先运行 kanwu check 改正信息文件本身的问题）。")
    if not what.strip() or not by.strip():
        raise KanwuError("勘误要写明改了什么（--what）和经办人（--by）。")
    issues = [i for i in repo.issues if i.published and item_id in i.item_ids]
    if not issues:
        raise KanwuError(f"信息 {item_id} 还没有被任何已签发的期采用，直接修改即可，不需要登记勘误。")
    touched = [i for i in issues if dict(i.digests).get(item_id) != item.digest
               and item.digest not in _correction_digests(i, item_id)]
    if not touched:
        raise KanwuError(f"信息 {item_id} 与已登记的内容相同，没有需要登记的改动。先修改 {item.path}，再运行 kanwu correct。")
    for digest in sorted({dict(i.digests)[item_id] for i in touched}):
        _keep_sent(root, item, digest, repo.config)
    written = []
    for issue in touched:
        digests = tuple(issue.lines.get("correction_digests", ()))
        fixed = replace(issue, corrections=issue.corrections + (Correction(item_id, on, by.strip(), what.strip()),),
                        lines={"correction_digests": digests + (item.digest,)})
        manifest.write_manifest(root, manifest.issue_to_data(fixed), issue.path)
        written.append(issue.path)
    return written


def _correction_digests(issue: Issue, item_id: str) -> set:
    return {d for c, d in zip(issue.corrections, issue.lines.get("correction_digests", ())) if c.item == item_id and d}


def _keep_sent(root: str, item: Item, digest: str, config) -> None:
    """Write the text ``item`` had under ``digest`` to ``sent_root(digest)``, found in git history."""
    dest_base = os.path.join(root, sent_root(digest))
    if sent_item(root, item, digest, config) is not None:
        return
    for blob in _history(root, item.path):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, item.path)
            os.makedirs(os.path.dirname(path))
            with open(path, "wb") as fh:
                fh.write(blob)
            old, _ = load_item(tmp, item.path, config)
            if old is not None and old.digest == digest:
                os.makedirs(os.path.dirname(os.path.join(dest_base, item.path)), exist_ok=True)
                shutil.copyfile(path, os.path.join(dest_base, item.path))
                return
    raise KanwuError(
        f"找不到信息 {item.id} 签发时的原文（内容指纹 {digest}）：git 历史里没有这个版本。"
        "已签发的期要按原样保留，请先恢复原文并提交（git checkout 或从备份），再修改、登记勘误；"
        "若是浅克隆，先运行 git fetch --unshallow。")


def _history(root: str, rel: str):
    """The file's committed versions, newest first (HEAD, then every commit that touched it)."""
    def git(*args):
        try:
            return subprocess.run(["git", "-C", root, *args], capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return None
    log = git("log", "--format=%H", "--", rel)
    revs = ["HEAD"] + (log.stdout.decode().split() if log is not None and log.returncode == 0 else [])
    for rev in revs:
        out = git("show", f"{rev}:{rel}")
        if out is not None and out.returncode == 0:
            yield out.stdout
