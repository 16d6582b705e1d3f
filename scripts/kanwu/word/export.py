"""An issue as a Word document in the printed bulletin's layout (python-docx).

The province's reporting system and every office's own archive take .docx. The document is
laid out as the PDF is (PRINT.md): A4, margins 37/35 mm, 28 mm on the binding side and 26 mm
outside (mirrored), 16 pt 仿宋 on lines of exactly 28.95 pt (22 lines of 28 characters), titles
in 22 pt 小标宋, sources and the editor's note in 楷体, marks and headings in 黑体, the red
masthead and rule, page numbers "— N —" on the outer side, the distribution block (版记) in a
frame at the bottom of the last page.

Fonts are named as Word knows them in the office (仿宋_GB2312, 方正小标宋简体, 楷体_GB2312,
黑体), on every run and for East Asian text too (``w:eastAsia``: python-docx's ``font.name``
sets only the Latin font, leaving Chinese in the default one). On a machine without them
(this server), fontconfig maps them to the free faces the PDF uses (scripts/setup-system.sh).
"""

from __future__ import annotations

import io
from collections.abc import Set as AbstractSet
import os

import docx
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from .. import editions
from ..source import render
from ..audience import View
from ..model import Issue
from ..pdf import document
from .blocks import html_blocks

FONTS = {  # role -> the family Word uses in the office (the PDF's stand-ins: pdf/fonts.py ROLES)
    "body": "仿宋_GB2312",
    "title": "方正小标宋简体",
    "kai": "楷体_GB2312",
    "hei": "黑体",
    "number": "宋体",
}
RED = RGBColor(0xE6, 0x00, 0x00)
LINE = Pt(28.95)  # 22 lines fill the 225 mm text block
BODY = Pt(16)
TAIL = Pt(14)
INDENT = Pt(31.5)  # two characters of 16 pt at -0.25 pt spacing
TEXT_WIDTH = Mm(156)
SPACING = -5  # character spacing in twentieths of a point: -0.25 pt, 28 characters a line


def issue_docx(root: str, view: View, issue: Issue) -> bytes:
    """The .docx of ``issue`` as ``view``'s audience reads it (items above it are not in it)."""
    view = document.as_sent(root, view, issue)
    text = document.plain_context(view, issue)
    p = view.config.periodicals[issue.periodical]
    edition = editions.of(p)
    doc = docx.Document()
    _page_setup(doc, text)
    _core_properties(doc, text, issue)
    _masthead(doc, text)
    if text["redacted"]:
        _para(doc, f"本期另有 {text['redacted']} 条信息超出本阅读范围，未印入。", "kai")
    if issue.editor_note:
        par = _para(doc, "", "kai", before=LINE)
        _run(par, "编者按：", "hei")
        _run(par, issue.editor_note, "kai")
        par.paragraph_format.first_line_indent = INDENT
    if text["contents"]:
        _para(doc, "本期目录", "hei", align=WD_ALIGN_PARAGRAPH.CENTER, before=LINE, keep=True)
        for n, title in enumerate(text["contents"], 1):
            par = _para(doc, f"{n}. {title}", "body")
            par.paragraph_format.left_indent = INDENT
            par.paragraph_format.first_line_indent = Emu(-INDENT)
    for sec in issue.sections:
        if sec.heading:
            _para(doc, sec.heading, "hei", before=LINE, keep=True)
        for item_id in sec.items:
            it = view.items[item_id]
            unit = view.config.units.get(it.unit)
            _para(doc, it.title, "title", size=Pt(22), align=WD_ALIGN_PARAGRAPH.CENTER, before=LINE, keep=True, spacing=0)
            _para(doc, f"（{unit.short if unit else it.unit}）", "kai", align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
            if edition.prints_instructions:
                for said, due in document.instruction_lines(view, it, issue.date):
                    _para(doc, said, "kai", indent=True)
                    _para(doc, due, "kai", indent=True)
            if edition.shows == "abstract":
                _para(doc, it.summary or render.first_sentence(it.body), "body", indent=True)
            else:
                _body(doc, root, render.body_html(it.body, asset_prefix=""))
    _tail(doc, text)
    out = io.BytesIO()
    doc.save(out)
    return _reproducible(out.getvalue(), issue.published or issue.date)


def _reproducible(data: bytes, day) -> bytes:
    """The same bytes from the same issue: the zip's entries dated by the issue, not by the clock
    (python-docx stamps each part with the time it was written)."""
    import zipfile
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# -- the page -----------------------------------------------------------------------------------

def _page_setup(doc, text: dict) -> None:
    normal = doc.styles["Normal"]
    rpr = normal.element.get_or_add_rPr()
    _fonts(rpr, FONTS["body"])
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")  # the Chinese faces of a CJK font collection, not the Japanese ones
    normal.font.size = BODY
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False
    sec = doc.sections[0]
    sec.start_type = WD_SECTION.NEW_PAGE
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)  # inside and outside: mirrored below
    sec.header_distance = Mm(15)
    sec.footer_distance = Mm(21)  # the number about 7 mm below the text block
    doc.settings.element.insert_element_before(OxmlElement("w:mirrorMargins"), *_AFTER_MIRROR)
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        par = footer.paragraphs[0]
        par.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            par.paragraph_format.right_indent = TAIL
        else:
            par.paragraph_format.left_indent = TAIL
        _run(par, "— ", "number", size=TAIL, spacing=0)
        _field(par, "PAGE", "1")
        _run(par, " —", "number", size=TAIL, spacing=0)
    if text["draft"]:  # on every page, in the top margin, as in the PDF
        for header in (sec.header, sec.even_page_header):
            par = header.paragraphs[0]
            par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(par, "草稿（未签发）", "hei", size=TAIL, color=RED, spacing=0)


