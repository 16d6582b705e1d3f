"""The bridges to Word: issues out as .docx (read back with python-docx and through LibreOffice),
and Word documents in as items."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from conftest import copy_sample
from kanwu import audience
from kanwu.checks import validate
from kanwu.word import export

SOFFICE = shutil.which("soffice")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    tree = copy_sample(tmp_path_factory.mktemp("word") / "repo")
    result = tree.run("docx", "上报", "212")
    assert result.exit_code == 0, result.output
    return tree


def exported(tree, periodical="daily", number=212) -> str:
    return os.path.join(tree.root, "build", "docx", periodical, "2026", f"{number:03d}.docx")


def issue_of(tree, periodical="daily", number=212, audience_id="quanti"):
    repo = validate.load_checked(tree.root)
    view = audience.view(repo, audience.pick(repo.config, audience_id))
    return view, next(i for i in view.issues if i.periodical == periodical and i.number == number and i.year == 2026)


def fonts_of(run) -> dict:
    rpr = run._r.rPr
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return {k: fonts.get(qn(f"w:{k}")) for k in ("ascii", "eastAsia")} if fonts is not None else {}


def test_docx_has_the_bulletin_page_setup(sample):
    doc = docx.Document(exported(sample))
    sec = doc.sections[0]
    mm = [round(x.mm, 1) for x in (sec.page_width, sec.page_height, sec.top_margin, sec.bottom_margin, sec.left_margin,
                                   sec.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]  # stored in twentieths of a point
    assert doc.settings.element.find(qn("w:mirrorMargins")) is not None  # 28 mm on the binding side of every page
    assert doc.settings.odd_and_even_pages_header_footer
    for footer, side in ((sec.footer, "right"), (sec.even_page_footer, "left")):
        par = footer.paragraphs[0]
        assert par.alignment.name.lower() == side
        xml = par._p.xml
        assert "PAGE" in xml and par.text.startswith("— ") and par.text.endswith(" —")
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.line_spacing == Pt(28.95)


def test_every_run_names_its_chinese_font_and_the_roles_match_the_print(sample):
    doc = docx.Document(exported(sample))
    view, issue = issue_of(sample)
    runs = [(p, r) for p in doc.paragraphs for r in p.runs if r.text.strip()]
    assert runs
    for _, run in runs:
        fonts = fonts_of(run)
        assert fonts.get("eastAsia") in export.FONTS.values(), (run.text, fonts)
        assert fonts["ascii"] == fonts["eastAsia"]
        assert run.font.size is not None
    by_text = {}
    for par, run in runs:
        by_text.setdefault(par.text, []).append(run)
    p = view.config.periodicals["daily"]
    name = by_text[p.name][0]
    assert fonts_of(name)["eastAsia"] == "方正小标宋简体" and name.font.color.rgb == export.RED
    for item_id in issue.item_ids:
        item = view.items[item_id]
        title = by_text[item.title][0]
        assert fonts_of(title)["eastAsia"] == "方正小标宋简体" and title.font.size == Pt(22)
        source = by_text[f"（{view.config.units[item.unit].short}）"][0]
        assert fonts_of(source)["eastAsia"] == "楷体_GB2312"
    body = [r for par, r in runs if par.paragraph_format.first_line_indent == export.INDENT]
    assert len(body) > 5
    assert all(fonts_of(r)["eastAsia"] == "仿宋_GB2312" and r.font.size == Pt(16) for r in body)


def plain(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_docx_text_and_order_follow_the_issue(sample):
    doc = docx.Document(exported(sample))
    view, issue = issue_of(sample)
    text = plain("\n".join(p.text for p in doc.paragraphs))
    pos = -1
    for item_id in issue.item_ids:
        item = view.items[item_id]
        at = text.find(plain(item.title), pos + 1)
        assert at > pos, item.title  # each title after the one before it
        paragraphs = [plain(re.sub(r"[*_`]", "", p)) for p in item.body.split("\n\n") if p.strip()]
        for para in paragraphs:
            found = text.find(para, at)
            assert found > at, para[:20]
            at = found
        pos = at
    tail = plain("\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells))
    assert "报：" in tail and f"共印{issue.copies}份" in tail and "印发" in tail
    assert doc.core_properties.title.startswith("澜江信息（上报）2026年第212期")


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice is installed by scripts/setup-system.sh")
def test_docx_through_libreoffice_reads_as_the_pdf(sample, tmp_path):
    """Converted by LibreOffice, the .docx has as many pages as kanwu's PDF (within one: the
    engines break lines differently) and the same text, in the fonts the PDF uses."""
    out = tmp_path / "lo"
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
                    "--outdir", str(out), exported(sample)], check=True, capture_output=True, timeout=180)
    converted = str(out / "212.pdf")
    assert sample.run("pdf", "上报", "212").exit_code == 0
    ours = os.path.join(sample.root, "build", "pdf", "daily", "2026", "212.pdf")

    def pages(path):
        return int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout).group(1))

    def words(path):
        text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True).stdout
        return plain(re.sub(r"—\s*\d+\s*—", "", text))
    assert abs(pages(converted) - pages(ours)) <= 1
    assert sorted(words(converted)) == sorted(words(ours))  # the same characters (line and column order differ)
    fonts = subprocess.run(["pdffonts", converted], capture_output=True, text=True).stdout
    assert "FandolFang" in fonts and ("KaitiM" in fonts or "GBZenKai" in fonts)  # 仿宋 and 楷体 as in the PDF


def test_a_restricted_item_never_reaches_a_lower_audiences_docx(tmp_path):
    from test_security import CANARY, SECRET_CANARY, emergency
    tree = copy_sample(tmp_path / "repo")
    tree.item("20261123-yingji-03", emergency(f"秘密事项{SECRET_CANARY}", f"正文含有{CANARY}。", "秘密"))
    tree.write("issues/urgent/2026/014.yml",
               "periodical: urgent\nyear: 2026\nnumber: 14\ntotal: 43\ndate: 2026-11-23\neditor: 林雨桐\nsigner: 赵启明\n"
               "sections:\n- heading: 首报\n  items: [20261123-yingji-03, 20261123-yingji-01]\ncopies: 15\n")

    def parts(path) -> str:
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", errors="replace") for n in z.namelist())
    for aud, out in (("全体", "low"), ("领导", "high")):
        result = tree.run("docx", "重要信息", "14", "--audience", aud, "--out", out)
        assert result.exit_code == 0, result.output
    low = parts(os.path.join(tree.root, "low", "urgent", "2026", "014.docx"))
    high = parts(os.path.join(tree.root, "high", "urgent", "2026", "014.docx"))
    assert SECRET_CANARY in high and CANARY in high  # the check below can fail
    assert SECRET_CANARY not in low and CANARY not in low and "20261123-yingji-03" not in low
    assert "本期另有 1 条信息超出本阅读范围" in low and "秘密" not in re.sub(r"<[^>]+>", "", low)


def test_docx_errors_are_located_and_chinese(sample):
    result = sample.run("docx", "日报", "1")
    assert result.exit_code == 1 and "没有刊物“日报”" in result.output
    result = sample.run("docx", "上报", "999")
    assert result.exit_code == 1 and "没有第999期" in result.output


# -- kanwu import ---------------------------------------------------------------------------------

def officer_docx(path, paragraphs, title="青溪县冬季农田水利建设全面铺开", source="（青溪县委办）", image=None, table=None):
    """A .docx as an officer types it: a centred bold title, a source line, indented paragraphs."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    doc = docx.Document()
    if title:
        par = doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = par.add_run(title)
        run.bold = True
        run.font.size = Pt(22)
    if source:
        par = doc.add_paragraph(source)
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in paragraphs:
        if isinstance(text, tuple):  # (plain, bold, plain)
            par = doc.add_paragraph(text[0])
            par.add_run(text[1]).bold = True
            par.add_run(text[2])
        else:
            doc.add_paragraph(text)
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    if image:
        doc.add_picture(image)
    doc.add_paragraph("撰稿人：何晓岚、李明")
    doc.add_paragraph("联系电话：0571-00000000")
    doc.save(path)
    return str(path)


