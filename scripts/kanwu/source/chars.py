"""Characters a file may hold that look like nothing, or like a box: found with their place.

Word and WPS leave them behind when text is pasted: a bullet from the Symbol font (U+F0B7, a
private-use code point no print font draws), zero-width spaces and joiners, soft hyphens, the
vertical tab and form feed of a page or line break, and the Unicode line and paragraph
separators. None of them can be seen in an editor; on the site they show as boxes or nothing,
and WeasyPrint stops at some. ``kanwu check`` reports each with its line and column;
``kanwu check --fix`` removes the invisible ones and turns breaks into line ends (a private-use
character is a real character in some font: only the author knows what it stood for, so it is
reported, never changed).
"""

from __future__ import annotations

import os
import re

from ..errors import ERROR, Problem

# character → (what it is, what --fix writes instead)
INVISIBLE = {
    "\u200b": ("零宽空格（U+200B）", ""),
    "\u200c": ("零宽不连字（U+200C）", ""),
    "\u200d": ("零宽连字（U+200D）", ""),
    "\u2060": ("零宽不换行（U+2060）", ""),
    "\ufeff": ("文中的 BOM（U+FEFF）", ""),
    "\u00ad": ("软连字符（U+00AD）", ""),
    "\u200e": ("从左到右标记（U+200E）", ""),
    "\u200f": ("从右到左标记（U+200F）", ""),
    "\x0b": ("垂直制表符（\\x0b，Word 的手动换行）", "\n"),
    "\x0c": ("换页符（\\x0c，Word 的分页符）", "\n"),
    "\u2028": ("行分隔符（U+2028）", "\n"),
    "\u2029": ("段落分隔符（U+2029）", "\n\n"),
    "\x85": ("下一行（U+0085）", "\n"),
}
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f\x7f]")
_PRIVATE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_SCAN = re.compile("[" + "".join(INVISIBLE) + r"\x01-\x08\x0e-\x1f\x7f\ue000-\uf8ff\U000f0000-\U0010ffff]")
WORD_BULLETS = {"\uf0b7": "Word 的圆点项目符号", "\uf0a7": "Word 的方块项目符号", "\uf076": "Word 的菱形项目符号",
                "\uf0d8": "Word 的箭头项目符号", "\uf0fc": "Word 的对勾项目符号"}


INVISIBLE_MESSAGE = "有看不见的字符"


def is_invisible(problem: Problem) -> bool:
    """Whether ``problem`` is one that ``fixed`` removes."""
    return problem.message.startswith(INVISIBLE_MESSAGE)


def problems(text: str, rel: str, first_line: int = 1) -> list[Problem]:
    """Every such character of ``text`` (a file's text from its ``first_line``), located."""
    if not _SCAN.search(text):
        return []
    out = []
    for n, line in enumerate(text.split("\n"), first_line):
        for m in _SCAN.finditer(line):
            ch, col = m.group(), m.start() + 1
            if ch in INVISIBLE:
                what = INVISIBLE[ch][0]
                out.append(Problem(rel, n, col, ERROR, "", f"{INVISIBLE_MESSAGE}：{what}（多从 Word 复制而来，网站上显示为方框或什么也不显示）",
                                   f"运行 kanwu check --fix {rel} 自动删除（换行类字符改为换行），或在编辑器里删掉第 {n} 行第 {col} 列的字符"))
            elif _PRIVATE.match(ch):
                what = WORD_BULLETS.get(ch, "私用区字符")
                out.append(Problem(rel, n, col, ERROR, "", f"有印刷字体里没有的字符 U+{ord(ch):04X}（{what}），印刷版和网站都显示不出来",
                                   "删掉它；列表请写成“一是……二是……”或每行以“- ”开头"))
            else:
                out.append(Problem(rel, n, col, ERROR, "", f"有控制字符 U+{ord(ch):04X}，不是正文文字",
                                   f"删掉第 {n} 行第 {col} 列的字符"))
    return out


def for_parsing(text: str) -> str:
    """``text`` as the parser should read it while the characters are reported: invisible ones
    dropped, breaks made spaces (so that every line keeps its number)."""
    if not _SCAN.search(text):
        return text
    return "".join(("" if INVISIBLE[c][1] == "" else " ") if c in INVISIBLE else c for c in text)


def fixed(text: str, newline: str = "\n") -> str:
    """``text`` with the invisible characters removed and the breaks made line ends (``newline``)."""
    if not _SCAN.search(text):
        return text
    return "".join(INVISIBLE[c][1].replace("\n", newline) if c in INVISIBLE else c for c in text)


def fix_file(path: str) -> bool:
    """Rewrite the UTF-8 file ``path`` as ``fixed`` makes it, every other byte (a BOM, CRLF line
    ends) as it was, atomically; whether it changed."""
    with open(path, "rb") as fh:
        raw = fh.read()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom):].decode("utf-8")
    new = fixed(text, "\r\n" if "\r\n" in text else "\n")
    if new == text:
        return False
    tmp = path + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(bom + new.encode("utf-8"))
    os.replace(tmp, path)
    return True


def missing_glyphs(text: str, rel: str, first_line: int = 1, where: str = "", drawable=None) -> list[Problem]:
    """Characters of ``text`` that no print font has (``drawable(ch)`` says whether one does;
    by default the installed print fonts are asked, and nothing is reported when they are not
    installed: ``kanwu doctor`` reports that)."""
    if not _UNCOMMON.search(text):  # one regex pass: a generator over every character cost 0.2 ms an item
        return []
    if drawable is None:
        drawable = _print_fonts()
        if drawable is None:
            return []
    out = []
    for n, line in enumerate(text.split("\n"), first_line):
        for m in _UNCOMMON.finditer(line):
            col, ch = m.start() + 1, m.group(0)
            if not _SCAN.match(ch) and not drawable(ch):
                out.append(Problem(rel, n, col, ERROR, where, f"印刷字体里没有“{ch}”（U+{ord(ch):04X}）这个字，PDF 里会印成方框",
                                   "换成常用字或同义的写法；人名、地名的生僻字请先与信息科确认印刷字体"))
    return out


# Characters every role's font is known to have (most of any text): checked without fonts. The others:
_UNCOMMON = re.compile("[^\x00-\x7e\u4e00-\u9fa5\u3000-\u303f\uff01-\uff5e“”‘’—…·]")


def _print_fonts():
    """``ch -> bool``: whether any print role's font (or the fallback) has ``ch``; None when the
    fonts are not installed."""
    from ..pdf import fonts
    cmaps = [fonts.advances(family) for family, _ in fonts.ROLES.values()]
    cmaps = [c for c in cmaps if c]
    if not cmaps:
        return None
    return lambda ch: any(ord(ch) in c for c in cmaps)
