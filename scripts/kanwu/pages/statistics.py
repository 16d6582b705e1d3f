"""The statistics page: this month's ranking, charts (SVG, drawn here), this quarter's error-free review."""

from __future__ import annotations

from collections import defaultdict

from . import charts
from .. import stats
from .markup import cn_date, page
from .notices import defects_section, notice_slug, ranking_table


def pages(site) -> dict:
    return statistics(site)


def statistics(site) -> dict:
    src = "stats/index.md"
    view = site.view
    today = site.today
    month = stats.parse_period(f"{today:%Y-%m}", today)
    quarter = stats.parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}", today)
    report = stats.compute(view, month, site.evaluation, today)
    top = [r for r in report.units if r.submitted or r.adopted][:20]
    svg_units = charts.bars(f"{month.label}各单位报送与采用", [r.name for r in top],
                            [("报送", [r.submitted for r in top], "#9db4d1"), ("采用", [r.adopted for r in top], "#d42020")])
    by_month: dict = defaultdict(lambda: [0, 0])
    used = {i for issue in view.issues for i in issue.item_ids}
    for item in site.made_items:
        key = f"{item.date.year}年{item.date.month}月"
        by_month[key][0] += 1
        by_month[key][1] += item.id in used
    for entry in site.sealed.values():
        for (kind, k), (n, adopted) in entry.summary.counts.items():
            if kind == "month":
                by_month[f"{k // 100}年{k % 100}月"][0] += n
                by_month[f"{k // 100}年{k % 100}月"][1] += adopted
    months = sorted(by_month, key=lambda k: (int(k[:4]), int(k[5:-1])))[-12:]
    svg_months = charts.bars("各月收到与采用的信息", months,
                             [("收到", [by_month[m][0] for m in months], "#9db4d1"),
                              ("采用", [by_month[m][1] for m in months], "#d42020")])
    adopted_by_periodical: dict = defaultdict(int)
    for issue in view.issues:
        if issue.date in month:
            adopted_by_periodical[issue.periodical] += len(issue.item_ids)
    pids = [p for p in view.audience.periodicals if p in site.config.periodicals]
    svg_periodicals = charts.bars(f"{month.label}各刊采用条数", [site.config.periodicals[p].edition for p in pids],
                                  [("采用", [adopted_by_periodical[p] for p in pids], "#d42020")])
    body = ["# 统计", f"数据截至 {cn_date(today)}。各单位得分按 `content/kanwu.yml` 中的考核规则计算；"
            "全部时段的通报见[通报](../notices/index.md)，领导批示办理情况见[督办](../supervision.md)。",
            f"## {month.label}排名", ranking_table(site, report, src),
            "## 图表", "![各单位报送与采用](units.svg)", "![各月收到与采用](months.svg)", "![各刊采用条数](periodicals.svg)",
            f"## {quarter.label}无差错检查", *defects_section(site, quarter, src, detail=False),
            f"各条差错见[{quarter.label}信息工作通报](../notices/{notice_slug(quarter)}.md)。"]
    return {src: page("统计", "\n\n".join(body), "listing"), "stats/units.svg": svg_units.encode("utf-8"),
            "stats/months.svg": svg_months.encode("utf-8"), "stats/periodicals.svg": svg_periodicals.encode("utf-8")}
