"""The ``kanwu proof`` command."""

from __future__ import annotations

import os
import sys

import click

from ..checks import validate
from ..source.config import load_config
from .base import CONTEXT, _in_root, _root, cli


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(), metavar="[路径]...")
@click.option("--fix", is_flag=True, help="改正可以放心自动改的差错（标点和数字的写法），其余留给编辑")
@click.option("--rules", "list_rules", is_flag=True, help="列出全部校对规则和 content/kanwu.yml 中设定的级别")
@click.pass_context
def proof(ctx, paths, fix, list_rules):
    """校对稿件：标点（GB/T 15834）、数字（GB/T 15835）、日期、领导姓名职务、单位名称、错别字、易混词和禁用词。逐行显示原文，标出有差错的文字，说明怎么改。

    不写路径时校对 content/items 下的全部稿件。--fix 只改标点和数字的写法（半角标点、全角数字、省略号、破折号、数值范围、“〇”等），
    不改字词；已签发的期刊登过的稿件不改（请用 kanwu correct 登记勘误）。
    规则的级别（错误 / 警告 / 关闭）在 content/kanwu.yml 的 proofreading 中设定；词表在 content/proof/，领导姓名职务在 content/leaders.yml。
    有“错误”级别的差错时退出码为 1。

    \b
    例：kanwu proof content/items/2026/11/20261103-meiwu-01.md
        kanwu proof --fix content/items/2026/12
        kanwu proof --rules
    """
    from ..checks.proof import report
    from ..checks.proof.rules import RULES
    root = _root(ctx)
    config = load_config(root)
    if list_rules:
        levels = config.proof.levels
        for r in RULES:
            click.echo(f"{r.id:<20} {levels[r.id]}  {r.group}：{r.name}{'（可自动改正）' if r.fixable else ''} — {r.checks}")
        return
    rels = report.item_files(root, [_in_root(root, p) for p in paths] or [validate.load.ITEMS_DIR])
    proofed = report.proof_files(root, config, rels)
    if fix:
        signed = _signed_items(root)
        fixed, held = 0, []
        for p in proofed:
            if not report.safe_fixes(p.findings):
                continue
            if os.path.basename(p.path)[:-3] in signed:
                held.append(p.path)
                continue
            fixed += report.fix_file(root, p.path, p.findings)
        if fixed:
            click.echo(f"已改正 {fixed} 处（标点和数字的写法）。")
        if held:
            click.echo(f"{len(held)} 个文件的稿件已在签发的期中刊登，没有改动（请用 kanwu correct 登记勘误）：" + "、".join(held[:10]))
        proofed = report.proof_files(root, config, rels)
    color = sys.stdout.isatty()
    for p in proofed:
        for problem in p.problems:
            click.echo(problem.format())
        for line in report.render(root, p, lambda s: click.style(s, fg="red", bold=True) if color else s):
            click.echo(line)
    findings = [f for p in proofed for f in p.findings]
    errors = sum(f.level == "错误" for f in findings)
    click.echo(f"校对了 {len(rels)} 个文件：{errors} 处错误，{len(findings) - errors} 处警告"
               + (f"，其中 {len(report.safe_fixes(findings))} 处可用 --fix 自动改正" if report.safe_fixes(findings) and not fix else "") + "。")
    if errors or any(p.problems for p in proofed):
        ctx.exit(1)


def _signed_items(root: str) -> set[str]:
    """Ids of the items a signed issue carries."""
    repo = validate.load_repository(root)
    return {i for issue in repo.issues if issue.published for i in issue.item_ids}
