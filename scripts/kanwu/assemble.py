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

from . import manifest
from .errors import KanwuError
from .fields import CATEGORIES
from .model import Config, Issue, Item, Periodical, Section, level
from .validate import Repository, load_checked

DAILY_HEADINGS = {"县区": "县区动态", "市直单位": "部门动态", "特约信息员": "特约信息"}


@dataclass(frozen=True)
class Proposal:
    issue: Issue
    left_out: tuple[tuple[str, str], ...]  # (item id, reason)
    notes: tuple[str, ...]


def load_for(root: str, key: str, day: dt.date) -> Repository:
    """The repository ``propose`` needs: for a daily or weekly periodical whose previous issue is
    recent, this year's and last year's items and manifests (``validate.load_repository``'s
    ``years``); otherwise, or when unsure, all of it. (Its note on unsigned drafts then names
    those of these two years only.)"""
    from .config import load_config
    p = load_config(root).periodical(key)
    if p is None or p.digest or p.instructions or p.cadence == "on_demand":
        return load_checked(root)
    repo = load_checked(root, {day.year - 1, day.year})
    previous = [i.date for i in repo.issues_of(p.id) if i.date <= day]
    if previous and max(previous).year >= day.year - 1:
        return repo
    return load_checked(root)  # candidates could reach further back than was loaded


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
        candidates = []
        for item in sorted(repo.items.values(), key=lambda i: (i.date, i.id)):
            if item.date > day or item.date < since or item.id in used:
                continue
            reason = ""
            if item.category not in p.categories:
                continue  # not a candidate at all: the periodical does not take this category
            if item.level > level(p.max_classification):
                reason = f"密级{item.classification}高于本刊允许的{p.max_classification}"
            elif issue_day(config, p, item) > day:
                reason = f"报送时间晚于截稿时间 {p.cutoff:%H:%M}，顺延到下一个工作日"
            elif issue_day(config, p, item) <= since:
                reason = "属于上一期的报送时段，编辑当时未采用"
            if reason:
                left_out.append((item.id, reason))
            else:
                candidates.append(item)
        candidates.sort(key=lambda i: sort_key(config, i))
        chosen = candidates[: p.max_items]
        for item in candidates[p.max_items:]:
            left_out.append((item.id, f"超过每期上限 {p.max_items} 条"))
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


def sign(repo: Repository, issue: Issue, on: dt.date) -> Issue:
    """签发: record the publication date and each item's content hash."""
    missing = [i for i in issue.item_ids if i not in repo.items]
    if missing:
        raise KanwuError(f"{issue.path}: 引用了不存在的信息 {', '.join(missing)}，不能签发。")
    if issue.published:
        raise KanwuError(f"{issue.path}: 已于 {issue.published} 签发，不能重复签发。")
    if not issue.signer:
        raise KanwuError(f"{issue.path}: 缺少签发人 signer，不能签发。")
    digests = tuple((i, repo.items[i].digest) for i in issue.item_ids)
    return replace(issue, published=on, digests=digests)
