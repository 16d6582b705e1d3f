"""The ``kanwu`` command: thin click commands, one library call each."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import sys

import click

from . import clizh

clizh.install()

from .editorial import assemble as assemble_mod  # noqa: E402
from .source import chars, manifest
from .editorial import scaffold, status as status_mod
from .checks import validate  # noqa: E402
from .source.config import find_root, load_config  # noqa: E402
from .errors import KanwuError, ProblemsFound, problems_gitlab, problems_json  # noqa: E402
from .source.fields import CATEGORIES, CLASSIFICATIONS, URGENCIES, json_schema  # noqa: E402

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
    from . import workdir
    workdir.reset()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")


def _root(ctx) -> str:
    return find_root(ctx.obj["root"])


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(), metavar="[路径]...")
@click.option("--changed", "rev", metavar="REV", help="只报告自 REV（如 origin/main）以来的改动（新增、修改、改名、删除）引起的问题，包括记在其他文件上的")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "gitlab"]), default="text",
              show_default=True, help="输出格式；github 为 GitHub/Gitea 工作流注释，gitlab 为 GitLab 代码质量报告")
@click.option("--strict", is_flag=True, help="把警告也当作错误")
@click.option("--fix", is_flag=True, help="先删掉看不见的字符（零宽空格、软连字符等，换行类改为换行），再检查")
@click.pass_context
def check(ctx, paths, rev, fmt, strict, fix):
    """检查全部稿件和清单，一次列出全部问题（一个文件里的几处错误也一次列出）；--changed origin/main 只报告分支改动引起的问题：改动的文件里的，以及改动在别处引起的错误（删掉或改动已签发的期用到的信息，错误记在清单上，也在改动的信息上标出）；--format json/github 供 CI 使用；--strict 把警告当错误；--fix 先删掉从 Word 带来的看不见的字符（零宽空格、软连字符、垂直制表符等，换行类改为换行）。Word 的项目符号（私用区字符）和印刷字体里没有的字报错并给出行列。

    每个问题一行：路径:行:列: 错误|警告 字段 — 问题（怎么改）；校对（标点、数字、日期、名称、用词）的问题以〔规则〕结尾，
    kanwu proof 逐行标出原文，kanwu proof --fix 改正标点和数字的写法。校对的错误让检查不通过，但不阻止 kanwu build。
    有错误时退出码为 1。

    \b
    例：kanwu check
        kanwu check content/items/2026/11
        kanwu check --changed origin/main --format github
        kanwu check --fix content/items/2026/12
    """
    root = _root(ctx)
    repo = validate.load_repository(root)
    if fix:
        wanted = [_in_root(root, p) for p in paths]
        touched = _fix_invisible(root, sorted({p.path for p in repo.problems if chars.is_invisible(p)
                                               and (not wanted or any(p.path == w or p.path.startswith(w.rstrip("/") + "/") for w in wanted))}))
        if touched:
            click.echo(f"已删掉 {len(touched)} 个文件里看不见的字符：" + "、".join(touched[:20]) + ("……" if len(touched) > 20 else ""), err=fmt != "text")
            repo = validate.load_repository(root)
    problems = repo.problems
    def under(path, prefixes):
        return any(path == w or path.startswith(w.rstrip("/") + "/") for w in prefixes)

    if paths:
        wanted = [_in_root(root, p) for p in paths]
        problems = [p for p in problems if under(p.path, wanted)]
    if rev:  # the changed files' problems, and those they cause elsewhere
        problems = validate.caused_by(root, rev, problems)
    if strict:
        from dataclasses import replace
        problems = [replace(p, severity="错误") for p in problems]
    errors = sum(p.is_error for p in problems)
    if fmt in ("json", "gitlab"):
        click.echo(problems_json(problems) if fmt == "json" else problems_gitlab(problems))
    else:
        for p in problems:
            click.echo(p.format_github() if fmt == "github" else p.format())
        click.echo(f"检查了 {len(repo.items)} 条信息、{len(repo.issues)} 期：{errors} 个错误，"
                   f"{len(problems) - errors} 个警告。", err=fmt == "github")
    if errors:
        ctx.exit(1)


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
    from .checks.proof import report
    from .checks.proof.rules import RULES
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


@cli.command(context_settings=CONTEXT)
@click.option("--unit", required=True, help="报送单位编号（见 content/units.yml）")
@click.option("--category", required=True, help="类别：" + "、".join(CATEGORIES))
@click.option("--title", required=True, help="标题")
@click.option("--date", "day", callback=_date, help="报送日期（默认今天）")
@click.option("--author", "authors", multiple=True, help="撰稿人，可写多次")
@click.option("--classification", default="内部", show_default=True, help="密级：" + "、".join(CLASSIFICATIONS))
@click.option("--urgency", default="平件", show_default=True, help="紧急程度：" + "、".join(URGENCIES))
@click.pass_context
def new(ctx, unit, category, title, day, authors, classification, urgency):
    """新建一条信息：在正确的目录生成带全部必填字段和中文注释的文件。

    \b
    例：kanwu new --unit qingxi --category 动态 --title "青溪县启动冬季农田水利建设" --author 张晓燕
    """
    config = load_config(_root(ctx))
    path = scaffold.new_item(config, unit, category, title, day or _today(), list(authors), classification, urgency)
    click.echo(f"已新建 {path}，请填写正文后运行 kanwu check {path}")


@cli.command("import", context_settings=CONTEXT)
@click.argument("source", type=click.Path(dir_okay=False), metavar="Word文件")
@click.option("--unit", help="报送单位编号（默认：按文档里的来源行（某某县委办）在 content/units.yml 中查找）")
@click.option("--category", help="类别：" + "、".join(CATEGORIES))
@click.option("--date", "day", callback=_date, help="报送日期（默认今天）")
@click.option("--classification", help="密级（默认内部）：" + "、".join(CLASSIFICATIONS))
@click.option("--urgency", help="紧急程度（默认平件）：" + "、".join(URGENCIES))
@click.option("--title", help="标题（默认：文档第一段居中或加粗的标题）")
@click.option("--author", "authors", multiple=True, help="撰稿人，可写多次（默认：文档末尾的“撰稿人：……”）")
@click.option("--event-at", help="突发事件：事件发生时间，如 \"2026-11-23 07:00+08:00\"")
@click.option("--reported-at", help="突发事件：首次报告时间")
@click.option("--dry-run", is_flag=True, help="只显示导入后的稿件，不写文件")
@click.pass_context
def import_(ctx, source, unit, category, day, classification, urgency, title, authors, event_at, reported_at, dry_run):
    """把信息员的 Word 文档导入为一条信息（.doc、.wps 经 LibreOffice 转换）：识别居中或加粗的标题、来源行（某某县委办，对应报送单位）、手写的“一、”“（一）”小标题、文末撰稿人；清除全角空格缩进和看不见的字符；图片复制到 content/assets/；文档里没有、选项（--unit --category --date --title --author --classification）也没给的字段逐条列出，不猜；导入后立即做 kanwu check 的同一检查。

    识别文档里的标题（第一段居中或加粗）、来源行（某某县委办，对应报送单位）、
    手写的“一、”“（一）”小标题、文末的撰稿人和联系电话；清除全角空格缩进、
    不可见字符；图片复制到 content/assets/。文档里没有、选项也没给的字段会在
    提示里列出，不会猜。导入后照常运行 kanwu check。

    \b
    例：kanwu import 青溪县冬季水利.docx --category 动态
        kanwu import 报送.doc --unit qingxi --category 经验做法 --date 2026-11-24
    """
    from .word import importer
    root = _root(ctx)
    config = load_config(root)
    made = importer.import_docx(config, source, unit=unit, category=category, day=day or _today(),
                                classification=classification, urgency=urgency, title=title, authors=authors,
                                event_at=event_at, reported_at=reported_at, dry_run=dry_run)
    if dry_run:
        click.echo(f"将导入为 {made.path}" + (f"（另有图片 {'、'.join(made.assets)}）" if made.assets else "") + "：")
        click.echo(made.text, nl=False)
        return
    for asset in made.assets:
        click.echo(f"已复制图片 {asset}")
    problems = [p for p in validate.load_repository(root).problems if p.path in (made.path, *made.assets)]
    for p in problems:
        click.echo(p.format())
    errors = sum(p.is_error for p in problems)
    click.echo(f"已导入 {made.path}：{errors} 个错误，{len(problems) - errors} 个警告（kanwu check 的同一检查）。"
               "请核对正文和字段后提交。")
    if errors:
        ctx.exit(1)


@cli.command(context_settings=CONTEXT)
def schema():
    """输出信息 front matter 的 JSON Schema（供编辑器的 YAML 插件补全和校验）。"""
    click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


def _say_why(result) -> None:
    """Why a build did more than a day's work (as Sphinx says why it reads every document)."""
    if result.full:
        click.echo(f"　　完整构建：{result.full}。")
    if result.every_year and result.every_year != result.full:
        click.echo(f"　　全部年份的页面重新生成：{result.every_year}。")


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


