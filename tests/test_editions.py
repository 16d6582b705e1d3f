"""Editions: a periodical's kind is one module in kanwu/editions/. A kind written only there (in
this test) is assembled, signed, checked, built, printed and exported; a kind content/kanwu.yml
gets wrong is a located error."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import docx
import pytest

from conftest import ROOT
from kanwu import editions
from kanwu.editions import Edition, Selection
from kanwu.model import Section
from pdfread import text as pdf_text

ROUNDUP = """\
  diaoyan:
    name: 澜江调研
    edition: 调研汇编
    kind: roundup
    cadence: weekly
    max_classification: 内部
    editor: 孙可欣
    signer: 周正平
    distribution:
      发: [市直各单位]
    copies: 30
    total_base: 0
    max_items: 10
"""

FIRST = "石桥镇对全镇十二个村的集体经济收入做了逐村摸底，七个村年收入不足五万元。"
SECOND = "调研组建议把闲置校舍统一盘活，由镇里牵头引入农产品初加工项目。"


class Roundup(Edition):
    """调研汇编: the 调研 items of the four weeks before the issue's date, as abstracts, not adopting them."""

    kind = "roundup"
    label = "调研汇编"
    cadences = ("weekly",)
    shows = "abstract"
    adopts = False

    def select(self, repo, p, day, chain, used):
        chosen = sorted((i for i in repo.items.values()
                         if i.category == "调研" and day - dt.timedelta(days=28) <= i.date <= day),
                        key=lambda i: (i.date, i.id))
        return Selection(chosen, [Section("调研", tuple(i.id for i in chosen))] if chosen else [])


def research_item(tree, item_id, category="调研"):
    day = f"{item_id[:4]}-{item_id[4:6]}-{item_id[6:8]}"
    tree.item(item_id, f"""---
title: 石桥镇村级集体经济调查{item_id[-2:]}
unit: qingxi
date: {day}
category: {category}
urgency: 平件
classification: 内部
authors: [何晓岚]
---

{FIRST}{SECOND}
""")


@pytest.fixture
def roundup(tree, monkeypatch):
    monkeypatch.setitem(editions.EDITIONS, "roundup", Roundup())
    for part in ("theme", "content/help"):
        shutil.copytree(os.path.join(ROOT, part), os.path.join(tree.root, part))
    shutil.copy(os.path.join(ROOT, "mkdocs.yml"), os.path.join(tree.root, "mkdocs.yml"))
    path = os.path.join(tree.root, "content/kanwu.yml")
    text = open(path, encoding="utf-8").read()
    text = text.replace("periodicals:\n", "periodicals:\n" + ROUNDUP, 1)
    text = text.replace("periodicals: [daily, huiyao, urgent, pishi]", "periodicals: [daily, huiyao, urgent, pishi, diaoyan]", 1)
    tree.write("content/kanwu.yml", text)
    research_item(tree, "20261103-qingxi-01")
    research_item(tree, "20261105-qingxi-02")
    research_item(tree, "20261104-qingxi-03", category="动态")
    return tree


