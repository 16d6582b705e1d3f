"""``kanwu serve``: the site on a local port, regenerated whenever an item or a manifest changes.

kanwu regenerates the Markdown tree (no PDFs, to stay fast) when anything under content/
or issues/ changes; MkDocs' own live-reload server watches that tree, rebuilds and reloads
the browser. Search shows the index of the last `kanwu build`, if any.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading

from .. import audience as audience_mod
from ..pages import generate
from ..source import render
from .site import static_files
from ..checks.validate import load_repository

log = logging.getLogger(__name__)
WATCHED = ("content", "issues")


def snapshot(root: str) -> tuple:
    """A cheap fingerprint of the watched folders: every file's path, size and mtime."""
    entries = []
    for top in WATCHED:
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in names:
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except FileNotFoundError:
                    continue
                entries.append((dirpath, name, st.st_size, st.st_mtime_ns))
    return tuple(sorted(entries))


def regenerate(root: str, audience_name: str | None, docs: str) -> str:
    """Write the page tree; '' on success, else the problems (the tree is then left as it was)."""
    repo = load_repository(root)
    if repo.errors:
        return "\n".join(p.format() for p in repo.errors)
    aud = audience_mod.pick(repo.config, audience_name)
    view = audience_mod.view(repo, aud)
    files = generate.Site(view, evaluation=repo.evaluation).pages()
    files.update(static_files(root, view))
    live = os.path.realpath(os.path.join(root, "site", aud.id))
    written, removed, _ = generate.write_tree(docs, files)
    for name in os.listdir(live) if os.path.isdir(live) else ():  # the last build's search index
        if name.startswith("pagefind-") and not os.path.exists(os.path.join(docs, name)):
            shutil.copytree(os.path.join(live, name), os.path.join(docs, name))
    log.info("已重新生成：改写 %d 个页面，删除 %d 个", len(written), len(removed))
    return ""


def serve(root: str, audience_name: str | None, dev_addr: str, on_problems=print) -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve

    docs = os.path.join(root, "build", "serve", "docs")
    os.makedirs(docs, exist_ok=True)
    render.load_cache(os.path.join(root, "build", "cache", "bodies"))
    problems = regenerate(root, audience_name, docs)
    if problems:
        on_problems(problems)
    stop = threading.Event()

    def watch():
        last = snapshot(root)
        while not stop.wait(1.0):
            now = snapshot(root)
            if now != last:
                last = now
                found = regenerate(root, audience_name, docs)
                if found:
                    on_problems(found)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        mkdocs_serve(config_file=os.path.join(root, "mkdocs.yml"), livereload=True, docs_dir=docs,
                     dev_addr=dev_addr, strict=False)
    finally:
        stop.set()
        render.save_cache()
