"""Reading YAML the way Chinese editors mean it, keeping every value's place.

PyYAML's resolver is YAML 1.1: ``no`` becomes False, ``12:30`` becomes 750, ``010``
becomes 8, and of two duplicate keys the last silently wins. kanwu composes the node
tree instead and converts scalars itself: every scalar stays the text the user typed,
each value keeps its line and column, and duplicate keys are errors. Types are applied
later by the declaration of each field (``fields.py``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import yaml

try:  # the C parser is ~7x faster; the pure-Python one gives the same nodes
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader

from ..errors import ERROR, WARNING, KanwuError, Problem, ProblemsFound

Path = tuple  # a path into the document: ("sections", 0, "items", 1)

# Tags the YAML 1.1 resolver would give a plain scalar that a user meant as text.
_TRAP_TAGS = {
    "tag:yaml.org,2002:bool": "布尔值",
    "tag:yaml.org,2002:int": "整数",
    "tag:yaml.org,2002:float": "小数",
    "tag:yaml.org,2002:null": "空值",
    "tag:yaml.org,2002:timestamp": "日期",
}


@dataclass(frozen=True)
class Scalar:
    """A scalar as typed: its text, whether it was quoted, and what YAML 1.1 would make of it."""

    text: str
    quoted: bool
    yaml11_kind: str  # "" when YAML 1.1 also reads it as a string

    @property
    def is_null(self) -> bool:
        return not self.quoted and self.yaml11_kind == "空值"


@dataclass
class Document:
    """A parsed YAML document: plain data (dict/list/Scalar) plus each path's (line, col), 1-based."""

    data: object
    marks: dict = field(default_factory=dict)
    key_marks: dict = field(default_factory=dict)

    def where(self, path: Path, key: bool = False) -> tuple[int, int]:
        table = self.key_marks if key else self.marks
        while path not in table and path:
            path = path[:-1]
        return table.get(path, self.marks.get((), (1, 1)))


class YamlProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.format())
        self.problem = problem


_FULLWIDTH_KEY = re.compile(r"^[ \t]*(-[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*：")
_FULLWIDTH_SPACE_INDENT = re.compile(r"^[ \t]*\u3000")


def precheck(text: str, path: str, first_line: int) -> list[Problem]:
    """Catch what editors on Windows type by mistake, with a message YAML could not give."""
    if "：" not in text and "\u3000" not in text and "\t" not in text:
        return []  # each check below needs one of these characters: most files have none
    problems = []
    for i, line in enumerate(text.split("\n")):
        n = first_line + i
        m = _FULLWIDTH_KEY.match(line)
        if m:
            col = line.index("：") + 1
            problems.append(Problem(path, n, col, ERROR, m.group(2),
                                    "键后面用了全角冒号“：”，YAML 读不出这个字段",
                                    f"改成半角冒号加空格：“{m.group(2)}: ”"))
            continue
        if _FULLWIDTH_SPACE_INDENT.match(line):
            problems.append(Problem(path, n, line.index("\u3000") + 1, ERROR, "",
                                    "行首用了全角空格（U+3000）缩进",
                                    "把全角空格换成半角空格；YAML 只认半角空格缩进"))
            continue
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            problems.append(Problem(path, n, len(line) - len(stripped) + 1, ERROR, "",
                                    "行首用了制表符（Tab）缩进", "把 Tab 换成两个半角空格"))
    return problems


def repaired(text: str) -> str:
    """``text`` with what ``precheck`` reports put right (line for line), so that the rest of a
    file can be checked in the same run."""
    out = []
    for line in text.split("\n"):
        m = _FULLWIDTH_KEY.match(line)
        if m:
            line = line[:m.end() - 1] + ": " + line[m.end():].lstrip(" ")
        else:
            indent = len(line) - len(line.lstrip(" \t\u3000"))
            line = line[:indent].replace("\u3000", "  ").replace("\t", "  ") + line[indent:]
        out.append(line)
    return "\n".join(out)


