"""``kanwu proof``: the findings of the items under some paths, shown on their lines with the text
at fault marked, and the safe fixes written back (never to an item a signed issue printed)."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

from . import Finding, proofreader
from .rules import BY_ID
from ...source import load


@dataclass(frozen=True)
class Proofed:
    path: str
    findings: tuple  # Finding
    problems: tuple  # the file's own errors (unreadable, bad front matter): it could not be proofread


def item_files(root: str, paths: list[str]) -> list[str]:
    """The item files under each path (a file or a folder), relative to the root, sorted."""
    out: set[str] = set()
    for rel in paths:
        full = os.path.join(root, rel)
        if os.path.isdir(full):
            for d, dirs, names in os.walk(full):
                dirs.sort()
                out.update(os.path.relpath(os.path.join(d, n), root) for n in names if n.endswith(".md"))
        else:
            out.add(os.path.normpath(rel))
    return sorted(out)


def proof_files(root: str, config, rels: list[str]) -> list[Proofed]:
    reader = proofreader(config)
    out = []
    for rel in rels:
        item, problems = load.load_item(root, rel, config)
        errors = tuple(p for p in problems if p.is_error)
        if item is None:
            out.append(Proofed(rel, (), errors))
        else:
            out.append(Proofed(rel, tuple(reader.item(item, root)), errors))
    return out


def width(text: str) -> int:
    """Columns a terminal gives ``text`` (a hanzi or a full-width mark takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def render(root: str, proofed: Proofed, style=lambda s: s) -> list[str]:
    """The file's findings line by line: the line, a mark under the text at fault, the finding."""
    if not proofed.findings:
        return []
    with open(os.path.join(root, proofed.path), encoding="utf-8-sig") as fh:
        lines = fh.read().split("\n")
    out = [proofed.path]
    by_line: dict = {}
    for f in proofed.findings:
        by_line.setdefault(f.line, []).append(f)
    for n in sorted(by_line):
        text = lines[n - 1] if n <= len(lines) else ""
        gutter = f"{n:>5} │ "
        out.append(gutter + text)
        for f in by_line[n]:
            start = width(text[:f.col - 1])
            out.append(" " * (len(gutter) - 2) + "│ " + " " * start + style("^" * max(1, width(f.text))))
            out.append(" " * (len(gutter) - 2) + "│ " + finding_line(f))
    return out


def finding_line(f: Finding) -> str:
    rule = BY_ID[f.rule]
    fix = "（可用 --fix 改正）" if rule.fixable and f.replacement is not None else ""
    return f"{f.line}:{f.col} {f.level} {rule.name} — {f.message}（{f.hint}）{fix}〔{f.rule}〕"


def safe_fixes(findings) -> list[Finding]:
    return [f for f in findings if BY_ID[f.rule].fixable and f.replacement is not None and "\n" not in f.text]


def fix_file(root: str, rel: str, findings) -> int:
    """Apply the safe fixes to the file, right to left on each line (so that columns hold); the
    number applied. Overlapping fixes: the leftmost wins, the rest wait for the next run."""
    fixes = sorted(safe_fixes(findings), key=lambda f: (f.line, f.col))
    if not fixes:
        return 0
    path = os.path.join(root, rel)
    with open(path, encoding="utf-8", newline="") as fh:  # line ends as they are (CRLF stays CRLF)
        text = fh.read()
    bom = text.startswith("\ufeff")
    lines = text.removeprefix("\ufeff").split("\n")
    kept, last = [], (0, 0)
    for f in fixes:
        if (f.line, f.col) < last:
            continue
        kept.append(f)
        last = (f.line, f.col + len(_span(lines[f.line - 1], f)))
    for f in sorted(kept, key=lambda f: (f.line, -f.col)):
        line = lines[f.line - 1]
        span = _span(line, f)
        at = f.col - 1
        lines[f.line - 1] = line[:at] + (f.replacement or "") + line[at + len(span):]
    tmp = f"{path}.kanwu-fix"
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(("\ufeff" if bom else "") + "\n".join(lines))
    os.replace(tmp, path)
    return len(kept)


def _span(line: str, f: Finding) -> str:
    """The characters the finding covers on its line: its text, with any markup between them."""
    at, i, got = f.col - 1, f.col - 1, ""
    while i < len(line) and len(got) < len(f.text):
        if line[i] == f.text[len(got)]:
            got += line[i]
        i += 1
    return line[at:i]


OPEN_MARK, CLOSE_MARK = "\ue000", "\ue001"  # private-use characters: through Markdown and the sanitiser untouched


def marked(text: str, first_line: int, findings, field: str = "") -> tuple[str, list]:
    """``text`` (a body starting at file line ``first_line``, or a front-matter value) with each
    finding's span between OPEN_MARK and CLOSE_MARK, and the findings marked, in order. Findings
    that overlap one already marked, or run over a line's end, are listed but not marked."""
    lines = text.split("\n")
    spans = []
    for f in findings:
        if f.field != field or "\n" in f.text:
            continue
        j = f.line - first_line if not field else 0
        if not 0 <= j < len(lines):
            continue
        col = f.col - 1 if not field else max(0, lines[0].find(f.text))
        span = _span(lines[j], f) if not field else f.text
        if not span or lines[j][col:col + len(span)] != span:
            continue
        spans.append((j, col, col + len(span), f))
    spans.sort(key=lambda s: (s[0], s[1]))
    kept, last = [], (-1, -1)
    for s in spans:
        if (s[0], s[1]) >= last:
            kept.append(s)
            last = (s[0], s[2])
    for j, start, end, _ in sorted(kept, key=lambda s: (s[0], -s[1])):
        line = lines[j]
        lines[j] = line[:start] + OPEN_MARK + line[start:end] + CLOSE_MARK + line[end:]
    return "\n".join(lines), [s[3] for s in kept]


def marks_to_html(html: str, findings, esc) -> str:
    """Each OPEN_MARK … CLOSE_MARK in rendered HTML as a <mark> naming its finding."""
    parts = html.split(OPEN_MARK)
    out = [parts[0]]
    for f, part in zip(findings, parts[1:]):
        level = "kanwu-proof-error" if f.level == "错误" else "kanwu-proof-warning"
        out.append(f'<mark class="kanwu-proof {level}" title="{esc(BY_ID[f.rule].name + "：" + f.message)}">' + part)
    return "".join(out).replace(CLOSE_MARK, "</mark>").replace(OPEN_MARK, "")
