"""What every kind of periodical's selection shares: the working day an item is due in, the
order items are printed in, which items a periodical has used, and the 续报 chains."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..model import Config, Item, Periodical
from ..source.fields import CATEGORIES


def issue_day(config: Config, p: Periodical, item: Item) -> dt.date:
    """The working day whose issue an item goes into: after the cut-off, the next one."""
    day = item.date
    if p.cutoff and item.reported_at:
        local = item.reported_at
        if local.date() > day:
            day = local.date()
        if local.date() == day and local.time().replace(tzinfo=None) > p.cutoff:
            day = config.next_workday(day)
    if not config.is_workday(day):
        day = config.next_workday(day)
    return day


def sort_key(config: Config, item: Item):
    """The printed order: urgency, then category, then the units' registered order, then date."""
    unit_order = list(config.units)
    return (item.urgency_rank, CATEGORIES.index(item.category),
            unit_order.index(item.unit) if item.unit in unit_order else 999, item.date, item.id)


def used_in(repo, periodical: str) -> dict:
    """item id -> the first issue of ``periodical`` that carried it."""
    out: dict = {}
    for issue in repo.issues_of(periodical):
        for item_id in issue.item_ids:
            out.setdefault(item_id, issue)
    return out


def follow_ups(items: dict) -> dict:
    """item id -> its direct 续报, for every item that has any (one pass over the items)."""
    children = defaultdict(list)
    for it in items.values():
        if it.follow_up_of:
            children[it.follow_up_of].append(it)
    return children


def chain_of(items: dict, item_id: str, children: dict | None = None) -> list[Item]:
    """The first report and every 续报 after it, in order."""
    root = items[item_id]
    while root.follow_up_of and root.follow_up_of in items:
        root = items[root.follow_up_of]
    children = follow_ups(items) if children is None else children
    out, todo = [], [root]
    while todo:
        it = todo.pop(0)
        out.append(it)
        todo += sorted(children.get(it.id, ()), key=lambda x: (x.reported_at or dt.datetime.min.replace(tzinfo=dt.timezone.utc), x.id))
    return out
