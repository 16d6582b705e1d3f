"""The home page: what is urgent this week, each periodical's newest issue, this month's numbers."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from .. import editions
from ..paths import category_page, issue_page, item_page
from ..source.fields import CATEGORIES
from .markup import cn_date, link, md, page


def pages(site) -> dict:
    return {"index.md": make(site)}


def make(site) -> bytes:
    src = "index.md"
    today = site.today
    recent = today - dt.timedelta(days=7)
    parts = [f"# {md(site.config.office_name)} 信息刊物库", f"资料截至 {cn_date(today)}。"]
    urgent_issues = sorted((i for i in site.view.issues if editions.of(site.config.periodicals[i.periodical]).on_home
                            and i.date >= recent), key=lambda i: i.date, reverse=True)
    urgent_items = sorted((i for i in site.view.items.values() if i.date >= recent
                           and (i.category == "突发事件" or i.urgency == "特急")), key=lambda i: (i.date, i.id), reverse=True)
    if urgent_issues or urgent_items:
        parts.append("## 重要信息")
        lines = [f"- **[{site.label(i)}]({link(src, issue_page(i))})**（{cn_date(i.date)}）"
                 for i in urgent_issues]
        lines += [f"- {i.date:%m-%d} [{md(i.title)}]({link(src, item_page(i))})（{md(site.unit_name(i.unit))}，{i.urgency}）"
                  for i in urgent_items]
        parts.append("\n".join(lines))
    parts.append("## 各刊最新一期")
    rows = ["| 刊物 | 最新一期 | 日期 | 条数 |", "| --- | --- | --- | ---: |"]
    for pid in site.view.audience.periodicals:
        p = site.config.periodicals[pid]
        issues = site.view.issues_of(pid)
        if not issues:
            rows.append(f"| [{md(p.edition)}](periodicals/{pid}/index.md) | — | — | — |")
            continue
        last = max(issues, key=lambda i: (i.date, i.year, i.number))
        rows.append(f"| [{md(p.edition)}](periodicals/{pid}/index.md) | [{last.year}年第{last.number}期]"
                    f"({issue_page(last)}) | {cn_date(last.date)} | {len(last.item_ids)} |")
    parts.append("\n".join(rows))
    month = [i for i in site.view.items.values() if (i.date.year, i.date.month) == (today.year, today.month)]
    used = sum(1 for i in month if i.id in site.adopted)
    rate = f"{used / len(month):.0%}" if month else "—"
    parts.append(f"## {today.month}月数字")
    parts.append(f"| 收到信息 | 已采用 | 采用率 | 本月出刊 |\n| ---: | ---: | ---: | ---: |\n"
                 f"| {len(month)} | {used} | {rate} | "
                 f"{sum(1 for i in site.view.issues if (i.date.year, i.date.month) == (today.year, today.month))} |")
    counts = Counter(i.category for i in month)
    parts.append("本月各类别：" + "，".join(f"[{c}]({category_page(c)}) {counts[c]}" for c in CATEGORIES if counts[c]))
    return page("首页", "\n\n".join(parts), "home")
