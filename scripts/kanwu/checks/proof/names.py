"""Names: leaders with their titles on the item's date (content/leaders.yml), and the units'
names as content/units.yml registers them (full name or short name)."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from typing import Iterator

from .rules import Hit

# Common surnames: a title followed by one of these and a verb is taken for "title + name"
SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
               "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
_VERB = re.compile(r"同志|指出|强调|要求|表示|主持|出席|批示|讲话|深入|带队|一行|调研|参加|听取|宣布|提出|作了|先后|在|到|赴|来|率|说")
_ORGS = ("市人大常委会", "市委", "市政府", "市政协", "市纪委", "市监委")
_PAST = ("原", "时任", "前任")
_WORD_SUFFIX = ("委员会", "办公室", "局", "委", "办", "部", "院", "厅", "中心")


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def short_title(title: str) -> str:
    """书记 for 市委书记, 主任 for 市人大常委会主任, 市长 for 市长: the form written after a name."""
    for org in _ORGS:
        if title.startswith(org) and len(title) > len(org):
            return title[len(org):]
    return title


class Leaders:
    """The registry, ready to look up: who held which title on a day."""

    def __init__(self, entries):
        self.entries = tuple(entries)  # source.proofdata.Leader
        self.names = sorted({e.name for e in self.entries}, key=len, reverse=True)
        titles = {e.title for e in self.entries}
        # every form a title is written in, full and short, longest first (before or after a name)
        self.titles = sorted(titles | {short_title(t) for t in titles}, key=len, reverse=True)
        self.name_re = re.compile("|".join(map(re.escape, self.names))) if self.names else None
        full = sorted(titles, key=len, reverse=True)
        self.title_re = re.compile("|".join(map(re.escape, full))) if full else None

    def held(self, name: str, day: dt.date) -> list:
        return [e for e in self.entries if e.name == name and e.start <= day and (e.end is None or day <= e.end)]

    def ever(self, name: str) -> list:
        return [e for e in self.entries if e.name == name]

    def holders(self, title: str, day: dt.date) -> list:
        return [e for e in self.entries if e.title == title and e.start <= day and (e.end is None or day <= e.end)]


def _fits(title: str, entries) -> bool:
    return any(title in (e.title, short_title(e.title)) for e in entries)


def _now(name: str, entries) -> str:
    return f"{name}当时任" + "、".join(e.title for e in entries) if entries else f"{name}当时不在 content/leaders.yml 登记的职务上"


def check_leaders(text: str, ctx) -> Iterator[Hit]:
    reg = ctx.leaders
    if reg is None or reg.name_re is None:
        return
    day = ctx.date
    named = []
    for m in reg.name_re.finditer(text):
        name, held = m.group(0), reg.held(m.group(0), ctx.date)
        named.append(m.span())
        # titles before the name, right to left: 市委副书记、市长宋明哲
        end = m.start()
        while end > 0:
            title = next((t for t in reg.titles if text.startswith(t, end - len(t))), None)
            if title is None:
                break
            start = end - len(title)
            for prefix in ("常务副", "副"):
                if text.startswith(prefix, start - len(prefix)) and not title.startswith("副"):
                    title, start = prefix + title, start - len(prefix)
                    break
            past = next((p for p in _PAST if text.startswith(p, start - len(p))), "")
            if past:
                if not _fits(title, reg.ever(name)):
                    yield Hit("name-leader", start - len(past), m.end(), f"{name}没有担任过{title}（content/leaders.yml）",
                              "核对姓名和职务")
            elif not _fits(title, held):
                yield Hit("name-leader", start, m.end(), _wrong(name, title, held, reg, day), _hint(title, reg, day))
            end = start - len(past)
            if text.startswith("、", end - 1):
                end -= 1
            else:
                break
        # a title after the name: 宋明哲市长
        after = next((t for t in reg.titles if text.startswith(t, m.end())), None)
        if after and not _fits(after, held):
            yield Hit("name-leader", m.start(), m.end() + len(after), _wrong(name, after, held, reg, day), _hint(after, reg, day))
    if reg.title_re is None:
        return
    for m in reg.title_re.finditer(text):  # a title with someone else's name: 市长张卫国指出
        title = m.group(0)
        if text.startswith("副", m.start() - 1) or any(s <= m.end() < e or s == m.end() for s, e in named):
            continue
        holders = reg.holders(title, day)
        rest = text[m.end():m.end() + 5]
        if not holders or not rest or rest[0] not in SURNAMES:
            continue
        for size in (2, 3):
            if _VERB.match(rest, size) and not any(rest.startswith(h.name) for h in holders):
                who = "、".join(h.name for h in holders)
                yield Hit("name-leader", m.start(), m.end() + size,
                          f"{cn_date(day)}的{title}是{who}，这里写的是“{rest[:size]}”", "核对姓名和职务（content/leaders.yml）")
                break


def _wrong(name: str, title: str, held: list, reg: Leaders, day: dt.date) -> str:
    before = [e for e in reg.ever(name) if title in (e.title, short_title(e.title)) and e.end and e.end < day]
    if before:
        e = before[-1]
        return f"{name}已于{cn_date(e.end)}后不再任{e.title}（按信息日期{cn_date(day)}核对）；{_now(name, held)}"
    return f"{name}不是{title}（按信息日期{cn_date(day)}核对）；{_now(name, held)}"


def _hint(title: str, reg: Leaders, day: dt.date) -> str:
    full = next((t for t in reg.titles if short_title(t) == title), title)
    who = "、".join(h.name for h in reg.holders(full, day))
    return f"当时的{full}是{who}；核对原稿，写现任职务，追述旧事写“时任”" if who else "核对原稿，写现任职务，追述旧事写“时任”"


class Units:
    """Every registered name of a unit (full, short, the full name without 中共) and the places
    a unit's name starts with (澜江市, 市, each county)."""

    def __init__(self, units: dict):
        self.by_name: dict = {}
        for u in units.values():
            plain = u.name.removeprefix("中共")
            city = re.match(r"(.{2,3}?)市", plain)  # 澜江市住房和城乡建设局 is 市住房和城乡建设局 in the city's own papers
            for n in (u.name, u.short, plain, plain[len(city.group(1)):] if city else plain):
                self.by_name.setdefault(n, u)
        known = self.known = set(self.by_name)
        places = {"市"}
        for n in known:
            m = re.match(r"(?:中共)?(.{2,4}?[市县区])", n)
            if m:
                places.add(m.group(1))
        alts = "|".join(sorted(map(re.escape, places), key=len, reverse=True))
        suffix = "|".join(_WORD_SUFFIX)
        self.candidate = re.compile(rf"(?:{alts})[\u4e00-\u9fff]{{0,10}}?(?:{suffix})")
        self.known_re = re.compile("|".join(sorted(map(re.escape, known), key=len, reverse=True)))


