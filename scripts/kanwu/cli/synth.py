"""The ``kanwu synth`` command."""

from __future__ import annotations

import click

from .base import CONTEXT, _root, cli


@cli.command(context_settings=CONTEXT)
@click.argument("out", type=click.Path(file_okay=False), metavar="目录")
@click.option("--items", type=int, default=5000, show_default=True, help="信息条数（不含续报）")
@click.option("--years", type=int, default=1, show_default=True, help="年数")
@click.option("--seed", type=int, default=1, show_default=True, help="随机种子：同样的种子生成同样的档案")
@click.pass_context
def synth(ctx, out, items, years, seed):
    """生成合成档案（性能测试用）：--items 50000 --years 10 --seed 1，全部通过检查。

    \b
    例：kanwu synth /tmp/archive-50k --items 50000 --years 10
    """
    from ..tools import synth as synth_mod
    counts = synth_mod.generate(_root(ctx), out, items, years, seed)
    click.echo(f"已生成 {out}：{counts['units']} 个单位、{counts['items']} 条信息、{counts['issues']} 期。")
