"""Proofreading measured on a corpus: sentences with one seeded defect each (the rule that must
find it) and clean sentences (on which no rule may fire), read with the repository's own lists.

    python -m kanwu.tools.proofcorpus [--root 仓库] [--corpus tests/proof] [--show]

prints the precision and recall of every rule as a Markdown table (BENCHMARKS.md's), then the
misses and the false alarms with ``--show``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass

from ..checks.proof import RULES, proofreader
from ..source.config import load_config

DEFAULT_DAY = dt.date(2026, 11, 23)


@dataclass(frozen=True)
class Sentence:
    rule: str  # "" for a clean sentence
    day: dt.date
    reported_at: dt.datetime | None
    text: str
    line: int


def read(path: str, seeded: bool) -> list[Sentence]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            raw = raw.rstrip("\n")
            if not raw.strip() or raw.startswith("#"):
                continue
            parts = [p.strip() for p in raw.split(" | ")]
            rule = parts.pop(0) if seeded else ""
            rule = "" if rule == "-" else rule
            day, reported = DEFAULT_DAY, None
            if len(parts) > 1:
                when = parts.pop(0)
                if "T" in when:
                    reported = dt.datetime.fromisoformat(when)
                    day = reported.date()
                else:
                    day = dt.date.fromisoformat(when)
            out.append(Sentence(rule, day, reported, " | ".join(parts), n))
    return out


@dataclass
class Score:
    seeded: int = 0
    found: int = 0  # seeded sentences of the rule on which it fired
    false: int = 0  # firings on sentences not seeded for it (clean ones and others')

    @property
    def recall(self) -> float:
        return self.found / self.seeded if self.seeded else 1.0

    @property
    def precision(self) -> float:
        fired = self.found + self.false
        return self.found / fired if fired else 1.0


CORPUS = {"dev": (("seeded.txt", True), ("clean.txt", False)), "heldout": (("heldout.txt", True),)}


def measure(root: str, corpus: str, part: str = "dev") -> tuple[dict, list, list, int, int]:
    """({rule: Score}, misses, false alarms, seeded count, clean count) on one part of the corpus:
    ``dev`` (the sentences the rules were written against) or ``heldout`` (written after)."""
    reader = proofreader(load_config(root))
    sentences = [s for name, seeded in CORPUS[part] for s in read(os.path.join(corpus, name), seeded)]
    scores = {r.id: Score() for r in RULES}
    misses, false = [], []
    n_seeded = sum(bool(s.rule) for s in sentences)
    for s in sentences:
        hits = reader.hits(s.text, reader.context(s.day, s.reported_at))
        fired = Counter(h.rule for h in hits)
        if s.rule:
            scores[s.rule].seeded += 1
            if fired[s.rule]:
                scores[s.rule].found += 1
            else:
                misses.append(s)
        for rule in fired:
            if rule != s.rule:
                scores[rule].false += 1
                false.append((s, [h for h in hits if h.rule == rule]))
    return scores, misses, false, n_seeded, len(sentences) - n_seeded


def table(scores: dict, n_seeded: int, n_clean: int, part: str = "dev") -> str:
    name = "开发语料（规则按它编写）" if part == "dev" else "留出语料（规则定稿后编写）"
    lines = [f"{name}：有一处差错的句子 {n_seeded} 句，没有差错的句子 {n_clean} 句（tests/proof/）。", "",
             "| 规则 | 名称 | 有差错的句子 | 查出 | 召回率 | 误报 | 精确率 |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    total = Score()
    for r in RULES:
        s = scores[r.id]
        total.seeded += s.seeded
        total.found += s.found
        total.false += s.false
        lines.append(f"| `{r.id}` | {r.group}：{r.name} | {s.seeded} | {s.found} | {s.recall:.3f} | {s.false} | {s.precision:.3f} |")
    lines.append(f"| 合计 | | {total.seeded} | {total.found} | {total.recall:.3f} | {total.false} | {total.precision:.3f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description="校对规则在语料上的精确率和召回率")
    ap.add_argument("--root", default=".")
    ap.add_argument("--corpus", default="tests/proof")
    ap.add_argument("--show", action="store_true", help="列出漏报和误报的句子")
    args = ap.parse_args()
    for part in CORPUS:
        scores, misses, false, n_seeded, n_clean = measure(args.root, args.corpus, part)
        print(table(scores, n_seeded, n_clean, part) + "\n")
        if args.show:
            show(misses, false)


def show(misses, false) -> None:
    for s in misses:
        print(f"漏报 {s.rule} 第{s.line}行：{s.text}")
    for s, hits in false:
        print(f"误报 {hits[0].rule} 第{s.line}行（{s.rule or '无差错'}）：{s.text} → "
              + "；".join(f"{s.text[h.start:h.end]}：{h.message}" for h in hits))


if __name__ == "__main__":
    main()
