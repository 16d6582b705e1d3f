"""The ``kanwu sign`` command."""

from __future__ import annotations

import datetime as dt
import os

import click

from ..editorial import assemble as assemble_mod
from ..errors import KanwuError
from ..source import manifest
from .base import CONTEXT, _date, _git_user, _in_root, _root, _today, cli


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(), metavar="清单或目录")
@click.option("--date", "day", callback=_date, help="签发日期（默认今天）")
@click.option("--by", "by", default=None, help="签发人姓名（默认取 git 的 user.name）")
@click.option("--reseal", is_flag=True,
              help="给旧版 kanwu 签发、没有封记的期补上封记（签发人核对无误后）；PATH 可以是文件夹，如 issues/")
@click.pass_context
def sign(ctx, path, day, by, reseal):
    """签发：写入签发人（默认取 git 的 user.name）、签发时间、每条信息的内容指纹和整期封记；kanwu sign issues/ --reseal 给旧版签发、没有封记的各期补封记。

    \b
    例：kanwu sign issues/daily/2026/012.yml --by 周正平
        kanwu sign issues/ --reseal      （升级后给旧版签发的各期补封记）
    """
    root = _root(ctx)
    rel = _in_root(root, path)
    if reseal:
        _reseal(root, rel)
        return
    repo, issue = assemble_mod.load_issue(root, rel)
    if issue is None:
        raise KanwuError(f"{rel} 不是一期的清单。")
    signer = by if by is not None else _git_user(root)
    at = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(second=0, microsecond=0)
    signed = assemble_mod.sign(repo, issue, day or _today(), signer, at)
    manifest.write_manifest(root, manifest.issue_to_data(signed), rel)
    click.echo(f"已签发 {rel}：签发人 {signed.signer}，{signed.signed_at:%Y-%m-%d %H:%M}，"
               f"记录了 {len(signed.digests)} 条信息的内容指纹和整期封记。")


def _reseal(root: str, rel: str) -> None:
    """Seal the signed manifests at ``rel`` (a file, or every one under a folder) that an older
    kanwu signed without a seal. A seal that is there and does not hold is never replaced."""
    if os.path.isdir(os.path.join(root, rel)):
        paths = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(os.path.join(root, rel))
                       for f in fs if f.endswith(".yml") and manifest.SENT_DIR not in os.path.relpath(d, root))
    else:
        paths = [rel]
    sealed, broken = [], []
    for path in paths:
        issue, problems = manifest.load_manifest(root, path)
        if issue is not None:
            continue  # not signed, or sealed and holding
        if not all(p.field == "seal" for p in problems):
            broken.append(f"{path}：" + "；".join(p.message for p in problems[:2]))
            continue
        issue = manifest.load_unsealed(root, path)
        if issue.seal:
            broken.append(f"{path}：已有封记但与清单不符，不能重新加封；撤销改动或登记勘误")
            continue
        manifest.write_manifest(root, manifest.issue_to_data(assemble_mod.reseal(issue)), path)
        sealed.append(path)
    click.echo(f"已给 {len(sealed)} 期补上签发封记" + ("：" + "、".join(sealed[:20]) + ("……" if len(sealed) > 20 else "")
                                                 if sealed else "") + "。")
    if broken:
        raise KanwuError(f"{len(broken)} 期未处理：\n" + "\n".join(broken[:20]))
    if not sealed and len(paths) == 1:
        raise KanwuError(f"{rel} 不需要补封记：它还没有签发，或者封记完好。")
