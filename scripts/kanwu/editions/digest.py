"""The digest (汇要): every item another periodical adopted since the last digest, by category,
each as its title and abstract. Carrying an item again adopts nothing, and it is never urgent; an
item only another non-adopting periodical carried (another digest, a 调研汇编) was not adopted."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from . import Edition, Selection
from .. import editions
from .common import sort_key
from ..model import Periodical, Section, level
from ..source.fields import CATEGORIES


class Digest(Edition):
    kind = "digest"
    label = "汇要"
    cadences = ("daily", "weekly")
    shows = "abstract"
    adopts = False
    urgency_from_items = False

    def select(self, repo, p: Periodical, day: dt.date, chain: str, used: dict) -> Selection:
        previous = [i for i in repo.issues_of(p.id) if i.date <= day]
        start = max((i.period_end for i in previous if i.period_end), default=None)
        start = start + dt.timedelta(days=1) if start else day - dt.timedelta(days=day.weekday())
        adopted = {}
        for issue in repo.issues:
            other = repo.config.periodicals.get(issue.periodical)
            if issue.periodical == p.id or other is None or not editions.of(other).adopts:
                continue
            if start <= issue.date <= day:
                for item_id in issue.item_ids:
                    item = repo.items.get(item_id)
                    if item and item.level <= level(p.max_classification):
                        adopted[item_id] = item
        chosen = sorted(adopted.values(), key=lambda i: sort_key(repo.config, i))
        groups: dict = defaultdict(list)
        for item in chosen:
            groups[item.category].append(item.id)
        return Selection(chosen, [Section(c, tuple(groups[c])) for c in CATEGORIES if groups[c]], period=(start, day))
