"""What a reviewer sees for a pull request: the changed items as pages and as a bulletin
PDF, the whole PDF of every changed issue, and a short summary in Chinese."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from dataclasses import dataclass

from .. import editions
from ..pages import generate
from ..pages import item as item_pages
from ..pages.markup import cn_date
from ..source import render
from ..audience import View
from ..errors import KanwuError, ProblemsFound
from ..source.fields import CLASSIFICATIONS
from ..model import Audience, Issue, Section, level
from ..checks import proof
from ..checks.proof import report as proof_report
from ..checks.validate import Repository, changed_files

PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{max-width:46em;margin:2em auto;padding:0 1em;font-family:"Noto Serif CJK SC",serif;line-height:1.8}}
.kanwu-proof{{background:#fde68a;border-bottom:2px solid #d97706}}.kanwu-proof-error{{background:#fecaca;border-bottom-color:#dc2626}}
.kanwu-proof-list{{font-size:.9em;color:#444}}
{css}</style></head><body>
<p class="kanwu-redacted">合并请求预览稿，未经审核，不是正式印发的内容。</p>
{body}
</body></html>
"""


@dataclass(frozen=True)
class Preview:
    items: tuple  # Item
    issues: tuple  # Issue
    warnings: tuple  # Problem
    files: tuple  # written paths, relative to the output folder
    proof: tuple = ()  # Finding: proofreading's findings in the changed items (errors and warnings)


def changed(repo: Repository, root: str, rev: str) -> tuple[list, list]:
    names = changed_files(root, rev)
    items = sorted((i for i in repo.items.values() if i.path in names), key=lambda i: (i.date, i.id))
    issues = [i for i in repo.issues if i.path in names]
    return items, issues


def build(repo: Repository, root: str, rev: str, out: str) -> Preview:
    if repo.errors:
        raise ProblemsFound(repo.errors)
    items, issues = changed(repo, root, rev)
    config = repo.config
    top = Audience("preview", "审核预览", CLASSIFICATIONS[-1], tuple(config.periodicals), "redact")
    view = View(config, top, repo.items, tuple(repo.issues), {})
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    written = []
    css_path = os.path.join(root, "theme", "overrides", "assets", "kanwu.css")
    css = open(css_path, encoding="utf-8").read() if os.path.exists(css_path) else ""
    site = generate.Site(view)
    links = []
    reader = proof.proofreader(config)
    found = []
    for item in items:
        findings = reader.item(item, root)
        found += findings
        text, in_body = proof_report.marked(item.body, item.body_line, findings)
        body = proof_report.marks_to_html(render.body_html(text, asset_prefix=""), in_body, render.esc)
        title, in_title = proof_report.marked(item.title, 0, findings, "title")
        unit = config.units.get(item.unit)
        html = (f"<h1>{proof_report.marks_to_html(render.esc(title), in_title, render.esc)}</h1>{item_pages.marks(item)}"
                f"<p>{render.esc(unit.name if unit else item.unit)}　{cn_date(item.date)}　{item.category}　"
                f"撰稿：{render.esc('、'.join(item.authors))}</p><div class=\"kanwu-body\">{body}</div>")
        if findings:
            html += (f'<div class="kanwu-proof-list"><h2>校对发现 {len(findings)} 处</h2><ol>'
                     + "".join(f"<li>第{f.line}行第{f.col}列 {f.level}：{render.esc(proof.BY_ID[f.rule].name)}"
                               f"——{render.esc(f.message)}（{render.esc(f.hint)}）</li>" for f in findings) + "</ol></div>")
        if item.instructions:
            html += item_pages.instructions_html(site, item)
        name = f"items/{item.id}.html"
        _write(out, name, PAGE.format(title=render.esc(item.title), css=css, body=html))
        written.append(name)
        links.append(f'<li><a href="{name}">{render.esc(item.title)}</a>（{render.esc(item.id)}）</li>')
    from .. import pdf as pdf_mod
    jobs = {}
    base = pdf_mod._fingerprint(root)
    if items:
        daily = editions.preview_periodical(config)
        pseudo = Issue(path="preview", periodical=daily.id, year=items[-1].date.year, number=0, total=0,
                       date=max(i.date for i in items), editor=daily.editor, signer=daily.signer,
                       sections=(Section("", tuple(i.id for i in items)),), distribution=(), copies=0)
        html = pdf_mod.document.issue_html(root, view, pseudo, edition="预览稿",
                                           number_line="合并请求预览，非正式印发", marks=["审核用"])
        jobs["preview.pdf"] = pdf_mod.job(root, "合并请求中的信息", html, base)
    for issue in issues:
        jobs[f"issues/{issue.periodical}-{issue.year}-{issue.number:03d}.pdf"] = pdf_mod.job(
            root, issue.key, pdf_mod.document.issue_html(root, view, issue), base)
    failures = pdf_mod.run_jobs(list(jobs.values()))
    if failures:
        raise KanwuError("预览 PDF 未能生成：\n" + "\n".join(f"  {k}：{v}" for k, v in failures.items()))
    for name, job in jobs.items():
        with open(job.out, "rb") as fh:
            _write(out, name, fh.read())
        written.append(name)
    index = (f"<h1>合并请求预览</h1><p>与 {render.esc(rev)} 相比改动的信息 {len(items)} 条、期 {len(issues)} 期。</p>"
             f"<ul>{''.join(links)}</ul>"
             + "".join(f'<p><a href="{n}">{n}</a></p>' for n in jobs))
    _write(out, "index.html", PAGE.format(title="合并请求预览", css=css, body=index))
    written.append("index.html")
    warnings = tuple(p for p in repo.problems if not p.is_error and not p.rule and p.path in {i.path for i in items})
    return Preview(tuple(items), tuple(issues), warnings, tuple(written), tuple(found))


