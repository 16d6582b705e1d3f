"""Fixtures: small repositories built from dicts in tmp_path, and the real sample repository."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import textwrap
import threading

import pytest
from click.testing import CliRunner

from kanwu.cli import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

GOOD_ITEM = """\
---
title: 青溪县启动冬季农田水利建设
unit: qingxi
date: 2026-11-03
category: 动态
urgency: 平件
classification: 内部
authors: [何晓岚]
---

青溪县近日启动冬季农田水利建设，计划整修渠道四十公里、清淤山塘二十座，县里组织技术人员分片指导。
"""


def item_path(item_id: str) -> str:
    return f"content/items/{item_id[:4]}/{item_id[4:6]}/{item_id}.md"


class Tree:
    """A kanwu repository in a temporary folder, written from strings."""

    def __init__(self, root):
        self.root = str(root)
        os.makedirs(os.path.join(self.root, "content"), exist_ok=True)
        for name in ("kanwu.yml", "units.yml"):
            shutil.copy(os.path.join(ROOT, "content", name), os.path.join(self.root, "content", name))

    def write(self, rel: str, text: str | bytes, dedent: bool = False) -> str:
        full = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if isinstance(text, str):
            text = (textwrap.dedent(text) if dedent else text).encode("utf-8")
        with open(full, "wb") as fh:
            fh.write(text)
        return rel

    def item(self, item_id: str, text: str | bytes) -> str:
        return self.write(item_path(item_id), text)

    def run(self, *args):
        result = CliRunner().invoke(cli, ["--root", self.root, *args], catch_exceptions=False)
        return result

    def git(self, *args):
        return subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True, text=True,
                              env=os.environ | {"GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                                                "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "t@example.invalid"}).stdout


@pytest.fixture
def tree(tmp_path):
    return Tree(tmp_path / "repo")


def copy_sample(dest, extra=()) -> Tree:
    """A copy of the repository's own sample content, issues, theme and site config at ``dest``."""
    os.makedirs(dest, exist_ok=True)
    for part in ("content", "issues", "theme", *extra):
        shutil.copytree(os.path.join(ROOT, part), os.path.join(dest, part))
    shutil.copy(os.path.join(ROOT, "mkdocs.yml"), os.path.join(dest, "mkdocs.yml"))
    return Tree(dest)


@pytest.fixture
def sample(tmp_path):
    """A copy of the repository's own sample content and issues."""
    return copy_sample(tmp_path / "sample")


def built_sample(dest, *build_args) -> Tree:
    """The sample repository copied to ``dest`` and built with ``kanwu build *build_args``."""
    tree = copy_sample(dest)
    result = tree.run("build", *build_args)
    assert result.exit_code == 0, result.output
    return tree


# --- the built site in a real browser --------------------------------------------------------

ARTIFACTS = os.path.join(ROOT, "test-artifacts")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory):
    """A static HTTP server for ``directory`` on 127.0.0.1; yields its base address."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not os.path.exists("/usr/bin/chromium"):
        pytest.fail("Chromium is missing: run make setup (scripts/setup-system.sh installs Debian's chromium)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page; the test fails if it requested anything outside 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.requests = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()
    outside = [u for u in pg.requests if not u.startswith(("http://127.0.0.1:", "data:", "blob:", "about:"))]
    assert not outside, f"the page requested outside 127.0.0.1: {outside}"


def shot(pg, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    pg.screenshot(path=os.path.join(ARTIFACTS, f"site-{name}.png"), full_page=False)
