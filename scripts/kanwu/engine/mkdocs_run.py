"""MkDocs, run on a page tree: the whole tree, or only the pages that changed (in two forked
processes for a large tree), with MkDocs' file table made from the known paths. Its warnings
are failures; its HTML goes through the same sanitiser as every body."""

from __future__ import annotations

import logging
import os
import subprocess

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about its successor

import nh3  # noqa: E402
from mkdocs.plugins import BasePlugin  # noqa: E402

from ..errors import KanwuError  # noqa: E402
from ..incremental.cache import bulk_load, cores  # noqa: E402
from ..incremental.state import _read_record, _write_record  # noqa: E402
from ..source.render import clean_page  # noqa: E402

log = logging.getLogger(__name__)


def source_date_epoch(root: str) -> str:
    """Builds are reproducible: dates come from the last commit, never from the clock."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    res = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True)
    return res.stdout.strip() if res.returncode == 0 and res.stdout.strip() else "0"


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


SITE_FILES = (("mkdocs.yml", "网站配置"), ("theme/overrides", "网站主题目录"), ("theme/overrides/main.html", "网站主题模板"))


def run_mkdocs(root: str, docs: str, site_dir: str, only: set | None = None, pages: list | None = None,
               known: list | None = None) -> None:
    """MkDocs over ``docs`` into ``site_dir``: every page, or ``only`` these docs paths.

    ``only`` is for a release that starts as a copy of the live one built by the same engine:
    MkDocs still sees every file (links resolve and are checked in strict mode), but reads,
    renders and writes just the pages that changed, and copies just the changed other files.
    The theme's own files are already in the copy. (MkDocs' ``--dirty`` would do the same by
    comparing two modification times per page: seconds at 50,000 pages.)

    ``known``: every file in ``docs`` (kanwu wrote them), so MkDocs need not walk the tree.

    A full build of many ``pages`` renders them in two processes (MkDocs itself uses one core).
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as mkdocs_config
    from mkdocs.exceptions import Abort, ConfigurationError

    for rel, what in SITE_FILES:  # MkDocs would say so in English
        if not os.path.exists(os.path.join(root, rel)):
            raise KanwuError(f"找不到{what} {rel}：仓库里缺了它，网站没有生成，线上版本未动。"
                             f"怎么改：用 git checkout -- {rel} 恢复，或从 kanwu 的仓库复制过来")
    collect = _Collect()
    mk_log = logging.getLogger("mkdocs")
    mk_log.addHandler(collect)
    old_level = mk_log.level
    mk_log.setLevel(logging.WARNING)
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = source_date_epoch(root)
    try:
        cfg = mkdocs_config(config_file=os.path.join(root, "mkdocs.yml"), docs_dir=docs, site_dir=site_dir)
        cfg.plugins["kanwu-clean-help"] = _CleanHelp()  # in code: editing mkdocs.yml cannot remove it
        if only is None and pages and len(pages) >= PARALLEL_PAGES and cores() >= 2:
            collect.messages += _build_parallel(cfg, pages, known)
            if collect.messages:
                raise Abort("warnings in strict mode")
        elif only is None:
            mkdocs_build(cfg)
        else:
            _build_some(cfg, only, known=known)
            if collect.messages:
                raise Abort("warnings in strict mode")
    except (Abort, ConfigurationError, SystemExit) as exc:
        detail = "\n".join(collect.messages) or str(exc)
        raise KanwuError(f"MkDocs 构建失败（严格模式）：\n{detail}") from None
    finally:
        mk_log.removeHandler(collect)
        mk_log.setLevel(old_level)
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


class _CleanHelp(BasePlugin):
    """Sanitises the help pages (content/help/*.md, proposed by any unit) as items are sanitised:
    their HTML after Markdown, and their title (the first heading) as plain text."""

    def on_page_content(self, html_text, page, **kwargs):
        if not page.file.src_uri.startswith("help/"):
            return html_text
        if page.title:
            page._title_from_render = nh3.clean(str(page.title), tags=set())  # escaped text, as items' titles
        return clean_page(html_text)


