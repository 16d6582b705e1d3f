"""领导批示: the items leaders wrote instructions on, not yet carried, with the instructions given by
the issue's date (who, what, the units that must act, the deadline), forwarded for handling.
Listed on the home page's 重要信息 for a week, as 重要信息 issues are."""

from __future__ import annotations

import datetime as dt

from . import Edition, Selection
from ..model import Periodical, Section, level


class Instructions(Edition):
    kind = "instructions"
    label = "领导批示"
    cadences = ("on_demand", "weekly", "daily")
    prints_instructions = True
    on_home = True

    def select(self, repo, p: Periodical, day: dt.date, chain: str, used: dict) -> Selection:
        chosen = sorted((i for i in repo.items.values() if i.id not in used and i.level <= level(p.max_classification)
                         and any(ins.date <= day for ins in i.instructions)),
                        key=lambda i: (min(ins.date for ins in i.instructions), i.id))[: p.max_items]
        return Selection(chosen, [Section("领导批示", tuple(i.id for i in chosen))] if chosen else [])
