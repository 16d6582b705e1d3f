"""The ``kanwu status`` command."""

from __future__ import annotations

import click

from ..checks import validate
from ..editorial import status as status_mod
from .base import CONTEXT, _date, _root, _today, cli


@cli.command(context_settings=CONTEXT)
@click.option("--date", "day", callback=_date, help="按哪一天计算（默认今天）")
@click.pass_context
def status(ctx, day):
    """未采用的信息、各刊的候选（上报近 7 天、内参近 28 天未采用的，按编号、标题、单位、已等天数；因每期上限没选上的留待下一期）、未签发的期、各刊下一期期号。"""
    repo = validate.load_checked(_root(ctx))
    click.echo(status_mod.report(repo, day or _today()))
