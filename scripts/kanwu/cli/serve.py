"""The ``kanwu serve`` command."""

from __future__ import annotations

import logging

import click

from .base import CONTEXT, _root, cli


@cli.command(context_settings=CONTEXT)
@click.option("--audience", help="阅读范围（默认最低的范围）")
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="地址:端口", help="本机预览地址")
@click.pass_context
def serve(ctx, audience, dev_addr):
    """本机预览（http://127.0.0.1:8000/）：稿件或清单一改动就重新生成，浏览器自动刷新（不生成 PDF）。

    \b
    例：kanwu serve，然后打开 http://127.0.0.1:8000/
    """
    from ..engine import devserver
    root = _root(ctx)
    logging.getLogger("kanwu").setLevel(logging.INFO)
    devserver.serve(root, audience, dev_addr, on_problems=lambda text: click.echo(text + "\n（改正后会自动重新生成）", err=True))