def _fix_invisible(root: str, paths: list[str]) -> list[str]:
    """Rewrite each file with its invisible characters removed; the files changed."""
    return [rel for rel in paths if chars.fix_file(os.path.join(root, rel))]


def _in_root(root: str, path: str) -> str:
    """``path`` relative to the repository: read from the repository root when it names something
    there (``kanwu --root X sign issues/...``, as ``git -C``), else from the current folder."""
    if not os.path.isabs(path) and os.path.exists(os.path.join(root, path)):
        return os.path.normpath(path)
    return os.path.relpath(os.path.abspath(path), root)


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


@cli.command(context_settings=CONTEXT)
@click.argument("item_id", metavar="编号")
@click.option("--what", required=True, help="改了什么，例如：检查户数由1,236改为1,263")
@click.option("--by", "by", default=None, help="经办人（默认取 git 的 user.name）")
@click.option("--date", "day", callback=_date, help="勘误日期（默认今天）")
@click.pass_context
def correct(ctx, item_id, what, by, day):
    """登记勘误：信息改好后运行，在采用它的每一期已签发清单里记下勘误，并把签发时的原文保留在 issues/sent/。

    \b
    已签发各期的印刷版 PDF 保持原样；网站显示更正后的正文并注明勘误，另发一份勘误通知。
    例：kanwu correct 20261103-qingxi-01 --what "检查户数由1,236改为1,263" --by 李文静
    """
    from .editorial import correct as correct_mod
    root = _root(ctx)
    repo = validate.load_repository(root)
    person = by if by is not None else _git_user(root)
    if not person.strip():
        raise KanwuError("不知道经办人是谁：用 --by 写上姓名。")
    written = correct_mod.record(root, repo, item_id, what, person, day or _today())
    click.echo(f"已在 {len(written)} 期登记勘误：" + "、".join(written) + f"；签发时的原文保留在 {correct_mod.SENT_DIR}/ 下。"
               "一并提交这些文件和改好的信息。")


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


