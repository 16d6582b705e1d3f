"""Issue pages, one per issue: the masthead, the items as the issue printed them (or their
abstracts, in a digest), the distribution block, the corrections."""

from __future__ import annotations

from .. import editions
from ..model import Issue, Item
from ..paths import DOWNLOADS, correction_pdf, issue_page, item_page
from ..source import render
from . import item
from .markup import cn_date, link, md, page


def pages(site) -> dict:
    """Every issue page of the years this build makes."""
    _, issues = site.prepared()
    return {path: site.made(path, digest, lambda issue=issue: make(site, issue)) for path, digest, issue in issues}


def masthead(site, issue: Issue) -> str:
    p = site.config.periodicals[issue.periodical]
    return (
        '<div class="kanwu-masthead">'
        f'<p class="kanwu-masthead-name">{render.esc(p.name)}<span class="kanwu-edition">{render.esc(p.edition)}</span></p>'
        f'<p class="kanwu-masthead-number">{issue.year}年第{issue.number}期（总第{issue.total}期）</p>'
        f'<p class="kanwu-masthead-line"><span>{render.esc(p.office)}</span><span>{cn_date(issue.date)}</span></p>'
        "</div>"
    )


def make(site, issue: Issue) -> bytes:
    src = issue_page(issue)
    p = site.config.periodicals[issue.periodical]
    title = f"{p.name}（{p.edition}）{issue.year}年第{issue.number}期"
    parts = ['<div class="kanwu-issue" data-pagefind-body markdown>', f"# {md(title)}", masthead(site, issue)]
    downloads = [f"[{d.label}]({link(src, d.of(issue))}){{ .md-button }}" for d in DOWNLOADS if d.of(issue) in site.pdfs]
    if downloads:
        parts.append(" ".join(downloads))
    hidden = site.view.redacted.get(issue.key)
    if hidden:
        parts.append(f'<p class="kanwu-redacted">本期另有 {hidden} 条信息超出“{render.esc(site.view.audience.name)}”'
                     "的阅读范围，未在此显示。</p>")
    if issue.editor_note:
        parts.append('<div class="kanwu-note"><p><strong>编者按：</strong>'
                     + render.esc(issue.editor_note).replace("\n", "<br>") + "</p></div>")
    items = [site.view.items[i] for i in issue.item_ids]
    if len(items) > 1:
        parts.append("## 目录")
        parts.append("\n".join(f"{n}. [{md(it.title)}](#{it.id})" for n, it in enumerate(items, 1)))
    for sec in issue.sections:
        if sec.heading:
            parts.append(f'<h2 class="kanwu-heading">{render.esc(sec.heading)}</h2>')
        for item_id in sec.items:
            it = site.view.items[item_id]
            parts.append(entry(site, src, issue, p, it))
    parts.append(distribution(site, issue, p))
    if issue.corrections:
        parts.append("## 勘误")
        parts.append("\n".join(f"- {cn_date(c.date)}，{md(c.by)}：[{md(site.view.items[c.item].title)}]"
                               f"({link(src, item_page(site.view.items[c.item]))}) — {md(c.what)}"
                               for c in issue.corrections))
        if correction_pdf(issue) in site.pdfs:
            parts.append(f"[下载勘误通知（PDF）]({link(src, correction_pdf(issue))}){{ .md-button }}")
        parts.append("本期印刷版 PDF 保持签发时的原样；上面各条信息的网页显示更正后的正文。")
    parts.append("</div>")
    return page(title, "\n\n".join(parts), "issue", date=issue.date.isoformat())


def entry(site, src: str, issue: Issue, p, it: Item) -> str:
    source = f"（{render.esc(site.unit_name(it.unit))}）"
    head = f'<h3 class="kanwu-item-title" id="{it.id}">{render.esc(it.title)}</h3>'
    more = f"[全文页面与采用情况]({link(src, item_page(it))})"
    edition = editions.of(p)
    if edition.shows == "abstract":
        abstract = it.summary or render.first_sentence(it.body)
        return f'{head}\n<p class="kanwu-abstract">{render.esc(abstract)}{source}</p>\n\n{more}'
    body = render.body_html(it.body, asset_prefix=link(src, "assets/x")[:-1])
    if edition.prints_instructions and it.instructions:
        head += "\n" + item.instructions_html(site, it)
    fixed = [c for c in issue.corrections if c.item == it.id]
    if fixed:
        head += "\n" + "".join(f'<p class="kanwu-corrected">已更正（{cn_date(c.date)}）：{render.esc(c.what)}。'
                               "以下为更正后的正文。</p>" for c in fixed)
    return f'{head}\n<p class="kanwu-source">{source}</p>\n<div class="kanwu-body">\n{body}\n</div>\n\n{more}'


def distribution(site, issue: Issue, p) -> str:
    rows = "".join(f"<p><span>{k}：</span>{render.esc('，'.join(v))}。</p>" for k, v in issue.distribution)
    return (f'<div class="kanwu-distribution">{rows}'
            f'<p class="kanwu-distribution-foot"><span>{render.esc(p.office)}</span>'
            f"<span>{cn_date(issue.published or issue.date)}印发</span></p>"
            f"<p>责任编辑：{render.esc(issue.editor)}　签发：{render.esc(issue.signer)}　共印{issue.copies}份</p></div>")
