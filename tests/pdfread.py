"""Reading a PDF back: pages, lines of characters with their fonts, sizes, colours, positions."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import pdfplumber

MM = 72 / 25.4


@dataclass
class Line:
    page: int  # 1-based
    top: float  # pt from the top of the page
    x0: float
    x1: float
    text: str
    size: float
    fonts: set
    colors: set


def lines(path: str) -> list[Line]:
    out = []
    with pdfplumber.open(path) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            rows: dict = {}
            for ch in page.chars:
                key = round(ch["top"] + ch["size"] * 0.8)  # baseline-ish, stable across fonts
                rows.setdefault(key, []).append(ch)
            for key in sorted(rows):
                chars = sorted(rows[key], key=lambda c: c["x0"])
                while chars and not chars[-1]["text"].strip():
                    chars.pop()
                while chars and not chars[0]["text"].strip():
                    chars.pop(0)
                if not chars:
                    continue
                out.append(Line(n, min(c["top"] for c in chars), chars[0]["x0"], chars[-1]["x1"],
                                "".join(c["text"] for c in chars), round(max(c["size"] for c in chars), 1),
                                {c["fontname"].split("+")[-1] for c in chars},
                                {tuple(round(v, 2) for v in (c.get("non_stroking_color") or ())) for c in chars}))
    return out


def pages(path: str):
    with pdfplumber.open(path) as pdf:
        return [(p.width, p.height, p.rects, p.chars) for p in pdf.pages]


def metadata(path: str) -> dict:
    with pdfplumber.open(path) as pdf:
        return dict(pdf.metadata)


def outline(path: str) -> list[str]:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    with open(path, "rb") as fh:
        doc = PDFDocument(PDFParser(fh))
        return [title for _, title, *_ in doc.get_outlines()]


def pdffonts(path: str) -> list[dict]:
    out = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    fonts = []
    for row in out:
        parts = row.split()
        # name type... encoding emb sub uni id gen: the last five columns are fixed
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


def text(path: str) -> str:
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True).stdout


PREFLIGHT = ":".join(f"/usr/share/java/{j}.jar" for j in (
    "preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging", "javax.activation", "jaxb-api"))


def preflight(path: str) -> list[tuple[str, str]]:
    """Apache PDFBox Preflight (Debian's libpdfbox2-java, installed by the setup), the PDF/A
    validator one can install here (veraPDF comes from Maven Central, which this machine does not
    reach): [(rule, message)] for every PDF/A-1b rule the file breaks."""
    import xml.etree.ElementTree as ET
    out = subprocess.run(["java", "-cp", PREFLIGHT, "org.apache.pdfbox.preflight.Validator_A1b", "xml", path],
                         capture_output=True, text=True, timeout=120).stdout
    root = ET.fromstring(out[out.index("<?xml"):] if "<?xml" in out else out)
    return [(e.findtext("code"), e.findtext("details")) for e in root.iter("error")]
