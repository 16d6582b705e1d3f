"""The ``kanwu assemble`` command."""

from __future__ import annotations

import os

import click

from ..editorial import assemble as assemble_mod
from ..errors import KanwuError
from ..source import manifest
from .base import CONTEXT, _date, _root, _today, cli


@cli.command(context_settings=CONTEXT)
@click.argument("periodical", metavar="刊物")
@click.option("--date", "day", callback=_date, help="本期日期（默认今天）")
@click.option("--chain", metavar="ITEM", help="重要信息：指定首报或任一续报的编号")
@click.option("--dry-run", is_flag=True, help="只显示清单，不写文件")
@click.option("--skip-holiday", is_flag=True, help="非工作日什么也不做（定时任务用）")
@click.pass_context
def assemble(ctx, periodical, day, chain, dry_run, skip_holiday):
    """为“上报、内参、汇要、重要信息”生成下一期的清单草稿，并说明其余候选为什么没选；--dry-run 只显示。

    刊物可写编号（daily）或版别（上报、内参、汇要、重要信息）。
    列出选中的信息，并说明其余候选为什么没有选；因每期上限没选上的留待下一期（上报 7 天内、内参 28 天内）。

    \b
    例：kanwu assemble 上报 --date 2026-11-03
        kanwu assemble 重要信息 --chain 20261105-yingji-01 --dry-run
    """
    root = _root(ctx)
    day = day or _today()
    repo = assemble_mod.load_for(root, periodical, day)
    if skip_holiday and not repo.config.is_workday(day):
        click.echo(f"{day} 不是工作日，未组期。")
        return
    proposal = assemble_mod.propose(repo, periodical, day, chain or "")
    issue = proposal.issue
    p = repo.config.periodicals[issue.periodical]
    click.echo(f"《{p.name}》（{p.edition}）{issue.year}年第{issue.number}期（总第{issue.total}期），{issue.date}：")
    for sec in issue.sections:
        click.echo(f"  【{sec.heading}】")
        for item_id in sec.items:
            item = repo.items[item_id]
            unit = repo.config.units[item.unit].short
            click.echo(f"    {item_id}  {item.title}（{unit}，{item.category}，{item.urgency}）")
    if proposal.left_out:
        click.echo("未选入：")
        for item_id, reason in proposal.left_out:
            click.echo(f"    {item_id}  {repo.items[item_id].title} — {reason}")
    for note in proposal.notes:
        click.echo(f"注意：{note}")
    data = manifest.issue_to_data(issue)
    if dry_run:
        click.echo("---")
        click.echo(manifest.yamlread.dump(data), nl=False)
        return
    if os.path.exists(os.path.join(root, issue.path)):
        raise KanwuError(f"{issue.path} 已存在，未覆盖。")
    manifest.write_manifest(root, data, issue.path)
    click.echo(f"已写入 {issue.path}。调整顺序、栏目和编者按后提交合并请求；签发时运行 kanwu sign {issue.path}")
