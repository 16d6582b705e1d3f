"""What proofreading reads besides the items, kept by the office: each rule's level (the
``proofreading:`` group of content/kanwu.yml), the leaders and their titles (content/leaders.yml),
and the word lists under content/proof/. Every file is optional; a wrong entry is a located error."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

from . import yamlread
from ..checks.proof.rules import BY_ID, LEVELS
from ..errors import ERROR, Problem, ProblemsFound
from .fields import nearest

LEADERS_FILE = "content/leaders.yml"
PROOF_DIR = "content/proof"
LISTS = {"typos.yml": "typos", "confusions.yml": "confusions", "banned.yml": "banned"}


@dataclass(frozen=True)
class Leader:
    name: str
    title: str
    start: dt.date
    end: dt.date | None  # None: still holds it


@dataclass(frozen=True)
class Typo:
    wrong: str
    right: str
    note: str = ""


@dataclass(frozen=True)
class Confusion:
    wrong: str
    right: str
    preceded_by: str = ""  # a regular expression the text before the word must end with
    followed_by: str = ""  # one the text after it must start with
    note: str = ""


@dataclass(frozen=True)
class Banned:
    word: str
    instead: str = ""
    note: str = ""


@dataclass(frozen=True)
class ProofSettings:
    levels: dict  # rule id -> 错误 / 警告 / 关闭
    leaders: tuple = ()
    typos: tuple = ()
    confusions: tuple = ()
    banned: tuple = ()


def files(root: str) -> tuple[str, ...]:
    """The files proofreading reads (for the caches' keys): leaders.yml and every file under content/proof/."""
    try:
        names = sorted(n for n in os.listdir(os.path.join(root, PROOF_DIR)) if not n.startswith("."))
    except OSError:
        names = []
    return (LEADERS_FILE,) + tuple(f"{PROOF_DIR}/{n}" for n in names)


def load(root: str, reader: yamlread.Reader, group: dict) -> ProofSettings:
    """``group``: the ``proofreading:`` group of content/kanwu.yml, read by ``reader`` (its errors
    are the caller's). The other files' errors are raised here, all at once."""
    levels = {rid: r.level for rid, r in BY_ID.items()}
    for rid, level in group.items():
        if rid not in BY_ID:
            reader.fail(("proofreading", rid), f"没有校对规则“{rid}”{nearest(str(rid), BY_ID)}", "规则见 kanwu proof --rules")
        elif level not in LEVELS:
            reader.fail(("proofreading", rid), f"校对规则 {rid} 的级别“{level}”不可用", "可用的级别：" + "、".join(LEVELS))
        else:
            levels[rid] = level
    problems: list = []
    leaders = _leaders(root, problems) if os.path.exists(os.path.join(root, LEADERS_FILE)) else ()
    lists: dict = {"typos": (), "confusions": (), "banned": ()}
    for rel in files(root)[1:]:
        name = rel.rsplit("/", 1)[1]
        if name not in LISTS:
            problems.append(Problem(rel, 1, 1, ERROR, "", f"{PROOF_DIR}/ 下只读取 " + "、".join(LISTS) + "，不认识这个文件",
                                    "词表请并入这三个文件之一"))
            continue
        lists[LISTS[name]] = _list(root, rel, LISTS[name], problems)
    if problems:
        raise ProblemsFound(problems)
    return ProofSettings(levels, leaders, lists["typos"], lists["confusions"], lists["banned"])


def _entries(reg: yamlread.Reader, key: str) -> list:
    data = reg.data if isinstance(reg.data, dict) else {}
    entries = data.get(key)
    if entries in (None, ""):
        return []
    if not isinstance(entries, list):
        reg.fail((key,), f"应有 {key}: 列表")
        return []
    return entries


def _text(reg: yamlread.Reader, entry, path: tuple, key: str, required: bool = True) -> str:
    value = entry.get(key) if isinstance(entry, dict) else None
    if value in (None, ""):
        if required:
            reg.fail(path, f"缺少 {key}")
        return ""
    if not isinstance(value, str):
        reg.fail(path + (key,), f"{key} 应为一行文字")
        return ""
    return value


def _leaders(root: str, problems: list) -> tuple:
    reg = yamlread.Reader(root, LEADERS_FILE)
    out = []
    for i, e in enumerate(_entries(reg, "leaders")):
        path = ("leaders", i)
        name, title = _text(reg, e, path, "name"), _text(reg, e, path, "title")
        start, end = _day(reg, e, path, "from"), _day(reg, e, path, "to", required=False)
        if start and end and end < start:
            reg.fail(path + ("to",), f"任职结束日期 {end} 早于开始日期 {start}")
        if name and title and start:
            out.append(Leader(name, title, start, end))
    problems += reg.problems
    return tuple(out)


def _day(reg: yamlread.Reader, entry, path: tuple, key: str, required: bool = True) -> dt.date | None:
    text = _text(reg, entry, path, key, required)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        reg.fail(path + (key,), f"“{text}”不是 YYYY-MM-DD 日期")
        return None


def _list(root: str, rel: str, kind: str, problems: list) -> tuple:
    reg = yamlread.Reader(root, rel)
    out: list = []
    seen: dict = {}
    for i, e in enumerate(_entries(reg, kind)):
        path = (kind, i)
        if kind == "banned":
            word = _text(reg, e, path, "word")
            entry: object = Banned(word, _text(reg, e, path, "instead", False), _text(reg, e, path, "note", False))
        elif kind == "typos":
            word = _text(reg, e, path, "wrong")
            entry = Typo(word, _text(reg, e, path, "right"), _text(reg, e, path, "note", False))
        else:
            word = _text(reg, e, path, "wrong")
            entry = Confusion(word, _text(reg, e, path, "right"), _text(reg, e, path, "preceded_by", False),
                              _text(reg, e, path, "followed_by", False), _text(reg, e, path, "note", False))
            for key in ("preceded_by", "followed_by"):
                try:
                    re.compile(getattr(entry, key))
                except re.error as exc:
                    reg.fail(path + (key,), f"{key} 不是有效的正则表达式：{exc.msg}", "例如 目前|今年|\\d")
        if not word:
            continue
        if word in seen:
            reg.fail(path, f"“{word}”重复（第 {seen[word] + 1} 条已有）", "删去其中一条")
            continue
        seen[word] = i
        out.append(entry)
    problems += reg.problems
    return tuple(out)
