"""The listings: each periodical's issues by year; items by unit, category, month and tag, each
split by year so that a day's publish rewrites this year's pages only."""

from __future__ import annotations

from collections import defaultdict

from ..model import Item
from ..paths import CATEGORY_SLUGS, category_page, issue_page, item_page, tag_page
from ..source import render
from ..source.fields import CATEGORIES
from .markup import cn_date, href, html_link, html_list, link, md, page


def pages(site) -> dict:
    return periodicals(site) | indexes(site)


def periodicals(site) -> dict:
    out = {}
    rows = []
    for pid in site.view.audience.periodicals:
        p = site.config.periodicals[pid]
        issues = sorted((i for i in site.made_issues if i.periodical == pid), key=lambda i: (i.year, i.number), reverse=True)
        src = f"periodicals/{pid}/index.md"
        by_year = defaultdict(list)
        for i in issues:
            by_year[i.year].append(i)
        sealed = {y: e.summary.issues[pid] for y, e in site.sealed.items() if e.summary.issues.get(pid)}
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
            out[ysrc] = site.memo(ysrc, key, lambda ysrc=ysrc, year=year: page(
                f"{p.name}（{p.edition}）{year}年", f"# 《{md(p.name)}》{md(p.edition)} {year}年\n\n"
                f"共 {len(by_year[year])} 期。\n\n" + entries(ysrc, by_year[year]), "listing"))
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


def item_list(site, src: str, items: list[Item]) -> str:
    items = sorted(items, key=lambda i: (i.date, i.id), reverse=True)
    lines = []
    for i in items:
        # an item is listed on four or five pages (unit, category, month, tags): its escaped
        # text is made once; only the relative link differs from page to page
        entry = site._entries.get(i.id)
        if entry is None:
            entry = site._entries[i.id] = (f'{i.date:%m-%d} <a href="', item_page(i),
                                           f'">{render.esc(i.title)}</a>（{render.esc(site.unit_name(i.unit))}，{i.category}）')
        lines.append(entry[0] + href(src, entry[1]) + entry[2])
    return html_list(lines)


def grouped(site, src: str, items: list[Item]) -> str:
    by_month = defaultdict(list)
    for i in items:
        by_month[i.date.strftime("%Y年%m月")].append(i)
    return "\n\n".join(f"## {m}\n\n{item_list(site, src, by_month[m])}" for m in sorted(by_month, reverse=True))


def paged(site, base: str, title: str, intro: str, by_year: dict[int, list[Item]], sealed: dict | None = None) -> dict:
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
            out[src] = site.memo(src, f"{title}|{site.list_key(by_year[year])}", lambda src=src, year=year: page(
                f"{title}（{year}年）", f"# {md(title)}（{year}年）\n\n共 {len(by_year[year])} 条。\n\n"
                + grouped(site, src, by_year[year]), "listing"))
        rows.append(f"- [{year}年]({link(base + '.md', src)})：{len(by_year[year]) if year in by_year else sealed[year]} 条")
    out[f"{base}.md"] = page(title, f"# {md(title)}\n\n{intro}\n\n" + ("\n".join(rows) or "暂无信息。"), "listing")
    return out


def indexes(site) -> dict:
    out = {}
    # one pass: each item read into its unit's, category's, month's and tags' lists, by year
    by_unit: dict = defaultdict(lambda: defaultdict(list))
    by_cat: dict = defaultdict(lambda: defaultdict(list))
    by_tag: dict = defaultdict(lambda: defaultdict(list))
    by_month = defaultdict(list)
    for i in site.made_items:
        year = i.date.year
        by_unit[i.unit][year].append(i)
        by_cat[i.category][year].append(i)
        by_month[year * 100 + i.date.month].append(i)
        for t in i.tags:
            by_tag[t][year].append(i)
    counts, sealed = site.counts(), site.sealed_counts()
    handling = defaultdict(list)
    for i in site.instructed():
        for ins in i.instructions:
            for uid in ins.units:
                handling[uid].append((i, ins))

    rows = []
    for uid, unit in site.config.units.items():
        src = f"units/{uid}.md"
        total, adopted = counts.get(("unit", uid), (0, 0))
        todo = ""
        if handling.get(uid):
            todo = "\n\n## 承办的领导批示\n\n" + "\n".join(
                f"- {cn_date(ins.date)} {md(ins.by)}批示 [{md(i.title)}]({link(src, item_page(i))})，"
                f"时限 {cn_date(ins.due)}：" + ("已反馈" if ins.answered_by(uid) else
                                             ("**已逾期**" if site.today > ins.due else "办理中"))
                for i, ins in sorted(handling[uid], key=lambda x: x[1].date))
        out.update(paged(site, f"units/{uid}", unit.name, f"{unit.kind}，共 {total} 条信息，被采用 {adopted} 条。{todo}"
                              "\n\n## 历年信息", by_unit.get(uid, {}), sealed.get(("unit", uid))))
        rows.append(f"| [{md(unit.name)}]({uid}.md) | {unit.kind} | {total} | {adopted} |")
    out["units/index.md"] = page("报送单位", "# 报送单位\n\n| 单位 | 类型 | 信息 | 采用 |\n| --- | --- | ---: | ---: |\n"
                                 + "\n".join(rows), "listing")
    rows = []
    for cat in CATEGORIES:
        total, adopted = counts.get(("category", cat), (0, 0))
        out.update(paged(site, category_page(cat)[:-3], cat, f"共 {total} 条。", by_cat.get(cat, {}),
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
            out[src] = site.memo(src, site.list_key(group), lambda src=src, label=label, group=group: page(
                label, f"# {label}\n\n共 {len(group)} 条。\n\n" + item_list(site, src, group), "listing"))
        rows.append(f"| [{label}]({month}.md) | {total} | {adopted} |")
    out["months/index.md"] = page("月份", "# 月份\n\n| 月份 | 信息 | 采用 |\n| --- | ---: | ---: |\n"
                                  + "\n".join(rows), "listing")
    rows = []
    sizes = {t: n for (kind, t), (n, _) in counts.items() if kind == "tag"}
    for tag in sorted(sizes, key=lambda t: (-sizes[t], t)):
        src = tag_page(tag)
        out.update(paged(site, src[:-3], f"标签：{tag}", f"共 {sizes[tag]} 条。", by_tag.get(tag, {}),
                              sealed.get(("tag", tag))))
        rows.append(f"[{md(tag)}（{sizes[tag]}）]({link('tags/index.md', src)})")
    out["tags/index.md"] = page("标签", "# 标签\n\n" + "　".join(rows), "listing")
    return out
