"""The ``kanwu build`` command."""

from __future__ import annotations

import os

import click

from ..source.config import load_config
from .base import CONTEXT, _root, _say_why, cli


@cli.command(context_settings=CONTEXT)
@click.option("--audience", "audiences", multiple=True, help="阅读范围（编号或名称），可写多次；默认只构建最低的范围")
@click.option("--all-audiences", is_flag=True, help="构建 content/kanwu.yml 中的每个阅读范围")
@click.option("--no-pdf", is_flag=True, help="不生成 PDF")
@click.pass_context
def build(ctx, audiences, all_audiences, no_pdf):
    """生成网站（默认最低的阅读范围；--audience 领导、--all-audiences），含检索索引、PDF 和每期的 Word 文档（各期页面上“下载 Word 文档”，按本期输入缓存，每天只生成新的一期），完成后一次切换上线。

    网站在 site/<阅读范围>/，可用任何静态网站服务器发布，
    也可以 python3 -m http.server -d site/quanti 预览。

    \b
    例：kanwu build
        kanwu build --audience 领导
        kanwu build --all-audiences
    """
    from ..engine import site as site_mod
    root = _root(ctx)
    names = list(audiences) or [None]
    if all_audiences:
        names = list(load_config(root).audiences)
    for name in names:
        result = site_mod.build(root, name, pdf=not no_pdf)
        click.echo(f"阅读范围 {result.audience}：{result.pages} 个页面、{result.pdfs} 份 PDF，"
                   f"改写 {result.written} 个源文件，删除 {result.removed} 个；用时 {result.seconds:.1f} 秒"
                   f"（{'，'.join(f'{n} {t:.1f}' for n, t in result.phases)}）。已上线：{os.path.relpath(result.live, root)}")
        _say_why(result)
