"""The ``kanwu cms`` command."""

from __future__ import annotations

import os

import click

from ..source.config import load_config
from .base import CONTEXT, _root, cli


@cli.command(context_settings=CONTEXT)
@click.option("--out", type=click.Path(file_okay=False), metavar="目录", help="另外生成表单的静态文件（index.html、config.yml 和 Decap CMS），放到内网网站上")
@click.option("--local", metavar="地址", help="表单连接本机的 decap-server（试用，不需要 git 网站），如 http://localhost:8081/api/v1")
@click.pass_context
def cms(ctx, out, local):
    """生成信息员的网页报送表单（Decap CMS，中文界面，编辑工作流：保存即生成分支和合并请求）的设置 content/cms.yml，字段、单位、类别由字段声明和名册生成；--out 生成表单的静态文件；设置见 content/help/admin.md。

    表单的字段由稿件字段声明、content/units.yml 和 content/kanwu.yml 生成：报送单位、类别、
    紧急程度、密级是下拉选项，文件名按“日期-单位-01”生成；信息员点“保存”后，
    git 网站上自动生成一个分支和合并请求，照常通过检查、经信息科审核后合并。
    backend（git 网站和仓库）由管理员在 content/cms.yml 里填写，重新生成时保留。

    \b
    例：kanwu cms
        kanwu cms --out site/baosong
    """
    from ..editorial import cms as cms_mod
    root = _root(ctx)
    config = load_config(root)
    click.echo(f"已写入 {cms_mod.write_config(root, config)}")
    if out:
        out = os.path.join(root, out) if not os.path.isabs(out) else out
        files = cms_mod.admin_folder(root, config, out, local=local)
        click.echo(f"表单已生成到 {os.path.relpath(out, root)}（{len(files)} 个文件），打开其中的 index.html。")
