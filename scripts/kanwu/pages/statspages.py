"""Site pages after publication: statistics with SVG charts, notices (通报), supervision (督办)."""

from __future__ import annotations

from collections import defaultdict

from . import charts
from .. import stats
from ..stats import defects
from .markup import cn_date, html_link, html_list, html_table, link, md, page
from ..paths import item_page, notice_page, notice_pdf
from ..source.render import esc


def notice_periods(site) -> list[stats.Period]:
    """Every month and quarter that has items, newest first."""
    months = {(i.date.year, i.date.month) for i in site.view.items.values()}
    months |= {(k // 100, k % 100) for y, e in getattr(site, "sealed", {}).items() for kind, k in e["summary"]["counts"]
               if kind == "month"}
    months = sorted(months, reverse=True)
    out = [stats.parse_period(f"{y}-{m:02d}", site.today) for y, m in months]
    quarters = sorted({(y, (m - 1) // 3 + 1) for y, m in months}, reverse=True)
    out += [stats.parse_period(f"{y}-Q{q}", site.today) for y, q in quarters]
    return out


def closed(period: stats.Period, today) -> bool:
    """Whether a period is over by the build's date: only then is its notice printed (PDF)."""
    return period.end < today


def notice_slug(period: stats.Period) -> str:
    if period.start.month == period.end.month:
        return f"{period.start:%Y-%m}"
    return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"


def pages(site) -> dict:
    out = {}
    out.update(statistics(site))
    out["supervision.md"] = supervision(site)
    periods = notice_periods(site)
    rows = []
    for period in periods:
        slug = notice_slug(period)
        path = notice_page(slug)
        if period.start.year in site.sealed:
            pass  # kept with its year's pages
        elif closed(period, site.today):  # kept while its inputs stay (an open period's shows today's numbers)
            key = f"通报|{f'pdf/notices/{slug}.pdf' in site.pdfs}|{stats.notice_key(site.view, period, site.evaluation)}"
            out[path] = site.memo(path, key, lambda period=period, path=path: notice(site, period, path))
        else:
            out[path] = notice(site, period, path)
        rows.append(f"- [{period.label}信息工作通报]({slug}.md)")
    out["notices/index.md"] = page("通报", "# 信息工作通报\n\n" + ("\n".join(rows) or "暂无。"), "listing")
    return out


def ranking_table(site, report, src) -> str:
    """The units ranked, as raw HTML (see ``markup.html_list``): 100+ rows, on pages rewritten by every publish."""
    head = ["名次", "单位", "报送", "已采用", "采用率", "采用", "上级采用", "获批示", "缺报", "迟报", "缺续报", "月度最佳", "得分",
            "评先资格"]
    rows = [[r.rank, html_link(src, f"units/{r.unit}.md", r.name), r.submitted, r.taken, f"{r.rate:.0%}", r.adopted, r.higher,
             r.instructed, f"{r.quota_missed}/{r.quota_expected}", r.late, r.missing_follow_up, r.best, f"{r.score:g}",
             "有" if r.eligible else "<strong>取消</strong>"] for r in report.units]
    return (html_table(head, rows, right=set(range(13)) - {1})
            + f"\n\n{md(stats.counted_items(site.view))}\n\n{md(stats.DEFINITIONS)}")


def notice(site, period, src) -> bytes:
    config = site.config
    report = stats.compute(site.view, period, site.evaluation, site.today)
    slug = notice_slug(period)
    parts = [f"# {period.label}信息工作通报",
             f"{md(config.office_name)}（{cn_date(period.start)}至{cn_date(period.end)}）"]
    pdf = notice_pdf(slug)
    if pdf in site.pdfs:
        parts.append(f"[下载 PDF（印刷版）]({link(src, pdf)}){{ .md-button }}")
    elif not closed(period, site.today):
        parts.append(f"本期尚未结束：以下为截至{cn_date(site.today)}的数据，印刷版通报（PDF）在期满后生成。")
    parts += ["## 一、各单位得分和排名", ranking_table(site, report, src),
              "“缺报”为没有报送信息的工作日（县区，每日报送）或周（市直单位，每周报送）/ 应报数。"]
    met = [r for r in report.units if r.quota_expected and not r.quota_missed]
    missed = [r for r in report.units if r.quota_missed]
    parts.append("## 二、报送频次")
    parts.append("完成报送要求的单位：" + ("、".join(md(r.name) for r in met) or "无") + "。")
    parts.append("未完成报送要求的单位：" + ("；".join(f"{md(r.name)}（缺报 {r.quota_missed} 次）" for r in missed) or "无") + "。")
    parts.append("## 三、突发事件报送")
    if report.late:
        parts.append("\n".join(f"- {md(site.unit_name(x.item.unit))}：[{md(x.item.title)}]({link(src, item_page(x.item))})，"
                               f"事发后 {x.hours:.1f} 小时首报，超过 {config.emergency_deadline_hours:g} 小时时限（迟报）"
                               for x in report.late))
    else:
        parts.append("本期没有迟报。")
    if report.missing_follow_up:
        parts.append("首报后尚无续报：" + "；".join(f"[{md(i.title)}]({link(src, item_page(i))})"
                                             for i in report.missing_follow_up) + "。")
    parts.append("## 四、月度最佳信息")
    parts.append("\n".join(f"- [{md(i.title)}]({link(src, item_page(i))})（{md(site.unit_name(i.unit))}）"
                           for i in report.best) or "本期未评选。")
    parts.append("## 五、无差错检查")
    parts += defects_section(site, period, src)
    return page(f"{period.label}信息工作通报", "\n\n".join(parts), "notice")


def defects_section(site, period, src, detail: bool = True) -> list[str]:
    """The error-free review of a period: defects per periodical and per unit in what its signed
    issues printed, and (``detail``) each defect with its item."""
    found = defects.compute(site.view, period)
    if not any(r.issues for r in found.periodicals):
        return ["本期没有签发的期。"]
    out = [f"按已签发的期刊登的信息校对（规则和级别见 `content/kanwu.yml` 的 proofreading）：共发现差错 {found.total} 处。",
           html_table(["刊物", "期数", "刊登信息", "字数", "错误", "警告", "每万字差错"],
                      [[esc(r.name), r.issues, r.items, r.chars, r.errors, r.warnings, f"{r.per_10k:.2f}"] for r in found.periodicals],
                      right={1, 2, 3, 4, 5, 6})]
    if found.units:
        out.append(html_table(["单位", "刊登信息", "错误", "警告", "每万字差错"],
                              [[html_link(src, f"units/{r.key}.md", r.name), r.items, r.errors, r.warnings, f"{r.per_10k:.2f}"]
                               for r in found.units], right={1, 2, 3, 4}))
    else:
        out.append("各单位刊登的信息均未发现差错。")
    if detail and found.items:
        out.append("\n".join(f"- [{md(i.title)}]({link(src, item_page(i))})（{md(site.unit_name(i.unit))}）："
                              + "；".join(md(defects.finding_text(f)) for f in fs) for i, fs in found.items))
    out.append("“错误”“警告”按校对规则的级别计；一条信息在几种刊物上刊登，各刊分别计数，单位只计一次。")
    return out


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
    by_month = defaultdict(lambda: [0, 0])
    used = {i for issue in view.issues for i in issue.item_ids}
    for item in site.made_items:
        key = f"{item.date.year}年{item.date.month}月"
        by_month[key][0] += 1
        by_month[key][1] += item.id in used
    for entry in site.sealed.values():
        for (kind, k), (n, adopted) in entry["summary"]["counts"].items():
            if kind == "month":
                by_month[f"{k // 100}年{k % 100}月"][0] += n
                by_month[f"{k // 100}年{k % 100}月"][1] += adopted
    months = sorted(by_month, key=lambda k: (int(k[:4]), int(k[5:-1])))[-12:]
    svg_months = charts.bars("各月收到与采用的信息", months,
                             [("收到", [by_month[m][0] for m in months], "#9db4d1"),
                              ("采用", [by_month[m][1] for m in months], "#d42020")])
    adopted_by_periodical = defaultdict(int)
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


def supervision(site) -> bytes:
    src = "supervision.md"
    pending = stats.open_among(site.instructed(), site.config.units, site.today)
    parts = ["# 督办：领导批示办理情况", "件件有回音，事事有着落。以下为尚未反馈的批示，按批示时间先后排列。"]
    if pending:
        rows = [[cn_date(o.instruction.date), esc(o.instruction.by), html_link(src, item_page(o.item), o.item.title),
                 esc(site.unit_name(o.unit)), cn_date(o.instruction.due),
                 f'<span class="kanwu-overdue">已逾期 {o.overdue_days} 天</span>' if o.overdue_days else "办理中"]
                for o in pending]
        parts.append(html_table(["批示日期", "批示领导", "信息", "承办单位", "办理时限", "状态"], rows))
    else:
        parts.append("所有批示均已反馈。")
    closed = [(i, ins) for i in site.instructed() for ins in i.instructions if ins.closed]
    parts.append("## 已办结")
    parts.append(html_list([f"{cn_date(ins.date)} {esc(ins.by)}批示 {html_link(src, item_page(i), i.title)}，"
                            f"{len(ins.feedback)} 份反馈" for i, ins in sorted(closed, key=lambda x: x[1].date)]) or "暂无。")
    return page("督办", "\n\n".join(parts), "listing")
