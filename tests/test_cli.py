"""The command line: Chinese help and errors, `kanwu new`, `--changed`, the schema, fuzzing."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import GOOD_ITEM, ROOT, built_sample, item_path
from kanwu.source import load
from kanwu.source.config import load_config


def test_help_is_chinese(tree):
    out = tree.run("--help").output
    assert "用法：" in out and "选项" in out and "命令" in out and "显示本帮助并退出。" in out
    assert "Usage" not in out and "Show this message" not in out


def test_usage_error_is_chinese():
    res = subprocess.run([os.path.join(os.path.dirname(sys.executable), "kanwu"), "check", "--bogus"],
                         capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2
    assert "没有选项" in res.stderr and "Traceback" not in res.stderr and "No such option" not in res.stderr


def test_new_item_passes_check(tree):
    result = tree.run("new", "--unit", "qingxi", "--category", "动态", "--title", "青溪县“冬修水利”全面开工",
                      "--date", "2026-11-24", "--author", "何晓岚")
    assert result.exit_code == 0, result.output
    path = item_path("20261124-qingxi-01")
    assert path in result.output
    text = open(os.path.join(tree.root, path), encoding="utf-8").read()
    assert "# 密级" in text and 'title: "青溪县“冬修水利”全面开工"' in text
    check = tree.run("check")  # the scaffold's hint in place of a body is the one thing wrong
    assert check.exit_code == 1
    [error] = [line for line in check.output.splitlines() if ": 错误" in line]
    line = text.split("\n").index(next(l for l in text.split("\n") if l.startswith("（在这里写正文"))) + 1
    assert error.startswith(f"{path}:{line}:1: 错误") and "kanwu new 留下的提示语" in error, error
    body = "青溪县冬修水利全面开工，首批十二处渠道同时动工。"
    open(os.path.join(tree.root, path), "w", encoding="utf-8").write(re.sub(r"（在这里写正文.*）", body, text))
    check = tree.run("check")
    assert check.exit_code == 0, check.output
    # a second item the same day gets the next number
    again = tree.run("new", "--unit", "qingxi", "--category", "突发事件", "--title", "某地发生险情",
                     "--date", "2026-11-24", "--classification", "秘密")
    assert item_path("20261124-qingxi-02") in again.output
    assert "kanwu new 留下的提示语" in tree.run("check").output


def test_new_rejects_unknown_unit(tree):
    result = tree.run("new", "--unit", "qingx", "--category", "动态", "--title", "x")
    assert result.exit_code == 1 and "是不是：qingxi" in result.output


def test_changed_sees_added_modified_renamed(tree):
    tree.git("init", "-q", "-b", "main")
    tree.item("20261103-qingxi-01", GOOD_ITEM)
    tree.item("20261103-qingxi-02", GOOD_ITEM.replace("冬季农田水利建设", "冬季植树"))
    # already broken on main: a full check reports it, --changed does not
    tree.item("20261103-qingxi-03", GOOD_ITEM.replace("冬季农田水利建设", "冬季防火").replace("unit: qingxi", "unit: nowhere"))
    tree.git("add", "-A")
    tree.git("commit", "-qm", "base")
    tree.git("checkout", "-qb", "feature")
    bad = "category: 工作动态"
    # modified
    tree.item("20261103-qingxi-01", GOOD_ITEM.replace("category: 动态", bad))
    # renamed (and broken)
    old = os.path.join(tree.root, item_path("20261103-qingxi-02"))
    new_id = "20261103-qingxi-04"
    os.remove(old)
    tree.item(new_id, GOOD_ITEM.replace("冬季农田水利建设", "冬季植树").replace("category: 动态", bad))
    # added
    tree.item("20261103-qingxi-05", GOOD_ITEM.replace("冬季农田水利建设", "冬季修路").replace("category: 动态", bad))
    tree.git("add", "-A")
    tree.git("commit", "-qm", "change")
    assert item_path("20261103-qingxi-03") in tree.run("check").output
    result = tree.run("check", "--changed", "main")
    reported = {line.split(":")[0] for line in result.output.splitlines() if ": 错误" in line}
    assert reported == {item_path("20261103-qingxi-01"), item_path(new_id), item_path("20261103-qingxi-05")}
    assert result.exit_code == 1
    tree.git("checkout", "-q", "main")
    assert tree.run("check", "--changed", "main").exit_code == 0
    assert tree.run("check").exit_code == 1


def _signed_branch(tree):
    """main: two items and a signed issue carrying both; then a branch 'unit'."""
    from test_assemble import assemble_ok, make_item
    tree.git("init", "-q", "-b", "main")
    make_item(tree, "20261103-qingxi-01")
    make_item(tree, "20261103-qingxi-02")
    assemble_ok(tree, "上报", "--date", "2026-11-03")
    signed = tree.run("sign", os.path.join(tree.root, "issues/daily/2026/198.yml"), "--date", "2026-11-03", "--by", "周正平")
    assert signed.exit_code == 0, signed.output
    assert tree.run("check").exit_code == 0
    tree.git("add", "-A")
    tree.git("commit", "-qm", "signed")
    tree.git("checkout", "-qb", "unit")


def test_changed_reports_what_a_change_breaks_elsewhere(tree):
    """Deleting an item a signed issue lists, or editing one it printed, breaks the unchanged
    manifest: --changed reports it there, and on the edited item, so the pull request cannot
    pass what then stops the publish."""
    _signed_branch(tree)
    manifest = "issues/daily/2026/198.yml"
    path = os.path.join(tree.root, item_path("20261103-qingxi-01"))
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("四十公里", "四十五公里"))
    tree.git("commit", "-qam", "edit a signed item")
    result = tree.run("check", "--changed", "main")
    assert result.exit_code == 1, result.output
    errors = [l for l in result.output.splitlines() if ": 错误" in l]
    assert any(l.startswith(manifest + ":") and "在本期发布后被修改" in l for l in errors), result.output
    assert any(l.startswith(item_path("20261103-qingxi-01") + ":1:1:") and manifest in l for l in errors), result.output
    tree.git("checkout", "-q", "--", ".")
    tree.git("reset", "-q", "--hard", "main")
    os.remove(os.path.join(tree.root, item_path("20261103-qingxi-02")))
    tree.git("commit", "-qam", "delete a signed item")
    result = tree.run("check", "--changed", "main")
    assert result.exit_code == 1, result.output
    assert any(l.startswith(manifest + ":") and "20261103-qingxi-02" in l and "不存在" in l
               for l in result.output.splitlines()), result.output


def test_changed_sees_a_non_ascii_file_name(tree):
    """git quotes a name like 青溪.md unless -z: the broken file must still be reported."""
    _signed_branch(tree)
    tree.write("content/items/2026/11/青溪.md", GOOD_ITEM)
    result = tree.run("check", "--changed", "main")
    assert result.exit_code == 1
    assert any(l.startswith("content/items/2026/11/青溪.md:") for l in result.output.splitlines()), result.output


def test_schema_lists_every_field():
    from kanwu.source.fields import FIELDS
    from click.testing import CliRunner
    from kanwu.cli import cli
    data = json.loads(CliRunner().invoke(cli, ["schema"]).output)
    assert set(data["properties"]) == {f.name for f in FIELDS}
    assert data["properties"]["classification"]["enum"] == ["公开", "内部", "秘密", "机密"]
    committed = json.load(open(os.path.join(ROOT, "content", "item.schema.json"), encoding="utf-8"))
    assert committed == data, "content/item.schema.json is stale: run kanwu schema > content/item.schema.json"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda t: ("---\n" + t + "\n---\n正文").encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(["title: x\n", "unit: qingxi\n", "date: 2026-02-30\n", "- a\n", "  b: [\n", "{\n",
                              "classification: NO\n", "\t\n", "：\n", "&a b\n", "*a\n", "!!python/object:x\n",
                              "\u3000x\n", "---\n", "...\n", "\r\n", "\ufeff", "date: 12:30\n"]), max_size=12)
    .map(lambda parts: ("---\n" + "".join(parts) + "---\n正文").encode("utf-8")),
))
def test_fuzz_load_item_never_raises(tmp_path_factory, data):
    root = tmp_path_factory.getbasetemp() / "fuzz"
    rel = item_path("20261103-qingxi-01")
    os.makedirs(root / os.path.dirname(rel), exist_ok=True)
    (root / rel).write_bytes(data)
    config = _config()
    item, problems = load.load_item(str(root), rel, config)
    assert item is not None or any(p.is_error for p in problems)
    for p in problems:
        assert p.path == rel and p.line >= 1 and p.col >= 1 and p.format()


_CONFIG = []


def _config():
    if not _CONFIG:
        _CONFIG.append(load_config(ROOT))
    return _CONFIG[0]


def test_console_script_exit_codes(tree):
    """The installed `kanwu` command (not CliRunner) exits 1 on errors: CI relies on it."""
    exe = os.path.join(os.path.dirname(sys.executable), "kanwu")
    tree.item("20261103-qingxi-01", GOOD_ITEM.replace("title: ", "title："))
    res = subprocess.run([exe, "--root", tree.root, "check"], capture_output=True, text=True)
    assert res.returncode == 1 and "全角冒号" in res.stdout
    tree.item("20261103-qingxi-01", GOOD_ITEM)
    assert subprocess.run([exe, "--root", tree.root, "check"], capture_output=True).returncode == 0


@pytest.mark.parametrize("missing, command, says", [
    ("mkdocs.yml", ("build", "--no-pdf"), "找不到网站配置 mkdocs.yml"),
    ("theme/overrides", ("build", "--no-pdf"), "找不到网站主题目录 theme/overrides"),
    ("theme/pdf/bulletin.css", ("pdf", "上报", "212"), "找不到印刷版样式表 theme/pdf/bulletin.css"),
])
def test_a_missing_site_file_is_named_in_chinese_and_the_live_site_stays(tmp_path, missing, command, says):
    """A deleted mkdocs.yml, theme folder or print stylesheet: said in Chinese with the fix (MkDocs
    would say it in English; the stylesheet was an internal error), and the site built before stays."""
    tree = built_sample(tmp_path / "repo", "--no-pdf")
    live = os.path.realpath(os.path.join(tree.root, "site", "quanti"))
    gone = os.path.join(tree.root, missing)
    shutil.rmtree(gone) if os.path.isdir(gone) else os.remove(gone)
    result = tree.run(*command)
    assert result.exit_code == 1 and says in result.output and "git checkout" in result.output, result.output
    assert "内部错误" not in result.output and "Config" not in result.output
    assert os.path.realpath(os.path.join(tree.root, "site", "quanti")) == live and os.path.isfile(os.path.join(live, "index.html"))