def docs_files(config, paths: list[str], record: str | None = None):
    """MkDocs' ``get_files`` for a docs folder whose files are known: the same ``Files``, in the
    same order, without walking 57,000 files or normalising each path through ``pathlib``.

    With ``record`` (a file), each path's inclusion level (``exclude_docs``, ``not_in_nav``: two
    gitignore matches per file) is kept for the next run with the same mkdocs.yml and MkDocs, and
    only new paths are matched: the file table took 0.15 s at 57,000 files, 0.08 s with the record."""
    import mkdocs
    from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions

    def order(rel: str) -> str:
        """mkdocs.structure.files.file_sort_key as one string: (folders, not an index page, name)
        compared part by part is the order of the folders joined by \x01, then \x00 and the rest."""
        folder, _, name = rel.rpartition("/")
        stem = name.rpartition(".")[0] if "." in name.lstrip(".") else name
        return (folder.replace("/", "\x01") + "\x00" if folder else "") + ("0" if stem in ("index", "README") else "1") + name

    docs, site, directory_urls = config.docs_dir, config.site_dir, config.use_directory_urls
    key, levels = "", {}
    if record:
        import hashlib
        with open(config.config_file_path, "rb") as fh:
            key = f"{mkdocs.__version__}:{hashlib.sha1(fh.read()).hexdigest()}"
        kept = _read_record(record)
        levels = kept.get("levels", {}) if kept.get("key") == key else {}
    level = {item.value: item for item in InclusionLevel}
    undefined = InclusionLevel.UNDEFINED.value
    out = []
    with bulk_load():  # 57,000 objects that live as long as the MkDocs run: no collector passes over them
        for rel in sorted(paths, key=order):
            f = File.__new__(File)
            f.src_uri, f.src_dir, f.dest_dir, f.use_directory_urls = rel, docs, site, directory_urls
            f.inclusion = level.get(levels.get(rel, undefined), InclusionLevel.UNDEFINED)
            out.append(f)
        set_exclusions(out, config)  # only the files still UNDEFINED
        if record and (len(levels) != len(out) or any(f.src_uri not in levels for f in out)):
            _write_record(record, {"key": key, "levels": {f.src_uri: f.inclusion.value for f in out}})
        return Files(out)


def nav_sources(nav) -> set[str]:
    """The Markdown files named in mkdocs.yml's ``nav``."""
    out = set()
    stack = [nav or []]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if node.endswith(".md"):
                out.add(node)
        elif isinstance(node, dict):
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node
    return out


PARALLEL_PAGES = 2000


_CHILD_CONFIG: list = []  # the MkDocs config a forked helper builds with


def _build_half(only: set, known: list | None) -> list[str]:
    """In a forked helper: build ``only``; → the warnings MkDocs logged (strict mode fails on them)."""
    collect = _Collect()
    logging.getLogger("mkdocs").addHandler(collect)
    try:
        _build_some(_CHILD_CONFIG[0], only, templates=False, known=known)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the build
        return collect.messages + [f"{type(exc).__name__}: {exc}"]
    return collect.messages


def _build_parallel(config, pages: list[str], known: list | None = None) -> list[str]:
    """Half the pages in this process (with the theme's files and the static templates), half in a fork."""
    import multiprocessing
    _CHILD_CONFIG[:] = [config]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        other = pool.apply_async(_build_half, (set(pages[1::2]), known))
        _build_some(config, set(pages[0::2]), theme=True, known=known)
        return other.get()


def _build_some(config, only: set, theme: bool = False, templates: bool = True, known: list | None = None) -> None:
    """The steps of ``mkdocs.commands.build.build`` (MkDocs 1.6), for the pages in ``only``;
    with ``theme``, also every static file (a release built from scratch); with ``templates``,
    the theme's static templates (404.html, sitemap.xml).

    With ``known`` (every file in the docs folder) and no ``site_url`` (an intranet site: the
    sitemap lists nothing), the 50,000 pages not in ``only`` get a ``File`` each, for links to
    resolve and be checked, but no ``Page``: only the navigation's pages and those in ``only`` do.
    """
    import mkdocs.structure.pages as mk_pages
    from mkdocs.commands.build import _build_page, _build_theme_template, _populate_page
    from mkdocs.structure.files import Files, get_files
    from mkdocs.structure.nav import get_navigation

    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    lean = known is not None and not config.site_url
    files = docs_files(config, known, os.path.join(os.path.dirname(config.docs_dir), "files.pickle")) if lean \
        else get_files(config)
    env = config.theme.get_env()
    if theme:
        files.add_files_from_theme(env, config)
    files = config.plugins.on_files(files, config=config)
    build_date = mk_pages.get_build_date()  # the same for every page (SOURCE_DATE_EPOCH): once, not 50,000 times
    saved, mk_pages.get_build_date = mk_pages.get_build_date, lambda: build_date
    try:
        if lean:
            wanted = set(only) | nav_sources(config.nav)
            nav = get_navigation(Files([f for f in files if f.src_uri in wanted]), config)
        else:
            nav = get_navigation(files, config)  # also gives every page its Page object (links, sitemap)
    finally:
        mk_pages.get_build_date = saved
    nav = config.plugins.on_nav(nav, config=config, files=files)
    doc_files = files.documentation_pages()
    pages = [f.page for f in doc_files if f.src_uri in only and f.page is not None]
    for page in pages:
        _populate_page(page, config, files)
    env = config.plugins.on_env(env, config=config, files=files)
    if theme:
        files.copy_static_files()
    else:
        for f in files:
            if f.src_uri in only and not f.is_documentation_page():
                f.copy_file()
    for template in config.theme.static_templates if templates else ():
        # lean: no site_url, so the sitemap lists no page; it need not loop over 50,000 of them
        _build_theme_template(template, env, Files([]) if lean else files, config, nav)
    for page in pages:
        _build_page(page, config, doc_files, nav, env)
    for page in pages:
        page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
    config.plugins.on_post_build(config=config)
