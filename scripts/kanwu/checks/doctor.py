"""``kanwu doctor``: is this machine ready? Each problem with its fix."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
from dataclasses import dataclass

from ..pdf.fonts import ROLES, resolve

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


def _writable(what: str, target: str) -> Finding:
    """What is true of ``target``: writable as it is, or (absent) creatable in the nearest existing parent."""
    if os.path.isdir(target):
        ok = os.access(target, os.W_OK | os.X_OK)
        return Finding(ok, f"{what} 存在，" + ("可写" if ok else "不可写"), f"以有权限的用户运行，或 chown -R kanwu {target}")
    if os.path.exists(target):
        return Finding(False, f"{what} 不是目录", f"移走 {target}，或换一个目录")
    probe = target
    while not os.path.exists(probe) and os.path.dirname(probe) != probe:
        probe = os.path.dirname(probe)
    ok = os.path.isdir(probe) and os.access(probe, os.W_OK | os.X_OK)
    return Finding(ok, f"{what} 不存在；" + (f"首次发布时会在 {probe} 下创建" if ok else f"{probe} 不可写，无法创建"),
                   f"mkdir -p {target} && chown kanwu {target}（以有权限的用户运行）")


def _users(path: str) -> int:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return sum(1 for line in fh if ":" in line and not line.lstrip().startswith("#"))


def run(root: str, config, site_root: str | None, htpasswd_dir: str | None = None) -> list[Finding]:
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
    found.append(_writable(f"发布目录 {target}", target))
    from .. import workdir
    state = workdir.for_site(root, target, None, config.publish.get("state")) or workdir.base(root)
    found.append(_writable(f"发布状态目录 {state}（各版本、共享目录、缓存）", state))
    inside = (os.path.realpath(state) + os.sep).startswith(os.path.realpath(root) + os.sep)
    if inside and target != os.path.join(root, "site"):
        found.append(Finding(False, f"发布状态目录 {state} 在仓库里面：CI 清理工作区时会删掉上线的网站",
                             "在 content/kanwu.yml 的 publish.state 写一个仓库之外的目录，例如 /var/lib/kanwu"))
    for key, what in (("tls_cert", "网站证书"), ("tls_key", "网站证书的私钥")):
        path = str(config.publish.get(key) or "")
        if path or any(a.access.get("type") in ("basic", "cert") for a in config.audiences.values() if a.access):
            ok = bool(path) and os.path.isfile(path) and os.access(path, os.R_OK)
            found.append(Finding(ok, f"{what} {path or '（publish.' + key + ' 未写）'}：" + ("可读" if ok else "不存在或不可读"),
                                 f"把{what}放到这个路径，或在 content/kanwu.yml 的 publish.{key} 写明（口令和证书只经 HTTPS）"))
    for a in config.audiences.values():
        found.append(Finding(bool(a.access), f"阅读范围 {a.id}（{a.name}）的访问规则："
                             + (a.access.get("type", "") if a.access else "未声明"),
                             f"在 content/kanwu.yml 的 audiences.{a.id}.access 中声明 basic、cert 或 ip"))
        kind = a.access.get("type") if a.access else None
        if kind == "basic":
            path = os.path.join(htpasswd_dir, f"{a.id}.htpasswd") if htpasswd_dir else a.access.get("htpasswd", "")
            readable = os.path.isfile(path) and os.access(path, os.R_OK)
            users = _users(path) if readable else 0
            found.append(Finding(readable and users > 0,
                                 f"  口令文件 {path}：" + (f"{users} 个用户" if readable else "不存在或不可读"),
                                 f"htpasswd -c {path} 用户名（没有口令文件，网站服务器会拒绝所有人或拒绝启动）"))
        elif kind == "cert":
            ca = a.access.get("ca", "")
            found.append(Finding(os.path.isfile(ca), f"  客户端证书的 CA 文件 {ca}" + ("" if os.path.isfile(ca) else " 不存在"),
                                 "把签发客户端证书的 CA 证书放到这个路径"))
        elif kind == "ip":
            allow = a.access.get("allow") or []
            found.append(Finding(bool(allow), f"  地址白名单：{'、'.join(allow) or '空'}", "在 access.allow 中列出允许的网段"))
    return found
