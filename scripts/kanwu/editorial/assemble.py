"""Proposing the next issue of a periodical, numbering it, and freezing it when signed.

``propose`` is a pure function of the repository and a date: it returns the Issue and,
for every candidate it left out, the reason, so the editor sees why.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import defaultdict
from dataclasses import dataclass, replace

from ..source import manifest
from ..errors import KanwuError
from ..source.fields import CATEGORIES
from ..model import Config, Issue, Item, Periodical, Section, level
from ..checks.validate import Repository, load_checked

DAILY_HEADINGS = {"县区": "县区动态", "市直单位": "部门动态", "特约信息员": "特约信息"}


@dataclass(frozen=True)
class Proposal:
    issue: Issue
    left_out: tuple[tuple[str, str], ...]  # (item id, reason)
    notes: tuple[str, ...]


def load_for(root: str, key: str, day: dt.date) -> Repository:
    """The repository ``propose`` needs: for a daily or weekly periodical, this year's and last
    year's items and manifests (its candidates are of the last ``CARRY_DAYS`` days;
    ``validate.load_repository``'s ``years``); otherwise all of it. (Its note on unsigned drafts
    then names those of these two years only.)"""
    from ..source.config import load_config
    p = load_config(root).periodical(key)
    if p is None or p.digest or p.instructions or p.cadence == "on_demand":
        return load_checked(root)
    return load_checked(root, {day.year - 1, day.year})


def load_issue(root: str, rel: str) -> tuple[Repository, Issue | None]:
    """The repository and the issue at ``rel`` for ``sign``: the issue's year, the year before and
    the years of its items when that finds all of them; otherwise all of it."""
    m = re.match(r"^issues/[^/]+/(\d{4})/", rel.replace(os.sep, "/"))
    if m and os.path.isfile(os.path.join(root, rel)):
        issue, _ = manifest.load_manifest(root, rel)
        if issue is not None:
            year = int(m.group(1))
            years = {year - 1, year} | {int(i[:4]) for i in issue.item_ids if i[:4].isdigit()}
            repo = load_checked(root, years)
            issue = next((i for i in repo.issues if i.path == rel), None)
            if issue is not None and all(i in repo.items for i in issue.item_ids):
                return repo, issue
    repo = load_checked(root)
    return repo, next((i for i in repo.issues if i.path == rel), None)


def next_numbers(repo: Repository, p: Periodical, year: int) -> tuple[int, int]:
    """(number within ``year``, running total) of the next issue of ``p``."""
    issues = repo.issues_of(p.id)
    in_year = [i.number for i in issues if i.year == year]
    total = max((i.total for i in issues), default=p.total_base) + 1
    return (max(in_year, default=p.first_number_in(year) - 1) + 1, total)


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
    unit_order = list(config.units)
    return (item.urgency_rank, CATEGORIES.index(item.category),
            unit_order.index(item.unit) if item.unit in unit_order else 999, item.date, item.id)


def used_in(repo: Repository, periodical: str) -> dict:
    out = {}
    for issue in repo.issues_of(periodical):
        for item_id in issue.item_ids:
            out.setdefault(item_id, issue)
    return out


CARRY_DAYS = {"daily": 7, "weekly": 28}  # how long an unused item stays a candidate


def waiting(repo: Repository, p: Periodical, day: dt.date, used: dict | None = None) -> tuple[list[Item], list]:
    """The items of the last ``CARRY_DAYS`` that a daily or weekly periodical may still take on
    ``day``, in the order it takes them (urgent first, then those left over longest), and the
    recent ones it may not take yet, with the reason: (candidates, [(id, reason)])."""
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


def propose(repo: Repository, key: str, day: dt.date, chain: str = "") -> Proposal:
    config = repo.config
    p = config.periodical(key)
    if p is None:
        names = "、".join(f"{x.id}（{x.edition}）" for x in config.periodicals.values())
        raise KanwuError(f"没有刊物“{key}”。可用的刊物：{names}")
    previous = [i for i in repo.issues_of(p.id) if i.date <= day]
    since = max((i.date for i in previous), default=dt.date.min)
    used = used_in(repo, p.id)
    left_out: list[tuple[str, str]] = []
    notes: list[str] = []

    if p.digest:
        chosen, sections, period = _digest(repo, p, day, previous)
    elif p.instructions:
        chosen = sorted((i for i in repo.items.values() if i.id not in used and i.level <= level(p.max_classification)
                         and any(ins.date <= day for ins in i.instructions)),
                        key=lambda i: (min(ins.date for ins in i.instructions), i.id))[: p.max_items]
        sections = [Section("领导批示", tuple(i.id for i in chosen))] if chosen else []
        period = (None, None)
    elif p.cadence == "on_demand":
        chosen, sections = _urgent(repo, p, day, chain, used)
        period = (None, None)
    else:
        candidates, left_out = waiting(repo, p, day, used)
        chosen = candidates[: p.max_items]
        for item in candidates[p.max_items:]:
            left_out.append((item.id, f"超过每期上限 {p.max_items} 条，留待下一期"))
        carried = sum(issue_day(config, p, i) <= since for i in chosen)
        if carried:
            notes.append(f"其中 {carried} 条是前几期因上限或截稿时间留下的")
        sections = _sections(config, p, chosen)
        period = (None, None)
    if not chosen:
        raise KanwuError(f"《{p.name}》（{p.edition}）在 {day} 没有可用的信息，未生成新一期。")
    number, total = next_numbers(repo, p, day.year)
    drafts = [i for i in repo.issues_of(p.id) if not i.published]
    if drafts:
        notes.append("还有未签发的草稿：" + "、".join(i.path for i in drafts))
    issue = Issue(
        path=manifest.manifest_path(p.id, day.year, number), periodical=p.id, year=day.year, number=number,
        total=total, date=day, editor=p.editor, signer=p.signer, sections=tuple(sections),
        distribution=p.distribution, copies=p.copies, period_start=period[0], period_end=period[1],
    )
    return Proposal(issue, tuple(left_out), tuple(notes))


def _sections(config: Config, p: Periodical, items: list[Item]) -> list[Section]:
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


def _digest(repo: Repository, p: Periodical, day: dt.date, previous: list[Issue]):
    """Every item adopted by another periodical in the period since the last digest."""
    start = max((i.period_end for i in previous if i.period_end), default=None)
    start = start + dt.timedelta(days=1) if start else day - dt.timedelta(days=day.weekday())
    adopted = {}
    for issue in repo.issues:
        if issue.periodical == p.id or repo.config.periodicals.get(issue.periodical) is None:
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
    sections = [Section(c, tuple(groups[c])) for c in CATEGORIES if groups[c]]
    return chosen, sections, (start, day)


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


def _urgent(repo: Repository, p: Periodical, day: dt.date, chain: str, used: dict):
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
            first = [i.id for i in fresh if not i.follow_up_of]
            follow = [i.id for i in fresh if i.follow_up_of]
            sections = ([Section("首报", tuple(first))] if first else []) + ([Section("续报", tuple(follow))] if follow else [])
            return fresh, sections
    return [], []


def sign(repo: Repository, issue: Issue, on: dt.date, by: str, at: dt.datetime) -> Issue:
    """签发: record who signed, when, each item's content hash, and the seal over all of it."""
    missing = [i for i in issue.item_ids if i not in repo.items]
    if missing:
        raise KanwuError(f"{issue.path}: 引用了不存在的信息 {', '.join(missing)}，不能签发。")
    if issue.published:
        raise KanwuError(f"{issue.path}: 已于 {issue.published} 签发，不能重复签发。")
    if not by.strip():
        raise KanwuError(f"{issue.path}: 不知道签发人是谁。用 --by 写上签发人姓名，例如 kanwu sign {issue.path} --by 周正平")
    digests = tuple((i, repo.items[i].digest) for i in issue.item_ids)
    signed = replace(issue, published=on, signed_at=at, signer=by.strip(), digests=digests)
    return replace(signed, seal=manifest.seal_of(signed))


def reseal(issue: Issue) -> Issue:
    """The seal for an issue signed before kanwu sealed manifests (its signer vouches for it as it stands)."""
    if not issue.published:
        raise KanwuError(f"{issue.path}: 还没有签发，不需要补封记；签发用 kanwu sign {issue.path}")
    if issue.seal:
        raise KanwuError(f"{issue.path}: 已有签发封记，不能重新加封；已签发的期只能登记勘误（kanwu correct）")
    return replace(issue, seal=manifest.seal_of(issue))
