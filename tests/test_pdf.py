"""Issue PDFs read back: geometry of the 版心, the grid, fonts, colours, page numbers, tail."""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess

import pytest

import yaml

from conftest import copy_sample, item_path
from pdfread import MM, lines, metadata, outline, pages, pdffonts, preflight, text

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "test-artifacts")
NO_START = set("，。、；：！？）》”’")
NO_END = set("（《“‘")
BODY_TOP = 37 * MM
BODY_BOTTOM = 262 * MM
LINE = 28.95


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every sample issue, rendered for the highest audience, with kanwu pdf."""
    dest = tmp_path_factory.mktemp("pdf") / "repo"
    tree = copy_sample(dest)
    result = tree.run("pdf", "--audience", "领导")
    assert result.exit_code == 0, result.output
    files = sorted(glob.glob(str(dest / "build/pdf/*/*/*.pdf")))
    assert len(files) == 21
    os.makedirs(ARTIFACTS, exist_ok=True)
    for f in files:
        name = "-".join(f.split(os.sep)[-3:])
        if name in ("daily-2026-212.pdf", "neican-2026-088.pdf", "huiyao-2026-041.pdf", "urgent-2026-012.pdf"):
            os.system(f"pdftoppm -r 70 -png -f 1 -l 1 {f} {ARTIFACTS}/pdf-{name[:-4]}")
    return tree, {os.path.relpath(f, dest / "build/pdf"): f for f in files}


MASTHEAD_BOTTOM = BODY_TOP + 7 * LINE


def body_lines(all_lines, page=None):
    """Lines of body text: 16 pt 仿宋, below the masthead, not the contents list."""
    return [l for l in all_lines if l.size == 16 and l.fonts == {"FandolFang"} and BODY_TOP - 2 <= l.top <= BODY_BOTTOM
            and not (l.page == 1 and l.top < MASTHEAD_BOTTOM) and not re.match(r"^\d+\. ", l.text)
            and (page is None or l.page == page)]


def test_every_page_is_a4(rendered):
    _, files = rendered
    for f in files.values():
        for w, h, _, _ in pages(f):
            assert (round(w, 2), round(h, 2)) == (595.28, 841.89)


def test_text_inside_the_type_area(rendered):
    _, files = rendered
    for f in files.values():
        for l in lines(f):
            odd = l.page % 2 == 1
            left, right = ((28, 184) if odd else (26, 182))
            assert left * MM - 1 * MM <= l.x0 and l.x1 <= right * MM + 1 * MM, (f, l)
            if not re.fullmatch(r"— \d+ —", l.text):
                assert BODY_TOP - 1 * MM <= l.top and l.top + l.size <= BODY_BOTTOM + 1 * MM, (f, l)


def test_grid_22_lines_of_28(rendered):
    _, files = rendered
    f = files["daily/2026/201.pdf"] if "daily/2026/201.pdf" in files else max(files.values(), key=os.path.getsize)
    checked = 0
    for f in files.values():
        ls = lines(f)
        for page in sorted({l.page for l in ls}):
            body = body_lines(ls, page)
            if len(body) < 2:
                continue
            gaps = {round(b.top - a.top, 1) for a, b in zip(body, body[1:])}
            assert all(abs(g / LINE - round(g / LINE)) < 0.02 for g in gaps), (f, page, gaps)
            first_line = round((body[0].top - BODY_TOP) / LINE)
            last_line = round((body[-1].top - BODY_TOP) / LINE)
            assert last_line <= 21, (f, page, last_line)  # at most 22 lines on a page
            left = (28 if page % 2 else 26) * MM
            full = [l for l in body if re.fullmatch(r"[\u4e00-\u9fff，。、；：！？“”（）《》]+", l.text)
                    and abs(l.x1 - (left + 156 * MM)) < 2 * MM]
            for l in full:
                indented = abs(l.x0 - left - 2 * 15.75) < 1
                cap = 26 if indented else 28
                if len(l.text) != cap:
                    # one character pushed down so that a closing mark does not start a line
                    whole = body_lines(ls)
                    nxt = whole[whole.index(l) + 1] if l is not whole[-1] else None
                    # or a box of digits/Latin that did not fit went down whole
                    assert nxt is not None and (len(l.text) == cap - 1 and nxt.text[1] in NO_START
                                                or nxt.text[0].isascii()), (f, page, l.text)
                checked += 1
            if first_line == 0 and last_line == 21 and page > 1:
                assert len(body) == 22 or any(l.size != 16 for l in ls if l.page == page)
    assert checked > 50


def test_body_lines_are_flush(rendered):
    """Justified: every line that is not a paragraph's last ends on the right edge of the 版心."""
    _, files = rendered
    flush = short = 0
    for f in files.values():
        ls = lines(f)
        body = body_lines(ls)
        for a, b in zip(body, body[1:]):
            if a.page != b.page:
                continue
            continues = abs(b.x0 - a.x0) < 2 and b.top - a.top < LINE + 1  # next line not indented
            right = (28 + 156) * MM if a.page % 2 else (26 + 156) * MM
            left = 28 * MM if a.page % 2 else 26 * MM
            if continues and abs(a.x0 - left) < 1:
                if abs(a.x1 - (right - 1.2)) < 2 * MM:
                    flush += 1
                else:
                    short += 1
    assert flush > 100 and short == 0, (flush, short)


