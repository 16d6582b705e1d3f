"""An issue of one audience → the HTML of its printed bulletin (template in theme/pdf)."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from types import SimpleNamespace

import jinja2

from .. import editions
from ..source import render
from ..audience import View
from ..source.fields import URGENCIES
from ..pages.markup import cn_date
from ..model import Issue
from . import typeset
from .fonts import ROLES

TEMPLATE_DIR = os.path.join("theme", "pdf")
_BLOCK = re.compile(r"<(/?)(blockquote|ul|ol|table|p)\b[^>]*>")


def typeset_body(body: str, family: str) -> str:
    """Set every top-level paragraph of an item's HTML on the grid; leave lists and tables."""
    out, pos, depth, start = [], 0, 0, None
    for m in _BLOCK.finditer(body):
        closing, name = m.group(1), m.group(2)
        if name == "p":
            if depth == 0 and not closing:
                start = m
            elif depth == 0 and closing and start is not None:
                inner = body[start.end():m.start()]
                lines = typeset.paragraph(inner, family)
                if lines is not None:
                    out.append(body[pos:start.start()])
                    out.append(lines)
                    pos = m.end()
                start = None
        else:
            depth += -1 if closing else 1
    out.append(body[pos:])
    return "".join(out)


def marks(view: View, issue: Issue, urgent: bool = True) -> list[str]:
    """The masthead's marks: the highest classification of the items (or the periodical's own
    mark), then the urgency, which the editor's ``urgency`` sets; without it an issue is as urgent
    as its most urgent item, but a digest (汇要), which gathers items already sent, is not urgent."""
    items = [view.items[i] for i in issue.item_ids]
    p = view.config.periodicals[issue.periodical]
    out = []
    top = max(items, key=lambda i: i.level) if items else None
    if top and top.level >= 2:
        out.append(f"{top.classification}★{top.secrecy_period}" if top.secrecy_period else top.classification)
    elif p.mark:
        out.append(p.mark)
    if not urgent:
        return out
    if issue.urgency:
        urgency = issue.urgency
    else:
        rank = min((i.urgency_rank for i in items), default=0) if editions.of(p).urgency_from_items else 0
        urgency = URGENCIES[-rank] if rank < 0 else ""
    if urgency and urgency != URGENCIES[0]:
        out.append(urgency)
    return out


def as_sent(root: str, view: View, issue: Issue) -> View:
    """The view with each item of a signed issue in the text the issue was signed with: a corrected
    item is printed as sent (``correct.sent_item``); the correction is a notice of its own."""
    from ..editorial import correct
    changed = correct.changed_items(issue, view.items) if issue.published else []
    if not changed:
        return view
    items = dict(view.items)
    recorded = dict(issue.digests)
    for item_id in changed:
        old = correct.sent_item(root, view.items[item_id], recorded[item_id], view.config)
        if old is None:
            from ..errors import KanwuError
            raise KanwuError(f"{issue.path}: 找不到信息 {item_id} 签发时的原文（{correct.sent_root(recorded[item_id])}/"
                             f"{view.items[item_id].path}），不能按原样印出这一期。运行 kanwu check 查看。")
        items[item_id] = old
    return replace(view, items=items)


def instructions_html(view: View, item, day, family: str) -> str:
    """The leaders' instructions on ``item`` given by ``day`` as a 领导批示 issue prints them:
    who, when, the words, the units that must act and the deadline (not the feedback since,
    which the site shows: the printed issue stays as sent)."""
    out = []
    for said, due in instruction_lines(view, item, day):
        out.append(typeset.paragraph(render.esc(said), family, css_class="instruction") or "")
        out.append(typeset.paragraph(render.esc(due), family, css_class="instruction-due") or "")
    return "".join(out)


def instruction_lines(view: View, item, day) -> list[tuple[str, str]]:
    """(who said what when, who must act by when) for each instruction on ``item`` given by ``day``."""
    out = []
    for ins in item.instructions:
        if ins.date > day:
            continue
        units = "、".join(view.config.units[u].name if u in view.config.units else u for u in ins.units)
        out.append((f"{ins.by}批示（{cn_date(ins.date)}）：{ins.text}",
                    f"承办单位：{units}。办理时限：{cn_date(ins.due)}前反馈办理情况。"))
    return out


