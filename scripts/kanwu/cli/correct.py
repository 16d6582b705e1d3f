"""The ``kanwu correct`` command."""

from __future__ import annotations

import click

from ..checks import validate
from ..errors import KanwuError
from .base import CONTEXT, _date, _git_user, _root, _today, cli


@cli.command(context_settings=CONTEXT)
@click.argument("item_id", metavar="编号")
@click.option("--what", required=True, help="改了什么，例如：检查户数由1,236改为1,263")
@click.option("--by", "by", default=None, help="经办人（默认取 git 的 user.name）")
@click.option("--date", "day", callback=_date, help="勘误日期（默认今天）")
@click.pass_context
def correct(ctx, item_id, what, by, day):
    """登记勘误：信息改好后运行，在采用它的每一期已签发清单里记下勘误，并把签发时的原文保留在 issues/sent/。

    \b
    已签发各期的印刷版 PDF 保持原样；网站显示更正后的正文并注明勘误，另发一份勘误通知。
    例：kanwu correct 20261103-qingxi-01 --what "检查户数由1,236改为1,263" --by 李文静
    """
    from ..editorial import correct as correct_mod
    root = _root(ctx)
    repo = validate.load_repository(root)
    person = by if by is not None else _git_user(root)
    if not person.strip():
        raise KanwuError("不知道经办人是谁：用 --by 写上姓名。")
    written = correct_mod.record(root, repo, item_id, what, person, day or _today())
    click.echo(f"已在 {len(written)} 期登记勘误：" + "、".join(written) + f"；签发时的原文保留在 {correct_mod.SENT_DIR}/ 下。"
               "一并提交这些文件和改好的信息。")
