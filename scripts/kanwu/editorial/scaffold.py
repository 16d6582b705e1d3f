"""``kanwu new``: an item file at the right path, every required field present."""

from __future__ import annotations

import datetime as dt
import os

from ..source import load
from ..errors import KanwuError
from ..source.fields import CATEGORIES, CLASSIFICATIONS, URGENCIES, nearest
from ..model import Config

TEMPLATE = """\
---
# 标题：一句话点明主旨，不超过 40 字
title: {title}
# 报送单位编号（见 content/units.yml）：{unit_name}
unit: {unit}
# 报送日期
date: {date}
# 类别：{categories}
category: {category}
# 紧急程度：{urgencies}
urgency: {urgency}
# 密级：{classifications}（秘密、机密须另写 secrecy_period）
classification: {classification}
{secrecy}# 撰稿人
authors: [{authors}]
{emergency}# 关键词（可选）
tags: []
---

（在这里写正文：先写事情本身，再写做法、成效或问题。报喜也报忧，核实后再报。）
"""

EMERGENCY = """\
# 事件发生时间和首次报告时间（带时区）
event_at: {now}
reported_at: {now}
"""


def new_item(config: Config, unit: str, category: str, title: str, day: dt.date, authors: list[str],
             classification: str = "内部", urgency: str = "平件") -> str:
    """Write a new item; return its path relative to the root."""
    if unit not in config.units:
        raise KanwuError(f"单位“{unit}”没有登记{nearest(unit, config.units)}。单位编号见 content/units.yml。")
    for value, choices, what in ((category, CATEGORIES, "类别"), (urgency, URGENCIES, "紧急程度"),
                                 (classification, CLASSIFICATIONS, "密级")):
        if value not in choices:
            raise KanwuError(f"{what}“{value}”不可用，可用的值：{'、'.join(choices)}")
    title = " ".join(title.split())
    if not title:
        raise KanwuError("标题不能为空。")
    path = os.path.join(config.root, next_item_path(config, day, unit))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M+08:00")
    text = TEMPLATE.format(
        title=quote(title), unit=unit, unit_name=config.units[unit].name, date=day.isoformat(),
        category=category, categories="、".join(CATEGORIES), urgency=urgency, urgencies="、".join(URGENCIES),
        classification=classification, classifications="、".join(CLASSIFICATIONS),
        secrecy="# 保密期限\nsecrecy_period: 1年\n" if classification in ("秘密", "机密") else "",
        authors=", ".join(quote(a) for a in authors) or '"（撰稿人）"',
        emergency=EMERGENCY.format(now=now) if category == "突发事件" else "",
    )
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(text)
    return os.path.relpath(path, config.root)


def next_item_path(config: Config, day: dt.date, unit: str) -> str:
    """The first free item file name of ``unit`` on ``day`` (date-unit-sequence), relative to the root."""
    folder = os.path.join(load.ITEMS_DIR, f"{day.year:04d}", f"{day.month:02d}")
    for n in range(1, 1000):
        rel = os.path.join(folder, f"{day:%Y%m%d}-{unit}-{n:02d}.md")
        if not os.path.exists(os.path.join(config.root, rel)):
            return rel
    raise KanwuError(f"单位 {unit} 在 {day} 已有 999 条信息，不能再新建。")


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