def test_import_recognises_what_officers_type(tmp_path):
    tree = copy_sample(tmp_path / "repo")
    src = officer_docx(tmp_path / "报送.docx", [
        "\u3000\u3000今冬以来，青溪县组织各乡镇开展农田水利建设，\u00a0计划整修渠道40公里。",
        "一、主要做法",
        "\u3000\u3000（一）抓早抓实",
        "\u3000\u3000县里分片派出技术员\u200b\u200b，驻村指导施工\u3000\u3000进度。",
        ("\u3000\u3000", "资金到位是关键。", "今年县财政安排专项资金1200万元。"),
        "1.渠道清淤已完成六成。",
    ], table=[["乡镇", "渠道（公里）"], ["城关镇", "12"]])
    path = os.path.join(tree.root, "content/items/2026/11/20261124-qingxi-01.md")
    shown = tree.run("import", "--dry-run", src, "--category", "动态", "--date", "2026-11-24")
    assert shown.exit_code == 0 and "### 一、主要做法" in shown.output and not os.path.exists(path)
    result = tree.run("import", src, "--category", "动态", "--date", "2026-11-24")
    assert result.exit_code == 0, result.output
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    assert text == (
        "---\ntitle: \"青溪县冬季农田水利建设全面铺开\"\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
        "urgency: 平件\nclassification: 内部\nauthors: [\"何晓岚\", \"李明\"]\n---\n\n"
        "今冬以来，青溪县组织各乡镇开展农田水利建设，计划整修渠道40公里。\n\n"
        "### 一、主要做法\n\n"
        "#### （一）抓早抓实\n\n"
        "县里分片派出技术员，驻村指导施工进度。\n\n"
        "**资金到位是关键。**今年县财政安排专项资金1200万元。\n\n"
        "1\\.渠道清淤已完成六成。\n\n"
        "| 乡镇 | 渠道（公里） |\n| --- | --- |\n| 城关镇 | 12 |\n")
    assert "0 个错误" in result.output
    check = tree.run("check", "content/items/2026/11/20261124-qingxi-01.md")
    assert check.exit_code == 0, check.output
    again = tree.run("import", src, "--category", "动态", "--date", "2026-11-24")  # the next number, never overwritten
    assert again.exit_code == 0 and os.path.exists(path.replace("-01.md", "-02.md"))


