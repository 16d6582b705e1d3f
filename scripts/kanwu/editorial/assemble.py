"""Proposing the next issue of a periodical, numbering it, and freezing it when signed.

``propose`` is a pure function of the repository and a date: it returns the Issue and,
for every candidate it left out, the reason, so the editor sees why.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace

from .. import editions
from ..source import manifest
from ..errors import KanwuError
from ..editions.common import used_in
from ..model import Issue, Periodical
from ..checks.validate import Repository, load_checked


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
    if p is None or editions.of(p).carry_days(p) is None:
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


def propose(repo: Repository, key: str, day: dt.date, chain: str = "") -> Proposal:
    config = repo.config
    p = config.periodical(key)
    if p is None:
        names = "、".join(f"{x.id}（{x.edition}）" for x in config.periodicals.values())
        raise KanwuError(f"没有刊物“{key}”。可用的刊物：{names}")
    chosen = editions.of(p).select(repo, p, day, chain, used_in(repo, p.id))
    notes = list(chosen.notes)
    if not chosen.items:
        raise KanwuError(f"《{p.name}》（{p.edition}）在 {day} 没有可用的信息，未生成新一期。")
    number, total = next_numbers(repo, p, day.year)
    drafts = [i for i in repo.issues_of(p.id) if not i.published]
    if drafts:
        notes.append("还有未签发的草稿：" + "、".join(i.path for i in drafts))
    issue = Issue(
        path=manifest.manifest_path(p.id, day.year, number), periodical=p.id, year=day.year, number=number,
        total=total, date=day, editor=p.editor, signer=p.signer, sections=tuple(chosen.sections),
        distribution=p.distribution, copies=p.copies, period_start=chosen.period[0], period_end=chosen.period[1],
    )
    return Proposal(issue, tuple(chosen.left_out), tuple(notes))


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
