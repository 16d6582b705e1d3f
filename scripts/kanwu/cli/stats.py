"""The ``kanwu stats`` command."""

from __future__ import annotations

import click

from ..checks import validate
from ..errors import KanwuError
from .base import CONTEXT, _date, _root, _today, cli


@cli.command(context_settings=CONTEXT)
@click.option("--period", default="month", show_default=True,
              help="时段：week、last-week、month、quarter、year、yesterday、2026-11、2026-Q4、2026、2026-11-01:2026-11-15")
@click.option("--date", "day", callback=_date, help="以哪一天为“今天”（默认今天）")
@click.option("--unit", help="只看一个单位（编号）")
@click.option("--officers", is_flag=True, help="同时列出信息员")
@click.option("--audience", help="按哪个阅读范围统计（默认最低的范围，与 kanwu build 相同；“全部”统计所有信息，含涉密信息的标题）")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "xlsx"]), default="table", show_default=True,
              help="输出格式")
@click.option("--out", type=click.Path(dir_okay=False), metavar="文件", help="写入文件（xlsx 必须指定）")
@click.pass_context
def stats(ctx, period, day, unit, officers, audience, fmt, out):
    """统计和排名：--period week/last-week/month/quarter/year/yesterday/2026-11/2026-Q4/起:止，--unit、--officers，--audience 范围（默认最低的范围；写“全部”统计所有信息），--format csv/xlsx --out 文件。

    分值按 content/kanwu.yml 的 scoring 计算；月度最佳信息和通报批评记录在 content/evaluation.yml。

    \b
    例：kanwu stats --period last-week
        kanwu stats --period 2026-Q4 --format xlsx --out 四季度.xlsx
        kanwu stats --unit qingxi --officers
    """
    from .. import stats as stats_mod
    from ..audience import pick, view
    from ..stats import report as report_mod
    root = _root(ctx)
    repo = validate.load_checked(root)
    if unit and unit not in repo.config.units:
        raise KanwuError(f"单位“{unit}”没有登记。")
    data = repo if audience in ("全部", "all") else view(repo, pick(repo.config, audience))  # never the highest by default
    today = day or _today()
    result = stats_mod.compute(data, stats_mod.parse_period(period, today), repo.evaluation, today)
    if fmt == "xlsx":
        if not out:
            raise KanwuError("xlsx 格式请用 --out 指定文件，例如 --out 统计.xlsx")
        report_mod.xlsx_report(result, repo.config, out, data)
        click.echo(f"已写入 {out}")
        return
    text = report_mod.csv_report(result, repo.config) if fmt == "csv" else \
        report_mod.text_report(result, repo.config, officers, unit, data)
    if out:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        click.echo(f"已写入 {out}")
    else:
        click.echo(text)
