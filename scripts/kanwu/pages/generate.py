"""The page tree handed to the site engine: Markdown files with front matter.

kanwu derives every page from a View (one audience's cut of the repository). Listings
are generated pages, not navigation: Material writes the whole nav into every page, so
an automatic nav over thousands of pages makes builds quadratic. ``write_tree`` writes
only files whose bytes changed and removes pages that no longer exist, so an engine can
skip the rest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
from collections import Counter, defaultdict

from ..source import render
from ..editorial.assemble import chain_of, follow_ups
from ..audience import View
from ..source.fields import CATEGORIES
from ..model import Issue, Item
from ..paths import correction_pdf, issue_docx, issue_page, issue_pdf, item_page, tag_page  # noqa: F401 (the path table)
from .markup import cn_date, file_href, href, html_link, html_list, link, md, page

CATEGORY_SLUGS = dict(zip(CATEGORIES, ("dongtai", "jingyan", "wenti", "jianyi", "sheqing", "diaoyan", "zongshu", "tufa")))
WEEKDAYS = "一二三四五六日"


def issue_label(view: View, issue: Issue) -> str:
    p = view.config.periodicals[issue.periodical]
    return f"《{p.name}》{p.edition} {issue.year}年第{issue.number}期"


def reference_date(view: View) -> dt.date:
    """"Today" for a build: the newest date in the data, never the clock (builds are reproducible)."""
    return max([i.date for i in view.items.values()] + [i.date for i in view.issues] or [dt.date(2000, 1, 1)])


# ---- the tree ------------------------------------------------------------------------------

def _digest(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


class Site:
    """Builds every page of one audience's site."""

    def __init__(self, view: View, pdfs: set[str] | None = None, evaluation=None, previous: dict | None = None,
                 sealed: dict | None = None):
        """``previous``: {page: [key, sha1]} of the last build with the same salt (see ``memo``).
        ``sealed``: {year: what it gave the last build} for the years ``view`` leaves out (see
        ``years``): their pages are kept, and the pages spanning years add their numbers."""
        from ..stats import Evaluation
        self.view = view
        self.sealed = sealed or {}
        # the items and issues whose pages this build makes (a sealed year's may be read for others' pages)
        self.made_items = [i for i in view.items.values() if i.date.year not in self.sealed]
        self.made_issues = [i for i in view.issues if i.year not in self.sealed]
        self.previous = previous or {}
        self.keys: dict = {}  # page -> key of its inputs, for the next build
        self.bundles: dict = {}  # Pagefind bundle -> {page: key of what the index reads from it}
        self._tokens: dict | None = None  # item id -> its part of a listing's key (``list_key``)
        self._entries: dict = {}  # item id -> its line in listings, around the link
        self.evaluation = evaluation or Evaluation()
        self.config = view.config
        self.pdfs = pdfs or set()
        self.adopted: dict = defaultdict(list)  # item id -> [Issue]
        for issue in view.issues:
            for item_id in issue.item_ids:
                self.adopted[item_id].append(issue)
        self.today = reference_date(view)
        self.followups = follow_ups(view.items)  # computed once: a scan per item page is quadratic
        self._prepared: tuple | None = None
        self._summaries: dict | None = None
        self._counts: dict | None = None
        self._instructed: list | None = None

    def memo(self, path: str, key: str, make):
        """The page at ``path``, or Kept when its inputs (``key``) are those of the last build.

        A key names everything the page shows besides the salt (kanwu's code, the configuration,
        the audience): the revisions of the item and manifest files it draws on, and whether each
        deadline it shows has passed by the build's reference date. Most of the archive's pages do
        not change from one day to the next, and are then not even generated.
        """
        return self._memo(path, _digest(key), make)

    def _memo(self, path: str, digest: str, make):
        self.keys[path] = digest
        if self.kept(path, digest):
            return Kept(self.previous[path][1])
        return make()

    def kept(self, path: str, digest: str) -> bool:
        """Whether the page at ``path`` is kept (not generated): ``digest`` of its key is the last build's."""
        old = self.previous.get(path)
        return old is not None and old[0] == digest

    def prepare(self) -> tuple[list, list]:
        """The keys (digested) of the item and issue pages, and the bodies of those to be generated rendered,
        on every core when they are many (forked processes: call it before starting threads)."""
        items = [(item_page(item), _digest(self.item_key(item)), item) for item in self.made_items]
        issues = [(issue_page(issue), _digest(self.issue_key(issue)), issue) for issue in self.made_issues]
        self._prerender(items, issues)
        self._prepared = (items, issues)
        return self._prepared

    def _prerender(self, items: list, issues: list) -> None:
        bodies = [(item.body, link(path, "assets/x")[:-1]) for path, digest, item in items if not self.kept(path, digest)]
        for path, digest, issue in issues:
            if not self.config.periodicals[issue.periodical].digest and not self.kept(path, digest):
                prefix = link(path, "assets/x")[:-1]
                bodies += [(self.view.items[i].body, prefix) for i in issue.item_ids]
        render.prerender(bodies)

    def item_key(self, item: Item) -> str:
        parts = [item.revision]
        parts += [f"{i.periodical}/{i.year}/{i.number}/{i.date}" for i in self.adopted.get(item.id, ())]
        parts += [f"{c.date}/{c.by}/{c.what}/{correction_pdf(i) in self.pdfs}" for i in self.adopted.get(item.id, ())
                  for c in i.corrections if c.item == item.id]
        if item.follow_up_of or item.id in self.followups:
            parts += [f"{i.id}:{i.revision}" for i in chain_of(self.view.items, item.id, self.followups)]
        if item.instructions:
            parts.append(self.deadlines(item))
        return "|".join(parts)

    def search_key(self, item: Item) -> str:
        """What an item's search document is made from besides the code and configuration: its
        text and the issues that carried it (shown on the result, and its 刊物 filter)."""
        return "|".join([item.revision] + [f"{i.periodical}/{i.year}/{i.number}" for i in self.adopted.get(item.id, ())])

    def deadlines(self, item: Item) -> str:
        """What a page shows of the reference date: whether each instruction's deadline has passed.
        Not the date itself, or each day's build would make every instruction's page again
        (~500 at 50,000 items)."""
        return "".join("1" if self.today > ins.due else "0" for ins in item.instructions)

    def issue_key(self, issue: Issue) -> str:
        parts = [issue.revision, str(issue_pdf(issue) in self.pdfs), str(issue_docx(issue) in self.pdfs),
                 str(self.view.redacted.get(issue.key, 0))]
        parts += [f"{i}:{self.view.items[i].revision}" for i in issue.item_ids]
        if self.config.periodicals[issue.periodical].instructions:
            parts += [self.deadlines(self.view.items[i]) for i in issue.item_ids]
        return "|".join(parts)

    def list_key(self, items: list[Item]) -> str:
        tokens = self._tokens
        if tokens is None:  # an item is on four or five lists: its part of their keys is made once
            tokens = self._tokens = {i.id: f"{i.id}:{i.revision}" for i in self.view.items.values()}
        return "|".join([tokens[i.id] for i in items])

    def pages(self) -> dict[str, bytes]:
        out: dict = {}
        indexed = []  # (page, day, search key)
        items, issues = self._prepared or self.prepare()
        for path, digest, item in items:
            out[path] = self._memo(path, digest, lambda item=item: self.item(item))
            # Search reads the item (its data-pagefind-body part) and the issues that carried it
            # (shown on the result, and its 刊物 filter); issue pages are not indexed: a result is
            # an item, once, not every issue that repeats its text.
            indexed.append((path, item.date, self.search_key(item)))
        for path, digest, issue in issues:
            out[path] = self._memo(path, digest, lambda issue=issue: self.issue(issue))
        self.bundles = search_bundles(indexed)
        for year, entry in sorted(self.sealed.items()):
            if entry["bundle"]:
                self.bundles[f"pagefind-{year}"] = entry["bundle"]
            for path, (key, sha1) in entry["pages"].items():
                if key is not None:
                    self.keys[path] = key
                out[path] = Kept(sha1)
        out.update(self.periodicals())
        out.update(self.indexes())
        out["index.md"] = self.home()
        out["search.md"] = self.search()
        from . import statspages
        out.update(statspages.pages(self))
        return out

    # -- item ----------------------------------------------------------------------------
    def unit_name(self, unit_id: str) -> str:
        unit = self.config.units.get(unit_id)
        return unit.short if unit else unit_id

    def marks(self, item: Item) -> str:
        cls = item.classification + (f"★{item.secrecy_period}" if item.secrecy_period else "")
        return (f'<p class="kanwu-marks"><span class="kanwu-urgency kanwu-urgency-{item.urgency_rank}">{item.urgency}</span> '
                f'<span class="kanwu-class kanwu-class-{item.level}">{render.esc(cls)}</span></p>')

    def facets(self, item: Item) -> str:
        """Hidden spans the search document takes its filters, sort key and date from (``searchdoc``)."""
        editions = dict.fromkeys(self.config.periodicals[i.periodical].edition for i in self.adopted.get(item.id, ()))
        spans = [f'<span data-pagefind-meta="日期">{item.date.isoformat()}</span>',
                 f'<span data-pagefind-meta="单位">{render.esc(self.unit_name(item.unit))}</span>',
                 f'<span data-pagefind-meta="类别">{render.esc(item.category)}</span>',
                 f'<span data-pagefind-sort="日期">{item.date.isoformat()}</span>',
                 f'<span data-pagefind-filter="单位">{render.esc(self.unit_name(item.unit))}</span>',
                 f'<span data-pagefind-filter="类别">{render.esc(item.category)}</span>',
                 f'<span data-pagefind-filter="年份">{item.date.year}年</span>',
                 f'<span data-pagefind-filter="月份">{item.date.month}月</span>']
        spans += [f'<span data-pagefind-filter="刊物">{render.esc(e)}</span>' for e in editions]
        return '<p class="kanwu-facets" hidden>' + "".join(spans) + "</p>"

    def item(self, item: Item) -> bytes:
        src = item_page(item)
        body = render.body_html(item.body, asset_prefix=link(src, "assets/x")[:-1])

        def a(dest: str, text: str) -> str:
            return html_link(src, dest, text)

        meta = [
            f"<li>报送单位：{a(f'units/{item.unit}.md', self.unit_name(item.unit))}</li>",
            f"<li>报送日期：{a(f'months/{item.date:%Y-%m}.md', cn_date(item.date))}</li>",
            f"<li>类别：{a('categories/' + CATEGORY_SLUGS[item.category] + '.md', item.category)}</li>",
            f"<li>撰稿人：{render.esc('、'.join(item.authors)) or '—'}</li>",
        ]
        if item.tags:
            meta.append("<li>标签：" + " ".join(a(tag_page(t), t) for t in item.tags) + "</li>")
        if item.event_at:
            meta.append(f"<li>事发时间：{item.event_at:%Y-%m-%d %H:%M}；首报时间：{item.reported_at:%Y-%m-%d %H:%M}</li>")
        parts = [
            '<div class="kanwu-item" data-pagefind-body markdown>',
            f"# {md(item.title)}",
            self.marks(item).replace("<p ", '<p data-pagefind-ignore="all" ', 1),
            self.facets(item),
            # Raw HTML, not Markdown: see ``href``. Its links are to pages generated here from the same data.
            '<div class="kanwu-meta">\n<ul>\n' + "\n".join(meta) + "\n</ul>\n</div>",
            f'<div class="kanwu-body">\n{body}\n</div>',
            "</div>",
            "## 采用情况",
        ]
        issues = self.adopted.get(item.id, [])
        fixes = [(i, c) for i in issues for c in i.corrections if c.item == item.id]
        if fixes:
            notes = "".join(f'<p class="kanwu-corrected">已更正（{cn_date(c.date)}，{render.esc(c.by)}）：{render.esc(c.what)}。'
                            f"见{html_link(src, issue_page(i), issue_label(self.view, i))}的"
                            + (f'<a href="{file_href(src, correction_pdf(i))}">勘误通知</a>' if correction_pdf(i) in self.pdfs else "勘误")
                            + "；该期印刷版保持原样。</p>" for i, c in fixes)
            parts.insert(parts.index(f'<div class="kanwu-body">\n{body}\n</div>'), notes)
        adoptions = [f"- [{issue_label(self.view, i)}]({link(src, issue_page(i))})（{cn_date(i.date)}）" for i in issues]
        adoptions += [f"- {md(a.by)}《{md(a.publication.strip('《》'))}》采用（{cn_date(a.date)}）" for a in item.adopted_by]
        parts.append("\n".join(adoptions) or "尚未被刊物采用。")
        if item.instructions:
            parts.append("## 领导批示及办理")
            parts.append(self.instructions_html(item))
        chain = (chain_of(self.view.items, item.id, self.followups)
                 if item.follow_up_of or item.id in self.followups else [])
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

    def instructions_html(self, item: Item) -> str:
        blocks = []
        for ins in item.instructions:
            units = "、".join(self.unit_name(u) for u in ins.units)
            overdue = [u for u in ins.open_units if self.today > ins.due]
            status = ("已全部反馈" if ins.closed else
                      ("已逾期：" + "、".join(self.unit_name(u) for u in overdue) if overdue else "办理中"))
            rows = "".join(f"<li>{cn_date(f.date)} {render.esc(self.unit_name(f.unit))}反馈：{render.esc(f.text)}</li>"
                           for f in ins.feedback) or "<li>尚无反馈。</li>"
            blocks.append(
                f'<div class="kanwu-instruction"><p><strong>{render.esc(ins.by)}</strong>（{cn_date(ins.date)}）：'
                f"{render.esc(ins.text)}</p><p>承办单位：{render.esc(units)}；办理时限：{cn_date(ins.due)}；"
                f'<span class="kanwu-status{" kanwu-overdue" if overdue else ""}" data-pagefind-ignore="all">{status}</span></p>'
                f"<ul>{rows}</ul></div>")
        return "\n".join(blocks)

    # -- issue ---------------------------------------------------------------------------
    def masthead(self, issue: Issue) -> str:
        p = self.config.periodicals[issue.periodical]
        return (
            '<div class="kanwu-masthead">'
            f'<p class="kanwu-masthead-name">{render.esc(p.name)}<span class="kanwu-edition">{render.esc(p.edition)}</span></p>'
            f'<p class="kanwu-masthead-number">{issue.year}年第{issue.number}期（总第{issue.total}期）</p>'
            f'<p class="kanwu-masthead-line"><span>{render.esc(p.office)}</span><span>{cn_date(issue.date)}</span></p>'
            "</div>"
        )

    def issue(self, issue: Issue) -> bytes:
        src = issue_page(issue)
        p = self.config.periodicals[issue.periodical]
        title = f"{p.name}（{p.edition}）{issue.year}年第{issue.number}期"
        parts = ['<div class="kanwu-issue" data-pagefind-body markdown>', f"# {md(title)}", self.masthead(issue)]
        downloads = []
        if issue_pdf(issue) in self.pdfs:
            downloads.append(f"[下载 PDF（印刷版）]({link(src, issue_pdf(issue))}){{ .md-button }}")
        if issue_docx(issue) in self.pdfs:
            downloads.append(f"[下载 Word 文档（.docx）]({link(src, issue_docx(issue))}){{ .md-button }}")
        if downloads:
            parts.append(" ".join(downloads))
        hidden = self.view.redacted.get(issue.key)
        if hidden:
            parts.append(f'<p class="kanwu-redacted">本期另有 {hidden} 条信息超出“{render.esc(self.view.audience.name)}”'
                         "的阅读范围，未在此显示。</p>")
        if issue.editor_note:
            parts.append('<div class="kanwu-note"><p><strong>编者按：</strong>'
                         + render.esc(issue.editor_note).replace("\n", "<br>") + "</p></div>")
        items = [self.view.items[i] for i in issue.item_ids]
        if len(items) > 1:
            parts.append("## 目录")
            parts.append("\n".join(f"{n}. [{md(it.title)}](#{it.id})" for n, it in enumerate(items, 1)))
        for sec in issue.sections:
            if sec.heading:
                parts.append(f'<h2 class="kanwu-heading">{render.esc(sec.heading)}</h2>')
            for item_id in sec.items:
                it = self.view.items[item_id]
                parts.append(self.issue_entry(src, issue, p, it))
        parts.append(self.distribution(issue, p))
        if issue.corrections:
            parts.append("## 勘误")
            parts.append("\n".join(f"- {cn_date(c.date)}，{md(c.by)}：[{md(self.view.items[c.item].title)}]"
                                   f"({link(src, item_page(self.view.items[c.item]))}) — {md(c.what)}"
                                   for c in issue.corrections))
            if correction_pdf(issue) in self.pdfs:
                parts.append(f"[下载勘误通知（PDF）]({link(src, correction_pdf(issue))}){{ .md-button }}")
            parts.append("本期印刷版 PDF 保持签发时的原样；上面各条信息的网页显示更正后的正文。")
        parts.append("</div>")
        return page(title, "\n\n".join(parts), "issue", date=issue.date.isoformat())

    def issue_entry(self, src: str, issue: Issue, p, it: Item) -> str:
        source = f"（{render.esc(self.unit_name(it.unit))}）"
        head = f'<h3 class="kanwu-item-title" id="{it.id}">{render.esc(it.title)}</h3>'
        more = f"[全文页面与采用情况]({link(src, item_page(it))})"
        if p.digest:
            abstract = it.summary or render.first_sentence(it.body)
            return f'{head}\n<p class="kanwu-abstract">{render.esc(abstract)}{source}</p>\n\n{more}'
        body = render.body_html(it.body, asset_prefix=link(src, "assets/x")[:-1])
        if p.instructions and it.instructions:
            head += "\n" + self.instructions_html(it)
        fixed = [c for c in issue.corrections if c.item == it.id]
        if fixed:
            head += "\n" + "".join(f'<p class="kanwu-corrected">已更正（{cn_date(c.date)}）：{render.esc(c.what)}。'
                                   "以下为更正后的正文。</p>" for c in fixed)
        return f'{head}\n<p class="kanwu-source">{source}</p>\n<div class="kanwu-body">\n{body}\n</div>\n\n{more}'

    def distribution(self, issue: Issue, p) -> str:
        rows = "".join(f"<p><span>{k}：</span>{render.esc('，'.join(v))}。</p>" for k, v in issue.distribution)
        return (f'<div class="kanwu-distribution">{rows}'
                f'<p class="kanwu-distribution-foot"><span>{render.esc(p.office)}</span>'
                f"<span>{cn_date(issue.published or issue.date)}印发</span></p>"
                f"<p>责任编辑：{render.esc(issue.editor)}　签发：{render.esc(issue.signer)}　共印{issue.copies}份</p></div>")

    # -- listings ------------------------------------------------------------------------
    def periodicals(self) -> dict:
        out = {}
        rows = []
        for pid in self.view.audience.periodicals:
            p = self.config.periodicals[pid]
            issues = sorted((i for i in self.made_issues if i.periodical == pid), key=lambda i: (i.year, i.number), reverse=True)
            src = f"periodicals/{pid}/index.md"
            by_year = defaultdict(list)
            for i in issues:
                by_year[i.year].append(i)
            sealed = {y: e["summary"]["issues"][pid] for y, e in self.sealed.items() if e["summary"]["issues"].get(pid)}
            total = len(issues) + sum(sealed.values())
            parts = [f"# 《{md(p.name)}》{md(p.edition)}", f"共 {total} 期。"]

            def entries(at: str, year_issues: list) -> str:
                return html_list([f"{html_link(at, issue_page(i), f'{i.year}年第{i.number}期（总第{i.total}期）')} "
                                  f"{cn_date(i.date)}，{len(i.item_ids)} 条" for i in year_issues])
            years = sorted(set(by_year) | set(sealed), reverse=True)
            for year in by_year:
                # Each year on its own page too, kept while its issues are unchanged: the
                # periodical's page lists only the newest year, whatever the archive's age.
                ysrc = f"periodicals/{pid}/{year}.md"
                key = "|".join(f"{i.number}:{i.revision}:{len(i.item_ids)}" for i in by_year[year])
                out[ysrc] = self.memo(ysrc, key, lambda ysrc=ysrc, year=year: page(
                    f"{p.name}（{p.edition}）{year}年", f"# 《{md(p.name)}》{md(p.edition)} {year}年\n\n"
                    f"共 {len(by_year[year])} 期。\n\n" + entries(ysrc, by_year[year]), "listing"))
            if years and years[0] not in by_year:  # its newest year in this view is sealed: its issues are not read
                from ..incremental.years import ReadAll
                raise ReadAll()
            if years:
                parts.append(f"## {years[0]}年")
                parts.append(entries(src, by_year[years[0]]))
                parts.append("## 各年")
                parts.append("\n".join(f"- [{y}年]({link(src, f'periodicals/{pid}/{y}.md')})："
                                       f"{len(by_year[y]) if y in by_year else sealed[y]} 期" for y in years))
            out[src] = page(f"{p.name}（{p.edition}）", "\n\n".join(parts), "listing")
            latest = issues[0] if issues else None
            rows.append(f"| [{md(p.edition)}]({pid}/index.md) | {total} | "
                        + (f"[{latest.year}年第{latest.number}期]({link('periodicals/index.md', issue_page(latest))})" if latest else "—")
                        + " |")
        out["periodicals/index.md"] = page("刊物", "# 刊物\n\n| 刊物 | 期数 | 最新一期 |\n| --- | --- | --- |\n"
                                           + "\n".join(rows), "listing")
        return out

    def item_list(self, src: str, items: list[Item]) -> str:
        items = sorted(items, key=lambda i: (i.date, i.id), reverse=True)
        lines = []
        for i in items:
            # an item is listed on four or five pages (unit, category, month, tags): its escaped
            # text is made once; only the relative link differs from page to page
            entry = self._entries.get(i.id)
            if entry is None:
                entry = self._entries[i.id] = (f'{i.date:%m-%d} <a href="', item_page(i),
                                               f'">{render.esc(i.title)}</a>（{render.esc(self.unit_name(i.unit))}，{i.category}）')
            lines.append(entry[0] + href(src, entry[1]) + entry[2])
        return html_list(lines)

    def grouped(self, src: str, items: list[Item]) -> str:
        by_month = defaultdict(list)
        for i in items:
            by_month[i.date.strftime("%Y年%m月")].append(i)
        return "\n\n".join(f"## {m}\n\n{self.item_list(src, by_month[m])}" for m in sorted(by_month, reverse=True))

    def paged(self, base: str, title: str, intro: str, by_year: dict[int, list[Item]], sealed: dict | None = None) -> dict:
        """A listing split by year: ``base``.md with the years, ``base``/<year>.md with the items
        (``by_year``: the items of each year, in the view's order; ``sealed``: {year: how many}
        of the sealed years, whose pages are kept).

        Publishing today then rewrites this year's page only, whatever the size of the archive.
        """
        out = {}
        rows = []
        sealed = sealed or {}
        for year in sorted(set(by_year) | set(sealed), reverse=True):
            src = f"{base}/{year}.md"
            if year in by_year:
                out[src] = self.memo(src, f"{title}|{self.list_key(by_year[year])}", lambda src=src, year=year: page(
                    f"{title}（{year}年）", f"# {md(title)}（{year}年）\n\n共 {len(by_year[year])} 条。\n\n"
                    + self.grouped(src, by_year[year]), "listing"))
            rows.append(f"- [{year}年]({link(base + '.md', src)})：{len(by_year[year]) if year in by_year else sealed[year]} 条")
        out[f"{base}.md"] = page(title, f"# {md(title)}\n\n{intro}\n\n" + ("\n".join(rows) or "暂无信息。"), "listing")
        return out

    def summaries(self) -> dict:
        """{year: what the year adds to the pages spanning years}, for the years read (see ``years``):
        items and adopted ones per unit, category, month and tag; issues per periodical; the items
        with leaders' instructions (as ``years.Stub``)."""
        if self._summaries is None:
            from ..incremental.years import Stub
            out: dict = {}
            adopted = self.adopted
            for i in self.made_items:
                year = i.date.year
                summary = out.get(year) or out.setdefault(year, {"counts": {}, "issues": {}, "stubs": []})
                counts, used = summary["counts"], i.id in adopted
                for key in (("unit", i.unit), ("category", i.category), ("month", year * 100 + i.date.month),
                            *(("tag", t) for t in i.tags)):
                    c = counts.get(key) or counts.setdefault(key, [0, 0])
                    c[0] += 1
                    c[1] += used
                if i.instructions:
                    summary["stubs"].append(Stub(i.id, i.title, i.date, i.unit, i.instructions))
            for issue in self.made_issues:
                summary = out.get(issue.year) or out.setdefault(issue.year, {"counts": {}, "issues": {}, "stubs": []})
                summary["issues"][issue.periodical] = summary["issues"].get(issue.periodical, 0) + 1
            self._summaries = out
        return self._summaries

    def counts(self) -> dict:
        """(kind, key) -> [items, adopted] over every year, sealed or read; kind: unit, category, month, tag."""
        if self._counts is None:
            merged: dict = {}
            for summary in [*self.summaries().values(), *(e["summary"] for e in self.sealed.values())]:
                for key, (n, used) in summary["counts"].items():
                    c = merged.get(key) or merged.setdefault(key, [0, 0])
                    c[0] += n
                    c[1] += used
            self._counts = merged
        return self._counts

    def sealed_counts(self) -> dict:
        """(kind, key) -> {year: items} of the sealed years: the rows of their kept year pages."""
        out: dict = {}
        for year, entry in self.sealed.items():
            for key, (n, _) in entry["summary"]["counts"].items():
                out.setdefault(key, {})[year] = n
        return out

    def instructed(self) -> list:
        """The items with leaders' instructions of every year (stubs of the sealed years'), in the
        archive's order: by year, then as the view has them."""
        if self._instructed is None:
            mine = [i for i in self.made_items if i.instructions]
            for entry in self.sealed.values():
                mine += entry["summary"]["stubs"]
            self._instructed = sorted(mine, key=lambda i: i.date.year)  # stable: each year's own order
        return self._instructed

    def indexes(self) -> dict:
        out = {}
        # one pass: each item read into its unit's, category's, month's and tags' lists, by year
        by_unit, by_cat, by_tag = (defaultdict(lambda: defaultdict(list)) for _ in range(3))
        by_month = defaultdict(list)
        for i in self.made_items:
            year = i.date.year
            by_unit[i.unit][year].append(i)
            by_cat[i.category][year].append(i)
            by_month[year * 100 + i.date.month].append(i)
            for t in i.tags:
                by_tag[t][year].append(i)
        counts, sealed = self.counts(), self.sealed_counts()
        handling = defaultdict(list)
        for i in self.instructed():
            for ins in i.instructions:
                for uid in ins.units:
                    handling[uid].append((i, ins))

        rows = []
        for uid, unit in self.config.units.items():
            src = f"units/{uid}.md"
            total, adopted = counts.get(("unit", uid), (0, 0))
            todo = ""
            if handling.get(uid):
                todo = "\n\n## 承办的领导批示\n\n" + "\n".join(
                    f"- {cn_date(ins.date)} {md(ins.by)}批示 [{md(i.title)}]({link(src, item_page(i))})，"
                    f"时限 {cn_date(ins.due)}：" + ("已反馈" if ins.answered_by(uid) else
                                                 ("**已逾期**" if self.today > ins.due else "办理中"))
                    for i, ins in sorted(handling[uid], key=lambda x: x[1].date))
            out.update(self.paged(f"units/{uid}", unit.name, f"{unit.kind}，共 {total} 条信息，被采用 {adopted} 条。{todo}"
                                  "\n\n## 历年信息", by_unit.get(uid, {}), sealed.get(("unit", uid))))
            rows.append(f"| [{md(unit.name)}]({uid}.md) | {unit.kind} | {total} | {adopted} |")
        out["units/index.md"] = page("报送单位", "# 报送单位\n\n| 单位 | 类型 | 信息 | 采用 |\n| --- | --- | ---: | ---: |\n"
                                     + "\n".join(rows), "listing")
        rows = []
        for cat in CATEGORIES:
            total, adopted = counts.get(("category", cat), (0, 0))
            out.update(self.paged(f"categories/{CATEGORY_SLUGS[cat]}", cat, f"共 {total} 条。", by_cat.get(cat, {}),
                                  sealed.get(("category", cat))))
            rows.append(f"| [{cat}]({CATEGORY_SLUGS[cat]}.md) | {total} | {adopted} |")
        out["categories/index.md"] = page("类别", "# 类别\n\n| 类别 | 信息 | 采用 |\n| --- | ---: | ---: |\n"
                                          + "\n".join(rows), "listing")
        rows = []
        for number in sorted(set(by_month) | {k for kind, k in sealed if kind == "month"}, reverse=True):
            month = f"{number // 100}-{number % 100:02d}"
            src = f"months/{month}.md"
            label = f"{number // 100}年{number % 100}月"
            total, adopted = counts[("month", number)]
            if number in by_month:  # a sealed year's month page is kept
                group = by_month[number]
                out[src] = self.memo(src, self.list_key(group), lambda src=src, label=label, group=group: page(
                    label, f"# {label}\n\n共 {len(group)} 条。\n\n" + self.item_list(src, group), "listing"))
            rows.append(f"| [{label}]({month}.md) | {total} | {adopted} |")
        out["months/index.md"] = page("月份", "# 月份\n\n| 月份 | 信息 | 采用 |\n| --- | ---: | ---: |\n"
                                      + "\n".join(rows), "listing")
        rows = []
        sizes = {t: n for (kind, t), (n, _) in counts.items() if kind == "tag"}
        for tag in sorted(sizes, key=lambda t: (-sizes[t], t)):
            src = tag_page(tag)
            out.update(self.paged(src[:-3], f"标签：{tag}", f"共 {sizes[tag]} 条。", by_tag.get(tag, {}),
                                  sealed.get(("tag", tag))))
            rows.append(f"[{md(tag)}（{sizes[tag]}）]({link('tags/index.md', src)})")
        out["tags/index.md"] = page("标签", "# 标签\n\n" + "　".join(rows), "listing")
        return out

    def home(self) -> bytes:
        src = "index.md"
        today = self.today
        recent = today - dt.timedelta(days=7)
        parts = [f"# {md(self.config.office_name)} 信息刊物库", f"资料截至 {cn_date(today)}。"]
        urgent_issues = sorted((i for i in self.view.issues if self.config.periodicals[i.periodical].cadence == "on_demand"
                                and i.date >= recent), key=lambda i: i.date, reverse=True)
        urgent_items = sorted((i for i in self.view.items.values() if i.date >= recent
                               and (i.category == "突发事件" or i.urgency == "特急")), key=lambda i: (i.date, i.id), reverse=True)
        if urgent_issues or urgent_items:
            parts.append("## 重要信息")
            lines = [f"- **[{issue_label(self.view, i)}]({link(src, issue_page(i))})**（{cn_date(i.date)}）"
                     for i in urgent_issues]
            lines += [f"- {i.date:%m-%d} [{md(i.title)}]({link(src, item_page(i))})（{md(self.unit_name(i.unit))}，{i.urgency}）"
                      for i in urgent_items]
            parts.append("\n".join(lines))
        parts.append("## 各刊最新一期")
        rows = ["| 刊物 | 最新一期 | 日期 | 条数 |", "| --- | --- | --- | ---: |"]
        for pid in self.view.audience.periodicals:
            p = self.config.periodicals[pid]
            issues = self.view.issues_of(pid)
            if not issues:
                rows.append(f"| [{md(p.edition)}](periodicals/{pid}/index.md) | — | — | — |")
                continue
            last = max(issues, key=lambda i: (i.date, i.year, i.number))
            rows.append(f"| [{md(p.edition)}](periodicals/{pid}/index.md) | [{last.year}年第{last.number}期]"
                        f"({issue_page(last)}) | {cn_date(last.date)} | {len(last.item_ids)} |")
        parts.append("\n".join(rows))
        month = [i for i in self.view.items.values() if (i.date.year, i.date.month) == (today.year, today.month)]
        used = sum(1 for i in month if i.id in self.adopted)
        rate = f"{used / len(month):.0%}" if month else "—"
        parts.append(f"## {today.month}月数字")
        parts.append(f"| 收到信息 | 已采用 | 采用率 | 本月出刊 |\n| ---: | ---: | ---: | ---: |\n"
                     f"| {len(month)} | {used} | {rate} | "
                     f"{sum(1 for i in self.view.issues if (i.date.year, i.date.month) == (today.year, today.month))} |")
        counts = Counter(i.category for i in month)
        parts.append("本月各类别：" + "，".join(f"[{c}](categories/{CATEGORY_SLUGS[c]}.md) {counts[c]}" for c in CATEGORIES if counts[c]))
        return page("首页", "\n\n".join(parts), "home")

    def search(self) -> bytes:
        bundles = json.dumps(sorted(self.bundles, reverse=True))  # newest first: 2026-11, 2026, 2025, …
        body = f"""# 全文检索

输入关键词检索信息：标题、正文、报送单位、日期、撰稿人和标签里有这个词的都能找到（不联网，在本机浏览器中完成）。每条信息只列一次，并注明刊载它的各期；可按刊物、单位、类别、年份、月份筛选，按相关度或日期排序。先检索最近两年；要查更早的，选“全部年份”。

<div id="kanwu-search" data-bundles='{bundles}'></div>
"""
        return page("全文检索", body, "search")


