"""One declaration of an item's front matter: it drives conversion, validation, the
JSON Schema published for editors' YAML plugins, and the field table in the docs."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from dataclasses import dataclass

from ..errors import ERROR, WARNING, Problem
from .yamlread import Document, Scalar

CATEGORIES = ("动态", "经验", "问题", "建议", "社情民意", "调研", "综述", "突发事件")
URGENCIES = ("平件", "加急", "特急")
CLASSIFICATIONS = ("公开", "内部", "秘密", "机密")
SECRET_LEVELS = ("秘密", "机密")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text | date | datetime | choice | list | ref | records
    doc: str  # Chinese, shown in the JSON Schema and docs
    required: bool = False
    choices: tuple = ()
    example: str = ""
    parts: tuple = ()  # for records: the fields of each record
    printed: bool = True  # part of what an issue prints: changing it after publication needs a correction
    when: str = ""  # Chinese: when a field that is not always required is (README's field table)


FEEDBACK = (
    Field("unit", "ref", "反馈单位编号", True, example="qingxi"),
    Field("date", "date", "反馈日期", True, example="2026-11-20"),
    Field("text", "text", "办理情况", True, example="已组织排查，整改隐患 12 处"),
)
INSTRUCTION = (
    Field("by", "text", "批示领导", True, example="市委主要负责同志"),
    Field("date", "date", "批示日期", True, example="2026-11-06"),
    Field("text", "text", "批示内容", True, example="请市应急管理局督促抓好整改"),
    Field("units", "list", "承办单位编号列表", True, example="[yingji]"),
    Field("due", "date", "办理时限", True, example="2026-11-20"),
    Field("feedback", "records", "承办单位的办理反馈", parts=FEEDBACK),
)
ADOPTED_BY = (
    Field("by", "text", "采用机关，如 省委办公厅、中央办公厅", True, example="省委办公厅"),
    Field("publication", "text", "采用的刊物及期号", True, example="《江南信息》第88期"),
    Field("date", "date", "采用日期", True, example="2026-11-10"),
)


FIELDS: tuple[Field, ...] = (
    Field("title", "text", "标题：一句话说清楚事情，不超过 40 字", True, example="青溪县“田间课堂”助力冬小麦适时播种"),
    Field("unit", "ref", "报送单位的编号，见 content/units.yml", True, example="qingxi"),
    Field("date", "date", "报送日期，格式 YYYY-MM-DD", True, example="2026-11-03"),
    Field("category", "choice", "信息类别", True, CATEGORIES, "动态"),
    Field("urgency", "choice", "紧急程度", True, URGENCIES, "平件"),
    Field("classification", "choice", "密级；不写不会当作公开，而是报错", True, CLASSIFICATIONS, "内部"),
    Field("secrecy_period", "text", "保密期限，密级为秘密或机密时必填，例如“1年”", example="1年", when="秘密、机密时必填"),
    Field("authors", "list", "撰稿人（信息员）姓名列表", True, example="[张晓燕]"),
    Field("event_at", "datetime", "事件发生时间（年-月-日 时:分+08:00），突发事件必填",
          example="2026-11-05 07:40+08:00", when="突发事件必填"),
    Field("reported_at", "datetime", "首次报告时间（年-月-日 时:分+08:00），突发事件必填", example="2026-11-05 09:10+08:00",
          when="突发事件必填"),
    Field("follow_up_of", "ref", "续报：所续报的上一条信息的编号", example="20261105-yingji-01", when="续报时"),
    Field("tags", "list", "关键词标签", example="[防汛, 安全生产]"),
    Field("summary", "text", "摘要：供《汇要》使用的一两句话；不写则取正文第一句"),
    Field("adopted_by", "records", "上级采用记录（发布后由信息科登记）", parts=ADOPTED_BY, printed=False),
    Field("instructions", "records", "领导批示及办理反馈（发布后由信息科登记）", parts=INSTRUCTION, printed=False),
)
BY_NAME = {f.name: f for f in FIELDS}
_MARK = {f.name: i for i, f in enumerate(FIELDS)}


class Marks(tuple):
    """(line, column) of each front-matter field by name, kept as one flat tuple in FIELDS' order
    (0 where a field is not written). Read like a dict's ``get``. A dict of tuples per item made
    half of the parse cache's load time at 50,000 items (0.065 → 0.038 s per year's shard)."""

    __slots__ = ()

    @classmethod
    def of(cls, where: dict) -> Marks:
        flat = [0] * (2 * len(FIELDS))
        for name, (line, col) in where.items():
            i = _MARK.get(name)
            if i is not None:
                flat[2 * i], flat[2 * i + 1] = line, col
        return cls(flat)

    def get(self, name: str, default=None):
        i = _MARK.get(name)
        if i is None or not self[2 * i]:
            return default
        return self[2 * i], self[2 * i + 1]

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)\s*(Z|[+-]\d{2}:?\d{2})?$", re.ASCII)


def title_message(limit: int) -> str:
    """What both ``kanwu check`` (a warning) and the web form (a refusal) say of a long title."""
    return f"超过 {limit} 字，标题应一句话点明主旨，请压缩"


def nearest(word: str, options) -> str:
    """A "did you mean" suffix, or ''."""
    close = difflib.get_close_matches(word, list(options), n=3, cutoff=0.5)
    return "，是不是：" + "、".join(close) if close else ""


def convert(doc: Document, path: str, specs: tuple = FIELDS, at: tuple = ()) -> tuple[dict, list[Problem]]:
    """A mapping → typed values (str, date, datetime, tuple, records) and located problems."""
    problems: list[Problem] = []
    values: dict = {}
    by_name = {f.name: f for f in specs}
    mapping = doc.data
    for step in at:
        mapping = mapping[step]

    def report(name, message, hint="", severity=ERROR, key=False, sub=()):
        line, col = doc.where(at + (name,) + sub, key=key)
        label = ".".join(str(x) for x in at + (name,))
        problems.append(Problem(path, line, col, severity, label, message, hint))

    day = _day_of(mapping.get("date"))  # the record's own date, for hints about its times
    for name, raw in mapping.items():
        spec = by_name.get(name)
        if spec is None:
            report(name, f"未知字段 {name}{nearest(name, by_name)}",
                   "可用字段见 README 或 kanwu schema" + ("；自定义内容请写进 tags" if not at else ""), key=True)
            continue
        if spec.kind == "records":
            value = _records(spec, raw, doc, path, at + (name,), report, problems)
        else:
            value = _convert_one(spec, raw, report, day)
        if value is not None:
            values[name] = value
    for spec in specs:
        if spec.required and spec.name not in mapping:
            line, col = doc.where(at)
            label = ".".join(str(x) for x in at + (spec.name,))
            problems.append(Problem(path, line, col, ERROR, label, f"缺少必填字段 {spec.name}（{spec.doc}）",
                                    f"加一行：{spec.name}: {_missing_example(spec, path, at)}"))
    return values, problems


def _missing_example(spec: Field, path: str, at: tuple) -> str:
    """What to write for a missing field: an item's date from its file name, else the example."""
    m = re.match(r"(\d{4})(\d{2})(\d{2})-", os.path.basename(path))
    if spec.kind == "date" and not at and m:
        return "-".join(m.groups())
    return spec.example


