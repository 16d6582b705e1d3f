"""A Word document written by an information officer → an item (``kanwu import``).

mammoth turns the document's content into HTML (paragraphs, bold, lists, tables, images; it
ignores direct formatting by design), python-docx reads what mammoth drops and officers use to
mark a title: centring, bold, a large size. From both, the officer's conventions are recognised:
- the title: the first paragraph that is centred, bold, large or styled as a title;
- the source line （某某县委办） under it, which names the unit (matched against content/units.yml);
- hand-typed headings 一、 （一） 1. as paragraphs: kept as text, 一、 and （一） as headings;
- 撰稿人/供稿/联系电话 lines at the end: the authors go to the front matter, the phone is dropped;
- full-width spaces used as indents, NBSP, zero-width characters and U+3000 runs from pasted
  web text: normalised;
- images: copied into content/assets/ under the item's id and referenced.
What is neither in the document nor in the options (unit, category, title, authors, the times of
an emergency) is asked for in the error message, never guessed.

.doc and .wps files (Word 97, WPS) are converted to .docx by LibreOffice when it is installed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field

from ..source import load
from ..errors import KanwuError
from ..source.fields import CATEGORIES, CLASSIFICATIONS, URGENCIES
from ..model import Config
from .blocks import Block, html_blocks

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009]+")
CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
AUTHORS = re.compile(r"^[（(]?(撰稿人|撰稿|供稿人|供稿|作者|执笔人|执笔|信息员)[：:]\s*(?P<names>.+?)[）)]?$")
PHONE = re.compile(r"^[（(]?(联系电话|电话|联系方式|手机)[：:]")
SIGNED = re.compile(r"^[（(]?(签发人|审核人|审签)[：:]")
SOURCE = re.compile(r"^[（(](?P<unit>[^（）()]{2,30})[）)]$")
HEADING_1 = re.compile(r"^[一二三四五六七八九十]{1,3}、")
HEADING_2 = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")
NUMBERED = re.compile(r"^(\d{1,2})([.．、])")
TITLE_MAX = 40


@dataclass
class Paragraph:
    text: str
    centred: bool = False
    bold: bool = False
    large: bool = False
    styled_title: bool = False


@dataclass
class Imported:
    path: str  # the item, relative to the root
    text: str
    assets: list[str] = field(default_factory=list)  # written under content/assets
    found: dict = field(default_factory=dict)  # what was read from the document: {field: value}


def clean(text: str) -> str:
    """One line of an officer's text: no invisible characters, no indents, no runs of spaces
    between Chinese characters (a space between two Latin words or numbers stays)."""
    text = unicodedata.normalize("NFC", text).translate(INVISIBLE)
    text = SPACES.sub(" ", text).strip()
    return re.sub(rf"(?<=[{CJK}]) | (?=[{CJK}])", "", text)


def to_docx(path: str, workdir: str) -> str:
    """``path`` as a .docx: itself, or converted by LibreOffice (.doc, .wps, .rtf, .odt)."""
    ext = os.path.splitext(path)[1].lower()
    if not os.path.isfile(path):
        raise KanwuError(f"{path}：文件不存在。")
    if ext == ".docx" or ext == ".docm":
        return path
    if ext not in (".doc", ".wps", ".rtf", ".odt", ".wpt", ".dot"):
        raise KanwuError(f"{path}：不是 Word 文档。kanwu import 读 .docx；.doc、.wps 文件需要本机装有 LibreOffice 才能转换。")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise KanwuError(f"{path}：{ext} 是旧版 Word/WPS 格式，需要 LibreOffice 转换，本机没有安装。"
                         "请在 Word 或 WPS 里“另存为” .docx 后再导入，或安装 LibreOffice（make setup 会安装）。")
    try:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{workdir}/profile", "--convert-to", "docx",
                        "--outdir", workdir, path], capture_output=True, timeout=180, check=True)
    except (subprocess.SubprocessError, OSError) as exc:
        raise KanwuError(f"{path}：LibreOffice 未能把它转换成 .docx（{exc.__class__.__name__}）。"
                         "请在 Word 或 WPS 里“另存为” .docx 后再导入。") from None
    out = os.path.join(workdir, os.path.splitext(os.path.basename(path))[0] + ".docx")
    if not os.path.isfile(out):
        raise KanwuError(f"{path}：LibreOffice 未能把它转换成 .docx。请在 Word 或 WPS 里“另存为” .docx 后再导入。")
    return out


def paragraphs(path: str) -> list[Paragraph]:
    """The document's paragraphs with what marks a title (python-docx: what mammoth ignores)."""
    import docx
    from docx.shared import Pt
    doc = docx.Document(path)
    out = []
    for par in doc.paragraphs:
        text = clean(par.text)
        if not text:
            continue
        runs = [r for r in par.runs if r.text.strip()]
        style = (par.style.name or "").lower() if par.style is not None else ""
        # read raw: LibreOffice writes "start"/"end", which python-docx's enumeration refuses
        align = par._p.xpath("string(w:pPr/w:jc/@w:val)") or (
            par.style.element.xpath("string(w:pPr/w:jc/@w:val)") if par.style is not None else "")
        sizes = [r.font.size for r in runs if r.font.size]
        out.append(Paragraph(text, centred=align == "center",
                             bold=bool(runs) and all(r.bold or (r.style is not None and r.style.font.bold) for r in runs),
                             large=bool(sizes) and min(sizes) >= Pt(18),
                             styled_title=style in ("title", "heading 1", "标题", "标题 1") or style.startswith("title")))
    return out