def check_units(text: str, ctx) -> Iterator[Hit]:
    reg = ctx.units
    if reg is None:
        return
    pos = 0
    while True:
        m = reg.candidate.search(text, pos)
        if m is None:
            return
        k = reg.known_re.match(text, m.start())
        if k and k.group(0).endswith("办") and text.startswith("公厅", k.end()):
            u = reg.by_name[k.group(0)]
            yield Hit("name-unit", k.start(), k.end() + 2, f"单位名称“{k.group(0)}公厅”与登记的不一致",
                      f"写全称“{u.name}”或简称“{u.short}”（content/units.yml）")
            pos = k.end() + 2
            continue
        if k:
            pos = k.end()
            continue
        name = m.group(0)
        pos = m.end()
        if any(n.startswith(name) for n in reg.known):
            continue  # 梅坞县委, 市委: the body a unit belongs to
        if name[0] == "市" and m.start() and text[m.start() - 1] in "城都超上股夜集门":
            continue  # 城市管理局: a word with 市 in it
        close = _closest(name, reg.known)
        if close:
            u = reg.by_name[close]
            yield Hit("name-unit", m.start(), m.end(), f"单位名称“{name}”与登记的不一致",
                      f"写全称“{u.name}”或简称“{u.short}”（content/units.yml）")


def _stem(name: str) -> str:
    for suffix in _WORD_SUFFIX:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[:-len(suffix)]
    return name


def _closest(name: str, known) -> str:
    """The registered name ``name`` was most likely meant to be, or "" when it is another body."""
    stem = _stem(name)
    same = [n for n in known if _stem(n) == stem]
    if same:
        return same[0]  # 市信访办 for 市信访局
    best, score = "", 0.0
    for n in known:
        r = difflib.SequenceMatcher(None, name, n).ratio()
        if r > score:
            best, score = n, r
    # beyond the place both start with, they share a character or more (松桥区举办 is no 松桥区委办)
    place = re.match(r"(?:中共)?(?:.{2,3}?[市县区]|市)", name)
    shared = len(os.path.commonprefix([name, best])) - (place.end() if place else 0)
    return best if (score >= 0.8 and shared >= 1) or (score >= 0.7 and shared >= 2) else ""
