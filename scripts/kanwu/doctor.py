"""``kanwu doctor``: is this machine ready? Each problem with its fix."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
from dataclasses import dataclass

from .pdf.fonts import ROLES, resolve

PACKAGES = ("mkdocs", "mkdocs-material", "weasyprint", "pyyaml", "markdown", "pymdown-extensions", "nh3",
            "pagefind", "openpyxl", "click")
DEBIAN_FONT_PACKAGES = {"FandolFang": "scripts/setup-system.sh（从 texlive-lang-chinese 提取 FandolFang）",
                        "Noto Serif CJK SC": "apt-get install fonts-noto-cjk",
                        "Noto Sans CJK SC": "apt-get install fonts-noto-cjk",
                        "AR PL KaitiM GB": "apt-get install fonts-arphic-gkai00mp"}


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    fix: str = ""
    fatal: bool = True


def pinned(root: str) -> dict:
    path = os.path.join(root, "scripts", "constraints.txt")
    out = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            name, _, version = line.strip().partition("==")
            if version:
                out[name.lower().split("[")[0]] = version
    return out


def run(root: str, config, site_root: str | None) -> list[Finding]:
    found = [Finding(sys.version_info >= (3, 11), f"Python {sys.version.split()[0]}", "需要 Python 3.11 或更新版本")]
    pins = pinned(root)
    for name in PACKAGES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found.append(Finding(False, f"缺少 Python 包 {name}", "运行 make setup"))
            continue
        want = pins.get(name.lower())
        found.append(Finding(want in (None, version), f"{name} {version}" + (f"（锁定 {want}）" if want and want != version else ""),
                             "运行 make setup 安装锁定的版本"))
    for role, (family, what) in ROLES.items():
        got, path = resolve(family)
        ok = got.lower() == family.lower()
        found.append(Finding(ok, f"{what}：{family} → " + (f"{got}（{path}）" if ok else f"系统会用“{got or '无'}”代替"),
                             f"安装字体：{DEBIAN_FONT_PACKAGES.get(family, 'scripts/setup-system.sh')}"))
    chromium = shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium")
    found.append(Finding(bool(chromium), f"Chromium（网站测试用）：{chromium or '未安装'}", "apt-get install chromium", fatal=False))
    found.append(Finding(bool(shutil.which("pdftotext")), "poppler-utils（PDF 测试用）", "apt-get install poppler-utils",
                         fatal=False))
    target = site_root or config.publish.get("root") or os.path.join(root, "site")
    probe = target
    while not os.path.exists(probe) and os.path.dirname(probe) != probe:
        probe = os.path.dirname(probe)
    writable = os.access(probe, os.W_OK)
    found.append(Finding(writable, f"发布目录 {target} " + ("可写" if writable else "不可写"),
                         f"以有权限的用户运行，或 chown 该目录（例如 chown -R kanwu {target}）"))
    for a in config.audiences.values():
        found.append(Finding(bool(a.access), f"阅读范围 {a.id}（{a.name}）的访问规则："
                             + (a.access.get("type", "") if a.access else "未声明"),
                             f"在 content/kanwu.yml 的 audiences.{a.id}.access 中声明 basic、cert 或 ip"))
        if a.access.get("type") == "basic":
            path = a.access.get("htpasswd", "")
            found.append(Finding(os.path.exists(path), f"  口令文件 {path}" + ("" if os.path.exists(path) else " 不存在"),
                                 f"htpasswd -c {path} 用户名", fatal=False))
    return found