def context(view: View, issue: Issue, copy_no: int | None = None) -> dict:
    edition = editions.of(view.config.periodicals[issue.periodical])
    body_font = ROLES["body"][0]
    kai = ROLES["kai"][0]
    sections = []
    for sec in issue.sections:
        entries = []
        for item_id in sec.items:
            it = view.items[item_id]
            unit = view.config.units.get(it.unit)
            entry = {"title": it.title, "source": f"（{unit.short if unit else it.unit}）"}
            if edition.shows == "abstract":
                abstract = it.summary or render.first_sentence(it.body)
                entry["abstract_html"] = typeset.paragraph(render.esc(abstract), body_font, css_class="abstract")
            else:
                entry["body"] = typeset_body(render.body_html(it.body, asset_prefix=""), body_font)
            if edition.prints_instructions:
                entry["instructions_html"] = instructions_html(view, it, issue.date, kai)
            entries.append(entry)
        sections.append({"heading": sec.heading, "entries": entries})
    note = ""
    if issue.editor_note:
        note = typeset.paragraph("<strong>编者按：</strong>" + render.esc(issue.editor_note), kai, css_class="note") or ""
    return {**plain_context(view, issue, copy_no), "editor_note_html": note, "sections": sections}


def plain_context(view: View, issue: Issue, copy_no: int | None = None) -> dict:
    """What the printed issue shows besides the items, as plain text (the PDF's and the .docx's)."""
    p = view.config.periodicals[issue.periodical]
    mark = marks(view, issue)
    return {
        "title": f"{p.name}（{p.edition}）{issue.year}年第{issue.number}期",
        # the archive's record (PDF/A metadata): what, which number, when, how classified, by whom
        "description": f"《{p.name}》（{p.edition}）{issue.year}年第{issue.number}期（总第{issue.total}期），"
                       f"{p.office}编，{cn_date(issue.date)}，{'、'.join(mark) or '公开'}"
                       + ("" if issue.published else "，草稿（未签发）"),
        "keywords": [p.name, p.edition, f"{issue.year}年第{issue.number}期", f"总第{issue.total}期", *mark],
        "office": p.office,
        "name": p.name,
        "edition": p.edition,
        "number_line": f"{issue.year}年第{issue.number}期　总第{issue.total}期",
        "date_cn": cn_date(issue.date),
        "date_iso": issue.date.isoformat(),
        "printed_cn": cn_date(issue.published or issue.date),
        "marks": mark,
        "copy_no": f"{copy_no:06d}" if copy_no else "",
        "redacted": view.redacted.get(issue.key, 0),
        "contents": [view.items[i].title for i in issue.item_ids] if len(issue.item_ids) > 1 else [],
        "distribution": [(k, "，".join(v)) for k, v in issue.distribution],
        "editor": issue.editor,
        "signer": issue.signer if issue.published else "",
        "draft": not issue.published,
        "copies": issue.copies,
        "double_sided": p.double_sided,
    }


def correction_text(view: View, issue: Issue) -> dict:
    """What an issue's 勘误 notice prints (its corrections, each against the item's title as sent)."""
    p = view.config.periodicals[issue.periodical]
    lines = []
    for c in issue.corrections:
        it = view.items.get(c.item)
        if it is None:
            continue
        lines.append(f"本刊{issue.year}年第{issue.number}期（{cn_date(issue.date)}）刊发的《{it.title}》，{c.what.rstrip('。')}。特此更正。")
    last = max((c.date for c in issue.corrections), default=issue.date)
    return dict(title=f"{p.name}（{p.edition}）{issue.year}年第{issue.number}期勘误", office=p.office, name=p.name,
                edition="勘　误", number_line=f"{issue.year}年第{issue.number}期　总第{issue.total}期",
                date_cn=cn_date(last), date_iso=last.isoformat(), marks=marks(view, issue, urgent=False),
                copy_no="", lines=lines,
                by="；".join(f"{cn_date(c.date)}，{c.by}" for c in issue.corrections))