def _core_properties(doc, text: dict, issue: Issue) -> None:
    props = doc.core_properties
    props.title = text["title"]
    props.subject = text["description"]
    props.keywords = "；".join(text["keywords"])
    props.author = text["office"]
    props.comments = text["description"]
    props.language = "zh-CN"
    props.revision = 1
    import datetime as dt
    when = dt.datetime.combine(issue.published or issue.date, dt.time(8, 0))
    props.created = props.modified = when  # the same document from the same issue, whenever it is made
    props.last_modified_by = text["office"]


def _masthead(doc, text: dict) -> None:
    """Seven lines, as the PDF's masthead: the marks (2), the name (2), edition, number, office
    and date over the red rule."""
    marks = ([text["copy_no"]] if text["copy_no"] else []) + list(text["marks"])
    for i in range(2):
        _para(doc, marks[i] if i < len(marks) else "", "hei", spacing=0)
    _para(doc, text["name"], "title", size=Pt(50), color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(57.9), spacing=0)
    _para(doc, text["edition"], "title", size=Pt(22), color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, spacing=0)
    _para(doc, text["number_line"], "body", align=WD_ALIGN_PARAGRAPH.CENTER, spacing=0)
    par = _para(doc, f"{text['office']}\t{text['date_cn']}", "body", line=Pt(26.95), spacing=0)
    par.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    _border(par, "bottom", 16, "E60000")  # 2 pt, the red rule across the text block