def search_bundles(indexed: list) -> dict[str, dict[str, str]]:
    """Which Pagefind bundle indexes each page: one per year, and the newest month on its own.

    Publishing adds pages to the newest month, so a day's build re-indexes a month's pages
    (~500), not a year's (~5,000); the month joins its year's bundle when the next month
    starts. A bundle is re-indexed only when its pages or their search keys change.
    """
    if not indexed:
        return {}
    newest = max(day for _, day, _ in indexed)
    out: dict = defaultdict(dict)
    for path, day, key in indexed:
        name = (f"pagefind-{day:%Y-%m}" if (day.year, day.month) == (newest.year, newest.month)
                else f"pagefind-{day.year}")
        out[name][path] = key
    return dict(out)


# ---- writing -------------------------------------------------------------------------------

class Kept:
    """A page whose inputs are those of the last build: the file already in the tree stays."""

    __slots__ = ("digest",)

    def __init__(self, digest: str):
        self.digest = digest


class StaleTree(Exception):
    """The tree does not hold a page the last build recorded (edited or deleted by hand)."""


class CachedFile:
    """A file already on disk under a content-addressed name (a cached PDF): linked, never read."""

    __slots__ = ("path", "digest")

    def __init__(self, path: str):
        self.path = path
        self.digest = os.path.splitext(os.path.basename(path))[0]


