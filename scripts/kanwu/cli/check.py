"""The ``kanwu check`` command."""

from __future__ import annotations

import os

import click

from ..checks import validate
from ..errors import problems_gitlab, problems_json
from ..source import chars
from .base import CONTEXT, _in_root, _root, cli


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(), metavar="[路径]...")
@click.option("--changed", "rev", metavar="REV", help="只报告自 REV（如 origin/main）以来的改动（新增、修改、改名、删除）引起的问题，包括记在其他文件上的")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "gitlab"]), default="text",
              show_default=True, help="输出格式；github 为 GitHub/Gitea 工作流注释，gitlab 为 GitLab 代码质量报告")
@click.option("--strict", is_flag=True, help="把警告也当作错误")
@click.option("--fix", is_flag=True, help="先删掉看不见的字符（零宽空格、软连字符等，换行类改为换行），再检查")
@click.pass_context
def check(ctx, paths, rev, fmt, strict, fix):
    """检查全部稿件和清单，一次列出全部问题（一个文件里的几处错误也一次列出）；--changed origin/main 只报告分支改动引起的问题：改动的文件里的，以及改动在别处引起的错误（删掉或改动已签发的期用到的信息，错误记在清单上，也在改动的信息上标出）；--format json/github 供 CI 使用；--strict 把警告当错误；--fix 先删掉从 Word 带来的看不见的字符（零宽空格、软连字符、垂直制表符等，换行类改为换行）。Word 的项目符号（私用区字符）和印刷字体里没有的字报错并给出行列。

    每个问题一行：路径:行:列: 错误|警告 字段 — 问题（怎么改）；校对（标点、数字、日期、名称、用词）的问题以〔规则〕结尾，
    kanwu proof 逐行标出原文，kanwu proof --fix 改正标点和数字的写法。校对的错误让检查不通过，但不阻止 kanwu build。
    有错误时退出码为 1。

    \b
    例：kanwu check
        kanwu check content/items/2026/11
        kanwu check --changed origin/main --format github
        kanwu check --fix content/items/2026/12
    """
    root = _root(ctx)
    repo = validate.load_repository(root)
    if fix:
        wanted = [_in_root(root, p) for p in paths]
        touched = _fix_invisible(root, sorted({p.path for p in repo.problems if chars.is_invisible(p)
                                               and (not wanted or any(p.path == w or p.path.startswith(w.rstrip("/") + "/") for w in wanted))}))
        if touched:
            click.echo(f"已删掉 {len(touched)} 个文件里看不见的字符：" + "、".join(touched[:20]) + ("……" if len(touched) > 20 else ""), err=fmt != "text")
            repo = validate.load_repository(root)
    problems = repo.problems
    def under(path, prefixes):
        return any(path == w or path.startswith(w.rstrip("/") + "/") for w in prefixes)

    if paths:
        wanted = [_in_root(root, p) for p in paths]
        problems = [p for p in problems if under(p.path, wanted)]
    if rev:  # the changed files' problems, and those they cause elsewhere
        problems = validate.caused_by(root, rev, problems)
    if strict:
        from dataclasses import replace
        problems = [replace(p, severity="错误") for p in problems]
    errors = sum(p.is_error for p in problems)
    if fmt in ("json", "gitlab"):
        click.echo(problems_json(problems) if fmt == "json" else problems_gitlab(problems))
    else:
        for p in problems:
            click.echo(p.format_github() if fmt == "github" else p.format())
        click.echo(f"检查了 {len(repo.items)} 条信息、{len(repo.issues)} 期：{errors} 个错误，"
                   f"{len(problems) - errors} 个警告。", err=fmt == "github")
    if errors:
        ctx.exit(1)


def _fix_invisible(root: str, paths: list[str]) -> list[str]:
    """Rewrite each file with its invisible characters removed; the files changed."""
    return [rel for rel in paths if chars.fix_file(os.path.join(root, rel))]
