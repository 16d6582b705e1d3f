"""Proofreading (无差错): the corpus measured rule by rule, the sample clean, and each place the
findings show: kanwu check (and --changed in a pull request), kanwu proof and --fix, the levels
set in content/kanwu.yml, and builds that go on regardless."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import GOOD_ITEM, ROOT, copy_sample, item_path
from kanwu.tools import proofcorpus

CORPUS = os.path.join(ROOT, "tests", "proof")


def proof_files(tree) -> None:
    shutil.copy(os.path.join(ROOT, "content", "leaders.yml"), os.path.join(tree.root, "content", "leaders.yml"))
    shutil.copytree(os.path.join(ROOT, "content", "proof"), os.path.join(tree.root, "content", "proof"))


@pytest.mark.parametrize("part", list(proofcorpus.CORPUS))
def test_corpus_recall_and_no_false_alarm(part):
    """Every rule finds ≥ 95 % of the sentences seeded for it, and fires on no sentence it was
    not seeded for (clean ones included), on the corpus the rules were written against and on the
    one written after them."""
    scores, misses, false, n_seeded, n_clean = proofcorpus.measure(ROOT, CORPUS, part)
    assert n_seeded >= (300 if part == "dev" else 100) and n_clean >= (300 if part == "dev" else 50)
    low = {rule: s.recall for rule, s in scores.items() if s.recall < 0.95}
    assert not low, [m.text for m in misses]
    assert not false, [(s.text, [h.rule for h in hits]) for s, hits in false]
    assert all(s.seeded >= (12 if part == "dev" else 5) for s in scores.values()), "every rule has seeded sentences"


def test_sample_items_have_no_finding():
    from kanwu.checks.proof import proofreader
    from kanwu.checks.validate import load_repository
    repo = load_repository(ROOT)
    reader = proofreader(repo.config)
    assert len(repo.items) >= 86
    found = [(f.path, f.text, f.rule) for item in repo.items.values() for f in reader.item(item, ROOT)]
    assert found == []


SEEDED = GOOD_ITEM.replace("县里组织技术人员分片指导。", "县里组织技术人员分片指导,市长程远航到现场督导。")


def test_check_reports_findings_with_place_and_rule(tree):
    proof_files(tree)
    tree.item("20261103-qingxi-01", SEEDED)
    result = tree.run("check")
    path = item_path("20261103-qingxi-01")
    lines = result.output.splitlines()
    comma = next(line for line in lines if "punct-halfwidth" in line)
    assert comma.startswith(f"{path}:11:") and "“,”" in comma and "改为全角的“，”" in comma and "警告" in comma
    col = int(comma.split(":")[2])
    body = SEEDED.split("\n")[10]
    assert body[col - 1] == ","
    leader = next(line for line in lines if "name-leader" in line)
    assert "错误" in leader and "程远航" in leader and "市委书记" in leader and "宋明哲" in leader
    assert result.exit_code == 1  # a leader's wrong title is an error: the merge request cannot pass


def test_levels_are_the_office_s(tree):
    proof_files(tree)
    tree.item("20261103-qingxi-01", SEEDED)
    cfg = os.path.join(tree.root, "content", "kanwu.yml")
    text = open(cfg, encoding="utf-8").read()
    text = text.replace("  punct-halfwidth: 警告", "  punct-halfwidth: 关闭").replace("  name-leader: 错误", "  name-leader: 警告")
    open(cfg, "w", encoding="utf-8").write(text)
    result = tree.run("check")
    assert "punct-halfwidth" not in result.output
    assert "警告 — 程远航不是市长" in result.output and result.exit_code == 0
    open(cfg, "w", encoding="utf-8").write(text.replace("  name-leader: 警告", "  name-leader: 严重"))
    result = tree.run("check")
    assert result.exit_code == 1 and "content/kanwu.yml:" in result.output and "级别“严重”不可用" in result.output


def test_bad_lists_are_located_errors(tree):
    proof_files(tree)
    tree.write("content/leaders.yml", "leaders:\n  - {name: 程远航, title: 市委书记, from: 2023-13-01}\n")
    tree.write("content/proof/typos.yml", "typos:\n  - {wrong: 布署, right: 部署}\n  - {wrong: 布署, right: 部署}\n")
    tree.write("content/proof/words.yml", "typos: []\n")
    tree.item("20261103-qingxi-01", GOOD_ITEM)
    result = tree.run("check")
    assert result.exit_code == 1
    assert "content/leaders.yml:2:" in result.output and "“2023-13-01”不是 YYYY-MM-DD 日期" in result.output
    assert "content/proof/typos.yml:3:" in result.output and "重复" in result.output
    assert "content/proof/words.yml:1:1:" in result.output and "不认识这个文件" in result.output


def test_title_finding_points_at_the_character(tree):
    tree.item("20261103-qingxi-01", GOOD_ITEM.replace("title: 青溪县启动冬季农田水利建设", 'title: "青溪县启动冬季农田水利建设,计划整修渠道"'))
    result = tree.run("check")
    line = next(x for x in result.output.splitlines() if "punct-halfwidth" in x)
    _, lineno, col, _ = line.split(":", 3)
    assert lineno == "2" and 'title: "青溪县启动冬季农田水利建设,'[int(col) - 1] == ","
    assert " title — " in line


def test_proof_shows_the_line_and_marks_the_text(tree):
    proof_files(tree)
    rel = tree.item("20261103-qingxi-01", SEEDED)
    result = tree.run("proof", rel)
    out = result.output.splitlines()
    at = next(i for i, line in enumerate(out) if line.strip().startswith("11 │"))
    assert "分片指导,市长" in out[at]
    from kanwu.checks.proof.report import width
    text = out[at].split("│ ", 1)[1]
    carets = [line.split("│ ", 1)[1] for line in out[at + 1:at + 5:2]]
    assert carets[0].index("^") == width(text[:text.index(",")]) and carets[0].count("^") == 1  # under the comma
    assert carets[1].index("^") == width(text[:text.index("市长")]) and carets[1].count("^") == width("市长程远航")
    assert "name-leader" in out[at + 4] and "punct-halfwidth" in out[at + 2]
    assert "校对了 1 个文件：1 处错误，1 处警告，其中 1 处可用 --fix 自动改正。" in result.output
    assert result.exit_code == 1


def test_fix_applies_safe_fixes_only(tree):
    proof_files(tree)
    body = "全县共整修渠道40公里,清淤山塘3-5座...截止目前已完成八成。\n\n会议要求（一）、加强领导;（二）落实资金。\n"
    rel = tree.item("20261103-qingxi-01", GOOD_ITEM.split("\n\n", 1)[0] + "\n\n" + body)
    result = tree.run("proof", "--fix", rel)
    text = open(os.path.join(tree.root, rel), encoding="utf-8").read()
    assert "全县共整修渠道40公里，清淤山塘3～5座……截止目前已完成八成。" in text  # the word is the editor's
    assert "会议要求（一）、加强领导；（二）落实资金。" in text
    assert "已改正 4 处" in result.output
    assert "word-confusion" in result.output and "punct-dunhao" in result.output
    again = tree.run("proof", "--fix", rel)
    assert "已改正" not in again.output  # nothing safe left to fix


def test_fix_keeps_the_file_s_line_ends_and_bom(tree):
    text = "\ufeff" + GOOD_ITEM.replace("分片指导。", "分片指导,做到责任到人。").replace("\n", "\r\n")
    rel = tree.item("20261103-qingxi-01", text.encode("utf-8"))
    result = tree.run("proof", "--fix", rel)
    assert "已改正 1 处" in result.output, result.output
    after = open(os.path.join(tree.root, rel), "rb").read().decode("utf-8")
    assert after == text.replace("分片指导,", "分片指导，")


def test_fix_leaves_items_of_signed_issues(tmp_path):
    tree = copy_sample(tmp_path / "s")
    rel = "content/items/2026/11/20261103-meiwu-01.md"
    full = os.path.join(tree.root, rel)
    before = open(full, encoding="utf-8").read() + "\n县里要求各村在月底前完成排查,逐座建立台账。\n"
    open(full, "w", encoding="utf-8").write(before)
    result = tree.run("proof", "--fix", rel)
    assert open(full, encoding="utf-8").read() == before
    assert "已在签发的期中刊登，没有改动" in result.output and "kanwu correct" in result.output


def test_build_goes_on_with_proofreading_errors(tmp_path):
    """A proofreading error stops the merge (kanwu check), never the site: an item merged before a
    word joined the list must not stop today's issue."""
    tree = copy_sample(tmp_path / "s")
    with open(os.path.join(tree.root, "content", "proof", "banned.yml"), "a", encoding="utf-8") as fh:
        fh.write("  - {word: 山塘, instead: 小型水库, note: 测试用}\n")
    assert tree.run("check").exit_code == 1
    result = tree.run("build", "--no-pdf")
    assert result.exit_code == 0, result.output