@cli.command(context_settings=CONTEXT)
@click.option("--date", "day", callback=_date, help="按哪一天计算（默认今天）")
@click.pass_context
def status(ctx, day):
    """未采用的信息、各刊的候选（上报近 7 天、内参近 28 天未采用的，按编号、标题、单位、已等天数；因每期上限没选上的留待下一期）、未签发的期、各刊下一期期号。"""
    repo = validate.load_checked(_root(ctx))
    click.echo(status_mod.report(repo, day or _today()))


@cli.command(context_settings=CONTEXT)
@click.option("--audience", "audiences", multiple=True, help="阅读范围（编号或名称），可写多次；默认只构建最低的范围")
@click.option("--all-audiences", is_flag=True, help="构建 content/kanwu.yml 中的每个阅读范围")
@click.option("--no-pdf", is_flag=True, help="不生成 PDF")
@click.pass_context
def build(ctx, audiences, all_audiences, no_pdf):
    """生成网站（默认最低的阅读范围；--audience 领导、--all-audiences），含检索索引、PDF 和每期的 Word 文档（各期页面上“下载 Word 文档”，按本期输入缓存，每天只生成新的一期），完成后一次切换上线。

    网站在 site/<阅读范围>/，可用任何静态网站服务器发布，
    也可以 python3 -m http.server -d site/quanti 预览。

    \b
    例：kanwu build
        kanwu build --audience 领导
        kanwu build --all-audiences
    """
    from .engine import site as site_mod
    root = _root(ctx)
    names = list(audiences) or [None]
    if all_audiences:
        names = list(load_config(root).audiences)
    for name in names:
        result = site_mod.build(root, name, pdf=not no_pdf)
        click.echo(f"阅读范围 {result.audience}：{result.pages} 个页面、{result.pdfs} 份 PDF，"
                   f"改写 {result.written} 个源文件，删除 {result.removed} 个；用时 {result.seconds:.1f} 秒"
                   f"（{'，'.join(f'{n} {t:.1f}' for n, t in result.phases)}）。已上线：{os.path.relpath(result.live, root)}")
        _say_why(result)


