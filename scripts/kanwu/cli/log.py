"""The ``kanwu log`` command."""

from __future__ import annotations

import click

from ..checks import validate
from ..errors import KanwuError
from .base import CONTEXT, _root, cli


@cli.command(context_settings=CONTEXT)
@click.argument("item_id", metavar="信息编号")
@click.pass_context
def log(ctx, item_id):
    """一条信息的记录：谁报送、谁修改、谁合并（来自 git 历史，含 Reviewed-by）。

    \b
    例：kanwu log 20261105-yunling-01
    """
    from ..checks import review
    root = _root(ctx)
    repo = validate.load_repository(root)
    item = repo.items.get(item_id)
    if item is None:
        raise KanwuError(f"信息“{item_id}”不存在（或有错误未能读取，请先运行 kanwu check）。")
    changes = review.history(root, item)
    click.echo(f"{item.id}  {item.title}")
    for n, c in enumerate(changes):
        role = "报送" if n == 0 else "修改"
        line = f"  {c.when[:16].replace('T', ' ')}  {role}：{c.author}  {c.subject}  [{c.commit}]"
        if c.reviewed_by:
            line += f"  审核：{'、'.join(c.reviewed_by)}"
        if c.merged_by:
            line += f"  合并：{c.merged_by}"
        click.echo(line)
