"""The record holds (issue 22): a signed issue stays as it was sent, a correction is a command that
keeps the as-sent text and publishes a 勘误, and a draft never looks like a signed issue."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
import yaml

from conftest import GOOD_ITEM, copy_sample, item_path
from pdfread import text as pdf_text

ITEM = "20261109-baisha-01"  # carried by daily 203 and by the digest 汇要 41
ISSUES = ("issues/daily/2026/203.yml", "issues/huiyao/2026/041.yml")


def git_sample(dest):
    tree = copy_sample(dest)
    tree.git("init", "-q", "-b", "main")
    tree.git("add", "-A")
    tree.git("commit", "-qm", "sample")
    return tree


def errors(tree) -> list[str]:
    result = tree.run("check")
    return [line for line in result.output.splitlines() if ": 错误" in line]


def edit(tree, rel, old, new):
    path = os.path.join(tree.root, rel)
    text = open(path, encoding="utf-8").read()
    assert old in text, old
    open(path, "w", encoding="utf-8").write(text.replace(old, new, 1))


def line_of(tree, rel, needle) -> int:
    return next(n for n, line in enumerate(open(os.path.join(tree.root, rel), encoding="utf-8"), 1) if needle in line)


@pytest.mark.parametrize("old,new,what", [
    ("  - 20261120-xinfang-01\n", "", "栏目和信息"),                   # an item taken out
    ("editor_note: ''\n", "editor_note: 请各地参阅。\n", "编者按"),       # a note added afterwards
    ("copies: 45\n", "copies: 99\n", "印数"),
    ("signer: 周正平\n", "signer: 赵启明\n", "签发人"),
])
def test_any_change_to_a_signed_manifest_is_an_error_naming_it(tmp_path, old, new, what):
    tree = git_sample(tmp_path / "s")
    rel = "issues/daily/2026/212.yml"
    assert errors(tree) == []
    edit(tree, rel, old, new)
    [err] = errors(tree)
    assert err.startswith(f"{rel}:") and "签发后清单被改动" in err and f"（{what}）" in err, err
    if new:
        assert err.startswith(f"{rel}:{line_of(tree, rel, new.strip())}:"), err


def test_a_changed_order_breaks_the_seal_even_without_git(sample):
    rel = "issues/daily/2026/212.yml"
    data = yaml.safe_load(open(os.path.join(sample.root, rel), encoding="utf-8"))
    data["sections"][1]["items"].reverse()  # 部门动态: three items
    assert len(set(data["sections"][1]["items"])) == 3
    sample.write(rel, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    [err] = errors(sample)
    assert err.startswith(f"{rel}:") and "与签发封记不符" in err


def test_sign_records_who_and_when_and_seals(tree):
    tree.item("20261103-qingxi-01", GOOD_ITEM)
    assert tree.run("assemble", "上报", "--date", "2026-11-03").exit_code == 0
    rel = "issues/daily/2026/198.yml"
    out = tree.run("sign", os.path.join(tree.root, rel), "--date", "2026-11-03", "--by", "赵启明")
    assert out.exit_code == 0, out.output
    data = yaml.safe_load(open(os.path.join(tree.root, rel), encoding="utf-8"))
    assert data["signer"] == "赵启明" and str(data["signed_at"]).endswith("+08:00") and len(data["seal"]) == 24
    assert errors(tree) == []


def test_correction_keeps_the_issue_as_sent_and_publishes_a_notice(tmp_path):
    tree = git_sample(tmp_path / "s")
    before = {}
    for rel, args in zip(ISSUES, (("上报", "203"), ("汇要", "41"))):
        assert tree.run("pdf", *args, "--out", "build/before").exit_code == 0
        before[rel] = pdf_text(os.path.join(tree.root, "build/before", rel[len("issues/"):-4] + ".pdf"))
    assert "二十个小区" in before[ISSUES[0]]
    # The unit reports an error: the number of estates was 1,236 households in 二十二 estates.
    edit(tree, item_path(ITEM), "在二十个小区推行", "在二十二个小区（1,236户）推行")
    errs = errors(tree)
    assert len(errs) == 2 and all("在本期发布后被修改" in e and f"kanwu correct {ITEM}" in e for e in errs)
    what = "试点小区由二十个更正为二十二个，涉及1,236户"
    done = tree.run("correct", ITEM, "--what", what, "--by", "李文静", "--date", "2026-11-25")
    assert done.exit_code == 0, done.output
    assert errors(tree) == []
    for rel in ISSUES:  # recorded in every signed issue that carries it, whole (the comma kept), block style
        data = yaml.safe_load(open(os.path.join(tree.root, rel), encoding="utf-8"))
        [c] = data["corrections"]
        assert c["what"] == what and c["by"] == "李文静" and set(c) == {"item", "date", "by", "what", "digest"}
        assert "{" not in open(os.path.join(tree.root, rel), encoding="utf-8").read().split("corrections:")[1]
    # The as-sent text is kept in the repository, and both issues still print it.
    recorded = yaml.safe_load(open(os.path.join(tree.root, ISSUES[0]), encoding="utf-8"))["digests"][ITEM]
    kept = os.path.join(tree.root, "issues/sent", recorded, item_path(ITEM))
    assert "在二十个小区推行" in open(kept, encoding="utf-8").read()
    result = tree.run("build")
    assert result.exit_code == 0, result.output
    site = os.path.join(tree.root, "site", "quanti")
    daily_pdf = os.path.join(site, "pdf/daily/2026/203.pdf")
    assert pdf_text(daily_pdf) == before[ISSUES[0]]
    assert pdf_text(os.path.join(site, "pdf/huiyao/2026/041.pdf")) == before[ISSUES[1]]
    notice = pdf_text(os.path.join(site, "pdf/daily/2026/203-correction.pdf"))
    flat = "".join(notice.split())
    assert "勘误" in flat and "1,236" in flat and "《白沙区推行垃圾分类定时定点投放》" in flat, notice
    assert "加急" not in flat and "特急" not in flat  # a notice is not urgent
    # The site shows the corrected text, marked, linked to the notice; the issue page says so too.
    page = open(os.path.join(site, "items/2026/11", ITEM, "index.html"), encoding="utf-8").read()
    assert "二十二个小区（1,236户）" in page and "已更正" in page and "203-correction.pdf" in page
    issue_page = open(os.path.join(site, "periodicals/daily/2026/203/index.html"), encoding="utf-8").read()
    assert "勘误" in issue_page and what in issue_page and "203-correction.pdf" in issue_page
    # Losing the kept text is an error, not a silently re-typeset record.
    os.remove(kept)
    assert any("缺少本期签发时的原文" in e for e in errors(tree))


def test_correct_refuses_what_it_cannot_keep(tmp_path):
    tree = copy_sample(tmp_path / "s")  # no git history: the as-sent text cannot be found
    edit(tree, item_path(ITEM), "在二十个小区推行", "在二十二个小区推行")
    out = tree.run("correct", ITEM, "--what", "小区数", "--by", "李文静")
    assert out.exit_code == 1 and "找不到信息" in out.output and "原文" in out.output
    unchanged = tree.run("correct", "20261120-xinfang-01", "--what", "x", "--by", "李文静")
    assert unchanged.exit_code == 1 and "没有需要登记的改动" in unchanged.output


def test_stray_keys_in_a_correction_are_an_error(sample):
    rel = "issues/daily/2026/212.yml"
    edit(sample, item_path("20261120-xinfang-01"), "236件次", "263件次")
    with open(os.path.join(sample.root, rel), "a", encoding="utf-8") as fh:
        # the flow style a hand-written correction takes; the comma splits "what"
        fh.write("corrections:\n- {item: 20261120-xinfang-01, date: 2026-11-25, by: 李文静, what: 总量由236,改为263}\n")
    errs = errors(sample)
    assert any(e.startswith(f"{rel}:{line_of(sample, rel, '- {item')}:") and "多余的字段" in e for e in errs), errs


def test_draft_pdf_is_marked_on_every_page_and_names_no_signer(tmp_path):
    tree = copy_sample(tmp_path / "s")
    for n in range(1, 9):  # enough text for more than one page
        tree.item(f"20261124-qingxi-0{n}", GOOD_ITEM.replace("2026-11-03", "2026-11-24").replace(
            "冬季农田水利建设", f"冬季农田水利建设第{n}批").replace("县里组织", "县里组织" + "技术人员分片指导，" * 40))
    made = tree.run("assemble", "上报", "--date", "2026-11-24")
    assert made.exit_code == 0, made.output
    number = re.search(r"issues/daily/2026/(\d{3})\.yml", made.output).group(1)
    out = tree.run("pdf", "上报", number, "--out", "build/draft")
    assert out.exit_code == 0, out.output
    path = os.path.join(tree.root, f"build/draft/daily/2026/{number}.pdf")
    pages = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) > 1 and all("草稿（未签发）" in p for p in pages)
    assert "签发：周正平" not in "".join(pages) and "签发：（未签发）" in "".join(pages)
