"""The code part of every cache key, derived in one place from the code itself.

A cached result (a generated page, a rendered body, a PDF, a .docx, a release's layout of shared
folders) may be reused only while the code that made it is unchanged. Instead of hand-kept lists
of files, the code part of a key is the source of a module and of every kanwu module it imports,
transitively, read from its ``import`` statements with ``ast`` (at any depth: the function-level
imports count too). A package's ``__init__`` counts where a name is imported from it, not merely
because a submodule of it is imported.

``tests/test_fingerprint.py`` runs each cached job in a fresh interpreter and checks that every
kanwu module it loads is in that job's closure here: a module outside it cannot reach the output.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os

PACKAGE = "kanwu"
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # scripts/kanwu

# What each cache's results are made by (the entry modules of each job).
ISSUE_HTML = ("kanwu.pdf",)  # the printed HTML of an issue, a correction or a notice, and its key
PDF_RENDER = ("kanwu.pdf.worker",)  # HTML -> PDF (layout passes, PDF/A, the asset fetcher)
DOCX = ("kanwu.word.export",)  # an issue's .docx
BODY = ("kanwu.source.render",)  # an item's Markdown -> HTML
LAYOUT = ("kanwu.incremental.shards",)  # which folders of a release are shared (shards)


def module_path(module: str, package_dir: str = PACKAGE_DIR) -> str | None:
    """The source file of ``module`` (``kanwu.pdf.document``), or None for a name that is not a module."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = os.path.join(package_dir, *parts[1:])
    if os.path.isfile(os.path.join(base, "__init__.py")):
        return os.path.join(base, "__init__.py")
    if os.path.isfile(base + ".py"):
        return base + ".py"
    return None


def imports(module: str, package_dir: str = PACKAGE_DIR) -> set[str]:
    """The kanwu modules ``module``'s source imports, anywhere in it."""
    path = module_path(module, package_dir)
    if path is None:
        return set()
    st = os.stat(path)
    return set(_imports(module, package_dir, path, st.st_size, st.st_mtime_ns))


@functools.lru_cache(maxsize=None)
def _imports(module: str, package_dir: str, path: str, size: int, mtime_ns: int) -> frozenset[str]:
    """``imports``, parsed once per version of the file: a build asks for five closures that share
    most modules (each module was parsed up to five times, ~0.4 s of every build)."""
    with open(path, "rb") as fh:
        tree = ast.parse(fh.read(), path)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                target = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:  # a submodule, or a name defined in the target module
                sub = f"{target}.{alias.name}"
                out.add(sub if module_path(sub, package_dir) else target)
    return frozenset(out)


@functools.lru_cache(maxsize=None)
def modules(entries: tuple[str, ...], package_dir: str = PACKAGE_DIR) -> frozenset[str]:
    """``entries`` and every kanwu module they import, transitively."""
    seen: set[str] = set()
    todo = list(entries)
    while todo:
        name = todo.pop()
        if name in seen or module_path(name, package_dir) is None:
            continue
        seen.add(name)
        todo.extend(imports(name, package_dir))
    return frozenset(seen)


@functools.lru_cache(maxsize=None)
def code(entries: tuple[str, ...], package_dir: str = PACKAGE_DIR) -> str:
    """A hash of the source of ``entries``' closure."""
    return _digest(modules(entries, package_dir), package_dir)


def _digest(names, package_dir: str) -> str:
    h = hashlib.sha256()
    for name in sorted(names):
        with open(module_path(name, package_dir) or "", "rb") as fh:
            h.update(name.encode() + b"\0" + fh.read() + b"\0")
    return h.hexdigest()


def all_modules(package_dir: str = PACKAGE_DIR) -> list[str]:
    """Every module of the package."""
    out = []
    for dirpath, dirnames, filenames in os.walk(package_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        rel = os.path.relpath(dirpath, package_dir)
        prefix = PACKAGE if rel == "." else PACKAGE + "." + rel.replace(os.sep, ".")
        for name in sorted(filenames):
            if name.endswith(".py"):
                out.append(prefix if name == "__init__.py" else f"{prefix}.{name[:-3]}")
    return out


@functools.lru_cache(maxsize=None)
def package(package_dir: str = PACKAGE_DIR) -> str:
    """A hash of the whole package: what the generated pages depend on (page generation reaches
    most of the package; a new version never reuses an old version's pages). The closure of every
    module is every module: hashed without reading their imports (0.2 s of each command's start)."""
    return _digest(all_modules(package_dir), package_dir)


def versions(*distributions: str) -> str:
    """The installed versions of ``distributions`` (what a cached result depends on besides kanwu)."""
    from importlib.metadata import version
    return "|".join(f"{d}={version(d)}" for d in distributions)