def test_changed_reports_findings_on_changed_lines_only(tmp_path):
    tree = copy_sample(tmp_path / "s")
    tree.git("init", "-q", "-b", "main")
    tree.git("add", "-A")
    tree.git("commit", "-q", "-m", "样稿")
    with open(os.path.join(tree.root, "content", "proof", "typos.yml"), "a", encoding="utf-8") as fh:
        fh.write("  - {wrong: 山塘, right: 小型水库}\n")  # old items now have findings: not this branch's
    rel = item_path("20261124-qingxi-01")
    tree.write(rel, GOOD_ITEM.replace("2026-11-03", "2026-11-24").replace("分片指导。", "分片指导,做到责任到人。"))
    result = tree.run("check", "--changed", "main", "--format", "github")
    notes = [line for line in result.output.splitlines() if line.startswith("::")]
    assert notes and all(f"file={rel}" in n or "file=content/proof/typos.yml" in n for n in notes), notes
    assert any("punct-halfwidth" in n and ",line=11," in n for n in notes)


def test_preview_marks_each_finding(tmp_path):
    """The reviewer's preview shows the item with each finding marked where it is, and lists them;
    a proofreading error fails the check but still leaves the preview to review."""
    import subprocess
    import sys
    from test_review import pr_repo
    tree = pr_repo(tmp_path)
    rel = item_path("20261124-qingxi-02")
    tree.write(rel, GOOD_ITEM.replace("2026-11-03", "2026-11-24").replace("title: 青溪县启动冬季农田水利建设", "title: 青溪县启动冬季农田水利建设,整修渠道")
               .replace("分片指导。", "分片指导,副市长宋明哲到现场督导。"))
    env = os.environ | {"KANWU_BIN": os.path.dirname(sys.executable)}
    env.pop("GITHUB_STEP_SUMMARY", None)
    res = subprocess.run(["bash", ".ci/pr-check", "main"], cwd=tree.root, capture_output=True, text=True, env=env)
    assert res.returncode == 1 and "name-leader" in res.stdout
    page = open(os.path.join(tree.root, "build/preview/items/20261124-qingxi-02.html"), encoding="utf-8").read()
    import re
    marks = re.findall(r'<mark class="kanwu-proof (kanwu-proof-\w+)" title="([^"]*)">(.*?)</mark>', page)
    assert [(level, text) for level, _, text in marks] == [
        ("kanwu-proof-warning", ","), ("kanwu-proof-warning", ","), ("kanwu-proof-error", "副市长宋明哲")]
    assert "宋明哲不是副市长" in marks[2][1]
    assert "<h1>青溪县启动冬季农田水利建设<mark" in page and "校对发现 3 处" in page
    summary = open(os.path.join(tree.root, "build/preview-summary.md"), encoding="utf-8").read()
    assert "校对：1 处错误，2 处警告" in summary and f"{rel}:11:" in summary


