"""Bytes → text (encoding checks) → front matter with YAML marks + body → Item.

Nothing here guesses: a file kanwu cannot read with certainty is an error at a place,
never an item with missing metadata (MkDocs' own loader returns {} on a YAML error).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat

from . import chars, fields, render, yamlread
from ..errors import ERROR, WARNING, Problem
from ..model import AdoptedBy, Feedback, Instruction, Item

ITEMS_DIR = "content/items"
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}  # ０-９ Ａ-Ｚ ａ-ｚ － … → ASCII
ASSETS_DIR = "content/assets"
ID_PATTERN = re.compile(r"^(\d{4})(\d{2})(\d{2})-([a-z][a-z0-9-]*)-(\d{2,3})$", re.ASCII)  # ASCII digits only: "２０２６" is not a year here
PLACEHOLDER = "（在这里写正文"  # the opening of the body scaffold.py writes
# The web form (Decap CMS) names a second entry with the same name "<name>-1", "<name>-2", ...
_FORM_SUFFIX = re.compile(r"^(\d{8}-[a-z][a-z0-9-]*-)(\d{2,3})-(\d{1,2})$", re.ASCII)
_FENCE = re.compile(r"^---[ \t]*$")
_END = re.compile(r"^(---|\.\.\.)[ \t]*$")


def _renamed_hint(stem: str) -> str:
    m = _FORM_SUFFIX.match(stem)
    if not m:
        return "例如 20261103-qingxi-01.md；用 kanwu new 生成可避免此问题"
    number = int(m.group(2)) + int(m.group(3))
    return (f"这是同一单位同一天的又一条（网页表单遇到重名时在文件名后加了“-{m.group(3)}”）："
            f"改名为 {m.group(1)}{number:0{len(m.group(2))}d}.md，该序号已被占用时顺延")


def decode(raw: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 (BOM tolerated with a warning, CRLF accepted) or a located error."""
    problems = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        problems.append(Problem(rel, 1, 1, WARNING, "", "文件以 UTF-8 BOM 开头（已忽略）",
                                "用编辑器另存为“UTF-8（无 BOM）”"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        try:
            raw.decode("gb18030")
            looks = "文件看起来是 GBK/GB18030 编码（Windows 记事本或 WPS 的默认“ANSI”编码），不是 UTF-8"
            hint = f"用编辑器另存为 UTF-8，或运行：iconv -f GB18030 -t UTF-8 {rel} -o {rel}.utf8 && mv {rel}.utf8 {rel}"
        except UnicodeDecodeError:
            looks = "文件不是 UTF-8 编码，也不是 GBK/GB18030"
            hint = "确认这是文本文件，并用 UTF-8 重新保存"
        problems.append(Problem(rel, line, col, ERROR, "", f"{looks}：第 {line} 行有无法按 UTF-8 读取的字节", hint))
        return None, problems
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        problems.append(Problem(rel, line, 1, ERROR, "", "文件里有空字符（NUL），不是纯文本", "用 UTF-8 文本编辑器重新保存"))
        return None, problems
    return text.replace("\r\n", "\n").replace("\r", "\n"), problems


def split_front_matter(text: str, rel: str) -> tuple[str, str, int, list[Problem]]:
    """→ (front matter text, body, body's first line, problems)."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return "", "", 0, [Problem(rel, 1, 1, ERROR, "", "文件开头缺少 front matter（第一行应是 ---）",
                                   "在文件开头加上 --- 、字段和结束的 ---；可用 kanwu new 生成模板")]
    for i in range(1, len(lines)):
        if _END.match(lines[i]):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2, []
    return "", "", 0, [Problem(rel, 1, 1, ERROR, "", "front matter 没有结束的 ---",
                               "在最后一个字段下面单独写一行 ---，再写正文")]


def content_digest(values: dict, body: str) -> str:
    """A hash of what an issue prints: the printed fields and the body, not later records
    such as adoptions by higher offices or leaders' instructions."""
    printed = {f.name: str(values[f.name]) for f in fields.FIELDS if f.printed and f.name in values}
    data = json.dumps(printed, ensure_ascii=False, sort_keys=True) + "\n" + body.strip()
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def body_chars(body: str) -> int:
    """Characters a reader counts: no whitespace, no Markdown markup."""
    return len(re.sub(r"[\s#*>`_\-\[\]()!|]", "", body))


def load_item(root: str, rel: str, config) -> tuple[Item | None, list[Problem]]:
    """One item file → an Item, or None with the located problems that stopped it."""
    full = os.path.join(root, rel)
    if os.path.islink(full):
        return None, [Problem(rel, 1, 1, ERROR, "", "这是一个符号链接；符号链接可能把仓库外的文件带进网站",
                              "删除链接，把内容作为普通文件提交")]
    try:
        st = os.stat(full)
        if not stat.S_ISREG(st.st_mode):  # a FIFO or a device would hang the read
            return None, [Problem(rel, 1, 1, ERROR, "", "这不是普通文件（可能是管道或设备文件），无法读取", "删除它，把稿件作为普通文件提交")]
        if st.st_size > render.MAX_ITEM_BYTES:
            return None, [Problem(rel, 1, 1, ERROR, "", f"文件有 {st.st_size / 1024:,.0f} KB，超过一条信息的上限"
                                  f" {render.MAX_ITEM_BYTES // 1024} KB", "一条信息只讲一件事；图片放在 content/assets/ 中引用，不要嵌进文件")]
        with open(full, "rb") as fh:
            raw = fh.read(render.MAX_ITEM_BYTES + 1)
    except OSError as exc:
        return None, [Problem(rel, 1, 1, ERROR, "", f"无法读取文件：{exc.strerror}", "检查文件权限（git 仓库里的文件应可读）")]
    text, problems = decode(raw, rel)
    if text is None:
        return None, problems
    problems += chars.problems(text, rel)
    text = chars.for_parsing(text)
    problems += chars.missing_glyphs(text, rel)
    fm, body, body_line, more = split_front_matter(text, rel)
    problems += more
    if more:
        return None, problems
    pre = yamlread.precheck(fm, rel, 2)
    if pre:  # reported; read as meant, to report the rest of the file too
        problems += pre
        fm = yamlread.repaired(fm)
    try:
        doc = yamlread.parse(fm, rel, first_line=2)
    except yamlread.YamlProblem as exc:
        return None, problems + [exc.problem]
    if not isinstance(doc.data, dict):
        return None, problems + [Problem(rel, 2, 1, ERROR, "", "front matter 应是“字段: 值”的形式，现在不是",
                                         "每行写一个字段，例如 title: 标题")]
    values, more = fields.convert(doc, rel)
    problems += more

    def at(name):
        return doc.where((name,))

    def report(name, message, hint="", severity=ERROR):
        problems.append(Problem(rel, *at(name), severity, name, message, hint))

    stem = os.path.splitext(os.path.basename(rel))[0]
    if not rel.endswith(".md"):
        problems.append(Problem(rel, 1, 1, ERROR, "", "信息稿件的文件名应以 .md 结尾", "改文件名"))
    m = ID_PATTERN.match(stem)
    if not m:
        ascii_stem = stem.translate(_FULL_WIDTH)
        problems.append(Problem(rel, 1, 1, ERROR, "", f"文件名“{stem}”不符合“年月日-单位编号-序号”的格式"
                                + ("：里面有全角字符" if ascii_stem != stem else ""),
                                f"改名为 {ascii_stem}.md" if ascii_stem != stem and ID_PATTERN.match(ascii_stem)
                                else _renamed_hint(stem)))
    if values.get("classification") in fields.SECRET_LEVELS and "secrecy_period" not in values:
        report("classification", f"密级为{values['classification']}时必须写保密期限 secrecy_period",
               "加一行：secrecy_period: 1年")
    if values.get("category") == "突发事件":
        for name in ("event_at", "reported_at"):
            if name not in values and name not in doc.data:
                day = values["date"].isoformat() if "date" in values else "YYYY-MM-DD"
                report("category", f"突发事件必须写 {name}（{fields.BY_NAME[name].doc}）",
                       f"加一行：{name}: {day} 时:分+08:00（写实际的时刻，例如 {day} 08:30+08:00）")
    if values.get("event_at") and values.get("reported_at") and values["event_at"] > values["reported_at"]:
        report("event_at", "事件发生时间晚于报告时间", "检查 event_at 和 reported_at 是否写反")
    if not body.strip():
        problems.append(Problem(rel, body_line or 1, 1, ERROR, "", "正文是空的", "在结束的 --- 下面写信息正文"))
    elif PLACEHOLDER in body:
        line = body_line + body[:body.index(PLACEHOLDER)].count("\n")
        problems.append(Problem(rel, line, 1, ERROR, "", "正文还是 kanwu new 留下的提示语（在这里写正文……）",
                                "把这一段换成信息正文"))
    title = values.get("title", "")
    if len(title) > config.long_title_chars:
        report("title", f"标题有 {len(title)} 字，{fields.title_message(config.long_title_chars)}", "", WARNING)
    n = body_chars(body)
    if values.get("category") == "动态" and n > config.long_body_chars:
        problems.append(Problem(rel, body_line, 1, WARNING, "", f"动态类信息正文有 {n} 字，远超常见的 200～300 字",
                                "动态信息要“短、平、快”，请压缩或改为其他类别"))
    if m and "date" in values:
        d = values["date"]
        if (int(m.group(1)), int(m.group(2)), int(m.group(3))) != (d.year, d.month, d.day):
            report("date", f"报送日期 {d} 与文件名“{stem}”中的日期不一致", "改正日期，或按日期重命名文件")
        expected = f"{ITEMS_DIR}/{d.year:04d}/{d.month:02d}/"
        if not rel.startswith(expected):
            problems.append(Problem(rel, 1, 1, ERROR, "", f"文件应放在 {expected} 目录下（按报送日期）",
                                    f"移动到 {expected}{os.path.basename(rel)}"))
    unit = values.get("unit")
    if unit and unit not in config.units:
        names = {u.id: u.name for u in config.units.values()}
        by_name = [uid for uid, n in names.items() if unit in n or n in unit]
        guess = fields.nearest(unit, names)
        if by_name:
            guess = "，是不是：" + "、".join(f"{uid}（{names[uid]}）" for uid in by_name[:3])
        report("unit", f"单位“{unit}”没有登记{guess}", "单位编号见 content/units.yml")
    elif m and unit and m.group(4) != unit:
        report("unit", f"单位“{values['unit']}”与文件名中的单位“{m.group(4)}”不一致", "改正单位，或重命名文件")

    if any(p.is_error for p in problems):
        return None, problems
    item = Item(
        id=stem, path=rel, title=title, unit=values["unit"], date=values["date"],
        category=values["category"], urgency=values["urgency"], classification=values["classification"],
        authors=values["authors"], body=body.strip("\n"), body_line=body_line + len(body) - len(body.lstrip("\n")), digest=content_digest(values, body),
        secrecy_period=values.get("secrecy_period", ""), event_at=values.get("event_at"),
        reported_at=values.get("reported_at"), follow_up_of=values.get("follow_up_of", ""),
        tags=values.get("tags", ()), summary=values.get("summary", ""),
        adopted_by=tuple(AdoptedBy(**r) for r in values.get("adopted_by", ())),
        instructions=tuple(Instruction(**(r | {"feedback": tuple(Feedback(**f) for f in r.get("feedback", ()))}))
                           for r in values.get("instructions", ())),
        lines=fields.Marks.of({name: at(name) for name in values}),
        revision=hashlib.sha1(raw).hexdigest()[:16],
    )
    return item, problems
