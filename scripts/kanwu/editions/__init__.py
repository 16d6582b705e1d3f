"""Editions: what differs from one kind of periodical (刊物类型) to another, one module a kind.

A periodical's ``kind`` in content/kanwu.yml names its edition. The edition decides which items
an issue takes and how it groups them (``select``), whether they wait in a queue and for how long
(``carry_days``), what an entry shows (``shows``, ``prints_instructions``: the site, the PDF and the
.docx each lay those parts out their own way), whether carrying an item counts as adopting it
(``adopts``), and where its issues are announced (``on_home``). Adding a kind of periodical is a
module here and one line in ``EDITIONS``; nothing else reads a periodical's kind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..model import Config, Item, Periodical, Section

CADENCES = ("daily", "weekly", "on_demand")


@dataclass
class Selection:
    """What an edition chose for an issue: the items, their sections, the period a digest covers,
    the recent items it left out with the reason, and notes for the editor."""

    items: list[Item]
    sections: list[Section]
    period: tuple[dt.date | None, dt.date | None] = (None, None)
    left_out: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Edition:
    """The behaviour of one kind of periodical. Subclasses set the attributes and ``select``."""

    kind: str = ""  # the value of ``kind:`` in content/kanwu.yml
    label: str = ""  # its name in messages
    cadences: tuple[str, ...] = CADENCES  # the cadences it can be published at
    shows: str = "body"  # an entry's text: "body" (the item's full text) or "abstract" (its summary)
    prints_instructions: bool = False  # an entry also carries the leaders' instructions given by the issue's date
    adopts: bool = True  # carrying an item adopts it: it counts for the unit, once per periodical
    urgency_from_items: bool = True  # without the editor's urgency, an issue is as urgent as its most urgent item
    on_home: bool = False  # its recent issues are listed under 重要信息 on the home page

    def carry_days(self, p: Periodical) -> int | None:
        """How long an unused item stays a candidate (the queue ``kanwu status`` shows), or None
        when the edition keeps no queue (then ``select`` may read every year)."""
        return None

    def select(self, repo, p: Periodical, day: dt.date, chain: str, used: dict) -> Selection:
        """The items of the next issue on ``day``; ``used``: item id -> the issue of ``p`` that carried it."""
        raise NotImplementedError

    def candidates(self, repo, p: Periodical, day: dt.date, used: dict | None = None) -> tuple[list[Item], list]:
        """The queue on ``day`` (for an edition with ``carry_days``): (candidates, [(id, reason)])."""
        return [], []


from . import digest, instructions, regular, urgent  # noqa: E402  (they subclass Edition)

_ALL: tuple[Edition, ...] = (regular.Regular(), digest.Digest(), urgent.Urgent(), instructions.Instructions())
EDITIONS: dict[str, Edition] = {e.kind: e for e in _ALL}


def of(p: Periodical) -> Edition:
    return EDITIONS[p.kind]


def default_kind(cadence: str) -> str:
    """The kind a periodical is when content/kanwu.yml does not say: 重要信息 when published on demand."""
    return "urgent" if cadence == "on_demand" else "regular"


def preview_periodical(config: Config) -> Periodical:
    """The periodical a reviewer's preview PDF is laid out as: the daily one, if there is one."""
    ps = list(config.periodicals.values())
    return next((p for p in ps if of(p).kind == "regular" and p.cadence == "daily"),
                next((p for p in ps if of(p).shows == "body"), ps[0]))