def correction_html(root: str, text: dict) -> str:
    body_font = ROLES["body"][0]
    context = dict(text, lines=[typeset.paragraph(render.esc(t), body_font) or "" for t in text["lines"]])
    return _env(root).get_template("correction.html").render(**context)


def _env(root: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(root, TEMPLATE_DIR)),
                              autoescape=True, keep_trailing_newline=True)


def issue_html(root: str, view: View, issue: Issue, copy_no: int | None = None, **overrides) -> str:
    """``overrides`` replace parts of the context (a preview prints 预览稿 instead of a number)."""
    return _env(root).get_template("issue.html").render(**(context(view, issue, copy_no) | overrides))


NOTICE_COLUMNS = ("rank", "name", "submitted", "adopted", "higher", "quota_missed", "late", "score", "eligible")


def notice_text(view: View, report) -> dict:
    """Everything a notice (通报) prints, as plain text and numbers: what its PDF is cached under."""
    config = view.config
    units = config.units
    late = [f"{units[x.item.unit].short}《{x.item.title}》，事发后{x.hours:.1f}小时首报，超过{config.emergency_deadline_hours:g}小时时限。"
            for x in report.late]
    return dict(
        title=f"{report.period.label}信息工作通报", office=config.office_name, name=config.periodicals[
            next(iter(config.periodicals))].name, edition="信息工作通报",
        number_line=report.period.label, date_cn=cn_date(report.period.end), date_iso=report.period.end.isoformat(),
        marks=["内部资料 注意保存"], copy_no="",
        intro=f"现将{report.period.label}（{cn_date(report.period.start)}至{cn_date(report.period.end)}）全市党委系统"
              f"信息报送和采用情况通报如下。",
        rows=[{f: getattr(r, f) for f in NOTICE_COLUMNS} for r in report.units],
        quota_met="完成报送要求的单位：" + ("、".join(r.name for r in report.units if r.quota_expected and not r.quota_missed)
                                    or "无") + "。",
        quota_missed="未完成报送要求的单位：" + ("；".join(f"{r.name}（缺报{r.quota_missed}次）" for r in report.units
                                              if r.quota_missed) or "无") + "。",
        late=late or ["本期没有迟报。"],
        best=[f"{units[i.unit].short}：{i.title}" for i in report.best] or ["本期未评选。"],
        defects=defect_lines(view, report.period),
    )


def defect_lines(view: View, period) -> list[str]:
    """The notice's error-free review (无差错), one paragraph per periodical and per unit with defects."""
    from ..stats import defects
    found = defects.compute(view, period)
    if not any(r.issues for r in found.periodicals):
        return ["本期没有签发的期。"]
    periodicals = view.config.periodicals
    out = [f"《{periodicals[r.key].name}》（{periodicals[r.key].edition}）签发{r.issues}期，刊登信息{r.items}条、{r.chars}字，"
           f"发现差错{r.defects}处（错误{r.errors}处、警告{r.warnings}处），每万字差错{r.per_10k:.2f}处。"
           for r in found.periodicals if r.issues]
    out += [f"{r.name}：刊登信息{r.items}条，差错{r.defects}处（错误{r.errors}处、警告{r.warnings}处）。" for r in found.units]
    out += [f"{view.config.units[i.unit].short if i.unit in view.config.units else i.unit}《{i.title}》："
            + "；".join(defects.finding_text(f) for f in fs) + "。" for i, fs in found.items]
    return out


def notice_html(root: str, text: dict) -> str:
    """A notice in the bulletin style: ranking, quotas, late reports, best items (from ``notice_text``)."""
    body_font = ROLES["body"][0]

    def para(t):
        return typeset.paragraph(render.esc(t), body_font) or ""

    context = dict(text)
    context.update(rows=[SimpleNamespace(**r) for r in text["rows"]], intro=para(text["intro"]), quota_met=para(text["quota_met"]),
                   quota_missed=para(text["quota_missed"]), late=[para(x) for x in text["late"]],
                   best=[para(x) for x in text["best"]], defects=[para(x) for x in text.get("defects", ())])
    return _env(root).get_template("notice.html").render(**context)
