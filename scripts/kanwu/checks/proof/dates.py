"""Dates and times in the text against the calendar and the item's own front matter."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Iterator

from .rules import Hit

_N = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
_DATE = re.compile(rf"(?:(\d{{4}})年)?({_N})月({_N})[日号]")
_WEEKDAY = re.compile(r"[（(]?(?:星期|周|礼拜)([一二三四五六日天])[）)]?")
_WEEKDAYS = "一二三四五六日"
_RELATIVE = {"前天": 2, "昨天": 1, "昨日": 1, "今天": 0, "今日": 0}
_REL = re.compile(r"前天|昨天|昨日|今天|今日")
_TIME = re.compile(rf"(?:(?:({_N})月)?({_N})[日号])?(凌晨|清晨|早上|上午|中午|下午|傍晚|晚上|夜间|深夜)?(\d{{1,2}})[时点](?:(\d{{1,2}})分|半)?")
_FUTURE = re.compile(r"将|拟|计划|预计|预报|预警|力争|定于|要求|争取")


def cn_number(text: str) -> int:
    """11 for "11" or "十一", 20 for "二十", 31 for "三十一"."""
    if text.isdigit():
        return int(text)
    digits = "一二三四五六七八九"
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (digits.index(tens) + 1 if tens else 1) * 10 + (digits.index(ones) + 1 if ones else 0)
    return digits.index(text) + 1 if len(text) == 1 else 0


def _year_near(month: int, day: int, ref: dt.date) -> int:
    """The year a date without one most likely means: the nearest to the item's date."""
    best = ref.year
    for y in (ref.year - 1, ref.year, ref.year + 1):
        try:
            if abs((dt.date(y, month, day) - ref).days) < abs((dt.date(best, month, day) - ref).days):
                best = y
        except ValueError:
            pass
    return best


def check(text: str, ctx) -> Iterator[Hit]:
    if "月" not in text and not _REL.search(text) and not ctx.reported_at:
        return
    ref = ctx.date
    dates = []
    for m in _DATE.finditer(text):
        month, day = cn_number(m.group(2)), cn_number(m.group(3))
        year = int(m.group(1)) if m.group(1) else None
        if not 1 <= month <= 12:
            yield Hit("date-invalid", m.start(), m.end(), f"“{m.group(0)}”：一年没有{month}月", "核对月份")
            continue
        y = year or _year_near(month, min(day, 28), ref)
        last = calendar.monthrange(y, month)[1]
        if not 1 <= day <= last:
            why = f"{y}年{month}月只有{last}天" if month == 2 else f"{month}月只有{last}天"
            yield Hit("date-invalid", m.start(), m.end(), f"日期“{m.group(0)}”不存在：{why}", "核对日期")
            continue
        if year is None:
            y = _year_near(month, day, ref)
        day_ = dt.date(y, month, day)
        dates.append((m, day_))
        w = _WEEKDAY.match(text, m.end())
        if w:
            said = _WEEKDAYS.index("日" if w.group(1) == "天" else w.group(1))
            if said != day_.weekday():
                yield Hit("date-weekday", m.start(), w.end(),
                          f"{y}年{month}月{day}日是星期{_WEEKDAYS[day_.weekday()]}，不是星期{w.group(1)}", "核对日期和星期")
    yield from _relative(text, ctx, dates)
    if ctx.reported_at and ("时" in text or "点" in text):
        yield from _after_report(text, ctx)


def _relative(text: str, ctx, dates) -> Iterator[Hit]:
    base = ctx.reported_at.date() if ctx.reported_at else ctx.date
    for m in _REL.finditer(text):
        meant = base - dt.timedelta(days=_RELATIVE[m.group(0)])
        after = text[m.end():m.end() + 1]
        if after in "（(":  # 昨天（11月22日） / 昨天（星期日）
            close = text.find("）" if after == "（" else ")", m.end())
            inner = text[m.end() + 1:close] if close > 0 else ""
            for d in _DATE.finditer(inner):
                try:
                    said = dt.date(int(d.group(1)) if d.group(1) else meant.year, cn_number(d.group(2)), cn_number(d.group(3)))
                except ValueError:
                    continue
                if said != meant:
                    yield Hit("date-relative", m.start(), close + 1,
                              f"“{m.group(0)}”是{meant.month}月{meant.day}日（按{'首报时间' if ctx.reported_at else '信息日期'}"
                              f"{base.month}月{base.day}日算），括号里写的是{said.month}月{said.day}日", "核对日期，或不用“昨天”“今天”")
            w = _WEEKDAY.fullmatch(inner)
            if w:
                said_w = _WEEKDAYS.index("日" if w.group(1) == "天" else w.group(1))
                if said_w != meant.weekday():
                    yield Hit("date-relative", m.start(), close + 1,
                              f"“{m.group(0)}”是{meant.month}月{meant.day}日，星期{_WEEKDAYS[meant.weekday()]}，不是星期{w.group(1)}",
                              "核对日期，或不用“昨天”“今天”")
        for d, day in dates:  # 11月22日（昨天）
            if d.end() < m.start() <= d.end() + 2 and text[d.end():m.start()] in ("（", "("):
                if day != meant:
                    yield Hit("date-relative", d.start(), m.end() + 1,
                              f"{day.month}月{day.day}日不是“{m.group(0)}”：“{m.group(0)}”是{meant.month}月{meant.day}日",
                              "核对日期，或不用“昨天”“今天”")


def _after_report(text: str, ctx) -> Iterator[Hit]:
    """An emergency report tells what has happened: a time in it after the first report is a slip
    (a wrong day, 下午 for 上午), unless it says what is planned (将、计划、预计……)."""
    rep = ctx.reported_at
    for m in _TIME.finditer(text):
        hour = int(m.group(4))
        if hour > 24 or (m.group(5) and int(m.group(5)) > 59):
            continue
        if m.group(3) in ("下午", "傍晚", "晚上", "深夜") and hour < 12:
            hour += 12
        elif m.group(3) == "中午" and hour < 6:
            hour += 12
        minute = int(m.group(5)) if m.group(5) else (30 if m.group(0).endswith("半") else 0)
        day = rep.date()
        if m.group(2):
            try:
                month = cn_number(m.group(1)) if m.group(1) else day.month
                day = dt.date(_year_near(month, cn_number(m.group(2)), day), month, cn_number(m.group(2)))
            except ValueError:
                continue
        elif not m.group(3):
            continue  # a bare "8时" may be any day: not enough to tell
        when = dt.datetime.combine(day, dt.time(hour % 24, minute), rep.tzinfo) + dt.timedelta(days=hour // 24)
        if when > rep and not _FUTURE.search(text[max(0, m.start() - 8):m.start()]) and not text.startswith("前", m.end()):
            yield Hit("date-after-report", m.start(), m.end(),
                      f"正文写的“{m.group(0)}”晚于首报时间 {rep:%m月%d日%H:%M}", "核对时间（是否把上午写成下午、日期写错）")
