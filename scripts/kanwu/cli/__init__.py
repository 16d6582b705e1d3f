"""The ``kanwu`` command: thin click commands, one module per verb, each a library call.

``base`` holds the group and what the verbs share; each verb module registers its command when
imported, in the order ``kanwu --help`` and the README's table list them (so not sorted).
"""
# isort: skip_file

from __future__ import annotations

import errno
import sys

import click

from .base import cli
from . import check, proof, new, import_, schema, assemble, sign, correct, status, build, docx, pdf, stats, preview, cms, codeowners, log, publish, rollback, releases, serve_config, doctor, synth, serve  # noqa: F401 (each registers its command)


_KEPT = "已上线的网站和已有的文件都没有改动（构建在临时目录里进行，失败即删除）"


_DISK_ERRORS = {  # what the machine refused, not a bug in kanwu: say where and what to do
    errno.ENOSPC: "磁盘空间不足：{where}失败。" + _KEPT + "。腾出空间后重新运行（可删除检出目录的 build/，或用 kanwu releases 查看、删减旧版本）。",
    errno.EDQUOT: "超出磁盘配额：{where}失败。" + _KEPT + "。请管理员放宽配额或腾出空间后重新运行。",
    errno.EROFS: "文件系统只读：不能写入 {file}。" + _KEPT + "。请把发布目录或状态目录放在可写的磁盘上。",
    errno.EACCES: "没有权限：{file}（{reason}）。请检查这个文件或目录的属主和权限，再重新运行。",
    errno.EPERM: "不允许的操作：{file}（{reason}）。请检查这个文件或目录的属主和权限，再重新运行。",
    errno.EIO: "读写磁盘出错：{file}（{reason}）。磁盘可能损坏，请管理员检查。" + _KEPT + "。",
}


def main() -> None:
    debug = "--debug" in sys.argv
    try:
        # Not standalone: kanwu reports errors itself. Click then *returns* the code of ctx.exit(N).
        code = cli.main(prog_name="kanwu", standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已中止。", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("已中断。", err=True)
        sys.exit(130)
    except OSError as exc:  # the machine refused (a full disk, permissions) or a bug
        if debug:
            raise
        if exc.errno not in _DISK_ERRORS:
            _internal(exc)
        name = exc.filename2 or exc.filename
        click.echo(_DISK_ERRORS[exc.errno].format(file=name or "（未知文件）", where=f"写入 {name} 时" if name else "写文件时",
                                                  reason=exc.strerror or exc), err=True)
        sys.exit(1)
    except Exception as exc:  # a bug in kanwu: say so plainly, keep the traceback for --debug
        if debug:
            raise
        _internal(exc)


def _internal(exc: BaseException) -> None:
    click.echo(f"内部错误：{type(exc).__name__}: {exc}。这是 kanwu 的缺陷，请加 --debug 重新运行并把输出报告给维护人员。", err=True)
    sys.exit(2)
