"""The supervision page (督办): leaders' instructions not yet answered, and those closed."""

from __future__ import annotations

from .. import stats
from ..paths import item_page
from ..source.render import esc
from .markup import cn_date, html_link, html_list, html_table, page


def pages(site) -> dict:
    return {"supervision.md": supervision(site)}


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
