"""The ``kanwu import`` command."""

from __future__ import annotations

import click

from ..checks import validate
from ..source.config import load_config
from ..source.fields import CATEGORIES, CLASSIFICATIONS, URGENCIES
from .base import CONTEXT, _date, _root, _today, cli


@cli.command("import", context_settings=CONTEXT)
@click.argument("source", type=click.Path(dir_okay=False), metavar="Word文件")
@click.option("--unit", help="报送单位编号（默认：按文档里的来源行（某某县委办）在 content/units.yml 中查找）")
@click.option("--category", help="类别：" + "、".join(CATEGORIES))
@click.option("--date", "day", callback=_date, help="报送日期（默认今天）")
@click.option("--classification", help="密级（默认内部）：" + "、".join(CLASSIFICATIONS))
@click.option("--urgency", help="紧急程度（默认平件）：" + "、".join(URGENCIES))
@click.option("--title", help="标题（默认：文档第一段居中或加粗的标题）")
@click.option("--author", "authors", multiple=True, help="撰稿人，可写多次（默认：文档末尾的“撰稿人：……”）")
@click.option("--event-at", help="突发事件：事件发生时间，如 \"2026-11-23 07:00+08:00\"")
@click.option("--reported-at", help="突发事件：首次报告时间")
@click.option("--dry-run", is_flag=True, help="只显示导入后的稿件，不写文件")
@click.pass_context
def import_(ctx, source, unit, category, day, classification, urgency, title, authors, event_at, reported_at, dry_run):
    """把信息员的 Word 文档导入为一条信息（.doc、.wps 经 LibreOffice 转换）：识别居中或加粗的标题、来源行（某某县委办，对应报送单位）、手写的“一、”“（一）”小标题、文末撰稿人；清除全角空格缩进和看不见的字符；图片复制到 content/assets/；文档里没有、选项（--unit --category --date --title --author --classification）也没给的字段逐条列出，不猜；导入后立即做 kanwu check 的同一检查。

    识别文档里的标题（第一段居中或加粗）、来源行（某某县委办，对应报送单位）、
    手写的“一、”“（一）”小标题、文末的撰稿人和联系电话；清除全角空格缩进、
    不可见字符；图片复制到 content/assets/。文档里没有、选项也没给的字段会在
    提示里列出，不会猜。导入后照常运行 kanwu check。

    \b
    例：kanwu import 青溪县冬季水利.docx --category 动态
        kanwu import 报送.doc --unit qingxi --category 经验做法 --date 2026-11-24
    """
    from ..word import importer
    root = _root(ctx)
    config = load_config(root)
    made = importer.import_docx(config, source, unit=unit, category=category, day=day or _today(),
                                classification=classification, urgency=urgency, title=title, authors=authors,
                                event_at=event_at, reported_at=reported_at, dry_run=dry_run)
    if dry_run:
        click.echo(f"将导入为 {made.path}" + (f"（另有图片 {'、'.join(made.assets)}）" if made.assets else "") + "：")
        click.echo(made.text, nl=False)
        return
    for asset in made.assets:
        click.echo(f"已复制图片 {asset}")
    problems = [p for p in validate.load_repository(root).problems if p.path in (made.path, *made.assets)]
    for p in problems:
        click.echo(p.format())
    errors = sum(p.is_error for p in problems)
    click.echo(f"已导入 {made.path}：{errors} 个错误，{len(problems) - errors} 个警告（kanwu check 的同一检查）。"
               "请核对正文和字段后提交。")
    if errors:
        ctx.exit(1)