def _records(spec: Field, raw, doc, path, at, report, problems):
    """A list of mappings, each converted by ``spec.parts``; None if any record is wrong."""
    if isinstance(raw, Scalar) and raw.is_null:
        return ()
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        report(spec.name, "应为若干条记录，每条以“- ”开头、下面缩进写各字段", "参见 README 中的示例")
        return None
    out = []
    ok = True
    for i, record in enumerate(raw):
        values, more = convert(doc, path, spec.parts, at + (i,))
        problems.extend(more)
        ok = ok and not any(p.is_error for p in more)
        out.append(values)
    return tuple(out) if ok else None


_LIST_SEPARATORS = re.compile(r"\s*[、，,；;]\s*")


def _convert_one(spec: Field, raw, report, day: str = ""):
    if spec.kind == "list":
        if isinstance(raw, Scalar) and not raw.is_null:
            raw = [raw]  # "authors: 张三" is a list of one
        if isinstance(raw, Scalar):
            return ()
        if not isinstance(raw, list) or not all(isinstance(x, Scalar) for x in raw):
            report(spec.name, "应为文字列表", f"写成：{spec.name}: {spec.example}")
            return None
        written = [x.text.strip() for x in raw if x.text.strip()]
        parts = [p for w in written for p in _LIST_SEPARATORS.split(w) if p]
        if len(parts) != len(written):
            joined = next(w for w in written if _LIST_SEPARATORS.search(w))
            report(spec.name, f"“{joined}”里有顿号或逗号，已按它分成 {len(parts)} 项：" + "、".join(parts),
                   f"写成列表：{spec.name}: [{', '.join(parts)}]（各项之间用英文逗号）", WARNING)
        return tuple(parts)
    if not isinstance(raw, Scalar):
        report(spec.name, "应为一行文字，不能是列表或子项", f"写成：{spec.name}: {spec.example}")
        return None
    text = raw.text.strip()
    if raw.is_null or text == "":
        report(spec.name, "值是空的", f"写成：{spec.name}: {spec.example}")
        return None
    if spec.kind == "text":
        if raw.yaml11_kind and raw.yaml11_kind != "日期":
            report(spec.name, f"“{text}”不加引号时会被 YAML 读成{raw.yaml11_kind}，其他工具会读错",
                   f"加上引号：{spec.name}: \"{text}\"", WARNING)
        return text
    if spec.kind == "ref":
        return text
    if spec.kind == "choice":
        if text not in spec.choices:
            report(spec.name, f"“{text}”不是可用的值{nearest(text, spec.choices)}",
                   "可用的值：" + "、".join(spec.choices))
            return None
        return text
    if spec.kind == "date":
        return parse_date(text, spec, report)
    if spec.kind == "datetime":
        return parse_datetime(text, spec, report, day)
    raise AssertionError(spec.kind)


