"""The ``kanwu pdf`` command."""

from __future__ import annotations

import contextlib
import os

import click

from .base import CONTEXT, _root, cli


@cli.command(context_settings=CONTEXT)
@click.argument("periodical", required=False, metavar="[刊物]")
@click.argument("number", required=False, type=int, metavar="[期号]")
@click.option("--year", type=int, help="年份（默认：该刊最新一期所在的年份）")
@click.option("--audience", help="阅读范围（默认最低的范围；内参等只在较高范围中）")
@click.option("--copies", metavar="M-N", help="为涉密期加印份号：--copies 1-40 生成 40 份编号的 PDF")
@click.option("--out", type=click.Path(file_okay=False), metavar="目录", default="build/pdf", show_default=True, help="输出目录")
@click.pass_context
def pdf(ctx, periodical, number, year, audience, copies, out):
    """生成印刷版 PDF（PDF/A-2b，档案用，元数据含刊名、期号、日期、密级、编印单位）；--copies 1-40 为涉密期加印份号（左上角第一行，6 位）；双面印刷的刊物（double_sided，默认是）版记总在偶数页。

    不写刊物时生成该阅读范围内的全部各期；未改动的期直接取缓存。

    \b
    例：kanwu pdf
        kanwu pdf 上报 212
        kanwu pdf 内参 89 --audience 领导 --copies 1-20
    """
    from .. import pdf as pdf_mod
    root = _root(ctx)
    files = pdf_mod.render_command(root, periodical, number, year, audience, copies)
    out = os.path.join(root, out) if not os.path.isabs(out) else out
    import shutil
    for rel, cached in files.items():
        path = os.path.join(out, rel.removeprefix("pdf/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            same = os.path.samefile(cached, path)
        except OSError:
            same = False
        if not same:  # a hard link to the cached file (the cache never rewrites one), else a copy
            tmp = path + ".tmp"
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
            try:
                os.link(cached, tmp)
            except OSError:
                shutil.copyfile(cached, tmp)
            os.replace(tmp, path)
        click.echo(os.path.relpath(path, root))
    click.echo(f"共 {len(files)} 份 PDF。")