def _write(out: str, name: str, data) -> None:
    path = os.path.join(out, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w", **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as fh:
        fh.write(data)


def summary(repo: Repository, preview: Preview) -> str:
    """The job summary a reviewer reads first (Markdown, Chinese)."""
    config = repo.config
    lines = ["## kanwu 审核摘要", ""]
    if not preview.items and not preview.issues:
        return "\n".join(lines + ["本次合并请求没有改动信息稿件或期的清单。", ""])
    lines.append(f"改动的信息 {len(preview.items)} 条，期 {len(preview.issues)} 期，警告 {len(preview.warnings)} 个。")
    lines.append("")
    if preview.items:
        units = Counter(config.units[i.unit].short for i in preview.items if i.unit in config.units)
        cats = Counter(i.category for i in preview.items)
        lines.append("单位：" + "，".join(f"{u} {n} 条" for u, n in units.items()))
        lines.append("类别：" + "，".join(f"{c} {n} 条" for c, n in cats.items()))
        lines.append("")
        lines += ["| 编号 | 标题 | 单位 | 类别 | 紧急程度 | 密级 |", "| --- | --- | --- | --- | --- | --- |"]
        for i in preview.items:
            flag = " ⚠" if i.level > level("内部") else ""
            lines.append(f"| {i.id} | {i.title.replace('|', '｜')} | {config.units[i.unit].short} | {i.category} | "
                         f"{i.urgency} | {i.classification}{flag} |")
        lines.append("")
    secret = [i for i in preview.items if i.level > level("内部")]
    if secret:
        lines.append(f"**注意：有 {len(secret)} 条信息密级高于内部，请做保密审查：**"
                     + "、".join(i.id for i in secret) + "。")
        lines.append("")
    if preview.warnings:
        lines.append("警告：")
        lines += [f"- `{p.format()}`" for p in preview.warnings]
        lines.append("")
    if preview.proof:
        errors = sum(f.level == "错误" for f in preview.proof)
        lines.append(f"校对：{errors} 处错误，{len(preview.proof) - errors} 处警告（预览页中已标出）：")
        lines += [f"- `{f.path}:{f.line}:{f.col}` {f.level} {proof.BY_ID[f.rule].name}：{f.message}（{f.hint}）"
                  for f in preview.proof]
        lines.append("")
    for issue in preview.issues:
        p = config.periodicals[issue.periodical]
        lines.append(f"- 期：《{p.name}》（{p.edition}）{issue.year}年第{issue.number}期，{len(issue.item_ids)} 条，"
                     + ("已签发" if issue.published else "草稿"))
    lines.append("")
    lines.append("预览（HTML 页面和 PDF）在本次运行的构建产物 kanwu-preview 中。")
    return "\n".join(lines) + "\n"
