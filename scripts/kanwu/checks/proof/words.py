"""The office's word lists (content/proof/): typos, words confused in context, words not to print."""

from __future__ import annotations

import re
from typing import Iterator

from .rules import Hit


class Words:
    def __init__(self, typos=(), confusions=(), banned=()):
        self.typos = {t.wrong: t for t in typos}
        self.typo_re = _alternation(self.typos)
        self.confusions = []
        for c in confusions:
            pattern = (f"(?:{c.preceded_by})" if c.preceded_by else "") + f"({re.escape(c.wrong)})" \
                + (f"(?={c.followed_by})" if c.followed_by else "")
            self.confusions.append((c, re.compile(pattern)))
        self.banned = {b.word: b for b in banned}
        self.banned_re = _alternation(self.banned)


def _alternation(words) -> re.Pattern | None:
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True)))) if words else None


def check(text: str, ctx) -> Iterator[Hit]:
    lists = ctx.words
    if lists is None:
        return
    if lists.typo_re:
        for m in lists.typo_re.finditer(text):
            t = lists.typos[m.group(0)]
            yield Hit("word-typo", m.start(), m.end(), f"“{t.wrong}”是错别字" + (f"（{t.note}）" if t.note else ""),
                      f"改为“{t.right}”")
    for c, pattern in lists.confusions:
        if c.wrong not in text:
            continue
        for m in pattern.finditer(text):
            yield Hit("word-confusion", m.start(1), m.end(1), f"这里的“{c.wrong}”应为“{c.right}”" + (f"：{c.note}" if c.note else ""),
                      f"改为“{c.right}”")
    if lists.banned_re:
        for m in lists.banned_re.finditer(text):
            b = lists.banned[m.group(0)]
            yield Hit("word-banned", m.start(), m.end(), f"“{b.word}”不宜见刊" + (f"（{b.note}）" if b.note else ""),
                      f"改用“{b.instead}”" if b.instead else "删去或换一种说法")
