"""Which installed font plays which role in print, and its glyph advances.

fontconfig silently substitutes (``fc-match FangSong`` gives a Hei face), so kanwu names
installed families explicitly and checks what each resolves to.
"""

from __future__ import annotations

import functools
import subprocess

# role -> (family, what it stands in for)
ROLES = {
    "body": ("FandolFang", "仿宋_GB2312（正文）"),
    "title": ("Noto Serif CJK SC", "方正小标宋（标题、报头）"),
    "kai": ("AR PL KaitiM GB", "楷体_GB2312（编者按、来源）"),
    "hei": ("Noto Sans CJK SC", "黑体（密级、栏目）"),
    "fallback": ("Noto Serif CJK SC", "宋体（缺字时的后备字体）"),
}
EM = 1000


def resolve(family: str) -> tuple[str, str]:
    """(family fontconfig actually picks, its file) for ``family``."""
    return resolve_all([family])[family]


def resolve_all(families) -> dict[str, tuple[str, str]]:
    """``resolve`` for several families at once (one fc-match each, all running together)."""
    running: dict[str, subprocess.Popen | None] = {}
    for family in dict.fromkeys(families):
        try:
            running[family] = subprocess.Popen(["fc-match", "-f", "%{family[0]}\t%{file}", f"{family}:lang=zh-cn"],
                                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        except OSError:
            running[family] = None
    out = {}
    for family, proc in running.items():
        text = ""
        if proc is not None:
            try:
                text = proc.communicate(timeout=20)[0]
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
        name, _, path = text.partition("\t")
        out[family] = (name, path)
    return out


def missing_roles() -> list[str]:
    """Roles whose family is not installed (fontconfig would silently substitute)."""
    out = []
    found = resolve_all(family for family, _ in ROLES.values())
    for role, (family, what) in ROLES.items():
        name, _ = found[family]
        if name.lower() != family.lower():
            out.append(f"{what}需要字体“{family}”，系统会用“{name or '无'}”代替")
    return out


@functools.lru_cache(maxsize=None)
def advances(family: str) -> dict:
    """codepoint -> advance in 1/1000 em for the font file ``family`` resolves to."""
    _, path = resolve(family)
    if not path:
        return {}
    from fontTools.ttLib import TTFont
    try:
        font = TTFont(path, fontNumber=0, lazy=True)
        upm = font["head"].unitsPerEm
        hmtx = font["hmtx"]
        return {cp: hmtx[g][0] * EM // upm for cp, g in font.getBestCmap().items()}
    except Exception:  # an unreadable font: fall back to estimates
        return {}


def width(ch: str, family: str) -> int:
    """Advance of ``ch`` in 1/1000 em; the fallback font covers what the role's font lacks."""
    adv = advances(family).get(ord(ch))
    if adv is None:
        adv = advances(ROLES["fallback"][0]).get(ord(ch))
    if adv is None:
        adv = EM if ord(ch) > 0x2E80 else 600
    return adv