def test_short_lines_are_spread_evenly(rendered):
    """A line made flush by spreading (a mark pushed down by 避头尾) has one gap between each pair of
    characters, all equal: every character of a full-width line advances by the same amount, a whole
    cell (15.75 pt) on a full line and a little more on a spread one."""
    _, files = rendered
    full = spread = 0
    for f in files.values():
        for width, height, rects, chars in pages(f):
            rows: dict = {}
            for ch in chars:
                if ch["fontname"].endswith("FandolFang") and round(ch["size"]) == 16 and BODY_TOP - 2 <= ch["top"] <= BODY_BOTTOM:
                    rows.setdefault(round(ch["top"]), []).append(ch)
            for row in rows.values():
                row.sort(key=lambda c: c["x0"])
                if len(row) < 20 or any(c["text"].isascii() for c in row):
                    continue  # short, or with a box of half-width characters
                steps = [b["x0"] - a["x0"] for a, b in zip(row, row[1:])]
                assert max(steps) - min(steps) < 0.5, (f, "".join(c["text"] for c in row), steps)
                if abs(steps[0] - 15.75) < 0.2:
                    full += 1
                elif steps[0] > 15.9:
                    spread += 1
    assert full > 100 and spread >= 3, (full, spread)


def test_lone_digits_sit_close_to_their_neighbours(rendered):
    """"11月 1 日", "8.6 万亩": a run of one to three half-width characters between Chinese ones
    takes its own width, as in the office's Word output, not a whole cell with a gap on each side;
    the gap before and after it is within a point of the line's gap between Chinese characters."""
    _, files = rendered
    seen = 0
    for f in files.values():
        for width, height, rects, chars in pages(f):
            rows: dict = {}
            for ch in chars:
                if round(ch["size"]) == 16 and BODY_TOP - 2 <= ch["top"] <= BODY_BOTTOM and ch["text"].strip():
                    rows.setdefault(round(ch["top"]), []).append(ch)
            for row in rows.values():
                row.sort(key=lambda c: c["x0"])
                cjk = [b["x0"] - a["x1"] for a, b in zip(row, row[1:]) if not a["text"].isascii() and not b["text"].isascii()]
                if len(cjk) < 5:
                    continue
                usual = sorted(cjk)[len(cjk) // 2]
                i = 1
                while i < len(row) - 1:
                    j = i
                    while j < len(row) and row[j]["text"].isascii():
                        j += 1
                    if j > i and j - i <= 3 and j < len(row) and row[i]["text"][0].isdigit() and not row[i - 1]["text"].isascii():
                        before = row[i]["x0"] - row[i - 1]["x1"]
                        after = row[j]["x0"] - row[j - 1]["x1"]
                        run = "".join(c["text"] for c in row[i - 1:j + 1])
                        assert before - usual < 1.0 and after - usual < 1.0, (f, run, before, after, usual)
                        seen += 1
                    i = j + 1 if j > i else i + 1
    assert seen >= 20, seen


def test_no_prohibited_punctuation_at_line_ends(rendered):
    _, files = rendered
    for f in files.values():
        for l in body_lines(lines(f)):
            assert l.text[0] not in NO_START, (f, l.text)
            assert l.text[-1] not in NO_END, (f, l.text)


def test_font_sizes_and_names_by_role(rendered):
    _, files = rendered
    ls = lines(files["daily/2026/212.pdf"])
    body = [l for l in ls if l.size == 16 and l.fonts == {"FandolFang"}]
    assert len(body) > 20
    titles = [l for l in ls if l.size == 22]
    assert titles and all(l.fonts == {"Noto-Serif-CJK-SC-Bold"} for l in titles)
    numbers = [l for l in ls if re.fullmatch(r"— \d+ —", l.text)]
    assert numbers and all(l.size == 14 for l in numbers)
    tail = [l for l in ls if l.text.startswith(("报：", "送：", "发："))]
    assert tail and all(l.size == 14 for l in tail)
    sources = [l for l in ls if re.fullmatch(r"（.+）", l.text)]
    assert sources and all(l.fonts == {"AR-PL-KaitiM-GB"} for l in sources)


def test_fonts_embedded_and_planned(rendered):
    _, files = rendered
    planned = {"FandolFang", "Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold", "Noto-Sans-CJK-SC", "AR-PL-KaitiM-GB"}
    for f in files.values():
        for font in pdffonts(f):
            assert font["emb"] == "yes" and font["sub"] == "yes" and font["uni"] == "yes", (f, font)
            assert font["name"].split("+")[-1] in planned, (f, font)


def test_masthead_red_and_rule(rendered):
    _, files = rendered
    f = files["daily/2026/212.pdf"]
    ls = lines(f)
    name = [l for l in ls if l.page == 1 and l.text == "澜江信息"]
    assert name and name[0].size >= 40
    (color,) = name[0].colors
    assert color[0] > 0.85 and color[1] < 0.2 and color[2] < 0.2
    body = [l for l in body_lines(ls) if l.page == 1 and l.top > 110 * MM]
    assert all(c in {(0,), (0, 0, 0), (0.0,)} for l in body for c in l.colors)
    _, _, rects, _ = pages(f)[0]
    red = [r for r in rects if r["non_stroking_color"] and r["non_stroking_color"][0] > 0.85
           and r["non_stroking_color"][1] < 0.2]
    assert red, "no red rule"
    rule = red[0]
    assert abs(rule["x0"] - 28 * MM) < 1 * MM and abs(rule["x1"] - 184 * MM) < 1 * MM
    office = [l for l in ls if l.page == 1 and l.text.startswith("中共澜江市委办公室")]
    assert office and office[0].text.endswith("2026年11月20日")


def test_page_numbers_outer_corner(rendered):
    _, files = rendered
    for f in files.values():
        ls = lines(f)
        n_pages = len(pages(f))
        numbers = [l for l in ls if re.fullmatch(r"— \d+ —", l.text)]
        unnumbered = {n for n in range(1, n_pages + 1)} - {l.page for l in numbers}
        assert unnumbered in (set(), {n_pages - 1, n_pages}), (f, unnumbered)  # a blank page, then the 版记
        assert [int(l.text.split()[1]) for l in numbers] == [l.page for l in numbers]
        for l in numbers:
            assert 262 * MM + 4 * MM < l.top < 262 * MM + 10 * MM
            if l.page % 2:
                assert 170 * MM < l.x1 <= 184 * MM
            else:
                assert 26 * MM <= l.x0 < 40 * MM


def test_distribution_block_on_last_page(rendered):
    _, files = rendered
    f = files["daily/2026/212.pdf"]
    ls = lines(f)
    last = len(pages(f))
    tail = [l for l in ls if l.text.startswith(("报：", "送：", "发：")) or "共印45份" in l.text or "印发" in l.text]
    assert {l.page for l in tail} == {last}
    assert any("2026年11月20日印发" in l.text for l in tail)
    _, _, rects, _ = pages(f)[-1]
    black = sorted((r for r in rects if r["width"] > 150 * MM and r["top"] > 200 * MM), key=lambda r: r["top"])
    heights = [round(r["height"] / MM, 2) for r in black]
    assert heights == [0.35, 0.25, 0.35]
    assert abs(black[-1]["bottom"] - BODY_BOTTOM) < 0.5 * MM


SENTENCE = "青溪县组织干部深入村组，逐户核实冬季用水和取暖情况，群众反映的问题当天登记、限期回复。"


def _page_facts(path):
    """Per page: (has text besides the page number and the 版记, page number printed or None, has the 版记)."""
    facts = []
    for n in range(1, len(pages(path)) + 1):
        on = [l for l in lines(path) if l.page == n]
        number = next((int(l.text.split()[1]) for l in on if re.fullmatch(r"— \d+ —", l.text)), None)
        tail = any("印发" in l.text for l in on)
        body = any(not re.fullmatch(r"— \d+ —", l.text) and BODY_TOP - 2 <= l.top < 200 * MM for l in on)  # not the draft mark
        facts.append((body, number, tail))
    return facts


def test_the_distribution_block_is_on_an_even_page(tree):
    """Printed double-sided, the 版记 is on the last page, an even one, its last rule on the 版心's
    bottom edge: moved to the next page when the text ends on an odd page, after a blank page when it
    stood alone on an odd page; the blank page and a 版记 page after it carry no page number
    (GB/T 9704-2012 7.5). Issues from one to six pages, read back; a periodical printed on one side
    keeps the 版记 where the text ends."""
    body = []
    for n in range(1, 14):
        paragraphs = "\n\n".join(SENTENCE * (2 + (k % 3)) for k in range(2 * n - 1))
        body.append((f"20261103-qingxi-{n:02d}", paragraphs))
    _one_issue(tree, body)
    result = tree.run("pdf")
    assert result.exit_code == 0, result.output
    files = sorted(glob.glob(os.path.join(tree.root, "build/pdf/daily/2026/*.pdf")))
    assert len(files) == 13
    kinds = set()
    counts = set()
    for f in files:
        facts = _page_facts(f)
        counts.add(len(facts))
        assert len(facts) % 2 == 0, (f, len(facts))
        assert [t for _, _, t in facts] == [False] * (len(facts) - 1) + [True], f
        _, _, rects, _ = pages(f)[-1]
        rules = sorted((r for r in rects if r["width"] > 150 * MM and r["top"] > 150 * MM), key=lambda r: r["top"])
        assert abs(rules[-1]["bottom"] - BODY_BOTTOM) < 0.5 * MM, f
        blank = [n for n, (text, number, tail) in enumerate(facts, 1) if not text and not tail]
        if blank:  # the text ended on an even page with no room left: a blank page, then the 版记
            assert blank == [len(facts) - 1] and facts[-2][1] is None and facts[-1][1] is None, (f, facts)
            kinds.add("blank before")
        elif not facts[-1][0]:  # the text ended on an odd page: the 版记 alone on the back, numbered
            assert facts[-1][1] == len(facts), (f, facts)
            kinds.add("moved")
        else:
            kinds.add("with the text")
        numbered = [number for _, number, _ in facts if number is not None]
        assert numbered == list(range(1, len(numbered) + 1)), (f, facts)
    assert kinds == {"blank before", "moved", "with the text"}, (kinds, counts, [_page_facts(f) for f in files[:3]])
    assert {2, 4, 6} <= counts, counts
    config = os.path.join(tree.root, "content", "kanwu.yml")
    text = open(config, encoding="utf-8").read()
    assert "    double_sided: yes" in text
    open(config, "w", encoding="utf-8").write(text.replace("    double_sided: yes", "    double_sided: no", 1))
    assert tree.run("pdf").exit_code == 0
    single = [len(pages(f)) for f in sorted(glob.glob(os.path.join(tree.root, "build/pdf/daily/2026/*.pdf")))]
    assert any(n % 2 for n in single), single  # one side: the 版记 where the text ends


def test_titles_in_order_bookmarks_metadata(rendered):
    tree, files = rendered
    from kanwu.checks.validate import load_repository
    repo = load_repository(tree.root)
    issue = next(i for i in repo.issues if i.key == "daily/2026/212")
    titles = [repo.items[i].title for i in issue.item_ids]
    f = files["daily/2026/212.pdf"]
    assert outline(f) == titles
    flat = "".join(text(f).split())
    positions = [flat.rindex("".join(t.split())) for t in titles]
    assert positions == sorted(positions)
    meta = metadata(f)
    assert meta["Title"] == "澜江信息（上报）2026年第212期"
    assert meta["Author"] == "中共澜江市委办公室"
    import pdfplumber
    with pdfplumber.open(f) as doc:
        assert doc.doc.catalog.get("Lang") == b"zh-CN"


# PDF/A-1 rules that PDF/A-2 (ISO 19005-2) lifts: cross-reference streams, OpenType (CFF) font files,
# the CIDSet of a subset font (optional from part 2), and the part number itself
PDFA2_LIFTS = (("1.4", "/XRef cross reference streams"), ("3.1.3", "/OpenType in /FontFile3"),
               ("3.1.11", "CIDSet entry is missing"), ("7.11.2", "part must be 1"))


def test_issue_pdfs_are_pdf_a_2b_with_the_records_metadata(rendered):
    """The as-sent PDF is the office's archive record: PDF/A-2b, checked by PDFBox Preflight against
    every PDF/A-1b rule but the four PDF/A-2 lifts (fonts embedded, output intent, metadata that
    matches the document information, no transparency, ...), with the title, periodical, number,
    date, classification and compiling office in its metadata."""
    _, files = rendered
    for key in ("daily/2026/212.pdf", "daily/2026/204.pdf", "neican/2026/088.pdf", "huiyao/2026/041.pdf",
                "pishi/2026/031.pdf"):
        errors = preflight(files[key])
        left = [(code, msg) for code, msg in errors if not any(code == c and part in msg for c, part in PDFA2_LIFTS)]
        assert left == [], (key, left)
        assert any(code == "7.11.2" for code, _ in errors), errors  # Preflight read the PDF/A identification
        xmp = subprocess.run(["pdfinfo", "-meta", files[key]], capture_output=True, text=True).stdout
        assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    meta = metadata(files["neican/2026/088.pdf"])
    subject = meta["Subject"].decode("utf-16") if isinstance(meta["Subject"], bytes) else meta["Subject"]
    assert meta["Title"] == "澜江信息（内参）2026年第88期"
    for part in ("2026年第88期", "总第", "中共澜江市委办公室编", "2026年", "秘密★1年"):
        assert part in subject, (part, subject)
    assert "秘密★1年" in (meta["Keywords"] if isinstance(meta["Keywords"], str) else meta["Keywords"].decode("utf-16"))


def test_marks_for_secret_and_urgent(rendered):
    _, files = rendered
    ls = lines(files["neican/2026/088.pdf"])
    assert any(l.page == 1 and l.text == "秘密★1年" for l in ls)
    urgent = lines(files["urgent/2026/012.pdf"])
    assert any(l.page == 1 and l.text == "特急" for l in urgent)
    assert any(l.page == 1 and l.text == "内部资料 注意保存" for l in urgent)


def test_a_digest_is_not_urgent_because_an_item_was(rendered, tmp_path):
    """汇要 041 carries urgent items already sent; its masthead names no urgency, until the editor
    sets one in the manifest (urgency: 加急)."""
    tree, files = rendered
    carried = [i for s in yaml.safe_load(open(os.path.join(tree.root, "issues/huiyao/2026/041.yml"), encoding="utf-8"))["sections"]
               for i in s["items"]]
    heads = [open(os.path.join(tree.root, item_path(i)), encoding="utf-8").read().split("---")[1] for i in carried]
    assert any(yaml.safe_load(h).get("urgency") in ("加急", "特急") for h in heads)
    marks = {l.text for l in lines(files["huiyao/2026/041.pdf"]) if l.page == 1 and l.top < MASTHEAD_BOTTOM}
    assert "内部资料 注意保存" in marks and not marks & {"加急", "特急", "平件"}, marks
    other = copy_sample(tmp_path / "set")
    rel = "issues/huiyao/2026/041.yml"
    text = open(os.path.join(other.root, rel), encoding="utf-8").read()
    text = re.sub(r"\nseal: .*", "", text.replace("copies:", "urgency: 加急\ncopies:", 1))
    other.write(rel, text)
    result = other.run("sign", rel, "--reseal")
    assert result.exit_code == 0, result.output  # as if set before signing
    result = other.run("pdf", "--audience", "领导")
    assert result.exit_code == 0, result.output
    set_marks = {l.text for l in lines(os.path.join(other.root, "build/pdf/huiyao/2026/041.pdf")) if l.page == 1 and l.top < MASTHEAD_BOTTOM}
    assert "加急" in set_marks, set_marks


def test_editor_note_and_digest_abstracts(rendered):
    tree, files = rendered
    digest = text(files["huiyao/2026/041.pdf"])
    flat = "".join(digest.split())
    assert "（青溪县委办）" in flat
    assert "青溪县冬小麦播种面积达到12.1万亩" in flat.replace("截至11月9日，", "")


def test_reproducible(rendered):
    tree, files = rendered
    before = {k: hashlib.sha256(open(f, "rb").read()).hexdigest() for k, f in files.items()}
    shutil.rmtree(os.path.join(tree.root, "build"))
    assert tree.run("pdf", "--audience", "领导").exit_code == 0
    after = {k: hashlib.sha256(open(os.path.join(tree.root, "build/pdf", k), "rb").read()).hexdigest() for k in files}
    assert before == after


def test_every_sample_character_has_a_glyph(tree):
    from conftest import ROOT
    chars = set()
    for f in glob.glob(os.path.join(ROOT, "content/items/**/*.md"), recursive=True):
        chars |= set(open(f, encoding="utf-8").read().split("---", 2)[2])
    chars |= set("镕堃喆珺")  # rare name characters outside GB2312
    chars = sorted(c for c in chars if c.strip() and c not in "#*_`[]<>!|\\")
    body = "\n\n".join("".join(chars[i:i + 20]) for i in range(0, len(chars), 20))
    item = (f"---\ntitle: 字形覆盖\nunit: qingxi\ndate: 2026-11-03\ncategory: 综述\nurgency: 平件\n"
            f"classification: 内部\nauthors: [测试]\n---\n\n{body}\n")
    tree.item("20261103-qingxi-01", item)
    tree.write("issues/daily/2026/198.yml", "periodical: daily\nyear: 2026\nnumber: 198\ntotal: 381\n"
               "date: 2026-11-03\neditor: 林雨桐\nsigner: 周正平\nsections:\n- heading: ''\n  items: [20261103-qingxi-01]\n")
    shutil.copytree(os.path.join(ROOT, "theme"), os.path.join(tree.root, "theme"))
    result = tree.run("pdf", "上报", "198")
    assert result.exit_code == 0, result.output
    got = set(text(os.path.join(tree.root, "build/pdf/daily/2026/198.pdf")))
    missing = [c for c in chars if c not in got]
    assert not missing, missing


def _rasters(pdf: str, folder: str) -> list[bytes]:
    """Each page of ``pdf`` as pdftoppm draws it (PNG at 60 dpi)."""
    os.makedirs(folder)
    subprocess.run(["pdftoppm", "-r", "60", "-png", pdf, os.path.join(folder, "p")], check=True)
    return [open(f, "rb").read() for f in sorted(glob.glob(os.path.join(folder, "p*.png")))]


def test_the_moved_distribution_block_is_what_a_second_layout_gives(tree, tmp_path):
    """The worker moves a 版记 that fell on an odd page by laying it out alone (pdf/worker._even_tail),
    not the whole issue again. Each such issue, signed and as a draft (the mark repeated on every page),
    drawn page by page and read back as text, is identical to a second layout of the whole issue with
    the 版记 on an even page; both ways of moving it occur."""
    from weasyprint import CSS, HTML

    from kanwu import audience
    from kanwu.checks.validate import load_checked
    from kanwu.pdf import document, worker

    body = [(f"20261103-qingxi-{n:02d}", "\n\n".join(SENTENCE * (2 + (k % 3)) for k in range(2 * n - 1)))
            for n in range(1, 14)]
    _one_issue(tree, body)
    repo = load_checked(tree.root)
    view = audience.view(repo, max(repo.config.audiences.values(), key=lambda a: a.max_classification))
    css = CSS(filename=os.path.join(tree.root, worker.CSS_FILE))
    base = "file://" + os.path.join(tree.root, "content", "assets") + "/"

    def layout(html):
        return HTML(string=html, base_url=base).render(stylesheets=[css])

    moved = []
    for issue in view.issues:
        for draft in (False, True):
            html = document.issue_html(tree.root, view, issue, draft=draft)
            laid = layout(html)
            if len(laid.pages) % 2 == 0:
                continue
            assert worker.EVEN_MARK in html
            alone = worker._tail_alone(laid.pages[-1])
            again = layout(html.replace(worker.EVEN_MARK, 'class="tail-space even alone"' if alone else 'class="tail-space even"', 1))
            composed = worker._even_tail(laid, html, layout)
            name = f"{issue.number}-{draft}"
            again.write_pdf(tmp_path / f"{name}-again.pdf")
            composed.write_pdf(tmp_path / f"{name}-composed.pdf")
            assert len(composed.pages) == len(again.pages) and len(again.pages) % 2 == 0, name
            assert (_rasters(str(tmp_path / f"{name}-composed.pdf"), str(tmp_path / f"{name}-c"))
                    == _rasters(str(tmp_path / f"{name}-again.pdf"), str(tmp_path / f"{name}-a"))), name
            assert text(str(tmp_path / f"{name}-composed.pdf")) == text(str(tmp_path / f"{name}-again.pdf")), name
            moved.append((alone, draft))
            if alone and not draft:  # an office's own issue.html from before the mark: laid out again, as before
                out = str(tmp_path / f"{name}-unmarked.pdf")
                assert worker.render_one(worker.Job(name, html.replace(worker.FLOW_MARK, ""), out, tree.root)) == ""
                assert text(out) == text(str(tmp_path / f"{name}-again.pdf")) and len(pages(out)) == len(again.pages)
    assert {(True, False), (False, False), (True, True), (False, True)} <= set(moved), moved


def _one_issue(tree, body):
    from conftest import ROOT
    shutil.copytree(os.path.join(ROOT, "theme"), os.path.join(tree.root, "theme"))
    for n, (item_id, b) in enumerate(body, 198):
        tree.item(item_id, f"---\ntitle: 测试{n}\nunit: qingxi\ndate: 2026-11-03\ncategory: 动态\nurgency: 平件\n"
                           f"classification: 内部\nauthors: [测试]\n---\n\n{b}\n")
        tree.write(f"issues/daily/2026/{n:03d}.yml", f"periodical: daily\nyear: 2026\nnumber: {n}\ntotal: {n + 183}\n"
                   f"date: 2026-11-03\neditor: 林雨桐\nsigner: 周正平\nsections:\n- heading: ''\n  items: [{item_id}]\n")


def _png(w: int, h: int) -> bytes:
    """A tiny file that claims w × h pixels."""
    import struct
    import zlib
    raw = zlib.compress(b"\x00" * (w + 1) * 8)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def _huge_and_small(tree) -> None:
    os.makedirs(os.path.join(tree.root, "content/assets"))
    tree.write("content/assets/huge.png", _png(12000, 12000))
    tree.write("content/assets/ok.png", _png(10, 10))
    _one_issue(tree, [("20261103-qingxi-01", "正文。\n\n![大图](huge.png)"), ("20261103-qingxi-02", "正文。\n\n![小图](ok.png)")])


def test_oversize_image_fails_its_issue_only(tree):
    _huge_and_small(tree)
    result = tree.run("pdf", "上报")
    assert result.exit_code == 1
    assert "第198期" in result.output and "12000×12000" in result.output
    assert "第199期" not in result.output
    cached = glob.glob(os.path.join(tree.root, "build/pdf-cache/*.pdf"))
    assert len(cached) == 1  # the other issue rendered


def test_a_pdf_failing_while_the_pages_are_generated_fails_the_build_before_anything_is_written(tree):
    """A build hands its PDFs to the workers and generates the pages meanwhile: a PDF that fails
    still stops the build before the docs tree or a release is written, and says which issue."""
    _huge_and_small(tree)
    result = tree.run("build")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "第198期" in result.output and "12000×12000" in result.output
    assert not os.path.exists(os.path.join(tree.root, "site"))
    assert not glob.glob(os.path.join(tree.root, "build", "*", "docs", "**", "*.md"), recursive=True)
    assert len(glob.glob(os.path.join(tree.root, "build/pdf-cache/*.pdf"))) == 1  # the other issue's, kept


def test_fetcher_refuses_outside_files(tmp_path):
    from kanwu.pdf.fetch import AssetFetcher
    assets = tmp_path / "content/assets"
    assets.mkdir(parents=True)
    (assets / "a.png").write_bytes(b"")
    (tmp_path / "secret.txt").write_text("x")
    os.symlink(tmp_path / "secret.txt", assets / "link.png")
    f = AssetFetcher([str(assets)])
    for url in ("file:///etc/passwd", f"file://{assets}/../secret.txt", "http://169.254.169.254/latest",
                f"file://{assets}/link.png", "data:text/plain,hello"):
        with pytest.raises(Exception):
            f.fetch(url)
    assert f.refused and all("拒绝" in r for r in f.refused[:3])


def test_copy_numbers(rendered):
    tree, _ = rendered
    result = tree.run("pdf", "内参", "88", "--audience", "领导", "--copies", "1-3", "--out", "build/copies")
    assert result.exit_code == 0, result.output
    files = sorted(glob.glob(os.path.join(tree.root, "build/copies/neican/2026/088/*.pdf")))
    assert [os.path.basename(f) for f in files] == ["000001.pdf", "000002.pdf", "000003.pdf"]
    for n, f in enumerate(files, 1):  # GB/T 9704: top left, first line; the classification below it
        first = lines(f)[0]
        assert first.page == 1 and first.text == f"{n:06d}", first
        assert abs(first.x0 - 28 * MM) < 1 and BODY_TOP <= first.top < BODY_TOP + LINE / 2, first  # the first line
        mark = next(l for l in lines(f) if l.page == 1 and l.text == "秘密★1年")
        assert abs(mark.x0 - 28 * MM) < 1 and abs(mark.top - first.top - LINE) < 1, mark
    # With --year, only the years of the issue's items are read (as sign does): the same inputs, the same file
    again = tree.run("pdf", "内参", "88", "--year", "2026", "--audience", "领导", "--copies", "2-2", "--out", "build/copies2")
    assert again.exit_code == 0, again.output
    with open(files[1], "rb") as a, open(os.path.join(tree.root, "build/copies2/neican/2026/088/000002.pdf"), "rb") as b:
        assert a.read() == b.read()


def _new_daily_issue(tree, day: str) -> str:
    """A new item of ``day``, assembled and signed into the next daily issue: its manifest."""
    from conftest import GOOD_ITEM
    tree.item(f"{day.replace('-', '')}-qingxi-01", GOOD_ITEM.replace("2026-11-03", day))
    assert tree.run("assemble", "上报", "--date", day).exit_code == 0
    rel = sorted(glob.glob(os.path.join(tree.root, "issues/daily/2026/*.yml")), key=os.path.getmtime)[-1]
    assert tree.run("sign", rel, "--date", day, "--by", "周正平").exit_code == 0
    return os.path.relpath(rel, tree.root)


_LOGGED: dict = {}  # what the module-level wrappers below call and write to (workers inherit it by fork)


def _logged_render_one(job):
    with open(_LOGGED["log"], "a", encoding="utf-8") as fh:
        fh.write(f"{'ahead' if _LOGGED.get('inside') else 'build'}\t{job.key}\n")
    return _LOGGED["render_one"](job)


def _logged_render_ahead(*args):
    _LOGGED["inside"] = True
    try:
        return _LOGGED["render_ahead"](*args)
    finally:
        _LOGGED["inside"] = False


def _log_renders(monkeypatch, log):
    """Log each PDF rendered, in whichever process: (where, issue), where is 'ahead' inside
    ``render_ahead``. Module-level wrappers: the pool sends its functions by name."""
    from kanwu import pdf as pdf_mod
    _LOGGED.update(log=str(log), render_one=pdf_mod.render_one, render_ahead=pdf_mod.render_ahead, inside=False)
    monkeypatch.setattr(pdf_mod, "render_one", _logged_render_one)
    monkeypatch.setattr(pdf_mod, "render_ahead", _logged_render_ahead)


def test_the_days_new_issue_renders_while_the_repository_is_read(tmp_path, monkeypatch):
    """A build starts the PDFs of the issues made since the live release on the workers before it
    reads the repository, each from a partial load; the file made is the one the whole view names,
    and the build does not render it again. If that fails, the build renders it as usual."""
    from kanwu import audience
    from kanwu.checks import validate
    from kanwu import pdf as pdf_mod
    from kanwu.pdf import document

    tree = copy_sample(tmp_path / "repo")
    assert tree.run("build").exit_code == 0
    log = tmp_path / "renders.log"
    _log_renders(monkeypatch, log)
    rel = _new_daily_issue(tree, "2026-11-25")
    result = tree.run("build")
    assert result.exit_code == 0, result.output
    number = int(os.path.basename(rel)[:3])
    assert log.read_text(encoding="utf-8").splitlines() == [f"ahead\t《澜江信息》（上报）2026年第{number}期"]

    repo = validate.load_checked(tree.root)
    view = audience.view(repo, audience.pick(repo.config, None))
    issue = next(i for i in view.issues if i.path == rel)
    whole = pdf_mod.job(tree.root, "", document.issue_html(tree.root, view, issue), pdf_mod.Lookup(tree.root).base)
    with open(whole.out, "rb") as a, open(os.path.join(tree.root, "site/quanti/pdf/daily/2026", f"{number:03d}.pdf"), "rb") as b:
        assert a.read() == b.read()

    # The partial load fails in the worker: the build renders the issue itself, once.
    log.unlink()
    rel = _new_daily_issue(tree, "2026-11-26")
    whole_load = validate.load_repository
    monkeypatch.setattr(validate, "load_repository", lambda root, years=None: 1 / 0 if years else whole_load(root))
    result = tree.run("build")
    assert result.exit_code == 0, result.output
    assert log.read_text(encoding="utf-8").splitlines() == [f"build\t《澜江信息》（上报）2026年第{number + 1}期"]


def test_the_instructions_issue_prints_each_instruction_with_its_leader_units_and_deadline(rendered):
    """领导批示 031 read back: for each item, who instructed, when, the words, the units that must
    act and the deadline, as the web page shows them (the printed issue omitted all four)."""
    tree, files = rendered
    printed = "".join(text(files["pishi/2026/031.pdf"]).split())
    data = yaml.safe_load(open(os.path.join(tree.root, "issues/pishi/2026/031.yml"), encoding="utf-8"))
    from kanwu.checks import validate
    repo = validate.load_repository(tree.root)
    shown = 0
    for item_id in (i for s in data["sections"] for i in s["items"]):
        item = repo.items[item_id]
        if item.level > 1:  # above 全体: redacted from this build
            continue
        for ins in item.instructions:
            shown += 1
            units = "、".join(repo.config.units[u].name for u in ins.units)
            for part in (f"{ins.by}批示", "".join(ins.text.split()), f"承办单位：{units}。",
                         f"办理时限：{ins.due.year}年{ins.due.month}月{ins.due.day}日前"):
                assert part in printed, part
    assert shown >= 2