def test_import_asks_for_what_the_document_does_not_say(tmp_path):
    tree = copy_sample(tmp_path / "repo")
    doc = docx.Document()
    doc.add_paragraph("今冬以来，青溪县组织各乡镇开展农田水利建设。")
    doc.save(tmp_path / "无标题.docx")
    before = sorted(os.listdir(os.path.join(tree.root, "content/items/2026/11")))
    result = tree.run("import", str(tmp_path / "无标题.docx"))
    assert result.exit_code == 1
    for asked in ("标题", "--title", "报送单位", "--unit", "类别", "--category", "撰稿人", "--author"):
        assert asked in result.output, asked
    assert "Traceback" not in result.output
    assert sorted(os.listdir(os.path.join(tree.root, "content/items/2026/11"))) == before  # nothing written
    unknown = officer_docx(tmp_path / "来源.docx", ["正文。"], source="（不存在的办公室）")
    result = tree.run("import", unknown, "--category", "动态")
    assert result.exit_code == 1 and "来源行“（不存在的办公室）”不是登记的单位" in result.output
    result = tree.run("import", officer_docx(tmp_path / "急.docx", ["正文。"]), "--category", "突发事件")
    assert result.exit_code == 1 and "--event-at" in result.output and "--reported-at" in result.output


def test_import_copies_images_into_the_assets(tmp_path):
    from PIL import Image
    tree = copy_sample(tmp_path / "repo")
    png = tmp_path / "现场.png"
    Image.new("RGB", (120, 80), (200, 30, 30)).save(png)
    src = officer_docx(tmp_path / "图.docx", ["\u3000\u3000施工现场如下图。"], image=str(png))
    result = tree.run("import", src, "--category", "动态", "--date", "2026-11-24")
    assert result.exit_code == 0, result.output
    text = open(os.path.join(tree.root, "content/items/2026/11/20261124-qingxi-01.md"), encoding="utf-8").read()
    assert "![图](20261124-qingxi-01-1.png)" in text
    with Image.open(os.path.join(tree.root, "content/assets/20261124-qingxi-01-1.png")) as im:
        assert im.size == (120, 80)
    assert tree.run("check").exit_code == 0


def test_import_refuses_what_is_not_a_word_document(tmp_path, monkeypatch):
    tree = copy_sample(tmp_path / "repo")
    fake = tmp_path / "假.docx"
    fake.write_text("这不是 Word 文档", encoding="utf-8")
    result = tree.run("import", str(fake), "--category", "动态")
    assert result.exit_code == 1 and "不是有效的 .docx" in result.output
    old = tmp_path / "旧.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = tree.run("import", str(old), "--category", "动态")
    assert result.exit_code == 1 and "需要 LibreOffice" in result.output and "另存为" in result.output
    result = tree.run("import", str(tmp_path / "没有.docx"))
    assert result.exit_code == 1 and "文件不存在" in result.output


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice is installed by scripts/setup-system.sh")
def test_import_a_word_97_document_through_libreoffice(tmp_path):
    tree = copy_sample(tmp_path / "repo")
    src = officer_docx(tmp_path / "报送.docx", ["\u3000\u3000今冬以来，青溪县开展农田水利建设。"])
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "doc",
                    "--outdir", str(tmp_path / "doc"), src], check=True, capture_output=True, timeout=180)
    result = tree.run("import", str(tmp_path / "doc" / "报送.doc"), "--category", "动态", "--date", "2026-11-24")
    assert result.exit_code == 0, result.output
    text = open(os.path.join(tree.root, "content/items/2026/11/20261124-qingxi-01.md"), encoding="utf-8").read()
    assert "title: \"青溪县冬季农田水利建设全面铺开\"" in text and "今冬以来，青溪县开展农田水利建设。" in text