def parse(text: str, path: str, first_line: int = 1) -> Document:
    """Compose ``text`` and convert it; raise YamlProblem located in the file."""
    deep = _too_deep(text)
    if deep:
        raise YamlProblem(Problem(path, deep[0] + first_line - 1, deep[1], ERROR, "", f"YAML 嵌套过深（超过 {MAX_DEPTH} 层）",
                                  "检查是否多写了括号 [ {；字段最多嵌套几层"))
    try:
        node = yaml.compose(text, Loader=_Loader)
    except RecursionError:
        raise YamlProblem(Problem(path, first_line, 1, ERROR, "", f"YAML 嵌套过深（超过 {MAX_DEPTH} 层）",
                                  "检查是否多写了括号 [ {；字段最多嵌套几层")) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        col = (mark.column if mark else 0) + 1
        what = exc.problem or "格式错误"
        raise YamlProblem(Problem(path, line, col, ERROR, "", f"YAML 无法解析：{what}",
                                  "检查这一行和上一行的缩进、冒号和引号")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(path, first_line, 1, ERROR, "", f"YAML 无法解析：{exc}",
                                  "检查文件的编码和格式")) from None
    doc = Document(None)
    if node is None:
        doc.data = {}
        doc.marks[()] = (first_line, 1)
        return doc
    doc.data = _convert(node, (), doc, path, first_line, set())
    return doc


MAX_DEPTH = 20  # front matter and manifests need four or five levels
_SCAN_DEPTH = 200  # past this, found before parsing: the C parser recurses and crashes at ~100,000
_BRACKETS = re.compile(r"""[\[\]{}'"]""")


def _too_deep(text: str) -> tuple[int, int] | None:
    """(line, column) where flow brackets or block indentation nest past ``_SCAN_DEPTH``, found
    without parsing (brackets inside quotes on the same line are skipped: enough for a bound)."""
    depth = 0
    for n, line in enumerate(text.split("\n"), 1):
        quote = ""  # per line: an apostrophe in plain text must not hide the lines after it
        if len(line) - len(line.lstrip(" ")) > 2 * _SCAN_DEPTH:
            return n, 1
        for m in _BRACKETS.finditer(line):
            c = m.group()
            if quote:
                quote = "" if c == quote else quote
            elif c in "'\"":
                quote = c
            elif c in "[{":
                depth += 1
                if depth > _SCAN_DEPTH:
                    return n, m.start() + 1
            else:
                depth = max(0, depth - 1)
    return None


def _convert(node, p: Path, doc: Document, path: str, first_line: int, seen: set):
    """The node as plain data. A node met twice is an alias (``*name``): PyYAML hands back the
    anchored node itself, so a few hundred bytes of aliases of aliases expand to billions of
    values, and ``&a [x, *a]`` never ends. Aliases are refused, as is nesting deeper than
    ``MAX_DEPTH``."""
    if id(node) in seen:
        at = doc.key_marks.get(p) or doc.marks.get(p) or doc.where(p[:-1])
        raise YamlProblem(Problem(path, *at, ERROR, _field_name(p), "不支持 YAML 锚点和别名（&名称、*名称）",
                                  "把要重复的内容直接写出来"))
    seen.add(id(node))
    if len(p) > MAX_DEPTH:
        raise YamlProblem(Problem(path, node.start_mark.line + first_line, node.start_mark.column + 1, ERROR,
                                  _field_name(p[:3]), f"YAML 嵌套过深（超过 {MAX_DEPTH} 层）",
                                  "检查是否多写了括号 [ {；字段最多嵌套几层"))
    doc.marks[p] = (node.start_mark.line + first_line, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        quoted = node.style in ("'", '"', "|", ">")
        kind = "" if quoted else _TRAP_TAGS.get(node.tag, "")
        if node.tag.startswith("!") or (node.tag not in _TRAP_TAGS and node.tag != "tag:yaml.org,2002:str"):
            raise YamlProblem(Problem(path, *doc.marks[p], ERROR, _field_name(p),
                                      f"不支持的 YAML 标签 {node.tag}", "去掉以 ! 开头的标签"))
        return Scalar(node.value, quoted, kind)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, p + (i,), doc, path, first_line, seen) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(Problem(path, key_node.start_mark.line + first_line,
                                          key_node.start_mark.column + 1, ERROR, "",
                                          "键必须是简单的文字", "检查这一行的格式"))
            key = key_node.value
            kp = p + (key,)
            at = (key_node.start_mark.line + first_line, key_node.start_mark.column + 1)
            if key == "<<":
                raise YamlProblem(Problem(path, *at, ERROR, key, "不支持 YAML 合并键 <<",
                                          "把要合并的字段直接写出来"))
            if key in out:
                first = doc.key_marks[kp]
                raise YamlProblem(Problem(path, *at, ERROR, key,
                                          f"字段重复：第 {first[0]} 行已经写过 {key}，YAML 会悄悄只保留后一个",
                                          "删掉其中一行，只保留正确的值"))
            doc.key_marks[kp] = at
            if id(key_node) in seen:
                raise YamlProblem(Problem(path, *at, ERROR, key, "不支持 YAML 锚点和别名（&名称、*名称）",
                                          "把要重复的内容直接写出来"))
            seen.add(id(key_node))
            out[key] = _convert(value_node, kp, doc, path, first_line, seen)
        return out
    raise YamlProblem(Problem(path, *doc.marks[p], ERROR, _field_name(p), "无法识别的 YAML 内容", ""))


