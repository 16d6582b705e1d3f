"""Located problems and the one exception root.

Every message a user sees names the place: ``路径:行:列: 错误 字段 — 问题（怎么改）``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import click

ERROR = "错误"
WARNING = "警告"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one place in one file."""

    path: str
    line: int
    col: int
    severity: str  # ERROR or WARNING
    field: str
    message: str
    hint: str = ""
    rule: str = ""  # a proofreading rule's id (checks/proof/rules.py); "" for every other check

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}"
        field = f" {self.field}" if self.field else ""
        hint = f"（{self.hint}）" if self.hint else ""
        rule = f"〔{self.rule}〕" if self.rule else ""
        return f"{where}: {self.severity}{field} — {self.message}{hint}{rule}"

    def format_github(self) -> str:
        kind = "error" if self.is_error else "warning"
        text = f"{self.field} — {self.message}{'（' + self.hint + '）' if self.hint else ''}{'〔' + self.rule + '〕' if self.rule else ''}"
        # Workflow commands (the Actions toolkit's escapeData / escapeProperty): a file name with a
        # newline, a comma or a colon cannot end the command and start another.
        text = _escape_data(text)
        path = _escape_data(self.path).replace(":", "%3A").replace(",", "%2C")
        return f"::{kind} file={path},line={self.line},col={self.col}::{text}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def problems_gitlab(problems: list[Problem]) -> str:
    """GitLab's code quality report (the subset of Code Climate's format GitLab reads)."""
    import hashlib
    return json.dumps([{
        "description": f"{p.field} — {p.message}{'（' + p.hint + '）' if p.hint else ''}".lstrip(" —"),
        "check_name": p.rule or "kanwu",
        "fingerprint": hashlib.sha1(p.format().encode("utf-8")).hexdigest(),
        "severity": "major" if p.is_error else "minor",
        "location": {"path": p.path, "lines": {"begin": p.line}},
    } for p in problems], ensure_ascii=False, indent=2)


def problems_json(problems: list[Problem]) -> str:
    return json.dumps([asdict(p) | {"text": p.format()} for p in problems], ensure_ascii=False, indent=2)


class KanwuError(click.ClickException):
    """The root of every error kanwu reports to a user: a clean Chinese message, no traceback."""

    exit_code = 1

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True, file=file)


class ProblemsFound(KanwuError):
    """Validation found errors; the problems were already reported."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        n = sum(p.is_error for p in problems)
        super().__init__(f"发现 {n} 个错误，未继续。")

    def show(self, file=None) -> None:
        for p in self.problems:
            click.echo(p.format(), err=True, file=file)
        super().show(file)
