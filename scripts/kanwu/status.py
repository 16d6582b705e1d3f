"""``kanwu status``: what the editor asks every morning."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from .assemble import next_numbers
from .validate import Repository


def unadopted(repo: Repository) -> list:
    used = {i for issue in repo.issues for i in issue.item_ids}
    return [item for item in repo.items.values() if item.id not in used]


def report(repo: Repository, day: dt.date) -> str:
    config = repo.config
    lines = []
    waiting = unadopted(repo)
    lines.append(f"尚未被任何一期采用的信息：{len(waiting)} 条")
    by_unit = defaultdict(list)
    for item in waiting:
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
    lines.append("各刊下一期：")
    for p in config.periodicals.values():
        number, total = next_numbers(repo, p, day.year)
        lines.append(f"  《{p.name}》{p.edition}：{day.year}年第{number}期（总第{total}期）")
    return "\n".join(lines)
