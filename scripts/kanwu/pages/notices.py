"""The notices (通报), one per month and quarter: ranking and scores, quotas, late emergency
reports, the best items, the error-free review (无差错). A closed period's is printed too (PDF)."""

from __future__ import annotations

from .. import stats
from ..paths import item_page, notice_page, notice_pdf
from ..source.render import esc
from ..stats import defects
from .markup import cn_date, html_link, html_table, link, md, page


def pages(site) -> dict:
    out = {}
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


def notice_periods(site) -> list[stats.Period]:
    """Every month and quarter that has items, newest first."""
    months = {(i.date.year, i.date.month) for i in site.view.items.values()}
    months |= {(k // 100, k % 100) for y, e in getattr(site, "sealed", {}).items() for kind, k in e.summary.counts
               if kind == "month"}
    newest_first = sorted(months, reverse=True)
    out = [stats.parse_period(f"{y}-{m:02d}", site.today) for y, m in newest_first]
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
