"""The frozen model every stage passes along: units, periodicals, items, issues."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .source.fields import CLASSIFICATIONS, URGENCIES, Marks


def level(classification: str) -> int:
    """公开 < 内部 < 秘密 < 机密."""
    return CLASSIFICATIONS.index(classification)


@dataclass(frozen=True)
class Unit:
    """A reporting unit (网络单位)."""

    id: str
    name: str
    short: str  # the name printed in an item's source line
    kind: str  # 县区 | 市直单位 | 特约信息员
    quota: str  # daily | weekly
    reviewers: tuple[str, ...]
    research_minimum: int


@dataclass(frozen=True)
class Periodical:
    """A periodical (刊物) with its numbering and print defaults."""

    id: str
    name: str  # masthead name without 《》
    edition: str  # 上报 | 内参 | 汇要 | 重要信息
    cadence: str  # daily | weekly | on_demand (editions.CADENCES)
    cutoff: dt.time | None
    categories: tuple[str, ...]
    max_classification: str
    mark: str  # e.g. 内部资料 注意保存
    office: str
    editor: str
    signer: str
    distribution: tuple[tuple[str, tuple[str, ...]], ...]  # (("报", (...)), ("送", ...), ("发", ...))
    copies: int
    total_base: int  # running total (总第N期) before the first manifest in the repository
    first_year: int  # the year the repository took over numbering, part-way through
    first_number: int  # the number within first_year of the repository's first issue
    max_items: int
    kind: str  # its edition (editions.EDITIONS): regular | digest | urgent | instructions
    double_sided: bool = True  # printed on both sides: the 版记 on an even page (封四), GB/T 9704-2012

    def first_number_in(self, year: int) -> int:
        return self.first_number if year == self.first_year else 1


@dataclass(frozen=True)
class Audience:
    id: str
    name: str
    max_classification: str
    periodicals: tuple[str, ...]
    restricted_issues: str  # omit | redact
    access: dict = field(default_factory=dict, compare=False, hash=False)  # the web server's door: basic | cert | ip
    server_name: str = field(default="", compare=False, hash=False)  # its own origin ("" = <id>.<publish.server_name>)


@dataclass(frozen=True)
class Scoring:
    """Points by rule, declared in content/kanwu.yml (scoring:)."""

    adoption: dict  # periodical id -> points per adopted item
    higher_office: dict  # adopting office -> points
    research_bonus: float
    best_item: float
    instruction: float
    late_emergency: float
    missing_follow_up: float
    province_criticisms: int  # this many in a year → not eligible for the year's awards
    city_criticisms: int


@dataclass(frozen=True)
class Config:
    root: str
    office_name: str
    section: str
    city: str
    utc_offset: str
    units: dict  # id -> Unit
    periodicals: dict  # id -> Periodical
    audiences: dict  # id -> Audience
    holidays: frozenset
    extra_workdays: frozenset
    long_body_chars: int
    long_title_chars: int
    emergency_deadline_hours: float
    scoring: Scoring
    signers: tuple[str, ...] = ()  # git usernames who approve issues and settings (CODEOWNERS)
    git_record_since: dt.date | None = None  # items committed before this were imported: no back-dating check
    backdate_hours: float = 6.0
    publish: dict = field(default_factory=dict, compare=False, hash=False)  # root, server_name, listen
    proof: object = field(default=None, compare=False, hash=False)  # source.proofdata.ProofSettings: levels, leaders, word lists
    warnings: tuple = field(default=(), compare=False, hash=False)  # the settings' warnings (errors.Problem), for kanwu check

    def periodical(self, key: str) -> Periodical | None:
        """By id (daily) or by edition name (上报)."""
        if key in self.periodicals:
            return self.periodicals[key]
        for p in self.periodicals.values():
            if key in (p.edition, p.name + p.edition):
                return p
        return None

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_workday(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day


@dataclass(frozen=True)
class AdoptedBy:
    """An adoption by a higher office's periodical (上级采用)."""

    by: str  # the adopting office, e.g. 省委办公厅
    publication: str
    date: dt.date


@dataclass(frozen=True)
class Feedback:
    """A responsible unit's answer to an instruction (办理反馈)."""

    unit: str
    date: dt.date
    text: str


@dataclass(frozen=True)
class Instruction:
    """A leader's written instruction on an item (领导批示), tracked to its answers."""

    by: str
    date: dt.date
    text: str
    units: tuple[str, ...]
    due: dt.date
    feedback: tuple[Feedback, ...] = ()

    def answered_by(self, unit: str) -> bool:
        return any(f.unit == unit for f in self.feedback)

    @property
    def open_units(self) -> tuple[str, ...]:
        return tuple(u for u in self.units if not self.answered_by(u))

    @property
    def closed(self) -> bool:
        return not self.open_units


@dataclass(frozen=True)
class Item:
    """An information item (信息): one Markdown file under content/items/."""

    id: str
    path: str  # relative to the repository root
    title: str
    unit: str
    date: dt.date
    category: str
    urgency: str
    classification: str
    authors: tuple[str, ...]
    body: str  # Markdown
    body_line: int  # file line where the body starts
    digest: str  # content hash, recorded when an issue that carries the item is published
    secrecy_period: str = ""
    event_at: dt.datetime | None = None
    reported_at: dt.datetime | None = None
    follow_up_of: str = ""
    tags: tuple[str, ...] = ()
    summary: str = ""
    adopted_by: tuple[AdoptedBy, ...] = ()
    instructions: tuple[Instruction, ...] = ()
    lines: Marks | dict = field(default_factory=dict, compare=False, hash=False)  # .get(field) -> (line, col)
    revision: str = field(default="", compare=False)  # hash of the file's bytes: any change, records too

    @property
    def urgency_rank(self) -> int:
        return -URGENCIES.index(self.urgency)

    @property
    def level(self) -> int:
        return level(self.classification)


@dataclass(frozen=True)
class Section:
    heading: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Correction:
    """A recorded correction (勘误) to an item of a published issue."""

    item: str
    date: dt.date
    by: str
    what: str


@dataclass(frozen=True)
class Issue:
    """An issue (期): a manifest under issues/<periodical>/<year>/<NNN>.yml."""

    path: str
    periodical: str
    year: int
    number: int
    total: int
    date: dt.date
    editor: str
    signer: str
    sections: tuple[Section, ...]
    distribution: tuple[tuple[str, tuple[str, ...]], ...]
    copies: int
    editor_note: str = ""
    urgency: str = ""  # set by the editor (平件/加急/特急); else the items' (a digest's: none)
    published: dt.date | None = None
    signed_at: dt.datetime | None = None  # when ``kanwu sign`` ran (the signer is ``signer``)
    digests: tuple[tuple[str, str], ...] = ()  # (item id, content hash) frozen at publication
    corrections: tuple[Correction, ...] = ()
    period_start: dt.date | None = None  # 汇要: the period it covers
    period_end: dt.date | None = None
    lines: dict = field(default_factory=dict, compare=False, hash=False)
    revision: str = field(default="", compare=False)  # hash of the manifest's bytes
    seal: str = ""  # manifest.seal_of when signed: any later change to the manifest breaks it

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i for s in self.sections for i in s.items)

    @property
    def key(self) -> str:
        return f"{self.periodical}/{self.year}/{self.number:03d}"
