"""The README's reference tables, generated from the code (run by cog: ``make docs`` rewrites them,
``tests/test_docs.py`` fails when they are stale, as sqlite-utils does with its docs).

- the item fields: from ``fields.FIELDS`` (name, required or when, the Chinese doc, the choices,
  the parts of a record);
- the commands: from the click commands (their usage and the first paragraph of ``--help``).
"""

from __future__ import annotations

import click

from ..source.fields import FIELDS, Field


def _describe(f: Field) -> str:
    text = f.doc
    if f.choices:
        text += "：" + "、".join(f.choices)
    if f.parts:
        text += "；每条：" + "，".join(f"`{p.name}` {_describe(p)}" for p in f.parts)
    return text.replace("|", "\\|")


def field_table() -> str:
    rows = ["| 字段 | 必填 | 说明 |", "| --- | --- | --- |"]
    for f in FIELDS:
        rows.append(f"| `{f.name}` | {'是' if f.required else f.when or '否'} | {_describe(f)} |")
    return "\n".join(rows)


def _usage(name: str, command: click.Command) -> str:
    args = [p.make_metavar() for p in command.params if isinstance(p, click.Argument)]
    return " ".join(["kanwu", name, *args])


def first_paragraph(command: click.Command) -> str:
    text = (command.help or "").split("\n\n")[0]
    return " ".join(line.strip() for line in text.splitlines()).replace("。 ", "。").replace("|", "\\|")


def command_table() -> str:
    from ..cli import cli
    rows = ["| 命令 | 作用（详见 `kanwu 命令 --help`） |", "| --- | --- |"]
    for name, command in cli.commands.items():
        if not command.hidden:
            rows.append(f"| `{_usage(name, command)}` | {first_paragraph(command)} |")
    return "\n".join(rows)