def write_tree(docs_dir: str, files: dict, tree: dict | None = None,
               since: dict | None = None) -> tuple[list, list, dict]:
    """Make ``docs_dir`` hold exactly ``files``: write what changed, remove the rest.

    ``tree`` maps paths to the sha1 of what the tree holds (recorded by the last call), so
    unchanged files are not even read; ``since`` (default: ``tree``) maps paths to the sha1 of
    the sources of the live release. Returns (paths changed since ``since``, paths removed
    since ``since``, sha1 of every file).
    """
    import hashlib
    known = tree or {}
    since = known if since is None else since
    present = _tree_files(docs_dir)  # one pass over the tree, not a stat per page
    written, hashes = [], {}
    for rel, data in files.items():
        linked = isinstance(data, CachedFile)
        digest = data.digest if isinstance(data, (CachedFile, Kept)) else hashlib.sha1(data).hexdigest()
        hashes[rel] = digest
        full = os.path.join(docs_dir, rel)
        if isinstance(data, Kept):
            if known.get(rel) != digest or rel not in present:
                raise StaleTree(rel)
            continue
        if not linked and known.get(rel) == digest and rel in present:
            continue
        if linked:  # the tree's link is checked, not trusted: a damaged cached PDF is rendered anew
            with contextlib.suppress(FileNotFoundError):  # under the same name, as another file
                have, cached = os.stat(full), os.stat(data.path)
                if os.path.samestat(have, cached):
                    continue  # already this file (renaming a link onto itself would leave the link behind)
                if (have.st_dev != cached.st_dev and have.st_size == cached.st_size
                        and known.get(rel) == digest):
                    continue  # a copy (the cache on another file system)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            tmp = full + ".kanwu-tmp"
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
            try:
                os.link(data.path, tmp)
            except OSError:  # another file system: copy
                shutil.copyfile(data.path, tmp)
            os.replace(tmp, full)
            written.append(rel)
            continue
        try:
            with open(full, "rb") as fh:
                if fh.read() == data:
                    continue
        except FileNotFoundError:
            os.makedirs(os.path.dirname(full), exist_ok=True)
        tmp = full + ".kanwu-tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, full)
        written.append(rel)
    # What changed since the last *successful* build (``since``), not only what this call rewrote:
    # a build that failed after writing the tree must not hide its changes from the next one.
    written += [rel for rel, digest in hashes.items() if since and since.get(rel) != digest and rel not in written]
    removed = [rel for rel in since if rel not in files]
    gone = set(removed)
    folders = set()
    for rel in sorted(present - files.keys()):
        os.remove(os.path.join(docs_dir, rel))
        if rel not in gone:
            removed.append(rel)
        folders.add(os.path.dirname(rel))
    for folder in sorted(folders, key=len, reverse=True):  # folders left empty, deepest first
        while folder:
            try:
                os.rmdir(os.path.join(docs_dir, folder))
            except OSError:
                break
            folder = os.path.dirname(folder)
    return written, removed, hashes


def _tree_files(top: str) -> set[str]:
    """Every file under ``top`` (relative, '/'-separated)."""
    from ..incremental.cache import files_under
    return {rel for rel, _ in files_under(top)}
