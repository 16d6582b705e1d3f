"""The office's declared settings: content/kanwu.yml (office, periodicals, audiences,
calendar, rules) and content/units.yml (the units registry). One source of truth."""

from __future__ import annotations

import datetime as dt
import os
import re

from . import proofdata, yamlread
from .. import editions
from ..errors import KanwuError, ProblemsFound
from .fields import CATEGORIES, CLASSIFICATIONS
from ..model import Audience, Config, Periodical, Scoring, Unit

CONFIG_FILE = "content/kanwu.yml"
UNITS_FILE = "content/units.yml"
UNIT_KINDS = ("县区", "市直单位", "特约信息员")
QUOTAS = ("daily", "weekly", "none")
DIST_KEYS = ("报", "送", "发")
KEEP_RELEASES = 2  # publish.keep_releases: the live release and the previous one, for rollback
_ID = re.compile(r"^[a-z][a-z0-9-]*$")


def settings_files(root: str) -> tuple[str, ...]:
    """Every settings file a check of an item reads: the configuration, the units, proofreading's lists."""
    return (CONFIG_FILE, UNITS_FILE) + proofdata.files(root)


def find_root(start: str | None = None) -> str:
    """The repository root: the nearest folder upwards holding content/kanwu.yml."""
    here = os.path.abspath(start or os.getcwd())
    while True:
        if os.path.isfile(os.path.join(here, CONFIG_FILE)):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            raise KanwuError(f"找不到 {CONFIG_FILE}：请在 kanwu 仓库里运行，或用 --root 指定仓库目录。")
        here = parent


def _publish(cfg: yamlread.Reader, pub) -> dict:
    """The publish section as given, with keep_releases read as a count of at least 1."""
    if not isinstance(pub, dict):
        cfg.fail(("publish",), "publish 应为“键: 值”的设置组")
        return {}
    keep = cfg.get(pub, ("publish",), "keep_releases", int, KEEP_RELEASES)
    if keep < 1:
        cfg.fail(("publish", "keep_releases"), f"keep_releases 应为不小于 1 的整数（保留的版本数），现在是“{keep}”")
    return dict(pub, keep_releases=max(keep, 1))


def _kind(cfg: yamlread.Reader, p: dict, path: tuple, cadence) -> str:
    """The periodical's edition (``kind:``), checked against its cadence. The spelling before
    editions (``digest: yes``, ``instructions: yes``) still works, with a warning saying how to write it now."""
    kind = cfg.get(p, path, "kind", default="")
    for old in ("digest", "instructions"):
        if old not in p:
            continue
        said = str(p[old]).lower() in ("yes", "true")
        if said and kind and kind != old:
            cfg.fail(path + (old,), f"“{old}: {p[old]}”和 kind: {kind} 矛盾", f"只留 kind，删去 {old}")
        elif said:
            cfg.warn(path + (old,), f"“{old}: {p[old]}”是旧写法，仍按 kind: {old} 处理", f"改成 kind: {old}")
            kind = old
        else:
            cfg.warn(path + (old,), f"“{old}: {p[old]}”是旧写法，已不起作用", f"删去 {old}")
    kind = kind or editions.default_kind(str(cadence))
    kinds = "、".join(f"{k}（{e.label}）" for k, e in editions.EDITIONS.items())
    edition = editions.EDITIONS.get(kind)
    if edition is None:
        cfg.fail(path + ("kind",), f"刊物类型“{kind}”不存在", f"可用的类型：{kinds}")
        return editions.default_kind(str(cadence))
    if cadence in editions.CADENCES and cadence not in edition.cadences:
        cfg.fail(path + ("cadence",), f"{edition.label}类的刊物不能按“{cadence}”出刊",
                 "可用：" + "、".join(edition.cadences))
    return kind


