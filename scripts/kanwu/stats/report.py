"""Statistics as the office reads them: ranked tables in the terminal, CSV and Excel."""

from __future__ import annotations

import csv
import io
import unicodedata

from . import DEFINITIONS, Report, counted_items

UNIT_COLUMNS = ("名次", "单位", "类型", "报送", "已采用", "采用", "采用率", "上级采用", "获批示", "调研(年)", "调研要求",
                "应报", "缺报", "迟报", "缺续报", "月度最佳", "承办批示", "已反馈", "逾期", "市通报", "省通报", "得分", "评先资格")


def unit_values(report: Report, row, periodicals) -> list:
    values = [row.rank, row.name, row.kind, row.submitted, row.taken, row.adopted, round(row.rate, 4), row.higher, row.instructed,
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


def text_report(report: Report, config, officers: bool = False, unit: str | None = None, data=None) -> str:
    periodicals = list(config.periodicals.values())
    rows = [r for r in report.units if unit in (None, r.unit)]
    short = ["名次", "单位", "报送", "已采用", "采用率", "采用", "上级采用", "获批示", "缺报", "迟报", "缺续报", "月度最佳", "得分",
             "评先资格"]
    full = unit_header(periodicals)
    picked = [[unit_values(report, r, periodicals)[full.index(c)] for c in short] for r in rows]
    for values in picked:
        values[short.index("采用率")] = f"{values[short.index('采用率')]:.0%}"
    out = [f"{config.office_name} 信息工作统计 — {report.period.label}（{report.period.start} 至 {report.period.end}）",
           "", table(short, picked), "", counted_items(data) if data is not None else "", DEFINITIONS]
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


FONT = "宋体"  # the CJK face Excel and WPS have on every office machine


def xlsx_report(report: Report, config, path: str, data=None) -> None:
    """The tables as a workbook ready to hand out: a bold merged title, the header frozen and
    repeated on every printed page, borders, column widths fitted to the text, A4 landscape one
    page wide, and beneath each table what it counts."""
    from openpyxl import Workbook

    periodicals = list(config.periodicals.values())
    title = f"{config.office_name}信息工作统计 — {report.period.label}（{report.period.start} 至 {report.period.end}）"
    notes = [counted_items(data) if data is not None else counted_items(_All(config)), DEFINITIONS]
    wb = Workbook()
    header = unit_header(periodicals)
    _sheet(wb.active, "单位排名", title, header, [unit_values(report, r, periodicals) for r in report.units], notes,
           percent={header.index("采用率")})
    _sheet(wb.create_sheet(), "信息员", title, ["信息员", "单位", "报送", "采用"],
           [[o.name, o.unit, o.submitted, o.adopted] for o in report.officers], notes[:1])
    _sheet(wb.create_sheet(), "领导批示督办", title, ["批示日期", "批示领导", "信息", "承办单位", "办理时限", "逾期天数"],
           [[o.instruction.date, o.instruction.by, o.item.title, config.units[o.unit].name, o.instruction.due, o.overdue_days]
            for o in report.instructions], ["截至统计日期尚未反馈的批示，按批示日期先后。"])
    _sheet(wb.create_sheet(), "突发事件迟报", title, ["日期", "单位", "信息", "首报用时（小时）"],
           [[x.item.date, config.units[x.item.unit].name, x.item.title, round(x.hours, 1)] for x in report.late],
           [f"首报用时超过 {config.emergency_deadline_hours:g} 小时为迟报。"])
    tmp = path + ".tmp"
    wb.save(tmp)
    import os
    os.replace(tmp, path)


class _All:
    """Stands for the whole repository where no data is given (every item counted)."""

    def __init__(self, config):
        self.config = config


def _sheet(ws, name: str, title: str, header: list, rows: list, notes: list, percent=frozenset()) -> None:
    import datetime as dt

    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws.title = name
    width = len(header)
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([title] + [None] * (width - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).font = Font(name=FONT, bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = box
    for values in rows:
        ws.append(values)
    for row in ws.iter_rows(min_row=3, max_row=2 + len(rows), max_col=width):
        for i, cell in enumerate(row):
            cell.font = Font(name=FONT)
            cell.border = box
            if i in percent:
                cell.number_format = "0%"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    at = 3 + len(rows)
    for note in notes:
        ws.cell(at, 1, note).font = Font(name=FONT, size=9)
        ws.cell(at, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=at, start_column=1, end_row=at, end_column=width)
        ws.row_dimensions[at].height = 15 * (1 + _width(note) // max(40, 2 * width * 5))
        at += 1
    for i, head in enumerate(header):
        texts = [head] + [_fmt(r[i]) if not isinstance(r[i], dt.date) else "2026-11-30" for r in rows]
        ws.column_dimensions[get_column_letter(i + 1)].width = min(40, max(6, max(_width(t) for t in texts) + 2))
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
