"""The ``kanwu new`` command."""

from __future__ import annotations

import click

from ..editorial import scaffold
from ..source.config import load_config
from ..source.fields import CATEGORIES, CLASSIFICATIONS, URGENCIES
from .base import CONTEXT, _date, _root, _today, cli


@cli.command(context_settings=CONTEXT)
@click.option("--unit", required=True, help="报送单位编号（见 content/units.yml）")
@click.option("--category", required=True, help="类别：" + "、".join(CATEGORIES))
@click.option("--title", required=True, help="标题")
@click.option("--date", "day", callback=_date, help="报送日期（默认今天）")
@click.option("--author", "authors", multiple=True, help="撰稿人，可写多次")
@click.option("--classification", default="内部", show_default=True, help="密级：" + "、".join(CLASSIFICATIONS))
@click.option("--urgency", default="平件", show_default=True, help="紧急程度：" + "、".join(URGENCIES))
@click.pass_context
def new(ctx, unit, category, title, day, authors, classification, urgency):
    """新建一条信息：在正确的目录生成带全部必填字段和中文注释的文件。

    \b
    例：kanwu new --unit qingxi --category 动态 --title "青溪县启动冬季农田水利建设" --author 张晓燕
    """
    config = load_config(_root(ctx))
    path = scaffold.new_item(config, unit, category, title, day or _today(), list(authors), classification, urgency)
    click.echo(f"已新建 {path}，请填写正文后运行 kanwu check {path}")
