"""重要信息: a one-off issue for an emergency, the first report (首报) and every 续报 not yet carried,
of the newest emergency (or the chain the editor names). Listed on the home page for a week."""

from __future__ import annotations

import datetime as dt

from . import Edition, Selection
from .common import chain_of
from ..errors import KanwuError
from ..model import Periodical, Section, level


class Urgent(Edition):
    kind = "urgent"
    label = "重要信息"
    cadences = ("on_demand",)
    on_home = True

    def select(self, repo, p: Periodical, day: dt.date, chain: str, used: dict) -> Selection:
        items = repo.items
        if chain:
            if chain not in items:
                raise KanwuError(f"信息“{chain}”不存在。")
            roots = [chain]
        else:
            roots = [i.id for i in sorted(items.values(), key=lambda i: (i.date, i.id), reverse=True)
                     if i.category == "突发事件" and not i.follow_up_of and i.date <= day]
        for root in roots:
            members = [i for i in chain_of(items, root) if i.date <= day and i.level <= level(p.max_classification)]
            fresh = [i for i in members if i.id not in used]
            if fresh:
                first = tuple(i.id for i in fresh if not i.follow_up_of)
                follow = tuple(i.id for i in fresh if i.follow_up_of)
                return Selection(fresh, ([Section("首报", first)] if first else []) + ([Section("续报", follow)] if follow else []))
        return Selection([], [])
