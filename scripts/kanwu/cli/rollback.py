"""The ``kanwu rollback`` command."""

from __future__ import annotations

import click

from .base import CONTEXT, STATE_HELP, _root, _use_state, cli


@cli.command(context_settings=CONTEXT)
@click.option("--site-root", type=click.Path(file_okay=False), metavar="目录", help="上线目录（默认 site/）")
@click.option("--state", type=click.Path(file_okay=False), metavar="目录", help=STATE_HELP)
@click.option("--audience", help="只回退一个阅读范围")
@click.option("--to", "to", metavar="版本", help="回退到指定版本（kanwu releases 列出的编号，如 000012）")
@click.option("--steps", type=click.IntRange(min=1), default=1, show_default=True, metavar="步数", help="回退几个版本")
@click.pass_context
def rollback(ctx, site_root, state, audience, to, steps):
    """回到上一版；--steps 3 回退三版，--to 编号 回到指定版本（全部阅读范围一起）；只回到上线过的版本（发布中途被中断、构建完未上线的版本不算，下次发布时删掉）。

    \b
    例：kanwu rollback --site-root /srv/kanwu
        kanwu rollback --site-root /srv/kanwu --to 000012
    """
    from ..publish import release as release_mod
    root = _root(ctx)
    _use_state(root, site_root, state)
    for aud, name in release_mod.rollback(root, site_root, audience, to, steps):
        click.echo(f"已回退 {aud} 到 {name}")
