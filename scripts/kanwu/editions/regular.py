"""The regular edition (上报, 内参): a daily or weekly issue of new items, from a queue in which an
unused item waits ``CARRY_DAYS``; at most ``max_items`` an issue, the rest left for the next."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from . import Edition, Selection
from .common import issue_day, sort_key, used_in
from ..model import Config, Item, Periodical, Section, level
from ..source.fields import CATEGORIES

CARRY_DAYS = {"daily": 7, "weekly": 28}  # how long an unused item stays a candidate
DAILY_HEADINGS = {"县区": "县区动态", "市直单位": "部门动态", "特约信息员": "特约信息"}


class Regular(Edition):
    kind = "regular"
    label = "常规（日报、周报）"
    cadences = ("daily", "weekly")

    def carry_days(self, p: Periodical) -> int | None:
        return CARRY_DAYS[p.cadence]

    def candidates(self, repo, p: Periodical, day: dt.date, used: dict | None = None) -> tuple[list[Item], list]:
        """The items of the last ``CARRY_DAYS`` that ``p`` may still take on ``day``, in the order
        it takes them (urgent first, then those left over longest), and the recent ones it may not
        take yet, with the reason: (candidates, [(id, reason)])."""
        config = repo.config
        used = used_in(repo, p.id) if used is None else used
        start = day - dt.timedelta(days=CARRY_DAYS[p.cadence])
        out, left_out = [], []
        for item in repo.items.values():
            if item.date > day or item.date < start or item.id in used or item.category not in p.categories:
                continue
            if item.level > level(p.max_classification):
                left_out.append((item.id, f"密级{item.classification}高于本刊允许的{p.max_classification}"))
            elif issue_day(config, p, item) > day:
                left_out.append((item.id, f"报送时间晚于截稿时间 {p.cutoff:%H:%M}，顺延到下一个工作日"))
            else:
                out.append(item)
        out.sort(key=lambda i: (i.urgency_rank, issue_day(config, p, i), sort_key(config, i)))
        left_out.sort()
        return out, left_out

    def select(self, repo, p: Periodical, day: dt.date, chain: str, used: dict) -> Selection:
        candidates, left_out = self.candidates(repo, p, day, used)
        chosen = candidates[: p.max_items]
        for item in candidates[p.max_items:]:
            left_out.append((item.id, f"超过每期上限 {p.max_items} 条，留待下一期"))
        since = max((i.date for i in repo.issues_of(p.id) if i.date <= day), default=dt.date.min)
        notes = []
        carried = sum(issue_day(repo.config, p, i) <= since for i in chosen)
        if carried:
            notes.append(f"其中 {carried} 条是前几期因上限或截稿时间留下的")
        return Selection(chosen, sections(repo.config, p, chosen), left_out=left_out, notes=notes)


def sections(config: Config, p: Periodical, items: list[Item]) -> list[Section]:
    """A daily issue by the units' kind (县区动态, 部门动态, …), urgent ones first; a weekly one by category."""
    groups: dict = defaultdict(list)
    for item in items:
        if p.cadence == "daily":
            unit = config.units.get(item.unit)
            heading = "紧急信息" if item.category == "突发事件" else DAILY_HEADINGS.get(unit.kind if unit else "", "其他")
        else:
            heading = item.category
        groups[heading].append(item.id)
    order = ["紧急信息", *DAILY_HEADINGS.values(), "其他", *CATEGORIES]
    return [Section(h, tuple(groups[h])) for h in sorted(groups, key=order.index)]
