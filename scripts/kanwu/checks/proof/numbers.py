"""Numbers as GB/T 15835-2011 has them: half-width digits, years written out, one form per
expression, ranges with ～, 〇 in years written in characters, thousands grouped by three."""

from __future__ import annotations

import re
from typing import Iterator

from .punctuation import H
from .rules import Hit

CN_DIGITS = "〇一二三四五六七八九"
_FULL = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")
_SHORT_YEAR = re.compile(r"(?<![\d０-９.])(\d{2})年(?=\d{1,2}月|[上下]半年|底|初|末|起|开始|第[一二三四1-4]季度)")
_SHORT_CN_YEAR = re.compile(r"(?<![〇零○一二三四五六七八九十百千万两])([〇零○一二三四五六七八九]{2})年"
                            r"(?=[一二三四五六七八九十]{1,2}月|[上下]半年|底|初|末|以来|起|开始)")
_CN_MONTH = "一二三四五六七八九十"
_DATE = re.compile(rf"((?:\d{{4}}|[〇零○{CN_DIGITS[1:]}]{{4}})年)?(\d{{1,2}}|[{_CN_MONTH}]{{1,3}})月(?:(\d{{1,2}}|[{_CN_MONTH}]{{1,3}})[日号])?")
_PERCENT = re.compile(r"百分之[\d.]+")
_RANGE = re.compile(rf"(?<![A-Za-z\d.\-/:])(\d+(?:\.\d+)?)([%％]?)([-~－])(\d+(?:\.\d+)?)(?=[%％℃]|{H})")
_CN_YEAR = re.compile(r"[〇零○OＯ0０一二三四五六七八九]{4}(?=年)")
_CN_SEP = re.compile(r"(?<![\d，])\d{1,3}(?:，\d{3})+(?=[人户元万亿亩吨个家件名米辆套台千起次处座所项条张份])")
_BAD_GROUP = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})*,(?:\d{1,2}|\d{4,})(?![\d,])")
_FULL_ANY = re.compile(r"[０-９Ａ-Ｚａ-ｚ]")
_CN_SEP_ANY = re.compile(r"\d，\d")


def check(text: str, ctx=None) -> Iterator[Hit]:
    # each pattern only where its marker is: most paragraphs have digits, few have what these look for
    has_year, has_month = "年" in text, "月" in text
    if _FULL_ANY.search(text):
        for m in _FULL.finditer(text):
            half = "".join(chr(ord(c) - 0xFEE0) for c in m.group(0))
            yield Hit("num-fullwidth", m.start(), m.end(), f"“{m.group(0)}”是全角的数字或字母", f"改为半角“{half}”", half)
    if has_year:
        yield from _years(text)
    if has_month:
        for m in _DATE.finditer(text):
            forms = {part.removesuffix("年").isascii() for part in m.groups() if part}
            if len(forms) > 1:
                yield Hit("num-mixed", m.start(), m.end(), f"日期“{m.group(0)}”里阿拉伯数字和汉字数字混用",
                          "统一用阿拉伯数字（2026年11月20日），或统一用汉字（二〇二六年十一月二十日）")
    if "百分之" in text:
        for m in _PERCENT.finditer(text):
            yield Hit("num-mixed", m.start(), m.end(), f"“{m.group(0)}”里阿拉伯数字和汉字数字混用",
                      "写作“5%”，或全用汉字“百分之五”")
    if "-" in text or "~" in text or "－" in text:
        for m in _RANGE.finditer(text):
            a, b = m.group(1), m.group(4)
            if (a.startswith("0") and len(a) >= 3) or len(a) > 6 or len(b) > 6:
                continue  # an area code or a serial number, not a range
            new = f"{a}{m.group(2)}～{b}"
            yield Hit("num-range", m.start(), m.end(), f"数值范围“{m.group(0)}”用了“{m.group(3)}”", f"改为浪纹线“{new}”", new)
    if _CN_SEP_ANY.search(text):
        for m in _CN_SEP.finditer(text):
            yield Hit("num-separator", m.start(), m.end(), f"数字“{m.group(0)}”用中文逗号分节",
                      f"中文逗号会被读成两个数：写作“{m.group(0).replace('，', '')}”")
    if "," in text:
        for m in _BAD_GROUP.finditer(text):
            yield Hit("num-separator", m.start(), m.end(), f"数字“{m.group(0)}”的千分位不是三位一节",
                      f"核对数值，写作“{m.group(0).replace(',', '')}”")


def _years(text: str) -> Iterator[Hit]:
    """The patterns that end in 年, tried only before each 年 (most paragraphs have one or two)."""
    at = text.find("年")
    while at >= 0:
        yield from _year_at(text, at)
        at = text.find("年", at + 1)


def _year_at(text: str, at: int) -> Iterator[Hit]:
    m = _SHORT_YEAR.match(text, max(0, at - 2))
    if m and m.end() == at + 1:
        yield Hit("num-year-short", m.start(), m.end(), f"年份“{m.group(0)}”只写了后两位", f"写全，如“20{m.group(1)}年”")
    m = _SHORT_CN_YEAR.match(text, max(0, at - 2))
    if m and m.end() == at + 1:
        a, b = (CN_DIGITS.find(c) for c in m.group(1))
        if not (a >= 3 and b == a + 1):  # 五六年: an approximate number of years, not a year (二三年 is 2023)
            yield Hit("num-year-short", m.start(), m.end(), f"年份“{m.group(0)}”只写了后两位", "写全，如“二〇一九年”或“2019年”")
    m = _CN_YEAR.match(text, max(0, at - 4)) if at >= 4 else None
    if m:
        s = m.group(0)
        if sum(c in CN_DIGITS[1:] for c in s) >= 2 and any(c in "零○OＯ0０" for c in s):
            new = "".join("〇" if c in "零○OＯ0０" else c for c in s)
            yield Hit("num-zero", m.start(), m.end(), f"年份“{s}年”里的零写成了“{next(c for c in s if c in '零○OＯ0０')}”",
                      f"汉字年份的零写作“〇”：{new}年", new)