def import_docx(config: Config, source: str, unit: str | None = None, category: str | None = None,
                day: dt.date | None = None, classification: str | None = None, urgency: str | None = None,
                title: str | None = None, authors: tuple = (), event_at: str | None = None,
                reported_at: str | None = None, dry_run: bool = False) -> Imported:
    """Write the item made from ``source``; return what was written (``dry_run``: would be)."""
    import mammoth
    with tempfile.TemporaryDirectory(prefix="kanwu-import-") as work:
        path = to_docx(source, work)
        if not zipfile.is_zipfile(path):
            raise KanwuError(f"{source}：文件不是有效的 .docx（可能已损坏，或只是改了扩展名）。请在 Word 或 WPS 里重新“另存为” .docx。")
        try:
            pars = paragraphs(path)
            images: list[tuple[str, bytes]] = []

            def keep_image(image):
                with image.open() as fh:
                    data = fh.read()
                ext = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}.get(image.content_type, "")
                images.append((ext, data))
                return {"src": f"kanwu-image-{len(images)}", "alt": image.alt_text or "图"}
            with open(path, "rb") as fh:
                html = mammoth.convert_to_html(fh, convert_image=mammoth.images.img_element(keep_image)).value
        except KanwuError:
            raise
        except Exception as exc:  # noqa: BLE001 - a document mammoth or python-docx cannot read
            raise KanwuError(f"{source}：读不出这个 Word 文档（{exc.__class__.__name__}）。"
                             "请在 Word 或 WPS 里重新“另存为” .docx 后再导入。") from None
    blocks = html_blocks(html)
    found: dict = {}
    lines = [p.text for p in pars]
    # the title: marked by centring, bold, size or style among the first paragraphs
    head = next((p for p in pars[:3] if p.centred or p.bold or p.large or p.styled_title), None)
    if head is not None and len(head.text) <= 60 and not head.text.endswith("。"):
        found["title"] = head.text
    # the source line under it names the unit
    source_line = next((t for t in lines[:4] if SOURCE.match(t)), None)
    if source_line:
        found["source"] = source_line
        named = SOURCE.match(source_line).group("unit")
        match = [u.id for u in config.units.values() if named in (u.name, u.short) or named == u.id]
        if match:
            found["unit"] = match[0]
    for t in lines[-6:]:
        m = AUTHORS.match(t)
        if m:
            found["authors"] = [n for n in re.split(r"[、，,；;\s]+", m.group("names")) if n]
    title = clean(title) if title else found.get("title")
    unit = unit or found.get("unit")
    authors = list(authors) or found.get("authors", [])
    missing = []
    if not title:
        missing.append("标题（文档里没有居中、加粗或用“标题”样式的第一段：请用 --title 给出）")
    if not unit:
        how = f"来源行“{source_line}”不是登记的单位名称或简称" if source_line else "文档里没有（某某单位）来源行"
        missing.append(f"报送单位（{how}：请用 --unit 给出，单位编号见 content/units.yml）")
    elif unit not in config.units:
        raise KanwuError(f"{source}：单位“{unit}”没有登记。单位编号见 content/units.yml。")
    if not category:
        missing.append(f"类别（请用 --category 给出：{'、'.join(CATEGORIES)}）")
    elif category not in CATEGORIES:
        raise KanwuError(f"{source}：类别“{category}”不可用，可用的值：{'、'.join(CATEGORIES)}")
    if not authors:
        missing.append("撰稿人（文档末尾没有“撰稿人：……”一行：请用 --author 给出，可写多次）")
    if category == "突发事件":
        if not event_at:
            missing.append("事件发生时间（突发事件必填：--event-at \"2026-11-23 07:00+08:00\"）")
        if not reported_at:
            missing.append("首次报告时间（突发事件必填：--reported-at \"2026-11-23 08:00+08:00\"）")
    if missing:
        raise KanwuError(f"{source}：导入前还缺少以下内容，未写入任何文件：\n" + "\n".join(f"  - {m}" for m in missing))
    classification = classification or "内部"
    urgency = urgency or "平件"
    for value, choices, what in ((classification, CLASSIFICATIONS, "密级"), (urgency, URGENCIES, "紧急程度")):
        if value not in choices:
            raise KanwuError(f"{source}：{what}“{value}”不可用，可用的值：{'、'.join(choices)}")
    day = day or dt.date.today()
    from ..editorial.scaffold import next_item_path, quote
    rel = next_item_path(config, day, unit)
    item_id = os.path.splitext(os.path.basename(rel))[0]
    skip = {found.get("title"), title, source_line}
    body, assets = _markdown(blocks, skip, images, item_id)
    if not body.strip():
        raise KanwuError(f"{source}：除了标题、来源和撰稿人，文档里没有正文。")
    front = [f"title: {quote(title)}", f"unit: {unit}", f"date: {day.isoformat()}", f"category: {category}",
             f"urgency: {urgency}", f"classification: {classification}"]
    if classification in ("秘密", "机密"):
        front.append("secrecy_period: 1年")
    if category == "突发事件":
        front += [f"event_at: {event_at}", f"reported_at: {reported_at}"]
    front.append(f"authors: [{', '.join(quote(a) for a in authors)}]")
    text = "---\n" + "\n".join(front) + "\n---\n\n" + body
    made = Imported(rel, text, [os.path.join(load.ASSETS_DIR, n) for n, _ in assets], found)
    if dry_run:
        return made
    full = os.path.join(config.root, rel)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    written = []
    try:
        for name, data in assets:
            target = os.path.join(config.root, load.ASSETS_DIR, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "xb") as fh:
                fh.write(data)
            written.append(target)
        with open(full, "x", encoding="utf-8") as fh:
            fh.write(text)
    except BaseException:
        for target in written:  # all or nothing
            os.unlink(target)
        raise
    return made