def test_an_exported_issue_imports_back_item_by_item(sample, tmp_path):
    """Export 上报 212, cut the .docx into one document per item (its title, source and body, as
    exported), import each: title, unit and text come back identical."""
    import copy
    view, issue = issue_of(sample)
    exported_doc = docx.Document(exported(sample))
    body = exported_doc.element.body
    elements = list(body)
    titles = {view.items[i].title: i for i in issue.item_ids}
    starts = [(n, titles[el.xpath("string(.)")]) for n, el in enumerate(elements) if el.xpath("string(.)") in titles]
    assert [i for _, i in starts] == list(issue.item_ids)
    ends = [n for n, _ in starts[1:]] + [next(n for n, el in enumerate(elements) if el.tag == qn("w:tbl"))]
    for (start, item_id), end in zip(starts, ends):
        item = view.items[item_id]
        doc = docx.Document(exported(sample))
        for el in list(doc.element.body):
            if el.tag != qn("w:sectPr"):
                doc.element.body.remove(el)
        for el in elements[start:end]:
            if el.xpath("string(.)") not in {sec.heading for sec in issue.sections}:
                doc.element.body.insert(len(doc.element.body) - 1, copy.deepcopy(el))
        one = tmp_path / f"{item_id}.docx"
        doc.save(one)
        target = copy_sample(tmp_path / f"repo-{item_id}")
        result = target.run("import", str(one), "--category", item.category, "--date", str(item.date),
                            "--classification", item.classification, *sum((["--author", a] for a in item.authors), []))
        assert result.exit_code == 0, result.output
        rel = re.search(r"已导入 (\S+)：", result.output).group(1)
        got = validate.load_repository(target.root).items[os.path.splitext(os.path.basename(rel))[0]]
        assert (got.title, got.unit) == (item.title, item.unit)
        assert plain(got.body) == plain(item.body), item_id


def test_the_site_links_each_issue_as_word_beside_its_pdf(tmp_path):
    """kanwu build writes a .docx per issue, linked on the issue page; the next day's build makes
    the new issue's only (the others are the same files, linked from the cache)."""
    tree = copy_sample(tmp_path / "repo")
    built = tree.run("build", "--audience", "quanti")
    assert built.exit_code == 0, built.output
    live = os.path.realpath(os.path.join(tree.root, "site", "quanti"))
    view, issue = issue_of(tree)
    page = open(os.path.join(live, "periodicals", "daily", "2026", "212", "index.html"), encoding="utf-8").read()
    assert 'href="../../../../docx/daily/2026/212.docx"' in page and "下载 Word 文档" in page
    docs = {}
    for i in view.issues:
        path = os.path.join(live, "docx", i.periodical, f"{i.year:04d}", f"{i.number:03d}.docx")
        d = docx.Document(path)
        p = view.config.periodicals[i.periodical]
        assert d.core_properties.title.startswith(f"{p.name}（{p.edition}）{i.year}年第{i.number}期")
        docs[path] = os.stat(path).st_ino
    cache = os.path.join(tree.root, "build", "docx-cache")
    made = set(os.listdir(cache))
    tree.item("20261124-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    made_issue = tree.run("assemble", "上报", "--date", "2026-11-24")
    assert made_issue.exit_code == 0, made_issue.output
    result = tree.run("build", "--audience", "quanti")
    assert result.exit_code == 0, result.output
    assert len(set(os.listdir(cache)) - made) == 1  # the new issue's
    again = os.path.realpath(os.path.join(tree.root, "site", "quanti"))
    new = docx.Document(os.path.join(again, "docx", "daily", "2026", "213.docx"))
    assert "青溪县开展冬季安全检查" in "".join(p.text for p in new.paragraphs)
    for path, ino in docs.items():
        assert os.stat(os.path.join(again, os.path.relpath(path, live))).st_ino == ino  # the same file
