"""What one audience may see: the repository cut down to its classification and periodicals.

Everything a build writes is derived from a View, never from the whole Repository, so an
item above the audience's level cannot reach a page, an index, a count, the search index,
the sitemap or a PDF of that build.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import KanwuError
from .model import Audience, Config, Issue, Section, level
from .checks.validate import Repository


@dataclass(frozen=True)
class View:
    config: Config
    audience: Audience
    items: dict  # id -> Item, only those the audience may see
    issues: tuple  # Issue, redacted where needed
    redacted: dict  # issue key -> number of items removed

    def issues_of(self, periodical: str) -> list[Issue]:
        return [i for i in self.issues if i.periodical == periodical]


def lowest(config: Config) -> Audience:
    if not config.audiences:
        raise KanwuError("content/kanwu.yml 没有声明任何阅读范围（audiences）。")
    return min(config.audiences.values(), key=lambda a: (level(a.max_classification), a.id))


def pick(config: Config, name: str | None) -> Audience:
    """By id or Chinese name; no name → the lowest audience, never the highest."""
    if not name:
        return lowest(config)
    for a in config.audiences.values():
        if name in (a.id, a.name):
            return a
    names = "、".join(f"{a.id}（{a.name}）" for a in config.audiences.values())
    raise KanwuError(f"没有阅读范围“{name}”。可用的范围：{names}")


def view(repo: Repository, audience: Audience) -> View:
    top = level(audience.max_classification)
    items = {i: item for i, item in repo.items.items() if item.level <= top}
    issues, redacted = [], {}
    for issue in repo.issues:
        if issue.periodical not in audience.periodicals:
            continue
        hidden = [i for i in issue.item_ids if i not in items]
        if hidden:
            if audience.restricted_issues == "omit":
                continue
            sections = tuple(Section(s.heading, tuple(i for i in s.items if i in items)) for s in issue.sections)
            issue = replace(issue, sections=tuple(s for s in sections if s.items),
                            digests=tuple(d for d in issue.digests if d[0] in items),
                            corrections=tuple(c for c in issue.corrections if c.item in items))
            redacted[issue.key] = len(hidden)
        issues.append(issue)
    return View(repo.config, audience, items, tuple(issues), redacted)