@cli.command(context_settings=CONTEXT)
@click.argument("periodical", metavar="刊物")
@click.argument("number", required=False, type=int, metavar="[期号]")
@click.option("--year", type=int, help="年份（默认：该刊最新一期所在的年份）")
@click.option("--audience", help="阅读范围（默认最低的范围；内参等只在较高范围中）")
@click.option("--out", type=click.Path(file_okay=False), metavar="目录", default="build/docx", show_default=True, help="输出目录")
@click.pass_context
def docx(ctx, periodical, number, year, audience, out):
    """把一期导出为 Word 文档（省里的报送系统收 .docx），版式同 PDF：A4、版心 156×225 毫米（对称页边距）、仿宋_GB2312 三号、固定行距 28.95 磅、标题方正小标宋简体二号、来源和编者按楷体_GB2312、红色报头和红线、页码“— N —”在外侧、版记在末页；每个字都写明中文字体（w:eastAsia）；--audience 同 kanwu pdf，超出阅读范围的信息不进文档。

    \b
    例：kanwu docx 上报 212
        kanwu docx 内参 89 --audience 领导
    """
    from .pdf import chosen_issues
    from .word import export
    root = _root(ctx)
    view, issues = chosen_issues(root, periodical, number, year, audience)
    out = os.path.join(root, out) if not os.path.isabs(out) else out
    for issue in issues:
        path = os.path.join(out, issue.periodical, f"{issue.year:04d}", f"{issue.number:03d}.docx")
        export.write(path, export.issue_docx(root, view, issue))
        click.echo(f"已生成 {os.path.relpath(path, root)}")


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
    from . import pdf as pdf_mod
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
    from .stats import report as report_mod
    from . import stats as stats_mod
    from .audience import pick, view
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


@cli.command(context_settings=CONTEXT)
@click.option("--changed", "rev", required=True, metavar="REV", help="与哪个版本比较，如 origin/main")
@click.option("--out", type=click.Path(file_okay=False), metavar="目录", default="build/preview", show_default=True,
              help="预览输出目录")
@click.option("--summary", type=click.Path(dir_okay=False), metavar="文件",
              help="把中文审核摘要（Markdown）追加到这个文件，如 $GITHUB_STEP_SUMMARY")
@click.pass_context
def preview(ctx, rev, out, summary):
    """合并请求预览：改动的信息生成 HTML 页面和简报格式的 PDF，改动的期生成整期 PDF，并写审核摘要。

    \b
    例：kanwu preview --changed origin/main --summary "$GITHUB_STEP_SUMMARY"
    """
    from .engine import preview as preview_mod
    root = _root(ctx)
    repo = validate.load_repository(root)
    out = out if os.path.isabs(out) else os.path.join(root, out)
    result = preview_mod.build(repo, root, rev, out)
    text = preview_mod.summary(repo, result)
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(text)
    click.echo(text)
    click.echo(f"预览已写入 {os.path.relpath(out, root)}（{len(result.files)} 个文件）。")


