"""The ``kanwu releases`` command."""

from __future__ import annotations

import click

from .base import CONTEXT, STATE_HELP, _root, _use_state, cli


@cli.command(context_settings=CONTEXT)
@click.option("--site-root", type=click.Path(file_okay=False), metavar="目录", help="上线目录（默认 site/）")
@click.option("--state", type=click.Path(file_okay=False), metavar="目录", help=STATE_HELP)
@click.pass_context
def releases(ctx, site_root, state):
    """列出保留的各版本：编号、构建所用的提交、时间、首次发布的期、大小，标出正在上线的版本。"""
    from ..publish import release as release_mod
    root = _root(ctx)
    _use_state(root, site_root, state)
    rows = release_mod.list_releases(root, site_root)
    if not rows:
        click.echo("还没有发布过任何版本。")
        return
    for r in rows:
        first = "、".join(r.first[:6]) + (f" 等 {len(r.first)} 期" if len(r.first) > 6 else "") if r.first else "无"
        click.echo(f"{'* ' if r.live else '  '}{r.audience}  {r.name}  提交 {r.commit or '未知'}  {r.built or '时间未知'}  "
                   f"{r.size / 1024 / 1024:.1f} MB  首次发布：{first}" + ("" if r.went_live else "  （构建完未上线，不能回退到它）"))
    click.echo("* 为正在上线的版本；kanwu rollback --to 编号 可回退到上线过的任一版本。")
