"""Item pages, one per item: its text, marks and metadata, where it was adopted, the leaders'
instructions on it and their handling, its chain of 首报 and 续报."""

from __future__ import annotations

from ..editions.common import chain_of
from ..model import Item
from ..paths import category_page, correction_pdf, issue_page, item_page, tag_page
from ..source import render
from .markup import cn_date, file_href, html_link, link, md, page


def pages(site) -> dict:
    """Every item page of the years this build makes."""
    items, _ = site.prepared()
    return {path: site.made(path, digest, lambda item=item: make(site, item)) for path, digest, item in items}


def marks(item: Item) -> str:
    cls = item.classification + (f"★{item.secrecy_period}" if item.secrecy_period else "")
    return (f'<p class="kanwu-marks"><span class="kanwu-urgency kanwu-urgency-{item.urgency_rank}">{item.urgency}</span> '
            f'<span class="kanwu-class kanwu-class-{item.level}">{render.esc(cls)}</span></p>')


def facets(site, item: Item) -> str:
    """Hidden spans the search document takes its filters, sort key and date from (``searchdoc``)."""
    editions = dict.fromkeys(site.config.periodicals[i.periodical].edition for i in site.adopted.get(item.id, ()))
    spans = [f'<span data-pagefind-meta="日期">{item.date.isoformat()}</span>',
             f'<span data-pagefind-meta="单位">{render.esc(site.unit_name(item.unit))}</span>',
             f'<span data-pagefind-meta="类别">{render.esc(item.category)}</span>',
             f'<span data-pagefind-sort="日期">{item.date.isoformat()}</span>',
             f'<span data-pagefind-filter="单位">{render.esc(site.unit_name(item.unit))}</span>',
             f'<span data-pagefind-filter="类别">{render.esc(item.category)}</span>',
             f'<span data-pagefind-filter="年份">{item.date.year}年</span>',
             f'<span data-pagefind-filter="月份">{item.date.month}月</span>']
    spans += [f'<span data-pagefind-filter="刊物">{render.esc(e)}</span>' for e in editions]
    return '<p class="kanwu-facets" hidden>' + "".join(spans) + "</p>"


def make(site, item: Item) -> bytes:
    src = item_page(item)
    body = render.body_html(item.body, asset_prefix=link(src, "assets/x")[:-1])

    def a(dest: str, text: str) -> str:
        return html_link(src, dest, text)

    meta = [
        f"<li>报送单位：{a(f'units/{item.unit}.md', site.unit_name(item.unit))}</li>",
        f"<li>报送日期：{a(f'months/{item.date:%Y-%m}.md', cn_date(item.date))}</li>",
        f"<li>类别：{a(category_page(item.category), item.category)}</li>",
        f"<li>撰稿人：{render.esc('、'.join(item.authors)) or '—'}</li>",
    ]
    if item.tags:
        meta.append("<li>标签：" + " ".join(a(tag_page(t), t) for t in item.tags) + "</li>")
    if item.event_at:
        meta.append(f"<li>事发时间：{item.event_at:%Y-%m-%d %H:%M}；首报时间：{item.reported_at:%Y-%m-%d %H:%M}</li>")
    parts = [
        '<div class="kanwu-item" data-pagefind-body markdown>',
        f"# {md(item.title)}",
        marks(item).replace("<p ", '<p data-pagefind-ignore="all" ', 1),
        facets(site, item),
        # Raw HTML, not Markdown: see ``href``. Its links are to pages generated here from the same data.
        '<div class="kanwu-meta">\n<ul>\n' + "\n".join(meta) + "\n</ul>\n</div>",
        f'<div class="kanwu-body">\n{body}\n</div>',
        "</div>",
        "## 采用情况",
    ]
    issues = site.adopted.get(item.id, [])
    fixes = [(i, c) for i in issues for c in i.corrections if c.item == item.id]
    if fixes:
        notes = "".join(f'<p class="kanwu-corrected">已更正（{cn_date(c.date)}，{render.esc(c.by)}）：{render.esc(c.what)}。'
                        f"见{html_link(src, issue_page(i), site.label(i))}的"
                        + (f'<a href="{file_href(src, correction_pdf(i))}">勘误通知</a>' if correction_pdf(i) in site.pdfs else "勘误")
                        + "；该期印刷版保持原样。</p>" for i, c in fixes)
        parts.insert(parts.index(f'<div class="kanwu-body">\n{body}\n</div>'), notes)
    adoptions = [f"- [{site.label(i)}]({link(src, issue_page(i))})（{cn_date(i.date)}）" for i in issues]
    adoptions += [f"- {md(a.by)}《{md(a.publication.strip('《》'))}》采用（{cn_date(a.date)}）" for a in item.adopted_by]
    parts.append("\n".join(adoptions) or "尚未被刊物采用。")
    if item.instructions:
        parts.append("## 领导批示及办理")
        parts.append(instructions_html(site, item))
    chain = (chain_of(site.view.items, item.id, site.followups)
             if item.follow_up_of or item.id in site.followups else [])
    if len(chain) > 1:
        parts.append("## 首报与续报")
        rows = []
        for i in chain:
            when = f"{i.reported_at:%m月%d日 %H:%M}" if i.reported_at else cn_date(i.date)
            label = "首报" if not i.follow_up_of else "续报"
            name = f"**{md(i.title)}**（本条）" if i.id == item.id else f"[{md(i.title)}]({link(src, item_page(i))})"
            rows.append(f"- {when} {label}：{name}")
        parts.append('<div class="kanwu-timeline" markdown>\n\n' + "\n".join(rows) + "\n\n</div>")
    return page(item.title, "\n\n".join(parts), "item", date=item.date.isoformat())


def instructions_html(site, item: Item) -> str:
    blocks = []
    for ins in item.instructions:
        units = "、".join(site.unit_name(u) for u in ins.units)
        overdue = [u for u in ins.open_units if site.today > ins.due]
        status = ("已全部反馈" if ins.closed else
                  ("已逾期：" + "、".join(site.unit_name(u) for u in overdue) if overdue else "办理中"))
        rows = "".join(f"<li>{cn_date(f.date)} {render.esc(site.unit_name(f.unit))}反馈：{render.esc(f.text)}</li>"
                       for f in ins.feedback) or "<li>尚无反馈。</li>"
        blocks.append(
            f'<div class="kanwu-instruction"><p><strong>{render.esc(ins.by)}</strong>（{cn_date(ins.date)}）：'
            f"{render.esc(ins.text)}</p><p>承办单位：{render.esc(units)}；办理时限：{cn_date(ins.due)}；"
            f'<span class="kanwu-status{" kanwu-overdue" if overdue else ""}" data-pagefind-ignore="all">{status}</span></p>'
            f"<ul>{rows}</ul></div>")
    return "\n".join(blocks)
