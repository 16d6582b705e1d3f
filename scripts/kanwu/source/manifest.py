"""Issue manifests (期): issues/<periodical>/<year>/<NNN>.yml — load, check, write.

A manifest names items by id, in order, under headings; it never copies their text.
Once published (``published:`` set by ``kanwu sign``), it records each item's content
hash and a ``seal``: a hash of everything the issue was sent as (items, order, headings,
note, distribution, copies, signer, dates). A later change to the manifest breaks the seal;
a later change to an item must carry a correction (勘误, ``kanwu correct``), which is the only
part of a signed manifest that may still grow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import defaultdict

from . import yamlread
from .. import editions
from .config import DIST_KEYS
from ..errors import ERROR, Problem
from .fields import URGENCIES, nearest
from ..model import Config, Correction, Issue, Section, level

ISSUES_DIR = "issues"
_PATH = re.compile(r"^issues/([a-z][a-z0-9-]*)/(\d{4})/(\d{3})\.yml$", re.ASCII)
KEYS = ("periodical", "year", "number", "total", "date", "editor", "signer", "editor_note", "sections",
        "distribution", "copies", "urgency", "published", "signed_at", "digests", "corrections", "period", "seal")
CORRECTION_KEYS = ("item", "date", "by", "what", "digest")
# What ``kanwu sign`` freezes: every key but the corrections (and the seal itself).
SEALED = tuple(k for k in KEYS if k not in ("corrections", "seal"))


SENT_DIR = os.path.join(ISSUES_DIR, "sent")


def sent_root(digest: str) -> str:
    """The folder that holds, at the item's own path, the text an item had under ``digest`` when an
    issue carrying it was signed and the item was later corrected (see ``correct``)."""
    return os.path.join(SENT_DIR, digest)


def manifest_path(periodical: str, year: int, number: int) -> str:
    return f"{ISSUES_DIR}/{periodical}/{year:04d}/{number:03d}.yml"


def parse_cache(root: str, files: list, partial: bool = False):
    """The parse cache of manifests (``partial``: only the years of ``files`` are read and kept)."""
    from ..incremental.cache import ParseCache, year_shard
    return ParseCache(root, "manifests", shard=year_shard, only={year_shard(rel) for rel, _ in files} if partial else None)


def load_all(root: str, files: list, parsed=None, ahead: dict | None = None) -> tuple[list[Issue], list[Problem]]:
    """Every manifest under issues/ (``files``: their paths and stats, from ``cache.walk``;
    ``parsed``: their ``parse_cache``; ``ahead``: manifests already parsed, by path)."""
    issues, problems = [], []
    parsed = parsed or parse_cache(root, files)
    ahead = ahead or {}
    for rel, st in files:
        issue, more = parsed.get(rel, st, lambda rel=rel: ahead.pop(rel, None) or load_manifest(root, rel))
        problems += more
        if issue:
            issues.append(issue)
    parsed.save()
    issues.sort(key=lambda i: (i.periodical, i.year, i.number))
    return issues, problems


def load_manifest(root: str, rel: str, check_seal: bool = True) -> tuple[Issue | None, list[Problem]]:
    problems: list[Problem] = []
    full = os.path.join(root, rel)
    if os.path.islink(full):
        return None, [Problem(rel, 1, 1, ERROR, "", "期的清单不能是符号链接", "提交普通文件")]
    try:
        with open(full, "rb") as fh:
            raw = fh.read()
        text = _text(raw)
    except UnicodeDecodeError:
        return None, [Problem(rel, 1, 1, ERROR, "", "清单不是 UTF-8 编码", "用 UTF-8 重新保存")]
    problems += yamlread.precheck(text, rel, 1)
    if problems:  # reported; read as meant, to report the rest too
        text = yamlread.repaired(text)
    try:
        doc = yamlread.parse(text, rel)
    except yamlread.YamlProblem as exc:
        return None, problems + [exc.problem]
    data = yamlread.plain(doc.data)
    if not isinstance(data, dict):
        return None, [Problem(rel, 1, 1, ERROR, "", "清单应是“字段: 值”的形式", "参考 kanwu assemble 生成的清单")]

    def report(path, message, hint=""):
        line, col = doc.where(path)
        problems.append(Problem(rel, line, col, ERROR, ".".join(map(str, path)), message, hint))

    for key in data:
        if key not in KEYS:
            line, col = doc.where((key,), key=True)
            problems.append(Problem(rel, line, col, ERROR, key, f"未知字段 {key}{nearest(key, KEYS)}", ""))

    def need(key, kind):
        value = data.get(key)
        if value in (None, ""):
            report((key,), f"缺少 {key}", "")
            return None
        return _typed(value, kind, (key,), report)

    sections = []
    for i, sec in enumerate(data.get("sections") or []):
        if not isinstance(sec, dict) or not isinstance(sec.get("items"), list):
            report(("sections", i), "每个栏目应有 heading 和 items 列表", "")
            continue
        ids = tuple(str(x) for x in sec["items"] if x)
        sections.append(Section(str(sec.get("heading") or ""), ids))
    if not sections:
        report(("sections",), "这一期没有任何信息", "在 sections 下列出信息编号")
    corrections = []
    for i, c in enumerate(data.get("corrections") or []):
        path = ("corrections", i)
        if not isinstance(c, dict) or not all(c.get(k) for k in ("item", "date", "by", "what")):
            report(path, "勘误应写明 item、date、by、what", "用 kanwu correct 编号 --what 改了什么 --by 经办人 登记，不要手写")
            continue
        stray = [k for k in c if k not in CORRECTION_KEYS]
        if stray:
            line, col = doc.where(path + (stray[0],), key=True)
            problems.append(Problem(rel, line, col, ERROR, "corrections", f"勘误里有多余的字段 {'、'.join(map(str, stray))}"
                                    "（常见原因：what 里的逗号把一行 {…} 拆开了）",
                                    "删掉这条勘误，用 kanwu correct 编号 --what 改了什么 --by 经办人 重新登记"))
            continue
        d = _typed(c["date"], "date", path + ("date",), report)
        if d:
            corrections.append((Correction(str(c["item"]), d, str(c["by"]), str(c["what"])), str(c.get("digest") or "")))
    period = data.get("period") or {}
    values = dict(
        periodical=need("periodical", "str"), year=need("year", "int"), number=need("number", "int"),
        total=need("total", "int"), date=need("date", "date"), editor=need("editor", "str"),
        signer=data.get("signer") or "", copies=_typed(data.get("copies", "0"), "int", ("copies",), report),
        published=_typed(data["published"], "date", ("published",), report) if data.get("published") else None,
        signed_at=_typed(data["signed_at"], "datetime", ("signed_at",), report) if data.get("signed_at") else None,
        period_start=_typed(period["from"], "date", ("period", "from"), report) if period.get("from") else None,
        period_end=_typed(period["to"], "date", ("period", "to"), report) if period.get("to") else None,
    )
    if not values["signer"]:
        report(("signer",), "缺少签发人 signer", "写上签发人姓名，例如 signer: 王建国")
    urgency = str(data.get("urgency") or "")
    if urgency and urgency not in URGENCIES:
        report(("urgency",), f"紧急程度“{urgency}”不是 {'、'.join(URGENCIES)} 之一",
               f"写成 urgency: {nearest(urgency, URGENCIES) or URGENCIES[0]}；不写则按所收信息定（汇要不标）")
    m = _PATH.match(rel.replace(os.sep, "/"))
    if not m:
        problems.append(Problem(rel, 1, 1, ERROR, "", "清单应放在 issues/<刊物>/<年>/<三位期号>.yml",
                                "例如 issues/daily/2026/035.yml"))
    elif values["periodical"] and values["year"] and values["number"] is not None:
        if (m.group(1), int(m.group(2)), int(m.group(3))) != (values["periodical"], values["year"], values["number"]):
            report(("number",), f"文件位置 {rel} 与清单里的刊物、年份、期号不一致",
                   f"应为 {manifest_path(values['periodical'], values['year'], values['number'])}")
    dist = _distribution(data.get("distribution"), report)
    if isinstance(data.get("editor_note"), (dict, list)):
        report(("editor_note",), "编者按应是一段文字", "写成 editor_note: 编者按的内容（多段用 | 换行）")
    digests = data.get("digests") or {}
    if problems:
        return None, problems
    issue = Issue(
        path=rel, sections=tuple(sections), editor_note=str(data.get("editor_note") or "").strip(),
        distribution=dist,
        digests=tuple((str(k), str(v)) for k, v in digests.items()) if isinstance(digests, dict) else (),
        corrections=tuple(c for c, _ in corrections), urgency=urgency,
        # Not the parsed document: positions for the checks across files are looked up again in the
        # file when one reports a problem (``position``); kept, it was two thirds of the manifests' cache.
        lines={"correction_digests": tuple(d for _, d in corrections)},
        revision=hashlib.sha1(raw).hexdigest()[:16],
        seal=str(data.get("seal") or ""),
        **values,
    )
    if issue.published and check_seal:
        _check_seal(root, rel, doc, issue, problems)
    return (None if problems else issue), problems


def load_unsealed(root: str, rel: str) -> Issue | None:
    """A manifest read without checking its seal (for ``kanwu sign --reseal``)."""
    return load_manifest(root, rel, check_seal=False)[0]


def seal_of(issue: Issue) -> str:
    """The hash of what a signed issue was sent as: every manifest key but corrections and the seal,
    as kanwu reads them (so quoting, comments and key order do not matter; a changed value does)."""
    return seal_data(issue_to_data(issue))


def seal_data(data: dict) -> str:
    """``seal_of`` for a manifest's mapping (what synth writes without loading it back)."""
    import json
    frozen = _loose({k: data[k] for k in SEALED if k in data})
    return hashlib.sha256(json.dumps(frozen, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:24]


def _check_seal(root: str, rel: str, doc, issue: Issue, problems: list) -> None:
    if not issue.seal:
        line, col = doc.where(("published",))
        problems.append(Problem(rel, line, col, ERROR, "seal", f"这一期已于 {issue.published} 签发，但清单没有签发封记 seal",
                                f"签发要用 kanwu sign {rel}，不要手写 published；若是旧版签发的，请签发人核对后运行 "
                                f"kanwu sign {rel} --reseal（一次补完整个档案：kanwu sign issues/ --reseal）"))
        return
    if seal_of(issue) == issue.seal:
        return
    changed = _changed_since_signed(root, rel, issue)
    line, col = doc.where((changed[0],) if changed else ("seal",))
    what = "（" + "、".join(FROZEN_NAMES.get(k, k) for k in changed) + "）" if changed else ""
    problems.append(Problem(rel, line, col, ERROR, changed[0] if changed else "seal",
                            f"这一期已于 {issue.published} 签发，签发后清单被改动{what}，与签发封记不符；已签发的期必须保持原样",
                            "撤销对清单的改动（git checkout -- " + rel + "）；信息原文有误时改信息文件，再用 "
                            "kanwu correct 编号 --what 改了什么 --by 经办人 登记勘误"))


FROZEN_NAMES = {"sections": "栏目和信息", "editor_note": "编者按", "distribution": "分送范围", "copies": "印数", "urgency": "紧急程度",
                "signer": "签发人", "editor": "责任编辑", "date": "日期", "published": "签发日期",
                "signed_at": "签发时间", "digests": "内容指纹", "number": "期号", "total": "总期号",
                "period": "汇要时段", "periodical": "刊物", "year": "年份"}


def _changed_since_signed(root: str, rel: str, issue: Issue) -> list[str]:
    """The keys that differ from the committed manifest whose seal still holds (``git show HEAD:rel``),
    or [] when there is none to compare with."""
    import subprocess
    try:
        out = subprocess.run(["git", "-C", root, "show", f"HEAD:{rel}"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    if out.returncode != 0:
        return []
    try:
        old_doc = yamlread.parse(_text(out.stdout), rel)
    except (UnicodeDecodeError, yamlread.YamlProblem):
        return []
    old = yamlread.plain(old_doc.data)
    if not isinstance(old, dict) or str(old.get("seal") or "") != issue.seal:
        return []
    new = issue_to_data(issue)
    return [k for k in SEALED if _loose({"v": old.get(k)}) != _loose({"v": new.get(k)})]


def _loose(value):
    """A value as text all the way down (YAML's ints and kanwu's strings compare equal)."""
    if isinstance(value, dict):
        return {str(k): _loose(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_loose(v) for v in value]
    return "" if value is None else str(value)


def _distribution(dist, report) -> tuple:
    """报/送/发 → the names (a list or one name), checked: 抄 or a {…} among the names is an error, not a crash."""
    if dist in (None, "", {}):
        return ()
    if not isinstance(dist, dict):
        report(("distribution",), "分送范围应按“报:”“送:”“发:”分行列出", "例如\ndistribution:\n  报: [省委办公厅信息处]")
        return ()
    out = []
    for key, names in dist.items():
        if key not in DIST_KEYS:
            report(("distribution", key), f"分送范围只能分“报”“送”“发”，不能是“{key}”", "把这些单位归入 报、送 或 发")
            continue
        names = names if isinstance(names, list) else [names] if names not in (None, "") else []
        bad = [i for i, n in enumerate(names) if not isinstance(n, (str, int, float)) or isinstance(n, bool)]
        if bad:
            report(("distribution", key, bad[0]), f"“{key}”下的第 {bad[0] + 1} 项不是单位名称",
                   "每项写一个单位名称，例如 - 市委办公室（含逗号或冒号的名称加引号）")
            continue
        if names:
            out.append((key, tuple(str(n) for n in names)))
    return tuple(out)


def _typed(value, kind, path, report):
    if kind == "int":
        if isinstance(value, str) and re.fullmatch(r"\d+", value):
            return int(value)
        report(path, f"应为整数，现在是“{value}”", "")
        return None
    if kind == "datetime":
        try:
            return dt.datetime.fromisoformat(str(value))
        except ValueError:
            report(path, f"“{value}”不是 YYYY-MM-DDTHH:MM+08:00 形式的时间", "")
            return None
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            report(path, f"“{value}”不是存在的 YYYY-MM-DD 日期", "")
            return None
    return str(value)


def item_refs(issue: Issue) -> dict:
    """item id -> its first reference in the manifest, as a path for ``position``
    (line and column are looked up only for a problem: 70,000 references at 50,000 items)."""
    out: dict = {}
    for s, sec in enumerate(issue.sections):
        for i, item_id in enumerate(sec.items):
            if item_id not in out:
                out[item_id] = ("sections", s, "items", i)
    return out


def _text(raw: bytes) -> str:
    """A manifest's bytes as the text its positions count in (UTF-8, without BOM, LF line ends)."""
    return raw.decode("utf-8").lstrip("\ufeff").replace("\r\n", "\n")


def position(root: str, rel: str, path: tuple) -> tuple[int, int]:
    """(line, column) of ``path`` in the manifest ``rel`` (or of the nearest enclosing value), read
    again from the file: only a problem found across files asks for it."""
    try:
        with open(os.path.join(root, rel), "rb") as fh:
            return yamlread.parse(_text(fh.read()), rel).where(path)
    except (OSError, UnicodeDecodeError, yamlread.YamlProblem):  # changed since it was loaded
        return 1, 1


def check_issues(root: str, config: Config, items: dict, issues: list[Issue], known: set | None = None,
                 unreadable=frozenset(), broken=frozenset()) -> list[Problem]:
    """``known``: a partial load (whole years of manifests and items), with the ids of every item:
    references to items not loaded are taken as resolved, and running totals are checked from
    the first loaded issue on. ``unreadable``: ids of item files with errors of their own (a
    reference to one is not also "missing"). ``broken``: manifest files that could not be read: the
    numbering of their periodical is checked once they can."""
    problems: list[Problem] = []

    def report(issue, path, field, message, hint=""):
        line, col = position(root, issue.path, path)
        problems.append(Problem(issue.path, line, col, ERROR, field, message, hint))

    by_periodical = defaultdict(list)
    for issue in issues:
        p = config.periodicals.get(issue.periodical)
        if p is None:
            report(issue, ("periodical",), "periodical", f"刊物“{issue.periodical}”没有在 content/kanwu.yml 中声明"
                   f"{nearest(issue.periodical, config.periodicals)}")
            continue
        by_periodical[p.id].append(issue)
        refs = item_refs(issue)
        digests = dict(issue.digests)
        top = level(p.max_classification)
        for item_id, ref in refs.items():
            item = items.get(item_id)
            if item is None and (known and item_id in known or item_id in unreadable):
                continue
            if item is None:
                report(issue, ref, "sections", f"信息“{item_id}”不存在{nearest(item_id, items)}",
                       "检查编号（文件名去掉 .md）")
                continue
            if item.level > top:
                report(issue, ref, "sections", f"信息 {item_id} 的密级是{item.classification}，高于《{p.name}》"
                       f"（{p.edition}）允许的{p.max_classification}", "换到密级更高的刊物，或请报送单位降密后再用")
            if issue.date and item.date > issue.date:
                report(issue, ref, "sections", f"信息 {item_id} 的报送日期 {item.date} 晚于本期日期 {issue.date}")
            if issue.published:
                recorded = digests.get(item_id)
                if recorded is None:
                    report(issue, ref, "digests", f"已发布的期没有记录信息 {item_id} 的内容指纹",
                           f"运行 kanwu sign {issue.path}")
                elif item.digest != recorded and item.digest not in {
                        d for c, d in zip(issue.corrections, issue.lines["correction_digests"]) if c.item == item_id and d}:
                    report(
                        issue, ref, "sections",
                        f"信息 {item_id} 在本期发布后被修改（{item.path}），但没有登记勘误",
                        f"恢复原文，或登记勘误：kanwu correct {item_id} --what 改了什么 --by 经办人")
                elif item.digest != recorded and not os.path.isfile(os.path.join(root, sent_root(recorded), item.path)):
                    report(issue, ref, "sections",
                           f"信息 {item_id} 已更正，但缺少本期签发时的原文 {sent_root(recorded)}/{item.path}（印刷版要按原样保留）",
                           "不要删除 issues/sent 下的文件；从 git 历史恢复它")
        for i, c in enumerate(issue.corrections):
            if c.item not in refs:
                report(issue, ("corrections", i, "item"), "corrections", f"勘误所指的信息 {c.item} 不在本期", "")
    unnumbered = {rel.split("/")[1] for rel in broken if rel.count("/") >= 2}
    for pid, plist in by_periodical.items():
        p = config.periodicals[pid]
        if pid in unnumbered:
            continue  # a manifest of it is unreadable: a gap there is that file's own error
        expected_total = p.total_base if known is None else min(i.total for i in plist) - 1
        by_year = defaultdict(list)
        for issue in plist:
            by_year[issue.year].append(issue)
        used: dict = {}
        for year in sorted(by_year):
            expected = p.first_number_in(year)
            if known is not None and year - 1 not in by_year:  # a partial load: the years between unread
                expected_total = min(i.total for i in by_year[year]) - 1
            for issue in by_year[year]:
                expected_total += 1
                if issue.number < expected:
                    report(issue, ("number",), "number", f"《{p.name}》{year}年第{issue.number}期重复", "改成下一个空闲期号")
                elif issue.number > expected:
                    report(issue, ("number",), "number",
                           f"期号不连续：{year}年缺第{expected}期" + (f"至第{issue.number - 1}期" if issue.number - 1 > expected else ""),
                           f"改成第{expected}期")
                expected = max(expected, issue.number + 1)
                if issue.total != expected_total:
                    report(issue, ("total",), "total", f"总期号应为总第{expected_total}期，现在是总第{issue.total}期",
                           f"改成 total: {expected_total}")
                    expected_total = issue.total
                if issue.date and issue.date.year != issue.year:
                    report(issue, ("date",), "date", f"日期 {issue.date} 不在 {issue.year} 年", "")
                if not editions.of(p).adopts:
                    continue
                for item_id, ref in item_refs(issue).items():
                    if item_id in used:
                        report(issue, ref, "sections",
                               f"信息 {item_id} 已在《{p.name}》{used[item_id]}用过，同一刊物每条信息只能采用一次",
                               "从本期删除这条信息")
                    else:
                        used[item_id] = f"{issue.year}年第{issue.number}期"
    return problems


def write_manifest(root: str, issue_data: dict, rel: str) -> None:
    """Write a manifest atomically (a temp file renamed into place)."""
    full = os.path.join(root, rel)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    tmp = full + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(yamlread.dump(issue_data))
    os.replace(tmp, full)


def issue_to_data(issue: Issue) -> dict:
    """The manifest mapping for an Issue (the inverse of load_manifest)."""
    data: dict = {
        "periodical": issue.periodical, "year": issue.year, "number": issue.number, "total": issue.total,
        "date": issue.date.isoformat(), "editor": issue.editor, "signer": issue.signer,
    }
    if issue.period_start and issue.period_end:
        data["period"] = {"from": issue.period_start.isoformat(), "to": issue.period_end.isoformat()}
    data["editor_note"] = issue.editor_note
    data["sections"] = [{"heading": s.heading, "items": list(s.items)} for s in issue.sections]
    data["distribution"] = {k: list(v) for k, v in issue.distribution}
    data["copies"] = issue.copies
    if issue.urgency:
        data["urgency"] = issue.urgency
    if issue.published:
        data["published"] = issue.published.isoformat()
        if issue.signed_at:
            data["signed_at"] = issue.signed_at.isoformat(timespec="minutes")
        data["digests"] = dict(issue.digests)
    if issue.corrections:
        digests = issue.lines.get("correction_digests", ())
        data["corrections"] = [
            {"item": c.item, "date": c.date.isoformat(), "by": c.by, "what": c.what}
            | ({"digest": digests[i]} if i < len(digests) and digests[i] else {})
            for i, c in enumerate(issue.corrections)]
    if issue.seal:
        data["seal"] = issue.seal
    return data
