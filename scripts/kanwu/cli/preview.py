"""The ``kanwu preview`` command."""

from __future__ import annotations

import os

import click

from ..checks import validate
from .base import CONTEXT, _root, cli


@cli.command(context_settings=CONTEXT)
@click.option("--changed", "rev", required=True, metavar="REV", help="与哪个版本比较，如 origin/main")
@click.option("--out", type=click.Path(file_okay=False), metavar="目录", default="build/preview", show_default=True,
              help="预览输出目录")
@click.option("--summary", type=click.Path(dir_okay=False), metavar="文件",
              help="把中文审核摘要（Markdown）追加到这个文件，如 $GITHUB_STEP_SUMMARY")
@click.pass_context
def preview(ctx, rev, out, summary):
    """合并请求预览：改动的信息生成 HTML 页面和简报格式的 PDF，改动的期生成整期 PDF，并写审核摘要。

    \b
    例：kanwu preview --changed origin/main --summary "$GITHUB_STEP_SUMMARY"
    """
    from ..engine import preview as preview_mod
    root = _root(ctx)
    repo = validate.load_repository(root)
    out = out if os.path.isabs(out) else os.path.join(root, out)
    result = preview_mod.build(repo, root, rev, out)
    text = preview_mod.summary(repo, result)
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(text)
    click.echo(text)
    click.echo(f"预览已写入 {os.path.relpath(out, root)}（{len(result.files)} 个文件）。")
