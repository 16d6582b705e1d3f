"""Past years a day's build does not read: what each year gave the last build, kept per year.

At 50,000 items, reading every item costs a build ~1 s, and working out again that the pages
of the archive's past years are unchanged costs as much. After each build, each year's part
of it is recorded in build/<audience>/years.pickle:

- the signatures of its files (items under content/items/<year>, manifests under issues/*/<year>);
- its pages and PDFs (the key and hash of each: ``page_year`` says which paths are a year's);
- its search bundle (the pages of ``pagefind-<year>`` and what the index reads from each);
- what it adds to the pages that span years (``generate.Site.summaries``): how many items per
  unit, category, month and tag and how many of them adopted, its issues per periodical, its
  items with leaders' instructions (whose state is judged against each build's date), its images;
- the other years it is tied to (``refs_of``): adoptions by an issue of another year, 续报 across
  a year end, records on its items dated in another year.

The next build makes the pages of a year again only if its files changed, it was still open at
the last build (the newest year: its periods move with each day), one of its leaders'
instructions may pass its deadline, or it holds a periodical's newest issues (``plan``: the
*dirty* years), or it is tied to a dirty year (``refs_of``); it reads those years and the years
tied to them (their pages show those years' items). Every other year is *sealed*: its pages are
kept as they are, and the pages spanning years add its recorded numbers.
A build that cannot tell (no record, another salt or engine, evaluation records changed, a
year gone) reads everything, as does ``kanwu check``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field

from ..paths import page_year  # noqa: F401 (the path table says which paths are a year's)

RECORD = "years.pickle"
@dataclass
class YearSummary:
    """What a year adds to the pages spanning years (``generate.Site.summaries``)."""

    counts: dict = field(default_factory=dict)  # (kind, key) -> [items, adopted]; kind: unit, category, month, tag
    issues: dict = field(default_factory=dict)  # periodical -> how many issues
    stubs: list = field(default_factory=list)  # Stub: its items with leaders' instructions


@dataclass
class SealedYear:
    """What a year gave the last build (kept in the record; see the module's docstring)."""

    files: str  # digest of the signatures of its item files and manifests
    refs: set  # the other years it is tied to
    pages: dict  # page -> (key, sha1)
    bundle: dict | None  # its search bundle's pages and keys, or None
    assets: list  # the image addresses its pages use
    summary: YearSummary


@dataclass(frozen=True)
class Stub:
    """What pages spanning years show of an item with leaders' instructions of a sealed year."""

    id: str
    title: str
    date: dt.date
    unit: str
    instructions: tuple


def id_year(item_id: str) -> int | None:
    return int(item_id[:4]) if item_id[:4].isdigit() else None


def signatures(root: str) -> dict[int, str]:
    """{year: digest of the stat signatures of its item files and manifests}: one pass, no reading."""
    from .cache import files_under, signature
    from ..source.load import ITEMS_DIR
    from ..source.manifest import ISSUES_DIR
    found: dict = {}
    for rel, entry in files_under(root, ITEMS_DIR):
        year = rel.split("/")[2]
        if year.isdigit() and rel.endswith(".md"):
            found.setdefault(int(year), []).append((rel, signature(entry.stat(follow_symlinks=False))))
    for rel, entry in files_under(root, ISSUES_DIR):
        parts = rel.split("/")
        if len(parts) == 4 and parts[2].isdigit() and rel.endswith((".yml", ".yaml")):
            found.setdefault(int(parts[2]), []).append((rel, signature(entry.stat(follow_symlinks=False))))
    return {y: hashlib.sha1(repr(sorted(v)).encode()).hexdigest() for y, v in found.items()}


def global_signature(root: str) -> str:
    """The inputs besides items and manifests that pages of a year show: the evaluation records."""
    from ..stats import EVALUATION_FILE
    try:
        with open(os.path.join(root, EVALUATION_FILE), "rb") as fh:
            return hashlib.sha1(fh.read()).hexdigest()
    except OSError:
        return "none"


def newest_manifest_years(root: str) -> set[int]:
    """The newest year of each periodical's manifests: its page lists that year's issues in full."""
    from ..source.manifest import ISSUES_DIR
    out: set[int] = set()
    try:
        periodicals = os.listdir(os.path.join(root, ISSUES_DIR))
    except OSError:
        return out
    for p in periodicals:
        try:
            years = [int(y) for y in os.listdir(os.path.join(root, ISSUES_DIR, p)) if y.isdigit()]
        except OSError:
            continue
        if years:
            out.add(max(years))
    return out


def plan(record: dict, root: str, salt: str, engine: str, sigs: dict[int, str]) -> tuple[set[int] | None, str]:
    """(the years whose pages may change (see the module's docstring), ""), or (None, why every
    year is read and its pages made again, in Chinese)."""
    from . import fingerprint
    if not record:
        return None, "没有构建记录"
    if record.get("code") != fingerprint.package():
        return None, "kanwu 的代码已更新"
    if record.get("salt") != salt:
        return None, "设置已改动（kanwu.yml、units.yml、leaders.yml 或 content/proof/ 的词表）"
    if record.get("engine") != engine:
        return None, "主题、网站配置或 MkDocs/Material 版本已改动"
    if record.get("global") != global_signature(root):
        return None, "考核评价记录已改动"
    kept = record.get("years") or {}
    if not sigs or set(kept) - set(sigs):  # a year gone: its pages must go too
        return None, "有一个年份的内容已全部删除"
    today = record.get("today")
    if not isinstance(today, dt.date):
        return None, "构建记录不完整"
    if any(not isinstance(e, SealedYear) for e in kept.values()):
        return None, "构建记录不完整"
    dirty = {y for y, digest in sigs.items() if y not in kept or kept[y].files != digest}
    dirty |= {y for y in sigs if y >= (today - dt.timedelta(days=7)).year}  # open at the last build
    dirty |= newest_manifest_years(root) & set(sigs)
    dirty |= {y for y, entry in kept.items() if pending(entry, today)}
    return dirty, ""


def pending(entry: SealedYear, today: dt.date) -> bool:
    """Whether a year's pages may show a deadline passing after ``today``: an instruction not yet
    answered by all its units whose deadline had not passed (the pages then say 办理中, later 已逾期)."""
    return any(not ins.closed and ins.due >= today for stub in entry.summary.stubs for ins in stub.instructions)


def ties(kept: dict, loaded: dict[int, set[int]], read: set[int]) -> dict[int, set[int]]:
    """{year: the years tied to it}: ``loaded`` (``refs_of`` the years ``read``) for those, the
    record for the others, both ways."""
    out: dict = {y: set(e.refs) for y, e in kept.items() if y not in read}
    for y in read:
        out[y] = set(loaded.get(y, ()))
    for y, others in list(out.items()):
        for other in others:
            out.setdefault(other, set()).add(y)
    return out


def around(years: set[int], tied: dict[int, set[int]]) -> set[int]:
    """``years`` and the years tied to one of them."""
    return set(years).union(*(tied.get(y, set()) for y in years))


def refs_of(items: dict, issues) -> dict[int, set[int]]:
    """{year: the other years it is tied to}: by a 续报 of an item of the other year, an issue
    adopting one, or a record on an item dated in the other year (a higher office's adoption, a
    leader's instruction or its feedback: the other year's notices count them). Both ways."""
    out: dict = {}

    def tie(here: int, there: int | None) -> None:
        if there is not None and there != here:
            out.setdefault(here, set()).add(there)
            out.setdefault(there, set()).add(here)
    for item in items.values():
        year = item.date.year
        if item.follow_up_of:
            tie(year, id_year(item.follow_up_of))
        for a in item.adopted_by:
            tie(year, a.date.year)
        for ins in item.instructions:
            tie(year, ins.date.year)
            for fb in ins.feedback:
                tie(year, fb.date.year)
    for issue in issues:
        for item_id in issue.item_ids:
            tie(issue.year, id_year(item_id))
        tie(issue.year, issue.date.year)
    return out


class ReadAll(Exception):
    """The years read do not cover what this build's pages show: read every year."""


def record(site, repo, hashes: dict, sigs: dict[int, str], assets: dict, salt: str, engine: str, root: str) -> dict:
    """What each year gave the build just made (see the module's docstring): the sealed years' as
    they were; the others' from ``site`` (its keys, bundles and summaries), ``hashes`` (every
    file of the tree) and ``assets`` ({year: image addresses})."""
    kept = dict(site.sealed)
    pages: dict = {}
    for path, sha1 in hashes.items():
        year = page_year(path)
        if year is not None and year not in kept:
            pages.setdefault(year, {})[path] = (site.keys.get(path), sha1)
    refs = refs_of(repo.items, repo.issues)
    summaries = site.summaries()
    for year, digest in sigs.items():
        if year in kept:
            continue
        kept[year] = SealedYear(digest, refs.get(year, set()), pages.get(year, {}), site.bundles.get(f"pagefind-{year}"),
                                sorted(assets.get(year, ())), summaries.get(year) or YearSummary())
    from . import fingerprint
    return {"salt": salt, "code": fingerprint.package(), "engine": engine, "global": global_signature(root),
            "today": site.today, "years": kept}