def test_published_defects_counted_on_notice_and_stats(tmp_path):
    """What the office's quarterly review does: count the defects in what its signed issues
    printed, per periodical and per unit, on the site's notice and statistics pages."""
    tree = copy_sample(tmp_path / "s")
    text = (GOOD_ITEM.replace("2026-11-03", "2026-11-23")
            .replace("分片指导。", "分片指导,做到每座山塘有人管...\n\n截止目前已完成渠道整修12公里。"))
    tree.item("20261123-qingxi-05", text)
    result = tree.run("assemble", "上报", "--date", "2026-11-24")
    assert result.exit_code == 0, result.output
    new = sorted(os.listdir(os.path.join(tree.root, "issues/daily/2026")))[-1]
    result = tree.run("sign", f"issues/daily/2026/{new}", "--by", "周正平", "--date", "2026-11-24")
    assert result.exit_code == 0, result.output
    result = tree.run("build", "--no-pdf")
    assert result.exit_code == 0, result.output
    docs = os.path.join(tree.root, "build", "quanti", "docs")
    notice = open(os.path.join(docs, "notices", "2026-Q4.md"), encoding="utf-8").read()
    review = notice.split("## 五、无差错检查", 1)[1]
    assert "共发现差错 3 处" in review
    daily = next(line for line in review.splitlines() if line.startswith("<tr><td>澜江信息（上报）"))
    cells = [c.split(">")[-1] for c in daily.split("</td>")[:-1]]
    assert cells[1] == "16" and cells[4:6] == ["0", "3"]  # 16 signed issues, 0 errors, 3 warnings
    unit = next(line for line in review.splitlines() if "青溪县委办" in line and "<tr>" in line)
    cells = [c.split(">")[-1] for c in unit.split("</td>")[:-1]]
    assert int(cells[1]) >= 1 and cells[2:4] == ["0", "3"]  # its items printed, 0 errors, the 3 warnings
    assert "半角标点（警告）：“,”" in review and "易混词（警告）：“截止”" in review
    stats_page = open(os.path.join(docs, "stats", "index.md"), encoding="utf-8").read()
    assert "2026年第4季度无差错检查" in stats_page and "共发现差错 3 处" in stats_page


def test_markdown_is_not_text(tree):
    """Headings, lists, tables, links, emphasis, quotes and rules are markup, not punctuation; a
    defect next to markup is reported at its own column."""
    proof_files(tree)
    text = open(os.path.join(CORPUS, "markdown-item.md"), encoding="utf-8").read()
    rel = tree.item("20261124-qingxi-01", text)
    result = tree.run("proof", rel)
    assert result.exit_code == 0 and "0 处错误，0 处警告" in result.output, result.output
    seeded = text.replace("**（一）建立清单。** 全县", "**（一）建立清单**,全县")
    tree.item("20261124-qingxi-01", seeded)
    result = tree.run("check")
    line = next(x for x in result.output.splitlines() if "punct-halfwidth" in x)
    _, lineno, col, _ = line.split(":", 3)
    assert seeded.split("\n")[int(lineno) - 1][int(col) - 1] == ","