def _tail(doc, text: dict) -> None:
    """The 版记: a one-column table floating at the bottom of the last page's text block (a
    floating table is what Word and LibreOffice both anchor there), rules across it (0.35 mm
    at top and bottom, 0.25 mm above the last line), no other borders."""
    rows: list[tuple[str, str | None]] = [(f"{k}：{names}。", None) for k, names in text["distribution"]]
    rows.append((f"责任编辑：{text['editor']}　签发：{text['signer'] or '（未签发）'}", f"共印{text['copies']}份"))
    rows.append((text["office"], f"{text['printed_cn']}印发"))
    table = doc.add_table(rows=len(rows), cols=1)
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    place = OxmlElement("w:tblpPr")
    height = len(rows) * 520 + 30  # twips: rows of 26 pt, the rules
    for k, v in (("w:vertAnchor", "margin"), ("w:horzAnchor", "margin"), ("w:tblpXSpec", "center"),
                 ("w:tblpY", str(int(Mm(225).twips) - height))):  # its bottom on the text block's
        place.set(qn(k), v)
    tbl_pr.insert_element_before(place, "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                                 "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd",
                                 "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(TEXT_WIDTH.twips)))
    width.set(qn("w:type"), "dxa")
    tbl_pr.insert_element_before(width, "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                                 "w:tblLayout", "w:tblCellMar", "w:tblLook")
    borders = OxmlElement("w:tblBorders")
    for side, eighths in (("top", 8), ("left", 0), ("bottom", 8), ("right", 0), ("insideH", 0), ("insideV", 0)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single" if eighths else "nil")
        if eighths:
            el.set(qn("w:sz"), str(eighths))
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    table.columns[0].width = TEXT_WIDTH
    for n, (left, right) in enumerate(rows):
        cell = table.cell(n, 0)
        cell.width = TEXT_WIDTH
        par = cell.paragraphs[0]
        _run(par, left + (f"\t{right}" if right else ""), "body", size=TAIL, spacing=0)
        fmt = par.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(26)
        fmt.right_indent = TAIL
        fmt.left_indent = TAIL
        if right:
            fmt.tab_stops.add_tab_stop(Emu(TEXT_WIDTH - 2 * TAIL - Mm(3.8)), WD_TAB_ALIGNMENT.RIGHT)
        else:
            fmt.left_indent = Emu(4 * TAIL)
            fmt.first_line_indent = Emu(-3 * TAIL)
        if n == len(rows) - 1:  # the thin rule above the office line
            tc_pr = cell._tc.get_or_add_tcPr()
            cell_borders = OxmlElement("w:tcBorders")
            top = OxmlElement("w:top")
            for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
                top.set(qn(k), v)
            cell_borders.append(top)
            tc_pr.insert_element_before(cell_borders, "w:shd", "w:noWrap", "w:tcMar", "w:textDirection",
                                        "w:tcFitText", "w:vAlign", "w:hideMark")
    end = _para(doc, "", "body", line=Pt(1))  # a document ends with a paragraph, not a table: a tiny one
    end.add_run().font.size = Pt(1)


# -- an item's body: its sanitised HTML as paragraphs -------------------------------------------

def _body(doc, root: str, body_html: str) -> None:
    for block in html_blocks(body_html):
        if block.kind == "img":
            path = _asset(root, block.src)
            if path:
                par = _para(doc, "", "body", align=WD_ALIGN_PARAGRAPH.CENTER)
                par.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact height would clip it
                par.add_run().add_picture(path, width=_fit(path))
            continue
        if block.kind == "table":
            _table(doc, block.rows)
            continue
        runs = [(t.strip("\n") if i in (0, len(block.runs) - 1) else t, b, it) for i, (t, b, it) in enumerate(block.runs)]
        if not "".join(t for t, _, _ in runs).strip():
            continue
        role = {"h3": "hei", "h4": "kai"}.get(block.kind, "body")
        par = _para(doc, "", role, indent=True, keep=block.kind in ("h3", "h4"))
        if block.kind == "li":
            _run(par, f"{block.number}. " if block.number else "· ", role)
        for text, bold, italic in runs:
            run = _run(par, text, "hei" if bold and role == "body" else role)
            run.italic = italic or None


def _table(doc, rows: list) -> None:
    if not rows:
        return
    width = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=width)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(rows):
        for c in range(width):
            cell = table.cell(r, c)
            par = cell.paragraphs[0]
            par.paragraph_format.line_spacing = LINE
            _run(par, "".join(row[c]).strip() if c < len(row) else "", "body", size=TAIL, spacing=0)


def _asset(root: str, src: str) -> str | None:
    """An image of the repository's assets (the only files an issue may show), or None."""
    from ..checks.validate import asset_file
    try:
        return asset_file(root, src)[1]
    except ValueError:
        return None


def _fit(path: str):
    """The image's width in the document: its own (at 96 dpi), at most the text block's."""
    try:
        from PIL import Image
        with Image.open(path) as im:
            dpi = (im.info.get("dpi") or (96, 96))[0] or 96
            width = Mm(im.width / float(dpi) * 25.4)
    except (OSError, ValueError, ImportError):
        return TEXT_WIDTH
    return min(width, TEXT_WIDTH)


# -- low-level: runs, fonts, borders, frames, fields --------------------------------------------

def _para(doc, text: str, role: str, size=None, color=None, align=None, before=None, keep=False, indent=False,
          line=None, spacing=SPACING):
    par = doc.add_paragraph()
    fmt = par.paragraph_format
    if align is not None:
        par.alignment = align
    if before is not None:
        fmt.space_before = before
    if keep:
        fmt.keep_with_next = True
    if indent:
        fmt.first_line_indent = INDENT
    if line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = line
    if text:
        _run(par, text, role, size=size, color=color, spacing=spacing)
    return par


def _run(par, text: str, role: str, size=None, color=None, spacing=SPACING):
    run = par.add_run(text)
    _fonts(run._r.get_or_add_rPr(), FONTS[role])
    run.font.size = size or BODY
    if color is not None:
        run.font.color.rgb = color
    if spacing:
        el = OxmlElement("w:spacing")
        el.set(qn("w:val"), str(spacing))
        run._r.get_or_add_rPr().insert_element_before(el, *_AFTER_SPACING)
    return run


# the elements that follow, in the schema's order (Word refuses a document whose elements are out of it)
_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                  "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                  "w:specVanish", "w:oMath")
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
               "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
               "w:rPr", "w:sectPr", "w:pPrChange")
_AFTER_MIRROR = ("w:alignBordersAndEdges", "w:bordersDoNotSurroundHeader", "w:bordersDoNotSurroundFooter",
                 "w:gutterAtTop", "w:hideSpellingErrors", "w:hideGrammaticalErrors", "w:activeWritingStyle",
                 "w:proofState", "w:formsDesign", "w:attachedTemplate", "w:linkStyles", "w:stylePaneFormatFilter",
                 "w:stylePaneSortMethod", "w:documentType", "w:mailMerge", "w:revisionView", "w:trackRevisions",
                 "w:doNotTrackMoves", "w:doNotTrackFormatting", "w:documentProtection", "w:autoFormatOverride",
                 "w:styleLockTheme", "w:styleLockQFSet", "w:defaultTabStop", "w:autoHyphenation",
                 "w:consecutiveHyphenLimit", "w:hyphenationZone", "w:doNotHyphenateCaps", "w:showEnvelope",
                 "w:summaryLength", "w:clickAndTypeStyle", "w:defaultTableStyle", "w:evenAndOddHeaders",
                 "w:bookFoldRevPrinting", "w:bookFoldPrinting", "w:bookFoldPrintingSheets",
                 "w:drawingGridHorizontalSpacing", "w:drawingGridVerticalSpacing", "w:displayHorizontalDrawingGridEvery",
                 "w:displayVerticalDrawingGridEvery", "w:doNotUseMarginsForDrawingGridOrigin",
                 "w:drawingGridHorizontalOrigin", "w:drawingGridVerticalOrigin", "w:doNotShadeFormData",
                 "w:noPunctuationKerning", "w:characterSpacingControl", "w:printTwoOnOne", "w:strictFirstAndLastChars",
                 "w:noLineBreaksAfter", "w:noLineBreaksBefore", "w:savePreviewPicture", "w:doNotValidateAgainstSchema",
                 "w:saveInvalidXml", "w:ignoreMixedContent", "w:alwaysShowPlaceholderText", "w:doNotDemarcateInvalidXml",
                 "w:saveXmlDataOnly", "w:useXSLTWhenSaving", "w:saveThroughXslt", "w:showXMLTags",
                 "w:alwaysMergeEmptyNamespace", "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr",
                 "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
                 "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures",
                 "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
                 "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")


def _fonts(rpr, family: str) -> None:
    """The family for Latin, East Asian and complex text alike."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), family)
    fonts.set(qn("w:hint"), "eastAsia")


def _border(par, side: str, eighths: int, colour: str) -> None:
    ppr = par._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_AFTER_PBDR)
    el = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", "0"), ("w:color", colour)):
        el.set(qn(k), v)
    borders.append(el)


def _field(par, code: str, shown: str) -> None:
    """A field (PAGE: the page number), each part in its own run as Word writes them."""
    for kind, text in (("begin", None), ("instrText", f" {code} "), ("separate", None), ("t", shown), ("end", None)):
        run = _run(par, "", "number", size=TAIL, spacing=0)
        if text is None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement(f"w:{kind}")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


CACHE_DIR = "docx-cache"


def code_fingerprint() -> str:
    """What shapes a .docx besides its issue's inputs: this code, what it imports, python-docx."""
    from ..incremental import fingerprint
    return fingerprint.code(fingerprint.DOCX) + fingerprint.versions("python-docx")


def site_files(root: str, view: View, jobs: dict, skip: AbstractSet[str] = frozenset()) -> dict:
    """{docx/<p>/<year>/<n>.docx: cached file} for every issue of the view but those of the years
    in ``skip`` (sealed: kept as they are). Cached by the inputs of the issue's PDF job (``jobs``,
    by PDF path) and this code: a day's build writes the new issue's only."""
    import hashlib
    import zipfile

    from .. import workdir
    from ..pages.generate import CachedFile, issue_pdf
    from ..incremental.cache import fork_map
    out, missing = {}, []
    salt = code_fingerprint()
    for issue in view.issues:
        job = jobs.get(issue_pdf(issue))
        if issue.year in skip or job is None or not job.inputs:
            continue
        key = hashlib.sha256((salt + job.inputs).encode()).hexdigest()[:32]
        path = workdir.path(root, CACHE_DIR, key + ".docx")
        if not zipfile.is_zipfile(path):  # missing, or cut short
            missing.append((issue, path))
        out[issue_docx_path(issue)] = CachedFile(path)

    def make(task) -> None:
        issue, path = task
        write(path, issue_docx(root, view, issue))
    if fork_map(make, missing, minimum=40) is None:  # ~60 ms each: a first build's thousands on every core
        for task in missing:
            make(task)
    return out


def issue_docx_path(issue: Issue) -> str:
    """Its path in the site (generate.issue_docx)."""
    from ..pages import generate
    return generate.issue_docx(issue)


def write(path: str, data: bytes) -> None:
    """Whole or not at all: a .docx cut short does not open in Word."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