_LOOSE_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$|^(\d{4})(\d{2})(\d{2})$")
_LOOSE_TIME = re.compile(r"^(\d{1,2})\s*[:：时点]\s*(\d{2})\s*分?(?::(\d{2}))?$")


def loose_date(text: str) -> dt.date | None:
    """The date ``text`` means when written as people write dates (2026/12/03, 2026.12.3,
    2026年12月3日, 20261203), or None."""
    m = _LOOSE_DATE.match(text.strip())
    if not m:
        return None
    y, mo, d = (g for g in m.groups() if g is not None)
    try:
        return dt.date(int(y), int(mo), int(d))
    except ValueError:
        return None


def _day_of(raw) -> str:
    """The YYYY-MM-DD of a record's date field, if it can be read at all; else ""."""
    if not isinstance(raw, Scalar) or raw.is_null:
        return ""
    d = loose_date(raw.text)
    return d.isoformat() if d else ""


def _loose_datetime(text: str, day: str) -> str:
    """``text`` as the YYYY-MM-DD HH:MM+08:00 it most likely means (a time alone on ``day``), or ""."""
    text = text.strip()
    m = re.match(r"^(.*?)[T\s]*(\d{1,2}\s*[:：时点]\s*\d{2}\s*分?(?::\d{2})?)\s*(Z|[+-]\d{2}:?\d{2})?$", text)
    if not m:
        return ""
    date_text, time_text, zone = m.groups()
    d = loose_date(date_text) if date_text.strip() else None
    if d is None and date_text.strip():
        return ""
    t = _LOOSE_TIME.match(time_text)
    if not t or int(t.group(1)) > 23 or int(t.group(2)) > 59:
        return ""
    when = f"{int(t.group(1)):02d}:{t.group(2)}" + (f":{t.group(3)}" if t.group(3) else "")
    return f"{d.isoformat() if d else day or 'YYYY-MM-DD'} {when}{zone or '+08:00'}"