@cli.command(context_settings=CONTEXT)
@click.option("--out", type=click.Path(file_okay=False), metavar="目录", help="另外生成表单的静态文件（index.html、config.yml 和 Decap CMS），放到内网网站上")
@click.option("--local", metavar="地址", help="表单连接本机的 decap-server（试用，不需要 git 网站），如 http://localhost:8081/api/v1")
@click.pass_context
def cms(ctx, out, local):
    """生成信息员的网页报送表单（Decap CMS，中文界面，编辑工作流：保存即生成分支和合并请求）的设置 content/cms.yml，字段、单位、类别由字段声明和名册生成；--out 生成表单的静态文件；设置见 content/help/admin.md。

    表单的字段由稿件字段声明、content/units.yml 和 content/kanwu.yml 生成：报送单位、类别、
    紧急程度、密级是下拉选项，文件名按“日期-单位-01”生成；信息员点“保存”后，
    git 网站上自动生成一个分支和合并请求，照常通过检查、经信息科审核后合并。
    backend（git 网站和仓库）由管理员在 content/cms.yml 里填写，重新生成时保留。

    \b
    例：kanwu cms
        kanwu cms --out site/baosong
    """
    from .editorial import cms as cms_mod
    root = _root(ctx)
    config = load_config(root)
    click.echo(f"已写入 {cms_mod.write_config(root, config)}")
    if out:
        out = os.path.join(root, out) if not os.path.isabs(out) else out
        files = cms_mod.admin_folder(root, config, out, local=local)
        click.echo(f"表单已生成到 {os.path.relpath(out, root)}（{len(files)} 个文件），打开其中的 index.html。")


@cli.command(context_settings=CONTEXT)
@click.option("--check", "check_only", is_flag=True, help="只检查已提交的文件是否过期，不写文件")
@click.pass_context
def codeowners(ctx, check_only):
    """由单位名册生成 .github/、.gitlab/、.gitea/ 下的 CODEOWNERS；过期时 kanwu check 报错。"""
    from .checks import review
    root = _root(ctx)
    config = load_config(root)
    text = review.codeowners(config)
    if check_only:
        missing = [p for p in review.CODEOWNERS_PATHS if not os.path.exists(os.path.join(root, p))]
        if missing:
            raise KanwuError(f"{'、'.join(missing)} 不存在；运行 kanwu codeowners 生成。")
        problems = review.stale_codeowners(root, config)
        if problems:
            raise ProblemsFound(problems)
        click.echo("CODEOWNERS 是最新的。")
        return
    for rel in review.CODEOWNERS_PATHS:
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"已写入 {rel}（{len(config.units)} 个单位）。")


@cli.command(context_settings=CONTEXT)
@click.argument("item_id", metavar="信息编号")
@click.pass_context
def log(ctx, item_id):
    """一条信息的记录：谁报送、谁修改、谁合并（来自 git 历史，含 Reviewed-by）。

    \b
    例：kanwu log 20261105-yunling-01
    """
    from .checks import review
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


STATE_HELP = ("发布状态目录：各版本、共享目录、构建记录和缓存（默认 content/kanwu.yml 的 publish.state，"
              "否则 <上线目录>/.kanwu）；要在仓库之外，CI 清理工作区时才不会删掉上线的网站")


def _use_state(root: str, site_root: str | None, state: str | None) -> None:
    """Where this publish keeps its releases and caches: outside the checkout when it goes to a site root."""
    from . import workdir
    configured = load_config(root).publish.get("state") if site_root else None
    chosen = workdir.for_site(root, site_root, state, configured)
    if chosen:
        inside = os.path.realpath(chosen) + os.sep
        if inside.startswith(os.path.realpath(root) + os.sep):
            raise KanwuError(f"发布状态目录 {chosen} 在仓库里面：CI 清理工作区（git clean -ffdx）时会连同上线的网站一起删掉；"
                             "请用仓库之外的目录，例如 --state /var/lib/kanwu")
    workdir.use(root, chosen)