# -- mammoth's HTML → Markdown ------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _inline(parts: list) -> str:
    """The paragraph's text, bold runs as **…** (a whole bold paragraph stays plain: officers bold
    whole paragraphs for emphasis that the print does not show)."""
    merged: list[list] = []
    for text, bold, _ in parts:
        text = text.replace("\n", " ")
        if merged and merged[-1][1] == bold:
            merged[-1][0] += text
        else:
            merged.append([text, bold])
    if all(b for t, b in merged if t.strip()):
        return clean(_escape("".join(t for t, _ in merged)))
    out = ""
    for text, bold in merged:
        piece = clean(text)
        if not piece:
            out += " " if text.strip() == "" and text else ""
            continue
        out += f"**{_escape(piece)}**" if bold else _escape(piece)
    return clean(out)


def _markdown(blocks: list[Block], skip: set, images: list, item_id: str) -> tuple[str, list]:
    out: list[str] = []
    assets: list[tuple[str, bytes]] = []
    for block in blocks:
        if block.kind == "img":
            n = int(block.src.rsplit("-", 1)[-1]) if block.src.startswith("kanwu-image-") else 0
            if not n or not images[n - 1][0]:
                continue  # an image format the site cannot show (EMF, WMF): left out, reported by check
            ext, data = images[n - 1]
            name = f"{item_id}-{len(assets) + 1}.{ext}"
            assets.append((name, data))
            out.append(f"![图]({name})")
            continue
        if block.kind == "table":
            rows = [[clean("".join(c)).replace("|", "\\|") for c in r] for r in block.rows if r]
            if rows:
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                out.append("\n".join(["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
                                     + ["| " + " | ".join(r) + " |" for r in rows[1:]]))
            continue
        plain_text = clean("".join(t for t, _, _ in block.runs))
        if not plain_text or plain_text in skip or AUTHORS.match(plain_text) or PHONE.match(plain_text) \
                or SIGNED.match(plain_text):
            continue
        text = _inline(block.runs)
        if block.kind == "li":
            out.append(f"{block.number}. {text}" if block.number else f"- {text}")
        elif HEADING_1.match(plain_text) and len(plain_text) <= TITLE_MAX:
            out.append(f"### {text}")
        elif HEADING_2.match(plain_text) and len(plain_text) <= TITLE_MAX:
            out.append(f"#### {text}")
        else:
            m = NUMBERED.match(text)
            if m:  # "1." typed by hand is text, not a Markdown list
                text = f"{m.group(1)}\\{m.group(2)}{text[m.end():]}" if m.group(2) == "." else text
            out.append(text)
    lists_joined: list[str] = []
    for piece in out:  # consecutive list items form one list
        if lists_joined and re.match(r"^(\d+\. |- )", piece) and re.match(r"^(\d+\. |- )", lists_joined[-1].split("\n")[-1]):
            lists_joined[-1] += "\n" + piece
        else:
            lists_joined.append(piece)
    return "\n\n".join(lists_joined) + "\n", assets

