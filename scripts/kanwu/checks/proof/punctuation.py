"""Punctuation as GB/T 15834-2011 has it in official documents: full-width marks in Chinese,
paired marks paired and nested, no doubled or clashing marks, the 顿号, ellipsis and dash forms."""

from __future__ import annotations

import re
from typing import Iterator

from zhon.hanzi import characters as _HANZI

from .rules import Hit
from .text import FILLER

H = f"[{_HANZI}]"
_F = FILLER
HALF = {",": "，", ".": "。", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF_CANDIDATE = re.compile(r"[,.;:?!]")
_IS_HANZI = re.compile(H)
_CN_MARKS = set("，。、；：？！”’）》")
_HALF_PARENS = re.compile(rf"\(([^()\n]*{H}[^()\n]*)\)")
_STRAIGHT_QUOTE = re.compile(rf'(?<={H})"|"(?={H})')
_ANY_HALF = re.compile(r'[,.;:?!()"]')

OPEN = "“‘（《〔【「『〈"
CLOSE = "”’）》〕】」』〉"
PAIR = dict(zip(OPEN, CLOSE))
_PAIRED = re.compile(f"[{OPEN}{CLOSE}]")

_DOUBLE = re.compile(r"([，、；：！？])\1+|(?<!。)。。(?!。)")
_STOPS = "。？！"
_COMBINATION = re.compile(r"[，、；：][，。、；：？！]|。[，、；：]|[？！][，。、；：]"
                          r"|(?<=[。？！])[”’」』）》](?=[，。、；：])|……[，。、；：]")
_NUM_CH = "一二三四五六七八九十"
_APPROX = re.compile(rf"(?<![\d{_NUM_CH}百千万亿〇两第])([{_NUM_CH[:-1]}两]|\d)、([{_NUM_CH}]|\d)(?=(?:十|百|千|万)?"
                     r"(?:个|人|天|次|名|家|件|条|项|岁|倍|户|辆|处|起|所|座|位|小时|元|公里|米|吨|亩|分钟))")
_ARABIC_SERIAL = re.compile(rf"(?:^|(?<=[\n：。；{_F}]))[ \t{_F}]*(\d{{1,2}})、(?!\d)")  # not 3、4号楼
_PAREN_SERIAL = re.compile(rf"[（(](?:[{_NUM_CH}]{{1,3}}|\d{{1,2}})[）)]、")
_ADJACENT = re.compile(r"[，。、；：？！…][，。、；：？！”’」』）》]")  # ”， alone is common and right
_DUNHAO_ANY = re.compile(rf"[\d{_NUM_CH}两）)]、")
_ELLIPSIS = re.compile(r"\.{3,}|。{3,}|(?<!…)…(?!…)|…{3,}")
_ELLIPSIS_ETC = re.compile(r"……等")
_DASH = re.compile(r"(?<![-A-Za-z0-9])(?:--+|－－+)(?![-A-Za-z0-9])|—{3,}|─{2,}")


def _value(c: str) -> int:
    return int(c) if c.isdigit() else 2 if c == "两" else _NUM_CH.index(c) + 1


def check(text: str, ctx=None) -> Iterator[Hit]:
    if _ANY_HALF.search(text):
        yield from _halfwidth(text)
    if _PAIRED.search(text):
        yield from _pairs(text)
    if _ADJACENT.search(text):  # two marks side by side: doubled or combined
        yield from _adjacent(text)
    if "、" in text and _DUNHAO_ANY.search(text):
        yield from _dunhao(text)
    if "…" in text or ".." in text or "。。。" in text:
        for m in _ELLIPSIS.finditer(text):
            yield Hit("punct-ellipsis", m.start(), m.end(), f"省略号写成了“{m.group(0)}”", "省略号是两个“…”：……", "……")
        for m in _ELLIPSIS_ETC.finditer(text):
            yield Hit("punct-ellipsis", m.start(), m.end(), "省略号和“等”一起用了", "二者只用其一：删去“等”或省略号")
    if "-" in text or "—" in text or "－" in text or "─" in text:
        for m in _DASH.finditer(text):
            yield Hit("punct-dash", m.start(), m.end(), f"破折号写成了“{m.group(0)}”", "破折号是两个“—”：——", "——")


def _adjacent(text: str) -> Iterator[Hit]:
    for m in _DOUBLE.finditer(text):
        yield Hit("punct-double", m.start(), m.end(), f"标点“{m.group(0)[0]}”连用了 {len(m.group(0))} 次",
                  f"只留一个“{m.group(0)[0]}”", m.group(0)[0])
    for m in _COMBINATION.finditer(text):
        s = m.group(0)
        if s[0] in "”’」』）》":
            yield Hit("punct-combination", m.start(), m.end() + 1, f"引号或括号内已有句末点号，外面又加了“{text[m.end()]}”",
                      "删去引号（括号）外的点号；引文是句子的一部分时，删去引号内的句号")
        elif s.startswith("……"):
            yield Hit("punct-combination", m.start(), m.end(), f"省略号后又加了“{s[-1]}”", "省略号后一般不再用点号，删去它")
        elif s[0] != s[1]:  # the same mark twice is punct-double's
            yield Hit("punct-combination", m.start(), m.end(), f"点号“{s[0]}”和“{s[1]}”连用", "只保留该用的一个")


def _neighbour(text: str, at: int, step: int) -> str:
    """The character next to ``at`` (step -1: before, 1: after), markup skipped; '' at an end."""
    at += step
    while 0 <= at < len(text) and text[at] == FILLER:
        at += step
    return text[at] if 0 <= at < len(text) else ""


def _halfwidth(text: str) -> Iterator[Hit]:
    """A half-width , ; : ? ! beside a hanzi or after a Chinese mark, a half-width . after a hanzi
    (not a decimal point or an ellipsis): each candidate mark judged by its neighbours."""
    for m in _HALF_CANDIDATE.finditer(text):
        mark, at = m.group(0), m.start()
        before, after = _neighbour(text, at, -1), _neighbour(text, at, 1)
        hanzi_before = bool(before) and _IS_HANZI.match(before) is not None
        if mark == ".":
            wrong = hanzi_before and not (after == "." or after.isdigit() or before == ".")
        else:
            wrong = hanzi_before or before in _CN_MARKS or (bool(after) and _IS_HANZI.match(after) is not None)
        if wrong:
            yield Hit("punct-halfwidth", at, at + 1, f"中文里用了半角的“{mark}”", f"改为全角的“{HALF[mark]}”", HALF[mark])
    for m in _HALF_PARENS.finditer(text) if "(" in text else ():
        yield Hit("punct-halfwidth", m.start(), m.end(), "中文里用了半角括号“( )”", "改为全角括号“（ ）”",
                  f"（{m.group(1)}）")
    opened = False
    for m in _STRAIGHT_QUOTE.finditer(text) if '"' in text else ():
        opened = not opened
        right = "“" if opened else "”"
        yield Hit("punct-halfwidth", m.start(), m.end(), '中文里用了半角引号“"”', f"改为“{right}”", right)


def _pairs(text: str) -> Iterator[Hit]:
    """Unpaired, crossed and wrongly nested marks, by a stack per paragraph. Only the first fault of
    each kind per paragraph: after one unpaired mark, the rest of its reading is a guess."""
    stack: list[tuple[str, int]] = []
    said = set()
    for m in _PAIRED.finditer(text):
        c, at = m.group(0), m.start()
        if c in PAIR:
            if c == "“" and any(o == "“" for o, _ in stack) and "nest" not in said:
                said.add("nest")
                yield Hit("punct-quote-nesting", at, at + 1, "引号里的引号用了双引号“", "里层改用单引号‘’")
            elif c == "‘" and not any(o == "“" for o, _ in stack) and "outer" not in said:
                said.add("outer")
                yield Hit("punct-quote-nesting", at, at + 1, "最外层引号用了单引号‘", "最外层用双引号“”，单引号只用在双引号里面")
            stack.append((c, at))
            continue
        if stack and PAIR[stack[-1][0]] == c:
            stack.pop()
            continue
        if any(PAIR[o] == c for o, _ in stack):  # closes an outer mark while an inner one is open
            inner, where = stack.pop()
            while stack and PAIR[stack[-1][0]] != c:
                stack.pop()
            stack.pop()
            if "cross" not in said:
                said.add("cross")
                yield Hit("punct-pair", where, where + 1, f"“{inner}”还没有配对的“{PAIR[inner]}”，外层的“{c}”就结束了",
                          f"在“{c}”之前补上“{PAIR[inner]}”，或删去多余的“{inner}”")
            continue
        if "close" not in said:
            said.add("close")
            opener = OPEN[CLOSE.index(c)]
            yield Hit("punct-pair", at, at + 1, f"“{c}”前面没有与之配对的“{opener}”", f"补上“{opener}”，或删去多余的“{c}”")
    for c, at in stack[:1]:
        yield Hit("punct-pair", at, at + 1, f"“{c}”没有配对的“{PAIR[c]}”", f"在该结束的地方补上“{PAIR[c]}”")


def _dunhao(text: str) -> Iterator[Hit]:
    for m in _APPROX.finditer(text):
        a, b = m.group(1), m.group(2)
        if a.isdigit() == b.isdigit() and _value(b) == _value(a) + 1:
            yield Hit("punct-dunhao", m.start(), m.end(), f"相邻的两个数字“{m.group(0)}”表示概数，中间不用顿号",
                      f"写作“{a}{b}”" if not a.isdigit() else f"写作“{a}～{b}”或汉字概数")
    for m in _ARABIC_SERIAL.finditer(text):
        yield Hit("punct-dunhao", m.start(1), m.end(), f"阿拉伯数字序号“{m.group(1)}”后用了顿号", f"改为“{m.group(1)}.”")
    for m in _PAREN_SERIAL.finditer(text):
        yield Hit("punct-dunhao", m.start(), m.end(), f"括号序号“{m.group(0)[:-1]}”后又加了顿号", "删去顿号")