def test_a_kind_written_in_one_module_goes_through_every_stage(roundup):
    tree = roundup
    result = tree.run("assemble", "调研汇编", "--date", "2026-11-06")
    assert result.exit_code == 0, result.output
    rel = "issues/diaoyan/2026/001.yml"
    listed = re.findall(r"- (\d{8}-\w+-\d\d)", open(os.path.join(tree.root, rel), encoding="utf-8").read())
    assert listed == ["20261103-qingxi-01", "20261105-qingxi-02"]  # its own selection: 调研 only
    assert tree.run("sign", rel, "--by", "周正平").exit_code == 0
    digest = tree.run("assemble", "汇要", "--date", "2026-11-06", "--dry-run")
    # the week's only issue is the 调研汇编's, which adopts nothing: nothing for the 汇要 to take
    assert "20261103-qingxi-01" not in digest.output and "没有可用的信息" in digest.output, digest.output
    # the same items again in a second issue: allowed, because this kind adopts nothing
    again = tree.run("assemble", "调研汇编", "--date", "2026-11-13")
    assert again.exit_code == 0, again.output
    check = tree.run("check")
    assert check.exit_code == 0, check.output

    pdf = tree.run("pdf", "调研汇编", "1")
    assert pdf.exit_code == 0, pdf.output
    printed = re.sub(r"\s", "", pdf_text(os.path.join(tree.root, "build/pdf/diaoyan/2026/001.pdf")))
    assert "调研汇编" in printed and FIRST in printed and SECOND not in printed  # the abstract only

    out = tree.run("docx", "调研汇编", "1")
    assert out.exit_code == 0, out.output
    found = [os.path.join(d, f) for d, _, fs in os.walk(tree.root) for f in fs if f.endswith(".docx")]
    words = "".join(p.text for p in docx.Document(found[0]).paragraphs)
    assert FIRST in words and SECOND not in words

    build = tree.run("build", "--no-pdf")
    assert build.exit_code == 0, build.output
    page = open(os.path.join(tree.root, "site/quanti/periodicals/diaoyan/2026/001/index.html"), encoding="utf-8").read()
    assert "kanwu-abstract" in page and FIRST in page and SECOND not in page
    item_page = open(os.path.join(tree.root, "site/quanti/items/2026/11/20261103-qingxi-01/index.html"), encoding="utf-8").read()
    assert "澜江调研" in item_page and SECOND in item_page  # the item's own page has its whole text


def with_line(tree, text: str) -> int:
    """content/kanwu.yml with ``text`` after 内参's cadence line; the number of that cadence line."""
    path = os.path.join(tree.root, "content/kanwu.yml")
    lines = open(path, encoding="utf-8").read().splitlines(keepends=True)
    start = lines.index("  neican:\n")
    at = next(n for n in range(start, len(lines)) if lines[n].startswith("    cadence:"))
    lines.insert(at + 1, text)
    tree.write("content/kanwu.yml", "".join(lines))
    return at + 1


@pytest.mark.parametrize("change, on_cadence, says", [
    ("    kind: weekly-roundup\n", False, "可用的类型：regular（常规"),
    ("    kind: urgent\n", True, "重要信息类的刊物不能按“weekly”出刊"),
    ("    kind: regular\n    digest: yes\n", False, "和 kind: regular 矛盾"),
])
def test_a_wrong_kind_is_a_located_error(tree, change, on_cadence, says):
    cadence = with_line(tree, change)
    result = tree.run("check")
    assert result.exit_code == 1
    line = cadence if on_cadence else cadence + 1 + change.count("\n") - 1
    assert f"content/kanwu.yml:{line}" in result.output and says in result.output, result.output
    assert "Traceback" not in result.output


def test_the_spelling_before_editions_still_works_and_says_how_to_write_it_now(tree):
    """An office's kanwu.yml from before kind: (digest: yes) keeps building; kanwu check warns where."""
    cadence = with_line(tree, "    digest: yes\n")
    from kanwu.source.config import load_config
    assert load_config(tree.root).periodicals["neican"].kind == "digest"
    result = tree.run("check")
    assert result.exit_code == 0, result.output
    assert f"content/kanwu.yml:{cadence + 1}" in result.output and "警告" in result.output
    assert "改成 kind: digest" in result.output


def test_every_configured_kind_is_an_edition():
    from kanwu.source.config import load_config
    config = load_config(ROOT)
    kinds = {p.id: p.kind for p in config.periodicals.values()}
    assert kinds == {"daily": "regular", "neican": "regular", "huiyao": "digest", "urgent": "urgent", "pishi": "instructions"}
    assert all(p.cadence in editions.of(p).cadences for p in config.periodicals.values())
    assert editions.preview_periodical(config).id == "daily"