@cli.command(context_settings=CONTEXT)
@click.option("--site-root", type=click.Path(file_okay=False), metavar="目录",
              help="上线目录（默认 site/）：每个阅读范围是其中的一个链接，如 /srv/kanwu/quanti")
@click.option("--state", type=click.Path(file_okay=False), metavar="目录", help=STATE_HELP)
@click.option("--no-pdf", is_flag=True, help="不生成 PDF")
@click.pass_context
def publish(ctx, site_root, state, no_pdf):
    """发布：检查全部内容，构建每个阅读范围和 PDF，全部成功后一起切换上线（保留上一版以便回退）。

    检查有错误时什么也不切换。同时只能有一个发布在进行，后来的会等待。
    发布到上线目录时，各版本和缓存放在仓库之外的发布状态目录，下一次发布仍是增量的。

    \b
    例：kanwu publish --site-root /srv/kanwu
        kanwu publish --site-root /srv/kanwu --state /var/lib/kanwu
    """
    from .publish import release as release_mod
    root = _root(ctx)
    _use_state(root, site_root, state)
    for r in release_mod.publish(root, site_root, pdf=not no_pdf):
        click.echo(f"已上线 {r.audience}：{r.pages} 个页面（重新生成 {r.written} 个）、{r.pdfs} 份 PDF"
                   f"（{os.path.basename(r.release)}，{r.seconds:.1f} 秒）")
        _say_why(r)


@cli.command(context_settings=CONTEXT)
@click.option("--site-root", type=click.Path(file_okay=False), metavar="目录", help="上线目录（默认 site/）")
@click.option("--state", type=click.Path(file_okay=False), metavar="目录", help=STATE_HELP)
@click.option("--audience", help="只回退一个阅读范围")
@click.option("--to", "to", metavar="版本", help="回退到指定版本（kanwu releases 列出的编号，如 000012）")
@click.option("--steps", type=click.IntRange(min=1), default=1, show_default=True, metavar="步数", help="回退几个版本")
@click.pass_context
def rollback(ctx, site_root, state, audience, to, steps):
    """回到上一版；--steps 3 回退三版，--to 编号 回到指定版本（全部阅读范围一起）；只回到上线过的版本（发布中途被中断、构建完未上线的版本不算，下次发布时删掉）。

    \b
    例：kanwu rollback --site-root /srv/kanwu
        kanwu rollback --site-root /srv/kanwu --to 000012
    """
    from .publish import release as release_mod
    root = _root(ctx)
    _use_state(root, site_root, state)
    for aud, name in release_mod.rollback(root, site_root, audience, to, steps):
        click.echo(f"已回退 {aud} 到 {name}")


@cli.command(context_settings=CONTEXT)
@click.option("--site-root", type=click.Path(file_okay=False), metavar="目录", help="上线目录（默认 site/）")
@click.option("--state", type=click.Path(file_okay=False), metavar="目录", help=STATE_HELP)
@click.pass_context
def releases(ctx, site_root, state):
    """列出保留的各版本：编号、构建所用的提交、时间、首次发布的期、大小，标出正在上线的版本。"""
    from .publish import release as release_mod
    root = _root(ctx)
    _use_state(root, site_root, state)
    rows = release_mod.list_releases(root, site_root)
    if not rows:
        click.echo("还没有发布过任何版本。")
        return
    for r in rows:
        first = "、".join(r.first[:6]) + (f" 等 {len(r.first)} 期" if len(r.first) > 6 else "") if r.first else "无"
        click.echo(f"{'* ' if r.live else '  '}{r.audience}  {r.name}  提交 {r.commit or '未知'}  {r.built or '时间未知'}  "
                   f"{r.size / 1024 / 1024:.1f} MB  首次发布：{first}" + ("" if r.went_live else "  （构建完未上线，不能回退到它）"))
    click.echo("* 为正在上线的版本；kanwu rollback --to 编号 可回退到上线过的任一版本。")