def parse_date(text: str, spec: Field, report):
    m = _DATE.match(text)
    if not m:
        meant = loose_date(text)
        report(spec.name, f"“{text}”不是 YYYY-MM-DD 格式的日期",
               f"写成：{spec.name}: {meant.isoformat()}" if meant else "按“年-月-日”写，月和日都写两位，例如 2026-01-05")
        return None
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        report(spec.name, f"日期 {text} 不存在", "检查月份和日数（例如 2 月没有 30 日）")
        return None
    return day if _plausible(day, spec, report) else None


# An office's record starts long after 1990 and nothing is reported more than a year ahead:
# beyond these a date is a typo (0001-01-01, 9999-12-31) that would move the site's "today".
EARLIEST = dt.date(1990, 1, 1)
AHEAD = dt.timedelta(days=366)


def _plausible(day: dt.date, spec: Field, report) -> bool:
    if day < EARLIEST:
        report(spec.name, f"日期 {day.isoformat()} 早于 {EARLIEST.year} 年，不可能是这条信息的日期", "检查年份是否写错")
        return False
    latest = dt.date.today() + AHEAD
    if day > latest:
        report(spec.name, f"日期 {day.isoformat()} 在一年以后（今天是 {dt.date.today().isoformat()}），不可能是这条信息的日期",
               "检查年份是否写错")
        return False
    return True


def parse_datetime(text: str, spec: Field, report, day: str = ""):
    m = _DATETIME.match(text)
    if not m:
        meant = _loose_datetime(text, day)
        if re.fullmatch(r"\d{1,2}:\d{2}", text):
            report(spec.name, f"只写了时刻“{text}”；不加引号时 YAML 1.1 会把它读成数字 {_sexagesimal(text)}",
                   f"写完整的日期时间和时区：{spec.name}: {meant}" + ("（日期取本条的报送日期，不对请改）" if day else ""))
        elif meant:
            report(spec.name, f"“{text}”不是“年-月-日 时:分+时区”格式的日期时间", f"写成：{spec.name}: {meant}")
        else:
            report(spec.name, f"“{text}”不是带时区的日期时间", "按“年-月-日 时:分+08:00”写，例如 2026-01-05 09:30+08:00")
        return None
    date_part, time_part, zone = m.groups()
    if zone is None:
        report(spec.name, f"“{text}”缺少时区", f"在末尾加上 +08:00，例如 {date_part} {time_part}+08:00")
        return None
    if len(time_part) == 5:
        time_part += ":00"
    if zone != "Z" and ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    try:
        moment = dt.datetime.fromisoformat(f"{date_part}T{time_part}{'+00:00' if zone == 'Z' else zone}")
    except ValueError:
        report(spec.name, f"日期时间 {text} 不存在", "检查月、日、时、分是否在范围内")
        return None
    return moment if _plausible(moment.date(), spec, report) else None


def _sexagesimal(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def json_schema() -> dict:
    """The JSON Schema of an item's front matter, for editors' YAML plugins."""
    props = {}
    for f in FIELDS:
        props[f.name] = _schema_of(f)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "kanwu 信息稿件的 front matter",
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in FIELDS if f.required],
        "properties": props,
        "allOf": [
            {"if": {"properties": {"classification": {"enum": list(SECRET_LEVELS)}}},
             "then": {"required": ["secrecy_period"]}},
            {"if": {"properties": {"category": {"const": "突发事件"}}},
             "then": {"required": ["event_at", "reported_at"]}},
        ],
    }


def _schema_of(f: Field) -> dict:
    if f.kind == "records":
        p = {"type": "array", "items": {"type": "object", "additionalProperties": False,
                                        "required": [x.name for x in f.parts if x.required],
                                        "properties": {x.name: _schema_of(x) for x in f.parts}}}
    elif f.kind == "list":
        p = {"type": "array", "items": {"type": "string"}}
    elif f.kind == "choice":
        p = {"type": "string", "enum": list(f.choices)}
    elif f.kind == "date":
        p = {"type": "string", "pattern": _DATE.pattern}
    elif f.kind == "datetime":
        p = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?\s*(Z|[+-]\d{2}:?\d{2})$"}
    else:
        p = {"type": "string", "minLength": 1}
    p["description"] = f.doc
    if f.example:
        p["examples"] = [f.example]
    return p
