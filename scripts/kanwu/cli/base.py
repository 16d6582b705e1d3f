"""What every command shares: the ``kanwu`` group, its options and the small helpers."""

from __future__ import annotations

import click

from .. import clizh

clizh.install()

import datetime as dt  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402

from ..errors import KanwuError  # noqa: E402
from ..source.config import find_root, load_config  # noqa: E402

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _today() -> dt.date:
    return dt.date.today()


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是 YYYY-MM-DD 日期") from None


@click.group(cls=clizh.Group, context_settings=CONTEXT)
@click.option("--root", type=click.Path(file_okay=False), metavar="目录", help="仓库目录（默认：从当前目录向上查找 content/kanwu.yml）")
@click.option("--debug", is_flag=True, help="出错时显示 Python 调用栈（开发人员用）")
@click.version_option(package_name="kanwu", message="kanwu %(version)s")
@click.pass_context
def cli(ctx, root, debug):
    """刊物（kanwu）：信息稿件的检查、组期、网站与 PDF 发布。

    \b
    常用：
      kanwu new --unit qingxi --category 动态 --title "……"   新建一条信息
      kanwu check                                            检查全部信息和期
      kanwu assemble 上报 --date 2026-11-03                    生成下一期的清单
    """
    ctx.obj = {"root": root, "debug": debug}
    from .. import workdir
    workdir.reset()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")


def _root(ctx) -> str:
    return find_root(ctx.obj["root"])


def _say_why(result) -> None:
    """Why a build did more than a day's work (as Sphinx says why it reads every document)."""
    if result.full:
        click.echo(f"　　完整构建：{result.full}。")
    if result.every_year and result.every_year != result.full:
        click.echo(f"　　全部年份的页面重新生成：{result.every_year}。")


def _in_root(root: str, path: str) -> str:
    """``path`` relative to the repository: read from the repository root when it names something
    there (``kanwu --root X sign issues/...``, as ``git -C``), else from the current folder."""
    if not os.path.isabs(path) and os.path.exists(os.path.join(root, path)):
        return os.path.normpath(path)
    return os.path.relpath(os.path.abspath(path), root)


def _git_user(root: str) -> str:
    """Who runs the command, as git would record them."""
    import subprocess
    if os.environ.get("GIT_AUTHOR_NAME"):
        return os.environ["GIT_AUTHOR_NAME"]
    try:
        out = subprocess.run(["git", "-C", root, "config", "user.name"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


STATE_HELP = ("发布状态目录：各版本、共享目录、构建记录和缓存（默认 content/kanwu.yml 的 publish.state，"
              "否则 <上线目录>/.kanwu）；要在仓库之外，CI 清理工作区时才不会删掉上线的网站")


def _use_state(root: str, site_root: str | None, state: str | None) -> None:
    """Where this publish keeps its releases and caches: outside the checkout when it goes to a site root."""
    from .. import workdir
    configured = load_config(root).publish.get("state") if site_root else None
    chosen = workdir.for_site(root, site_root, state, configured)
    if chosen:
        inside = os.path.realpath(chosen) + os.sep
        if inside.startswith(os.path.realpath(root) + os.sep):
            raise KanwuError(f"发布状态目录 {chosen} 在仓库里面：CI 清理工作区（git clean -ffdx）时会连同上线的网站一起删掉；"
                             "请用仓库之外的目录，例如 --state /var/lib/kanwu")
    workdir.use(root, chosen)
