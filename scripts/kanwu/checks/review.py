"""Review through pull requests: routing (CODEOWNERS), git as the record of submission."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass

from ..errors import ERROR, WARNING, KanwuError, Problem
from ..model import Config

# GitHub reads .github/, GitLab .gitlab/, Gitea/Forgejo .gitea/: the same file in each.
CODEOWNERS_PATHS = (".github/CODEOWNERS", ".gitlab/CODEOWNERS", ".gitea/CODEOWNERS")
BACKDATE_HOURS = 6


def codeowners(config: Config) -> str:
    """Each unit's items go to its reviewers; manifests and settings to the signers. Deterministic."""
    lines = ["# 由 kanwu codeowners 根据 content/units.yml 和 content/kanwu.yml 生成，请勿手改。",
             "# 后面的规则优先：较长的单位编号排在后面，*-teyue-chen-* 覆盖 *-chen-*。", ""]
    signers = " ".join(config.signers) or "@kanwu-editors"
    lines.append(f"* {signers}")
    for unit in sorted(config.units.values(), key=lambda u: (len(u.id), u.id)):
        owners = " ".join(unit.reviewers) or signers
        lines.append(f"/content/items/**/*-{unit.id}-*.md {owners}")
    lines.append(f"/issues/ {signers}")
    lines.append(f"/content/kanwu.yml {signers}")
    lines.append(f"/content/units.yml {signers}")
    lines.append(f"/content/evaluation.yml {signers}")
    return "\n".join(lines) + "\n"


def stale_codeowners(root: str, config: Config) -> list[Problem]:
    """A committed CODEOWNERS that no longer matches the registry is an error."""
    expected = codeowners(config)
    problems = []
    for rel in CODEOWNERS_PATHS:
        path = os.path.join(root, rel)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                if fh.read() != expected:
                    problems.append(Problem(rel, 1, 1, ERROR, "", "CODEOWNERS 与单位名册不一致（名册或审核人改过）",
                                            "运行 kanwu codeowners 重新生成并提交"))
    return problems


def _git(root: str, *args) -> str:
    try:
        res = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    except OSError:
        return ""
    return res.stdout if res.returncode == 0 else ""


def first_commits(root: str) -> dict:
    """path -> time (aware datetime) of the commit that first added it, following renames."""
    out = _git(root, "log", "--reverse", "--format=%x00%ct", "--name-status", "-M", "--", "content/items")
    first: dict = {}
    when = None
    for line in out.splitlines():
        if line.startswith("\x00"):
            when = dt.datetime.fromtimestamp(int(line[1:]), dt.timezone.utc)
            continue
        parts = line.split("\t")
        if not parts or not parts[0]:
            continue
        if parts[0] == "A" and len(parts) == 2:
            first.setdefault(parts[1], when)
        elif parts[0].startswith("R") and len(parts) == 3:
            first[parts[2]] = first.get(parts[1], when)
    return first


def backdated(root: str, items: dict, since: dt.date | None, hours: float = BACKDATE_HOURS) -> list[Problem]:
    """A reported_at much earlier than the item's first commit: a back-dated report.

    The submission time of an item is the time its commit reached the repository (the
    committer date: git cannot tell the server's receive time). Items first committed
    before ``since`` were imported in bulk when the office started using kanwu.
    """
    first = first_commits(root)
    problems = []
    for item in items.values():
        committed = first.get(item.path)
        if committed and since and committed.date() < since:
            continue
        if committed and item.reported_at and committed - item.reported_at > dt.timedelta(hours=hours):
            gap = (committed - item.reported_at).total_seconds() / 3600
            line, col = item.lines.get("reported_at", (1, 1))
            problems.append(Problem(item.path, line, col, WARNING, "reported_at",
                                    f"报告时间比首次提交到仓库的时间（{committed.astimezone(item.reported_at.tzinfo):%Y-%m-%d %H:%M}）"
                                    f"早 {gap:.1f} 小时，可能是补报或倒填时间",
                                    "按实际报送时间填写；迟报请如实说明"))
    return problems


@dataclass(frozen=True)
class Change:
    commit: str
    when: str
    author: str
    subject: str
    reviewed_by: tuple
    merged_by: str


def history(root: str, item) -> list[Change]:
    """Who submitted, who changed and who merged an item, from git history."""
    out = _git(root, "log", "--follow", "--format=%H%x1f%aI%x1f%an%x1f%s%x1f%(trailers:key=Reviewed-by,valueonly,separator=%x2c)",
               "--", item.path)
    if not out.strip():
        raise KanwuError(f"{item.path} 没有 git 历史（还没有提交？）")
    merges = _git(root, "log", "--merges", "--first-parent", "--format=%H%x1f%cn%x1f%s")
    merge_list = [m.split("\x1f") for m in merges.splitlines() if m]
    changes = []
    for line in out.splitlines():
        commit, when, author, subject, reviewed = (line.split("\x1f") + [""] * 5)[:5]
        merged_by = ""
        for sha, committer, msg in merge_list:  # the merge whose second parent brought the commit in
            if _is_ancestor(root, commit, sha) and not _is_ancestor(root, commit, sha + "^1"):
                merged_by = f"{committer}（{msg}）"
                break
        changes.append(Change(commit[:10], when, author, subject,
                              tuple(r.strip() for r in reviewed.split(",") if r.strip()), merged_by))
    return list(reversed(changes))


def _is_ancestor(root: str, a: str, b: str) -> bool:
    return subprocess.run(["git", "merge-base", "--is-ancestor", a, b], cwd=root, capture_output=True).returncode == 0