@cli.command("serve-config", context_settings=CONTEXT)
@click.argument("server", type=click.Choice(["nginx", "apache"]), metavar="nginx|apache")
@click.option("--site-root", metavar="目录", help="上线目录（默认 content/kanwu.yml 的 publish.root）")
@click.option("--listen", metavar="地址", help="网站的监听地址（默认 publish.listen；有证书时 443，否则 80）")
@click.option("--http-listen", metavar="地址", help="只做跳转的明文 HTTP 地址（默认 publish.http_listen 或 80；空字符串表示不要）")
@click.option("--server-name", metavar="域名", help="基础域名（默认 publish.server_name）：没写 server_name 的阅读范围用 <范围>.<基础域名>")
@click.option("--tls-cert", metavar="文件", help="网站证书（默认 publish.tls_cert）")
@click.option("--tls-key", metavar="文件", help="网站证书的私钥（默认 publish.tls_key）")
@click.option("--htpasswd-dir", metavar="目录", help="口令文件所在目录（文件名为 <阅读范围>.htpasswd），代替配置中的路径")
@click.pass_context
def serve_config(ctx, server, site_root, listen, http_listen, server_name, tls_cert, tls_key, htpasswd_dir):
    """生成网站服务器配置：每个阅读范围一个域名和访问规则，口令只经 HTTPS，内容安全策略只许加载本站文件；也可 apache。

    \b
    例：kanwu serve-config nginx > /etc/nginx/sites-available/kanwu
    """
    from .publish import serve
    config = load_config(_root(ctx))
    d = serve.door(config, site_root, listen, http_listen, server_name, tls_cert, tls_key, htpasswd_dir)
    click.echo(serve.nginx(config, d) if server == "nginx" else serve.apache(config, d), nl=False)


@cli.command(context_settings=CONTEXT)
@click.option("--site-root", metavar="目录", help="要检查写权限的上线目录（默认 publish.root）")
@click.option("--htpasswd-dir", metavar="目录", help="口令文件所在目录（文件名为 <阅读范围>.htpasswd），代替配置中的路径")
@click.pass_context
def doctor(ctx, site_root, htpasswd_dir):
    """检查这台机器能否运行 kanwu：Python 和依赖版本、各角色字体（不许悄悄替换）、Chromium、发布目录和状态目录、访问规则和口令文件。"""
    from .checks import doctor as doctor_mod
    root = _root(ctx)
    findings = doctor_mod.run(root, load_config(root), site_root, htpasswd_dir)
    for f in findings:
        mark = "✓" if f.ok else ("✗" if f.fatal else "!")
        click.echo(f"{mark} {f.what}" + ("" if f.ok else f" — 怎么改：{f.fix}"))
    bad = [f for f in findings if not f.ok and f.fatal]
    click.echo(f"发现 {len(bad)} 个必须解决的问题。" if bad else "这台机器可以运行 kanwu。")
    if bad:
        ctx.exit(1)


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
    from .tools import synth as synth_mod
    counts = synth_mod.generate(_root(ctx), out, items, years, seed)
    click.echo(f"已生成 {out}：{counts['units']} 个单位、{counts['items']} 条信息、{counts['issues']} 期。")


@cli.command(context_settings=CONTEXT)
@click.option("--audience", help="阅读范围（默认最低的范围）")
@click.option("--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="地址:端口", help="本机预览地址")
@click.pass_context
def serve(ctx, audience, dev_addr):
    """本机预览（http://127.0.0.1:8000/）：稿件或清单一改动就重新生成，浏览器自动刷新（不生成 PDF）。

    \b
    例：kanwu serve，然后打开 http://127.0.0.1:8000/
    """
    from .engine import devserver
    root = _root(ctx)
    logging.getLogger("kanwu").setLevel(logging.INFO)
    devserver.serve(root, audience, dev_addr, on_problems=lambda text: click.echo(text + "\n（改正后会自动重新生成）", err=True))


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
