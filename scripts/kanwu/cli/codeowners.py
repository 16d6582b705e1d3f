"""The ``kanwu codeowners`` command."""

from __future__ import annotations

import os

import click

from ..errors import KanwuError, ProblemsFound
from ..source.config import load_config
from .base import CONTEXT, _root, cli


@cli.command(context_settings=CONTEXT)
@click.option("--check", "check_only", is_flag=True, help="只检查已提交的文件是否过期，不写文件")
@click.pass_context
def codeowners(ctx, check_only):
    """由单位名册生成 .github/、.gitlab/、.gitea/ 下的 CODEOWNERS；过期时 kanwu check 报错。"""
    from ..checks import review
    root = _root(ctx)
    config = load_config(root)
    text = review.codeowners(config)
    if check_only:
        missing = [p for p in review.CODEOWNERS_PATHS if not os.path.exists(os.path.join(root, p))]
        if missing:
            raise KanwuError(f"{'、'.join(missing)} 不存在；运行 kanwu codeowners 生成。")
        problems = review.stale_codeowners(root, config)
        if problems:
            raise ProblemsFound(problems)
        click.echo("CODEOWNERS 是最新的。")
        return
    for rel in review.CODEOWNERS_PATHS:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"已写入 {rel}（{len(config.units)} 个单位）。")
