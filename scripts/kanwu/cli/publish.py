"""The ``kanwu publish`` command."""

from __future__ import annotations

import os

import click

from .base import CONTEXT, STATE_HELP, _root, _say_why, _use_state, cli


@cli.command(context_settings=CONTEXT)
@click.option("--site-root", type=click.Path(file_okay=False), metavar="目录",
              help="上线目录（默认 site/）：每个阅读范围是其中的一个链接，如 /srv/kanwu/quanti")
@click.option("--state", type=click.Path(file_okay=False), metavar="目录", help=STATE_HELP)
@click.option("--no-pdf", is_flag=True, help="不生成 PDF")
@click.pass_context
def publish(ctx, site_root, state, no_pdf):
    """发布：检查全部内容，构建每个阅读范围和 PDF，全部成功后一起切换上线（保留上一版以便回退）。

    检查有错误时什么也不切换。同时只能有一个发布在进行，后来的会等待。
    发布到上线目录时，各版本和缓存放在仓库之外的发布状态目录，下一次发布仍是增量的。

    \b
    例：kanwu publish --site-root /srv/kanwu
        kanwu publish --site-root /srv/kanwu --state /var/lib/kanwu
    """
    from ..publish import release as release_mod
    root = _root(ctx)
    _use_state(root, site_root, state)
    for r in release_mod.publish(root, site_root, pdf=not no_pdf):
        click.echo(f"已上线 {r.audience}：{r.pages} 个页面（重新生成 {r.written} 个）、{r.pdfs} 份 PDF"
                   f"（{os.path.basename(r.release)}，{r.seconds:.1f} 秒）")
        _say_why(r)