def _field_name(p: Path) -> str:
    return ".".join(str(x) for x in p)


def plain(value):
    """Drop Scalar wrappers: dicts, lists and strings only (for manifests' free data)."""
    if isinstance(value, Scalar):
        return None if value.is_null else value.text
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def dump(data) -> str:
    """Write YAML that kanwu reads back identically (block style, Chinese kept as is)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=1000)


class _Dumper(yaml.SafeDumper):
    pass


_PLAIN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _str_representer(dumper, value: str):
    if _PLAIN_DATE.match(value):  # kanwu reads every scalar as text: no quotes needed
        return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value, style=None)
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


class Reader:
    """Typed access to a parsed YAML file that records located problems."""

    def __init__(self, root: str, rel: str):
        self.rel = rel
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # reported by kanwu check, never stop a build
        full = os.path.join(root, rel)
        try:
            with open(full, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            raise KanwuError(f"{rel}: 文件不存在。") from None
        except UnicodeDecodeError:
            raise KanwuError(f"{rel}: 不是 UTF-8 编码（请用 UTF-8 保存）。") from None
        try:
            self.doc = parse(text.lstrip("\ufeff"), rel)
        except YamlProblem as exc:
            raise ProblemsFound([exc.problem]) from None
        self.data = plain(self.doc.data)

    def fail(self, path: tuple, message: str, hint: str = ""):
        line, col = self.doc.where(path)
        self.problems.append(Problem(self.rel, line, col, ERROR, ".".join(map(str, path)), message, hint))

    def warn(self, path: tuple, message: str, hint: str = ""):
        line, col = self.doc.where(path)
        self.warnings.append(Problem(self.rel, line, col, WARNING, ".".join(map(str, path)), message, hint))

    def group(self, mapping, path: tuple, whole: bool = False) -> dict:
        """The settings group at ``path`` (``mapping[path[-1]]``, or ``mapping`` itself when ``whole``), or {} and an error."""
        value = mapping if whole else (mapping.get(path[-1]) if isinstance(mapping, dict) else None)
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            self.fail(path, f"{'.'.join(map(str, path))} 应是一组“键: 值”的设置，现在是“{value}”",
                      "在它下面另起一行、缩进两格，逐项写设置")
            return {}
        return value

    def get(self, mapping: dict, path: tuple, key: str, kind=str, default=None, choices=None):
        value = mapping.get(key, default) if isinstance(mapping, dict) else default
        if value is None:
            if default is None:
                self.fail(path + (key,), f"缺少 {key}")
            return default
        if kind is int:
            try:
                return int(value)
            except (TypeError, ValueError):
                self.fail(path + (key,), f"{key} 应为整数，现在是“{value}”")
                return default if default is not None else 0
        if kind is list:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, (list, tuple)):
                self.fail(path + (key,), f"{key} 应为列表")
                return ()
            return tuple(str(v) for v in value)
        if not isinstance(value, str):
            self.fail(path + (key,), f"{key} 应为一行文字")
            return default or ""
        if choices and value not in choices:
            self.fail(path + (key,), f"{key} 的值“{value}”不可用", "可用的值：" + "、".join(choices))
        return value
