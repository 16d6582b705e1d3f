"""The units' web form (Decap CMS) for real: the vendored bundle in headless Chromium, against
decap-server's local git backend on a throwaway repository. What the form saves is a branch
(the editorial workflow's pull request), and kanwu's own check runs on it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from conftest import copy_sample, serve
from kanwu.editorial import cms

SERVER = os.path.join(sys.prefix, "share", "kanwu", "decap-server", "node_modules", "decap-server", "dist", "index.js")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def form(tmp_path):
    """(tree, address of the form, decap-server's repository) with the sample committed on main."""
    if not os.path.isfile(SERVER) or not os.path.isfile(os.path.join(cms.VENDOR, "decap-cms.js")):
        pytest.fail("Decap CMS is missing: run make setup (scripts/setup-system.sh installs it from npm)")
    tree = copy_sample(tmp_path / "repo")
    tree.git("init", "-q", "-b", "main")
    port = free_port()
    result = tree.run("cms", "--out", str(tmp_path / "site" / "baosong"), "--local", f"http://127.0.0.1:{port}/api/v1")
    assert result.exit_code == 0, result.output
    tree.git("add", "-A")
    tree.git("commit", "-qm", "样例")
    proc = subprocess.Popen(["node", SERVER], cwd=tree.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=os.environ | {"MODE": "git", "PORT": str(port), "GIT_REPO_DIRECTORY": tree.root})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        with serve(tmp_path / "site") as base:
            yield tree, f"{base}/baosong/"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def open_new(page, address):
    page.goto(address)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("text=信息")
    page.goto(address + "#/collections/items/new")
    page.wait_for_selector("#title-field-1")


def pick(page, label_id: str, text: str):
    page.click(f"[id^='{label_id}-field']", force=True)
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def fill(page, title, unit, category, authors, body, extra=()):
    page.fill("[id^='title-field']", title)
    pick(page, "unit", unit)
    page.fill("[id^='date-field']", "2026-11-24")
    pick(page, "category", category)
    page.fill("[id^='authors-field']", authors)
    for field, value in extra:
        page.fill(f"[id^='{field}-field']", value)
    page.locator("[data-slate-editor]").click()
    page.keyboard.type(body)


def wait_saved(tree) -> dict:
    """{branch: the files it changes}, once decap-server has committed the entry (the branch is made
    before its commit)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        out = {b: tree.git("diff", "--name-only", "main..." + b).split() for b in saved_branches(tree)}
        if out and all(out.values()):
            return out
        time.sleep(0.3)
    return {}


def saved_branches(tree) -> list[str]:
    return [b.strip() for b in tree.git("branch", "--list", "cms/*", "--format=%(refname:short)").splitlines() if b.strip()]


def check_branch(tree, branch):
    """``kanwu check --changed main`` on the branch, as CI runs it on the pull request (in a work
    tree of its own: decap-server works in the repository's)."""
    from conftest import Tree
    where = os.path.join(os.path.dirname(tree.root), "pr-" + branch.replace("/", "-"))
    tree.git("worktree", "add", "-q", "--detach", where, branch)
    checkout = Tree.__new__(Tree)
    checkout.root = where
    return checkout.run("check", "--changed", "main")


def test_the_form_makes_a_branch_that_passes_the_check(form, page):
    tree, address = form
    open_new(page, address)
    assert "报送单位" in page.inner_text("body") and "撰稿人" in page.inner_text("body")  # the Chinese form
    fill(page, "青溪县开展冬季用电安全巡查", "青溪县委办", "动态", "何晓岚",
         "青溪县组织供电所和乡镇干部巡查农村用电，整改隐患86处。")
    page.get_by_role("button", name="保存").click()
    assert wait_saved(tree) == {"cms/items/2026/11/20261124-qingxi-01": ["content/items/2026/11/20261124-qingxi-01.md"]}
    text = tree.git("show", "cms/items/2026/11/20261124-qingxi-01:content/items/2026/11/20261124-qingxi-01.md")
    assert "unit: qingxi" in text and "category: 动态" in text and "整改隐患86处" in text
    result = check_branch(tree, "cms/items/2026/11/20261124-qingxi-01")
    assert result.exit_code == 0, result.output
    assert "0 个错误" in result.output


def test_an_emergency_from_the_form_passes_the_check(form, page):
    tree, address = form
    open_new(page, address)
    fill(page, "松桥区一仓库发生火情已扑灭", "松桥区委办", "突发事件", "王磊", "当日上午一处仓库起火，消防人员半小时内扑灭，无人员伤亡。",
         extra=(("event_at", "2026-11-24 07:00+08:00"), ("reported_at", "2026-11-24 07:40+08:00")))
    page.get_by_role("button", name="保存").click()
    assert wait_saved(tree) == {"cms/items/2026/11/20261124-songqiao-01": ["content/items/2026/11/20261124-songqiao-01.md"]}
    result = check_branch(tree, "cms/items/2026/11/20261124-songqiao-01")
    assert result.exit_code == 0, result.output


def test_the_form_refuses_a_long_title_with_kanwus_message(form, page):
    tree, address = form
    open_new(page, address)
    title = "青溪县" + "组织开展冬季农村用电安全巡查" * 3
    fill(page, title, "青溪县委办", "动态", "何晓岚", "正文。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=标题超过 40 字")
    from kanwu.source.fields import title_message
    assert "标题" + title_message(40) in page.inner_text("body")
    time.sleep(1)
    assert saved_branches(tree) == []  # nothing saved


def test_a_stale_form_is_an_error_in_check(tmp_path):
    tree = copy_sample(tmp_path / "repo")
    assert tree.run("cms").exit_code == 0
    assert tree.run("check").exit_code == 0
    units = os.path.join(tree.root, "content", "units.yml")
    with open(units, "a", encoding="utf-8") as fh:
        fh.write("  - {id: xinqu, name: 澜江新区党工委办公室, short: 新区党工委办, kind: 县区, reviewers: [\"@linyutong\"]}\n")
    result = tree.run("check")
    assert "content/cms.yml:1:1: 警告 collections" in result.output and "运行 kanwu cms" in result.output
    assert tree.run("check", "--strict").exit_code == 1  # an error with --strict
    assert tree.run("cms").exit_code == 0
    result = tree.run("check", "--strict")
    assert result.exit_code == 0, result.output
    assert "新区党工委办" in open(os.path.join(tree.root, "content", "cms.yml"), encoding="utf-8").read()



def test_a_second_item_the_same_day_gets_a_located_rename(form, page):
    """Decap names the second entry of a unit and day "...-01-1"; the check says which name to give it."""
    tree, address = form
    open_new(page, address)
    fill(page, "青溪县开展冬季用电安全巡查", "青溪县委办", "动态", "何晓岚", "青溪县组织巡查农村用电。")
    page.get_by_role("button", name="保存").click()
    assert list(wait_saved(tree)) == ["cms/items/2026/11/20261124-qingxi-01"]
    page.goto("about:blank")  # a new entry, not the saved one again
    page.goto(address + "#/collections/items/new")
    page.wait_for_selector("#title-field-1")
    fill(page, "青溪县完成冬季储煤调度", "青溪县委办", "动态", "何晓岚", "青溪县各乡镇储煤已全部到位。")
    page.get_by_role("button", name="保存").click()
    deadline = time.monotonic() + 30
    while len(saved := wait_saved(tree)) < 2 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert saved["cms/items/2026/11/20261124-qingxi-01-1"] == ["content/items/2026/11/20261124-qingxi-01-1.md"]
    result = check_branch(tree, "cms/items/2026/11/20261124-qingxi-01-1")
    assert result.exit_code == 1
    assert "content/items/2026/11/20261124-qingxi-01-1.md:1:1: 错误" in result.output
    assert "改名为 20261124-qingxi-02.md" in result.output
