"""Statistics as the office reads them: ranked tables in the terminal, CSV and Excel."""

from __future__ import annotations

import csv
import io
import unicodedata

from .stats import Report

UNIT_COLUMNS = ("名次", "单位", "类型", "报送", "采用", "采用率", "上级采用", "获批示", "调研(年)", "调研要求",
                "应报", "缺报", "迟报", "缺续报", "月度最佳", "承办批示", "已反馈", "逾期", "市通报", "省通报", "得分", "评先资格")


def unit_values(report: Report, row, periodicals) -> list:
    values = [row.rank, row.name, row.kind, row.submitted, row.adopted, round(row.rate, 4), row.higher, row.instructed,
              row.research, row.research_minimum, row.quota_expected, row.quota_missed, row.late, row.missing_follow_up,
              row.best, row.handling, row.answered, row.overdue, row.criticisms_city, row.criticisms_province,
              row.score, "有" if row.eligible else "取消"]
    return values + [row.adopted_by_periodical.get(p.id, 0) for p in periodicals]


def unit_header(periodicals) -> list:
    return list(UNIT_COLUMNS) + [f"{p.edition}采用" for p in periodicals]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


def table(header: list, rows: list) -> str:
    cells = [[_fmt(v) for v in r] for r in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(header)]
    numeric = [all(isinstance(r[i], (int, float)) or str(r[i]).endswith("%") for r in rows) if rows else False
               for i in range(len(header))]
    lines = ["  ".join(_pad(h, widths[i], numeric[i]) for i, h in enumerate(header))]
    lines.append("  ".join("-" * w for w in widths))
    for r in cells:
        lines.append("  ".join(_pad(v, widths[i], numeric[i]) for i, v in enumerate(r)))
    return "\n".join(lines)


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def text_report(report: Report, config, officers: bool = False, unit: str | None = None) -> str:
    periodicals = list(config.periodicals.values())
    rows = [r for r in report.units if unit in (None, r.unit)]
    short = ["名次", "单位", "报送", "采用", "采用率", "上级采用", "获批示", "缺报", "迟报", "月度最佳", "得分", "评先资格"]
    full = unit_header(periodicals)
    picked = [[unit_values(report, r, periodicals)[full.index(c)] for c in short] for r in rows]
    for values in picked:
        values[short.index("采用率")] = f"{values[short.index('采用率')]:.0%}"
    out = [f"{config.office_name} 信息工作统计 — {report.period.label}（{report.period.start} 至 {report.period.end}）",
           "", table(short, picked)]
    if officers:
        out += ["", "信息员：", table(["信息员", "单位", "报送", "采用"],
                                    [[o.name, o.unit, o.submitted, o.adopted] for o in report.officers
                                     if unit in (None,) or o.unit == config.units[unit].name])]
    late = [x for x in report.late if unit in (None, x.item.unit)]
    if late:
        out += ["", "突发事件迟报："] + [f"  {x.item.date} {config.units[x.item.unit].short}：{x.item.title}"
                                     f"（首报用时 {x.hours:.1f} 小时）" for x in late]
    waiting = [o for o in report.instructions if unit in (None, o.unit)]
    if waiting:
        out += ["", "未反馈的领导批示："] + [
            f"  {o.instruction.date} {o.instruction.by}批示《{o.item.title}》— {config.units[o.unit].short}，"
            f"时限 {o.instruction.due}" + (f"，已逾期 {o.overdue_days} 天" if o.overdue_days else "") for o in waiting]
    return "\n".join(out)


def csv_report(report: Report, config) -> str:
    periodicals = list(config.periodicals.values())
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(unit_header(periodicals))
    for r in report.units:
        writer.writerow(unit_values(report, r, periodicals))
    return "\ufeff" + buf.getvalue()  # Excel on Windows needs the BOM to read UTF-8


def xlsx_report(report: Report, config, path: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    periodicals = list(config.periodicals.values())
    wb = Workbook()
    ws = wb.active
    ws.title = "单位排名"
    ws.append([f"{config.office_name} 信息工作统计 — {report.period.label}"])
    ws.append(unit_header(periodicals))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in report.units:
        ws.append(unit_values(report, r, periodicals))
    for row in ws.iter_rows(min_row=3, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "0%"
    ws.column_dimensions["B"].width = 26
    wo = wb.create_sheet("信息员")
    wo.append(["信息员", "单位", "报送", "采用"])
    for o in report.officers:
        wo.append([o.name, o.unit, o.submitted, o.adopted])
    wi = wb.create_sheet("领导批示督办")
    wi.append(["批示日期", "批示领导", "信息", "承办单位", "办理时限", "逾期天数"])
    for o in report.instructions:
        wi.append([o.instruction.date, o.instruction.by, o.item.title, config.units[o.unit].name, o.instruction.due,
                   o.overdue_days])
    wl = wb.create_sheet("突发事件迟报")
    wl.append(["日期", "单位", "信息", "首报用时（小时）"])
    for x in report.late:
        wl.append([x.item.date, config.units[x.item.unit].name, x.item.title, round(x.hours, 1)])
    tmp = path + ".tmp"
    wb.save(tmp)
    import os
    os.replace(tmp, path)