def load_config(root: str) -> Config:
    cfg = yamlread.Reader(root, CONFIG_FILE)
    units = _load_units(root)
    data = cfg.data if isinstance(cfg.data, dict) else {}
    office = cfg.group(data, ("office",))
    rules = cfg.group(data, ("rules",))
    calendar = cfg.group(data, ("calendar",))

    periodicals = {}
    for pid, p in cfg.group(data, ("periodicals",)).items():
        path = ("periodicals", pid)
        p = cfg.group(p, path, whole=True)
        if not _ID.match(pid):
            cfg.fail(path, f"刊物编号“{pid}”只能用小写字母、数字和连字符")
        cutoff = None
        if p.get("cutoff"):
            try:
                cutoff = dt.time.fromisoformat(str(p["cutoff"])) if isinstance(p["cutoff"], str) else None
                if cutoff is None:
                    raise ValueError
            except ValueError:
                cfg.fail(path + ("cutoff",), f"截稿时间“{p['cutoff']}”应写成 \"16:00\"（带引号）")
        dist = cfg.group(p, path + ("distribution",))
        for k in dist:
            if k not in DIST_KEYS:
                cfg.fail(path + ("distribution", k), f"分送类别“{k}”不可用", "只能是 报、送、发")
        cadence = cfg.get(p, path, "cadence", choices=editions.CADENCES)
        kind = _kind(cfg, p, path, cadence)
        periodicals[pid] = Periodical(
            id=pid,
            name=cfg.get(p, path, "name"),
            edition=cfg.get(p, path, "edition"),
            cadence=cadence,
            cutoff=cutoff,
            categories=_checked_list(cfg, p, path, "categories", CATEGORIES, default=CATEGORIES),
            max_classification=cfg.get(p, path, "max_classification", choices=CLASSIFICATIONS),
            mark=cfg.get(p, path, "mark", default=""),
            office=cfg.get(p, path, "office", default=office.get("name", "")),
            editor=cfg.get(p, path, "editor"),
            signer=cfg.get(p, path, "signer"),
            distribution=tuple((k, tuple(dist.get(k) or ())) for k in DIST_KEYS if dist.get(k)),
            copies=cfg.get(p, path, "copies", int, 0),
            total_base=cfg.get(p, path, "total_base", int, 0),
            first_year=cfg.get(p.get("first_issue") or {}, path + ("first_issue",), "year", int, 0),
            first_number=cfg.get(p.get("first_issue") or {}, path + ("first_issue",), "number", int, 1),
            max_items=cfg.get(p, path, "max_items", int, 12),
            kind=kind,
            double_sided=_yes_no(cfg, p, path + ("double_sided",), True),
        )

    audiences = {}
    for aid, a in cfg.group(data, ("audiences",)).items():
        path = ("audiences", aid)
        a = cfg.group(a, path, whole=True)
        plist = _checked_list(cfg, a, path, "periodicals", tuple(periodicals), default=tuple(periodicals))
        audiences[aid] = Audience(
            id=aid,
            name=cfg.get(a, path, "name"),
            max_classification=cfg.get(a, path, "max_classification", choices=CLASSIFICATIONS),
            periodicals=plist,
            restricted_issues=cfg.get(a, path, "restricted_issues", default="redact", choices=("omit", "redact")),
            access=_access(cfg, a.get("access"), path + ("access",)),
            server_name=cfg.get(a, path, "server_name", default=""),
        )

    def days(key):
        out = set()
        for i, text in enumerate(calendar.get(key) or ()):
            try:
                out.add(dt.date.fromisoformat(text))
            except (TypeError, ValueError):
                cfg.fail(("calendar", key, i), f"“{text}”不是 YYYY-MM-DD 日期")
        return frozenset(out)

    config = Config(
        root=root,
        office_name=cfg.get(office, ("office",), "name"),
        section=cfg.get(office, ("office",), "section", default="信息科"),
        city=cfg.get(office, ("office",), "city", default=""),
        utc_offset=cfg.get(office, ("office",), "utc_offset", default="+08:00"),
        units=units,
        periodicals=periodicals,
        audiences=audiences,
        holidays=days("holidays"),
        extra_workdays=days("workdays"),
        long_body_chars=cfg.get(rules, ("rules",), "long_body_chars", int, 600),
        long_title_chars=cfg.get(rules, ("rules",), "long_title_chars", int, 40),
        emergency_deadline_hours=_hours(cfg, rules, "emergency_deadline_hours", 2),
        scoring=_scoring(cfg, cfg.group(data, ("scoring",)), periodicals),
        signers=cfg.get(office, ("office",), "signers", list, default=()),
        git_record_since=_date(cfg, rules, "git_record_since"),
        backdate_hours=_hours(cfg, rules, "backdate_warning_hours", 6),
        publish=_publish(cfg, data.get("publish") or {}),
        proof=proofdata.load(root, cfg, cfg.group(data, ("proofreading",))),
        warnings=tuple(cfg.warnings),
    )
    if not periodicals:
        cfg.fail(("periodicals",), "没有声明任何刊物")
    if cfg.problems:
        raise ProblemsFound(cfg.problems)
    return config


ACCESS_TYPES = ("basic", "cert", "ip")


def _access(cfg: yamlread.Reader, access, path: tuple) -> dict:
    """The access rule of an audience's site; checked here, enforced by the generated web-server config."""
    if access is None:
        return {}
    if not isinstance(access, dict) or access.get("type") not in ACCESS_TYPES:
        cfg.fail(path, "access 应写明 type：basic（口令文件）、cert（客户端证书）或 ip（地址白名单）")
        return {}
    need = {"basic": "htpasswd", "cert": "ca", "ip": "allow"}[access["type"]]
    if not access.get(need):
        cfg.fail(path, f"access 类型 {access['type']} 需要写 {need}")
    return access


