"""``kanwu status``: what the editor asks every morning."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from .. import editions
from .assemble import next_numbers
from ..checks.validate import Repository


def unadopted(repo: Repository) -> list:
    used = {i for issue in repo.issues for i in issue.item_ids}
    return [item for item in repo.items.values() if item.id not in used]


SHOWN = 30  # candidates listed per periodical


def report(repo: Repository, day: dt.date) -> str:
    config = repo.config
    lines = []
    unused = unadopted(repo)
    lines.append(f"尚未被任何一期采用的信息：{len(unused)} 条")
    by_unit = defaultdict(list)
    for item in unused:
        by_unit[item.unit].append(item)
    for unit_id in config.units:
        if by_unit.get(unit_id):
            cats = Counter(i.category for i in by_unit[unit_id])
            detail = "，".join(f"{c} {n}" for c, n in sorted(cats.items()))
            lines.append(f"  {config.units[unit_id].name}：{len(by_unit[unit_id])} 条（{detail}）")
    drafts = [i for i in repo.issues if not i.published]
    lines.append(f"已起草未签发的期：{len(drafts)} 期")
    for issue in drafts:
        p = config.periodicals.get(issue.periodical)
        lines.append(f"  {issue.path}（《{p.name if p else issue.periodical}》{p.edition if p else ''}，{issue.date}）")
    for p in config.periodicals.values():
        edition = editions.of(p)
        days = edition.carry_days(p)
        if days is None:
            continue
        ready, _ = edition.candidates(repo, p, day)
        lines.append(f"《{p.name}》{p.edition}的候选（近 {days} 天未采用）：{len(ready)} 条"
                     + (f"，下一期最多取 {p.max_items} 条" if len(ready) > p.max_items else ""))
        for item in ready[:SHOWN]:
            unit = config.units.get(item.unit)
            lines.append(f"  {item.id}  {item.title}（{unit.short if unit else item.unit}，已等 {(day - item.date).days} 天）")
        if len(ready) > SHOWN:
            lines.append(f"  ……另有 {len(ready) - SHOWN} 条")
    lines.append("各刊下一期：")
    for p in config.periodicals.values():
        number, total = next_numbers(repo, p, day.year)
        lines.append(f"  《{p.name}》{p.edition}：{day.year}年第{number}期（总第{total}期）")
    return "\n".join(lines)
