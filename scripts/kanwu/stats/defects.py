"""Defects in what was published (无差错): proofreading's findings in the items the period's signed
issues printed, counted per periodical (each printing) and per unit (each item once), as the
quarterly error-free review counts them. The error rate is per 10,000 characters printed, the
measure publishers use (差错率)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..checks.proof import BY_ID, paragraphs, proofreader
from ..checks.proof.text import FILLER

ERROR = "错误"


@dataclass
class Row:
    key: str  # periodical or unit id
    name: str
    issues: int = 0
    items: int = 0
    chars: int = 0
    errors: int = 0
    warnings: int = 0

    @property
    def defects(self) -> int:
        return self.errors + self.warnings

    @property
    def per_10k(self) -> float:
        """Defects per 10,000 characters printed."""
        return self.defects * 10000 / self.chars if self.chars else 0.0


@dataclass
class Defects:
    periodicals: list = field(default_factory=list)  # Row, in the configuration's order
    units: list = field(default_factory=list)  # Row, most defects first, units without any left out
    items: list = field(default_factory=list)  # (item, findings), by date

    @property
    def total(self) -> int:
        return sum(r.defects for r in self.periodicals)


_FOUND: dict = {}  # (item id, revision) -> (findings, characters): a build asks for each period


def _proofread(reader, item) -> tuple:
    key = (item.id, item.revision, id(reader))
    hit = _FOUND.get(key)
    if hit is None:
        chars = sum(len(p.text.replace(FILLER, "").replace("\n", "")) for p in paragraphs(item))
        hit = _FOUND[key] = (tuple(reader.item(item)), chars)
    return hit


def compute(data, period) -> Defects:
    """``data``: a Repository or a View (.config, .items, .issues)."""
    config = data.config
    reader = proofreader(config)
    pids = [p for p in config.periodicals if p in {i.periodical for i in data.issues}] or list(config.periodicals)
    rows = {p: Row(p, f"{config.periodicals[p].name}（{config.periodicals[p].edition}）") for p in pids}
    units: dict = {}
    seen: dict = {}
    for issue in data.issues:
        if not issue.published or issue.date not in period or issue.periodical not in rows:
            continue
        row = rows[issue.periodical]
        row.issues += 1
        for item_id in issue.item_ids:
            item = data.items.get(item_id)
            if item is None:
                continue
            findings, chars = _proofread(reader, item)
            errors = sum(f.level == ERROR for f in findings)
            row.items += 1
            row.chars += chars
            row.errors += errors
            row.warnings += len(findings) - errors
            if item.id in seen:
                continue
            seen[item.id] = (item, findings)
            unit = config.units.get(item.unit)
            u = units.setdefault(item.unit, Row(item.unit, unit.short if unit else item.unit))
            u.items += 1
            u.chars += chars
            u.errors += errors
            u.warnings += len(findings) - errors
    ranked = sorted((u for u in units.values() if u.defects), key=lambda u: (-u.errors, -u.defects, u.key))
    found = sorted(((i, f) for i, f in seen.values() if f), key=lambda x: (x[0].date, x[0].id))
    return Defects(list(rows.values()), ranked, found)


def finding_text(f) -> str:
    """One finding as the review lists it: 第11行 半角标点：“,”——中文里用了半角的“,”。"""
    return f"第{f.line}行 {BY_ID[f.rule].name}（{f.level}）：“{f.text}”——{f.message}"
