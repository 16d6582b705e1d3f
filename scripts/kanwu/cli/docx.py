"""The ``kanwu docx`` command."""

from __future__ import annotations

import os

import click

from .base import CONTEXT, _root, cli


@cli.command(context_settings=CONTEXT)
@click.argument("periodical", metavar="刊物")
@click.argument("number", required=False, type=int, metavar="[期号]")
@click.option("--year", type=int, help="年份（默认：该刊最新一期所在的年份）")
@click.option("--audience", help="阅读范围（默认最低的范围；内参等只在较高范围中）")
@click.option("--out", type=click.Path(file_okay=False), metavar="目录", default="build/docx", show_default=True, help="输出目录")
@click.pass_context
def docx(ctx, periodical, number, year, audience, out):
    """把一期导出为 Word 文档（省里的报送系统收 .docx），版式同 PDF：A4、版心 156×225 毫米（对称页边距）、仿宋_GB2312 三号、固定行距 28.95 磅、标题方正小标宋简体二号、来源和编者按楷体_GB2312、红色报头和红线、页码“— N —”在外侧、版记在末页；每个字都写明中文字体（w:eastAsia）；--audience 同 kanwu pdf，超出阅读范围的信息不进文档。

    \b
    例：kanwu docx 上报 212
        kanwu docx 内参 89 --audience 领导
    """
    from ..pdf import chosen_issues
    from ..word import export
    root = _root(ctx)
    view, issues = chosen_issues(root, periodical, number, year, audience)
    out = os.path.join(root, out) if not os.path.isabs(out) else out
    for issue in issues:
        path = os.path.join(out, issue.periodical, f"{issue.year:04d}", f"{issue.number:03d}.docx")
        export.write(path, export.issue_docx(root, view, issue))
        click.echo(f"已生成 {os.path.relpath(path, root)}")
