"""After publication: adoptions, quotas, deadlines, instructions and scores per unit.

Everything is computed from what a build may see (a Repository or one audience's View)
and from the rules in content/kanwu.yml (scoring:) and the records in
content/evaluation.yml (best items of the month, criticism notices). The rules are data:
changing a point value changes every table.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import hashlib
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .. import editions
from ..source import yamlread
from ..errors import ERROR, KanwuError, Problem
from ..model import Instruction, Item

EVALUATION_FILE = "content/evaluation.yml"


# ---- periods -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    def __contains__(self, day) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        return self.start <= day <= self.end


def parse_period(text: str, today: dt.date) -> Period:
    """week | month | quarter | year | yesterday | today | YYYY-MM | YYYY-Qn | YYYY | FROM:TO (YYYY-MM-DD)."""
    text = (text or "month").strip()
    if text == "today":
        return Period(today, today, f"{today.year}年{today.month}月{today.day}日")
    if text == "yesterday":
        day = today - dt.timedelta(days=1)
        return Period(day, day, f"{day.year}年{day.month}月{day.day}日")
    if text == "week":
        start = today - dt.timedelta(days=today.weekday())
        return Period(start, start + dt.timedelta(days=6), f"{start.year}年第{start.isocalendar()[1]}周")
    if text == "last-week":
        start = today - dt.timedelta(days=today.weekday() + 7)
        return Period(start, start + dt.timedelta(days=6), f"{start.year}年第{start.isocalendar()[1]}周")
    if text == "month":
        text = f"{today:%Y-%m}"
    if text == "quarter":
        text = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    if text == "year":
        text = str(today.year)
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            return Period(dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]), f"{y}年{mo}月")
    m = re.fullmatch(r"(\d{4})-Q([1-4])", text, re.I)
    if m:
        y, q = int(m.group(1)), int(m.group(2))
        end_month = q * 3
        return Period(dt.date(y, end_month - 2, 1), dt.date(y, end_month, calendar.monthrange(y, end_month)[1]),
                      f"{y}年第{q}季度")
    m = re.fullmatch(r"(\d{4})", text)
    if m:
        y = int(m.group(1))
        return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y}年")
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})", text)
    if m:
        try:
            a, b = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        except ValueError:
            raise KanwuError(f"时段“{text}”中的日期不存在。") from None
        if a > b:
            raise KanwuError(f"时段“{text}”的开始晚于结束。")
        return Period(a, b, f"{a.year}年{a.month}月{a.day}日至{b.year}年{b.month}月{b.day}日")
    raise KanwuError(f"无法识别的时段“{text}”。可写：week、last-week、month、quarter、year、yesterday、"
                     "2026-11、2026-Q4、2026、2026-11-01:2026-11-15")


# ---- records of the evaluation ---------------------------------------------------------------

@dataclass(frozen=True)
class Criticism:
    unit: str
    level: str  # city | province
    date: dt.date
    reason: str


@dataclass(frozen=True)
class Evaluation:
    best_items: dict = field(default_factory=dict)  # "YYYY-MM" -> tuple of item ids
    criticisms: tuple = ()


def load_evaluation(root: str, units: dict, items: dict) -> tuple[Evaluation, list[Problem]]:
    path = os.path.join(root, EVALUATION_FILE)
    if not os.path.exists(path):
        return Evaluation(), []
    with open(path, encoding="utf-8") as fh:
        text = fh.read().lstrip("\ufeff")
    try:
        doc = yamlread.parse(text, EVALUATION_FILE)
    except yamlread.YamlProblem as exc:
        return Evaluation(), [exc.problem]
    data = yamlread.plain(doc.data) or {}
    problems = []

    def fail(at, message):
        problems.append(Problem(EVALUATION_FILE, *doc.where(at), ERROR, ".".join(map(str, at)), message, ""))

    best = {}
    for month, ids in (data.get("best_items") or {}).items():
        if not re.fullmatch(r"\d{4}-\d{2}", str(month)):
            fail(("best_items", month), f"月份“{month}”应写成 YYYY-MM")
        ids = ids if isinstance(ids, list) else [ids]
        for i, item_id in enumerate(ids):
            if item_id not in items:
                fail(("best_items", month, i), f"信息“{item_id}”不存在")
        best[str(month)] = tuple(ids)
    crit = []
    for i, c in enumerate(data.get("criticisms") or []):
        at = ("criticisms", i)
        if not isinstance(c, dict):
            fail(at, "每条通报应写 unit、level、date、reason")
            continue
        if c.get("unit") not in units:
            fail(at + ("unit",), f"单位“{c.get('unit')}”没有登记")
        if c.get("level") not in ("city", "province"):
            fail(at + ("level",), "level 只能是 city（市委办公厅通报）或 province（省委办公厅通报）")
        try:
            day = dt.date.fromisoformat(str(c.get("date")))
        except ValueError:
            fail(at + ("date",), f"“{c.get('date')}”不是 YYYY-MM-DD 日期")
            continue
        crit.append(Criticism(str(c.get("unit")), str(c.get("level")), day, str(c.get("reason") or "")))
    return Evaluation(best, tuple(crit)), problems


# ---- the tables ---------------------------------------------------------------------------------

@dataclass
class UnitRow:
    unit: str
    name: str
    kind: str
    submitted: int = 0
    adopted: int = 0
    adopted_by_periodical: dict = field(default_factory=dict)
    higher: int = 0
    instructed: int = 0  # the unit's items that received a leader's instruction
    research: int = 0  # 调研 items this year up to the period's end
    research_minimum: int = 0
    quota_expected: int = 0  # working days (daily) or weeks (weekly) in the period
    quota_missed: int = 0
    late: int = 0
    missing_follow_up: int = 0
    best: int = 0
    handling: int = 0  # instructions the unit must handle (承办)
    answered: int = 0
    overdue: int = 0
    criticisms_city: int = 0
    criticisms_province: int = 0
    score: float = 0.0
    eligible: bool = True
    rank: int = 0

    taken: int = 0  # of the items submitted in the period, those any periodical but a digest took

    @property
    def rate(self) -> float:
        """Adoption rate: of the items submitted in the period, the share taken so far (0–1)."""
        return self.taken / self.submitted if self.submitted else 0.0


@dataclass
class OfficerRow:
    name: str
    unit: str
    submitted: int = 0
    adopted: int = 0


@dataclass(frozen=True)
class LateReport:
    item: Item
    hours: float


@dataclass(frozen=True)
class OpenInstruction:
    item: Any  # an Item, or a sealed year's years.Stub (id, title, date, unit, instructions)
    instruction: Instruction
    unit: str
    overdue_days: int


@dataclass
class Report:
    period: Period
    today: dt.date
    units: list
    officers: list
    late: list
    missing_follow_up: list
    best: list
    instructions: list  # OpenInstruction for every unanswered (instruction, unit), oldest first


DEFINITIONS = ("“报送”为本期报送的信息；“已采用”为其中至今已被本市各刊采用的条数，“采用率”＝已采用÷报送"
               "（汇要等摘编只是转载，不算采用）；“采用”为本期首次被采用的信息（按首次采用的日期计入，每条只计一次），"
               "各刊采用和得分按每刊首次刊用计；“应报/缺报”只计已结束的工作日或周（周按其最后一个工作日归期）；"
               "得分相同的单位名次并列，按采用数、单位编号先后列出。")


def counted_items(data) -> str:
    """Which items a table counts: all of them, or those one audience may see (a site below the
    office's own), said beside the table so that two rankings that differ say why."""
    from ..source.fields import CLASSIFICATIONS
    audience = getattr(data, "audience", None)
    if audience is None:
        return "本表统计全部信息（各密级）。"
    top = max((a.max_classification for a in data.config.audiences.values()), key=CLASSIFICATIONS.index)
    if CLASSIFICATIONS.index(audience.max_classification) >= CLASSIFICATIONS.index(top):
        return f"本表统计全部信息（“{audience.name}”阅读范围）。"
    return (f"本表只统计“{audience.name}”阅读范围可见的信息（密级不高于{audience.max_classification}），"
            "与信息科按全部信息统计的排名可能不同。")


def first_report(item) -> bool:
    return item.category == "突发事件" and not item.follow_up_of


def hours_late(item) -> float:
    return (item.reported_at - item.event_at).total_seconds() / 3600


_REPORTS: dict = {}  # (period, today) -> (data, evaluation, Report): a build asks for each period twice


def compute(data, period: Period, evaluation: Evaluation, today: dt.date) -> Report:
    """``data`` has .config, .items, .issues (a Repository or a View). Reports are not modified by
    their readers, so the same report is returned for the same data, period and date."""
    key = (period.start, period.end, period.label, today)
    hit = _REPORTS.get(key)
    if hit and hit[0] is data and hit[1] is evaluation:
        return hit[2]
    if _REPORTS and next(iter(_REPORTS.values()))[0] is not data:
        _REPORTS.clear()
    report = _compute(data, period, evaluation, today)
    _REPORTS[key] = (data, evaluation, report)
    return report


def _compute(data, period: Period, evaluation: Evaluation, today: dt.date) -> Report:
    """Every count is additive over a partition of the period (a table for November plus one for
    December is the table for both), except the year-to-date research count, the criticisms and
    the state of instructions (as of the period's end):
    - submitted: items dated in the period;
    - adopted: items first taken by one of the office's periodicals (a digest such as 汇要 only
      repeats what another took, and is not a first adoption) in the period; officers the same;
    - rate: of the items submitted in the period, the share taken so far (0–100 %);
    - adopted_by_periodical and the adoption points: each (item, periodical) at its first issue;
    - research bonus: at the 调研 item's first adoption; higher, instructed: records dated in it;
    - quota: working days before ``today`` in the period, and weeks whose last working day is in
      the period and before ``today`` (the whole week's submissions count);
    - best items: months whose first day is in the period."""
    config, items = data.config, data.items
    rules = config.scoring
    rows = {uid: UnitRow(uid, u.name, u.kind, research_minimum=u.research_minimum) for uid, u in config.units.items()}
    officers: dict = {}
    index = _index_of(data)
    start, end = period.start, period.end
    firsts = index.firsts  # item id -> (date of first adoption, {periodical: date of its first issue})
    wanted = {i.id for i in index.between(start, end)}
    wanted.update(i.id for i in index.research_between(dt.date(end.year, 1, 1), end))
    wanted.update(index.first_in(start, end))
    wanted.update(index.recorded)
    best_ids = {i for month, ids in evaluation.best_items.items() for i in ids
                if start <= dt.date(int(month[:4]), int(month[5:]), 1) <= end}
    wanted.update(i for i in best_ids if i in items)
    relevant = [items[i] for i in sorted(wanted, key=index.position.__getitem__)]
    late, missing, best = [], [], []
    followed = index.followed
    for item in relevant:
        row = rows.get(item.unit)
        if row is None:
            continue
        first, by_periodical = firsts.get(item.id, (None, {}))
        if item.date.year == end.year and item.date <= end and item.category == "调研":
            row.research += 1
        if start <= item.date <= end:
            row.submitted += 1
            row.taken += first is not None
            for author in item.authors:
                o = officers.setdefault((author, item.unit), OfficerRow(author, rows[item.unit].name))
                o.submitted += 1
            if first_report(item) and item.reported_at and item.event_at:
                if hours_late(item) > config.emergency_deadline_hours:
                    row.late += 1
                    late.append(LateReport(item, hours_late(item)))
                if item.id not in followed:
                    row.missing_follow_up += 1
                    missing.append(item)
        if first is not None and start <= first <= end:
            row.adopted += 1
            if item.category == "调研":
                row.score += rules.research_bonus
            for author in item.authors:
                officers.setdefault((author, item.unit), OfficerRow(author, rows[item.unit].name)).adopted += 1
        for pid, day in by_periodical.items():
            if start <= day <= end:
                row.adopted_by_periodical[pid] = row.adopted_by_periodical.get(pid, 0) + 1
                row.score += rules.adoption.get(pid, 0)
        for adoption in item.adopted_by:
            if adoption.date in period:
                row.higher += 1
                row.score += rules.higher_office.get(adoption.by, 0)
        for ins in item.instructions:
            if ins.date in period:
                row.instructed += 1
                row.score += rules.instruction
        if item.id in best_ids:
            row.best += 1
            row.score += rules.best_item
            best.append(item)
    open_list = []
    for item, ins, unit, answered in _instructions(relevant, end):
        row = rows.get(unit)
        if row is None:
            continue
        row.handling += 1
        if answered:
            row.answered += 1
        else:
            days = (today - ins.due).days
            if days > 0:
                row.overdue += 1
            open_list.append(OpenInstruction(item, ins, unit, max(0, days)))
    open_list.sort(key=lambda o: (o.instruction.date, o.item.id, o.unit))
    calendar = workdays_and_weeks(config, period, today)
    days = _submission_days(index, calendar)
    crits: dict = defaultdict(list)
    for c in evaluation.criticisms:
        if c.date.year == period.end.year:
            crits[c.unit].append(c)
    for row in rows.values():
        row.score += rules.late_emergency * row.late + rules.missing_follow_up * row.missing_follow_up
        unit = config.units[row.unit]
        expected, missed = quota(config, unit, period, today, days.get(row.unit, set()), calendar)
        row.quota_expected, row.quota_missed = expected, missed
        year_crit = crits.get(row.unit, ())
        row.criticisms_city = sum(c.level == "city" for c in year_crit)
        row.criticisms_province = sum(c.level == "province" for c in year_crit)
        row.eligible = (row.criticisms_province < rules.province_criticisms
                        and row.criticisms_city < rules.city_criticisms)
        row.score = round(row.score, 2)
    ranked = sorted(rows.values(), key=lambda r: (-r.score, -r.adopted, r.unit))
    for n, row in enumerate(ranked):  # equal scores share a rank (并列); listed by adoptions, then unit id
        row.rank = ranked[n - 1].rank if n and row.score == ranked[n - 1].score else n + 1
    officer_rows = sorted(officers.values(), key=lambda o: (-o.adopted, -o.submitted, o.name))
    late.sort(key=lambda x: (x.item.date, x.item.id))
    best.sort(key=lambda i: (i.date, i.id))
    return Report(period, today, ranked, officer_rows, late, missing, best, open_list)




def notice_key(data, period: Period, evaluation: Evaluation) -> str:
    """Every input of what a period's notice (通报) shows, as one string: the notice page and its
    PDF are kept while it stays the same. A closed period's numbers then cost nothing on a day's
    publish (at 50,000 items, computing 160 periods took 0.45 s of every build).

    It is made of the digests of the months the period touches (``_Index.month``: its items, which
    of its first reports have a 续报, its issues and the items they adopt, the items with a higher
    office's adoption or an instruction dated in it), the year's 调研 items up to its end, and the
    evaluation's records for it. A month counted whole where a period covers part of it only makes
    the key change more often, never less. The caller adds kanwu's code and the configuration (a
    salt), and ``today`` only where it shows. The instructions' handling (against today) is not on
    a notice and not in it."""
    index = _index_of(data)
    start, end = period.start, period.end
    parts = [f"{start}|{end}|{period.label}"]
    parts += [index.month(y, m)[0] for y, m in _months(start, end)]
    # when the items submitted or first taken in it were first taken (an item of November taken
    # in December changes November's rate), and the days before it in its first week (weekly quota)
    counted = {i.id for i in index.between(start, end)} | index.first_in(start, end)
    parts += sorted(f"{i}:{index.firsts.get(i)}" for i in counted)
    parts += [i.id for i in index.between(start - dt.timedelta(days=start.weekday()), start - dt.timedelta(days=1))]
    parts += [index.month(end.year, m)[1] for m in range(1, end.month + 1)]
    best = sorted((m, ids) for m, ids in evaluation.best_items.items() if start <= dt.date(int(m[:4]), int(m[5:]), 1) <= end)
    parts.append(repr(best))
    parts += [f"{i}:{data.items[i].revision}" for _, ids in best for i in ids if i in data.items]
    parts.append(repr([c for c in evaluation.criticisms if c.date.year == end.year]))
    return "\n".join(parts)


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _instructions(items, end: dt.date):
    """(item, instruction, unit, answered) for every instruction given by ``end``, per unit."""
    for item in items:
        for ins in item.instructions:
            if ins.date > end:
                continue
            for unit in ins.units:
                yield item, ins, unit, ins.answered_by(unit)


def open_instructions(data, today: dt.date) -> list:
    """Every instruction not yet answered by one of its units, by today, oldest first: the 督办 list
    (what ``compute`` gives over the whole archive, without computing the rest)."""
    index = _index_of(data)
    return open_among((data.items[i] for i in index.recorded), data.config.units, today)


def open_among(items, units: dict, today: dt.date) -> list:
    """``open_instructions`` of ``items`` (anything with id, title, date, unit and instructions)."""
    out = [OpenInstruction(item, ins, unit, max(0, (today - ins.due).days))
           for item, ins, unit, answered in _instructions(items, today) if not answered and unit in units]
    out.sort(key=lambda o: (o.instruction.date, o.item.id, o.unit))
    return out


class _Index:
    """Items ordered by date, for the many periods one build computes over the same items."""

    def __init__(self, items: dict, issues: list, digests: frozenset = frozenset()):
        self.items = items
        self.issues = issues
        self.digests = digests
        firsts: dict = {}  # item id -> [first adoption or None, {periodical: its first issue's date}]
        for issue in sorted(issues, key=lambda i: i.date):
            for item_id in issue.item_ids:
                if item_id not in items:
                    continue
                entry = firsts.setdefault(item_id, [None, {}])
                entry[1].setdefault(issue.periodical, issue.date)
                if entry[0] is None and issue.periodical not in digests:
                    entry[0] = issue.date
        self.firsts = {k: (v[0], v[1]) for k, v in firsts.items()}
        marks = sorted((day, item_id) for item_id, (first, by) in self.firsts.items()
                       for day in {first, *by.values()} if day is not None)
        self.first_dates = [day for day, _ in marks]
        self.first_ids = [item_id for _, item_id in marks]
        self.by_date = sorted(issues, key=lambda i: i.date)
        self.issue_dates = [i.date for i in self.by_date]
        ordered = sorted(items.values(), key=lambda i: (i.date, i.id))
        self.dates = [i.date for i in ordered]
        self.ordered = ordered
        research = [i for i in ordered if i.category == "调研"]
        self.research_dates = [i.date for i in research]
        self.research = research
        self.recorded = [i.id for i in ordered if i.adopted_by or i.instructions]
        self.followed = {i.follow_up_of for i in ordered if i.follow_up_of}
        records = sorted((day, i.id) for i in ordered if i.adopted_by or i.instructions
                         for day in [a.date for a in i.adopted_by] + [ins.date for ins in i.instructions])
        self.record_dates = [day for day, _ in records]
        self.record_ids = [item_id for _, item_id in records]
        self._months: dict = {}
        self.position = {item_id: n for n, item_id in enumerate(items)}

    def first_in(self, start: dt.date, end: dt.date) -> set:
        """Ids of the items first taken, or first carried by some periodical, in the period."""
        return set(self.first_ids[bisect.bisect_left(self.first_dates, start):bisect.bisect_right(self.first_dates, end)])

    def between(self, start: dt.date, end: dt.date) -> list:
        return self.ordered[bisect.bisect_left(self.dates, start):bisect.bisect_right(self.dates, end)]

    def issues_between(self, start: dt.date, end: dt.date) -> list:
        return self.by_date[bisect.bisect_left(self.issue_dates, start):bisect.bisect_right(self.issue_dates, end)]

    def month(self, year: int, month: int) -> tuple[str, str]:
        """(a digest of what is dated in the month that a notice reads, a digest of its 调研 items):
        item ids and file revisions, computed once per build for the many periods over each month."""
        hit = self._months.get((year, month))
        if hit is None:
            start = dt.date(year, month, 1)
            end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            own = self.between(start, end)
            parts = [f"{i.id}:{i.revision}" for i in own]
            parts.append("续报")
            parts += [i.id for i in own if i.id in self.followed]
            parts.append("期")
            for issue in self.issues_between(start, end):
                parts.append(f"{issue.key}:{issue.revision}")
                parts += [f"{i}:{self.items[i].revision}" for i in issue.item_ids if i in self.items]
            parts.append("记录")
            parts += [f"{i}:{self.items[i].revision}" for i in self.records_between(start, end)]
            research = [f"{i.id}:{i.revision}" for i in self.research_between(start, end)]
            hit = self._months[(year, month)] = (_sha1(parts), _sha1(research))
        return hit

    def records_between(self, start: dt.date, end: dt.date) -> list:
        """Ids of the items with a higher office's adoption or an instruction dated in the period, once each."""
        ids = self.record_ids[bisect.bisect_left(self.record_dates, start):bisect.bisect_right(self.record_dates, end)]
        return list(dict.fromkeys(ids))

    def research_between(self, start: dt.date, end: dt.date) -> list:
        return self.research[bisect.bisect_left(self.research_dates, start):bisect.bisect_right(self.research_dates, end)]


_INDEX: list = [None]


def _sha1(parts: list[str]) -> str:
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()


def _index_of(data) -> _Index:
    return _index(data.items, data.issues, frozenset(pid for pid, p in data.config.periodicals.items() if not editions.of(p).adopts))


def _index(items: dict, issues: list, digests: frozenset = frozenset()) -> _Index:
    """Built once per set of items and issues (the same objects), kept until another set comes."""
    if (_INDEX[0] is None or _INDEX[0].items is not items or _INDEX[0].issues is not issues
            or _INDEX[0].digests != digests):
        _INDEX[0] = _Index(items, issues, digests)
    return _INDEX[0]


def quota(config, unit, period: Period, today: dt.date, days: set, calendar: tuple | None = None) -> tuple[int, int]:
    """(periods expected, periods with no submission) by the unit's quota, of those ended before
    ``today``: working days, or weeks whose last working day is in the period (``days``: the
    unit's submission dates, the whole of those weeks included). ``calendar``: the period's
    ``workdays_and_weeks`` (the same for every unit)."""
    if unit.quota == "none":
        return 0, 0
    workdays, weeks = calendar or workdays_and_weeks(config, period, today)
    if unit.quota == "daily":
        return len(workdays), sum(1 for d in workdays if d not in days)
    covered = {d.isocalendar()[:2] for d in days}
    return len(weeks), sum(1 for w in weeks if w not in covered)


def workdays_and_weeks(config, period: Period, today: dt.date) -> tuple[list, list]:
    """The period's working days that have ended (before ``today``), and the ISO weeks whose last
    working day is in the period and has ended."""
    end = min(period.end, today - dt.timedelta(days=1))
    if end < period.start:
        return [], []
    span = [period.start + dt.timedelta(days=n) for n in range((end - period.start).days + 1)]
    workdays = [d for d in span if config.is_workday(d)]
    weeks = []
    for d in workdays:
        sunday = d + dt.timedelta(days=6 - d.weekday())
        later = [sunday - dt.timedelta(days=k) for k in range((sunday - d).days)]
        if not any(config.is_workday(x) for x in later):  # d is its week's last working day
            weeks.append(d.isocalendar()[:2])
    return workdays, weeks


def _submission_days(index, calendar: tuple) -> dict:
    """unit -> dates it submitted on, over the calendar's days and the whole of its weeks."""
    workdays, weeks = calendar
    if not workdays:
        return {}
    first = workdays[0]
    if weeks:
        y, w = weeks[0]
        first = min(first, dt.date.fromisocalendar(y, w, 1))
    last = workdays[-1]
    if weeks:
        y, w = weeks[-1]
        last = max(last, dt.date.fromisocalendar(y, w, 7))
    out: dict = defaultdict(set)
    for item in index.between(first, last):
        out[item.unit].add(item.date)
    return out