def _date(cfg: yamlread.Reader, mapping: dict, key: str):
    if not mapping.get(key):
        return None
    try:
        return dt.date.fromisoformat(str(mapping[key]))
    except ValueError:
        cfg.fail(("rules", key), f"“{mapping[key]}”不是 YYYY-MM-DD 日期")
        return None


def _number(cfg: yamlread.Reader, path: tuple, value, default: float = 0.0) -> float:
    if value is None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        cfg.fail(path, f"分值应为数字，现在是“{value}”")
        return default


def _hours(cfg: yamlread.Reader, rules: dict, key: str, default: float) -> float:
    value = rules.get(key, default)
    try:
        hours = float(value)
        if not isinstance(value, (str, int, float)) or isinstance(value, bool) or hours < 0:
            raise ValueError
        return hours
    except (TypeError, ValueError):
        cfg.fail(("rules", key), f"{key} 应为不小于 0 的小时数，现在是“{value}”", f"例如 {key}: {default}")
        return float(default)


def _scoring(cfg: yamlread.Reader, data: dict, periodicals: dict) -> Scoring:
    path = ("scoring",)
    adoption = {}
    for pid, value in (data.get("adoption") or {}).items():
        if pid not in periodicals:
            cfg.fail(path + ("adoption", pid), f"刊物“{pid}”没有声明")
        adoption[pid] = _number(cfg, path + ("adoption", pid), value)
    higher = {k: _number(cfg, path + ("higher_office", k), v) for k, v in (data.get("higher_office") or {}).items()}
    elig = data.get("eligibility") or {}
    return Scoring(
        adoption=adoption, higher_office=higher,
        research_bonus=_number(cfg, path + ("research_bonus",), data.get("research_bonus")),
        best_item=_number(cfg, path + ("best_item",), data.get("best_item")),
        instruction=_number(cfg, path + ("instruction",), data.get("instruction")),
        late_emergency=_number(cfg, path + ("late_emergency",), data.get("late_emergency")),
        missing_follow_up=_number(cfg, path + ("missing_follow_up",), data.get("missing_follow_up")),
        province_criticisms=int(_number(cfg, path + ("eligibility", "province_criticisms"), elig.get("province_criticisms"), 1)),
        city_criticisms=int(_number(cfg, path + ("eligibility", "city_criticisms"), elig.get("city_criticisms"), 2)),
    )


def _yes_no(cfg, mapping: dict, path: tuple, default: bool) -> bool:
    """A yes/no setting (YAML's yes/no/true/false, or 是/否), or a located error."""
    value = mapping.get(path[-1], default)
    if isinstance(value, bool):
        return value
    word = {"yes": True, "no": False, "true": True, "false": False, "是": True, "否": False}.get(str(value).strip().lower())
    if word is None:
        cfg.fail(path, f"“{value}”不是是或否", "写 yes 或 no")
        return default
    return word


def _checked_list(cfg: yamlread.Reader, mapping, path, key, allowed, default):
    values = cfg.get(mapping, path, key, list, default=default)
    for i, v in enumerate(values):
        if v not in allowed:
            cfg.fail(path + (key, i), f"“{v}”不可用", "可用的值：" + "、".join(allowed))
    return tuple(values)


def _load_units(root: str) -> dict:
    reg = yamlread.Reader(root, UNITS_FILE)
    units = {}
    entries = reg.data.get("units") if isinstance(reg.data, dict) else None
    if not isinstance(entries, list):
        reg.fail(("units",), "应有 units: 列表")
        raise ProblemsFound(reg.problems)
    for i, u in enumerate(entries):
        path = ("units", i)
        if not isinstance(u, dict):
            reg.fail(path, "每个单位应是一组字段（id、name、kind…）")
            continue
        uid = reg.get(u, path, "id")
        if uid and not _ID.match(uid):
            reg.fail(path + ("id",), f"单位编号“{uid}”只能用小写字母、数字和连字符")
        if uid in units:
            reg.fail(path + ("id",), f"单位编号“{uid}”重复")
        kind = reg.get(u, path, "kind", choices=UNIT_KINDS)
        default_quota = {"县区": "daily", "市直单位": "weekly"}.get(kind, "none")
        name = reg.get(u, path, "name")
        units[uid] = Unit(
            id=uid,
            name=name,
            short=reg.get(u, path, "short", default=name),
            kind=kind,
            quota=reg.get(u, path, "quota", default=default_quota, choices=QUOTAS),
            reviewers=reg.get(u, path, "reviewers", list, default=()),
            research_minimum=reg.get(u, path, "research_minimum", int, {"县区": 2}.get(kind, 1)),
        )
    if reg.problems:
        raise ProblemsFound(reg.problems)
    return units
