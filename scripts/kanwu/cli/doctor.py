"""The ``kanwu doctor`` command."""

from __future__ import annotations

import click

from ..source.config import load_config
from .base import CONTEXT, _root, cli


@cli.command(context_settings=CONTEXT)
@click.option("--site-root", metavar="目录", help="要检查写权限的上线目录（默认 publish.root）")
@click.option("--htpasswd-dir", metavar="目录", help="口令文件所在目录（文件名为 <阅读范围>.htpasswd），代替配置中的路径")
@click.pass_context
def doctor(ctx, site_root, htpasswd_dir):
    """检查这台机器能否运行 kanwu：Python 和依赖版本、各角色字体（不许悄悄替换）、Chromium、发布目录和状态目录、访问规则和口令文件。"""
    from ..checks import doctor as doctor_mod
    root = _root(ctx)
    findings = doctor_mod.run(root, load_config(root), site_root, htpasswd_dir)
    for f in findings:
        mark = "✓" if f.ok else ("✗" if f.fatal else "!")
        click.echo(f"{mark} {f.what}" + ("" if f.ok else f" — 怎么改：{f.fix}"))
    bad = [f for f in findings if not f.ok and f.fatal]
    click.echo(f"发现 {len(bad)} 个必须解决的问题。" if bad else "这台机器可以运行 kanwu。")
    if bad:
        ctx.exit(1)
