"""The worker side of PDF rendering: a job's HTML laid out by WeasyPrint into its cache file.

Everything here shapes the PDF made from a given HTML: the stylesheet, the fonts, the layout
passes (the 版记 on an even page), the PDF/A variant and its metadata, the files a document may
read. Its fingerprint (``fingerprint.PDF_RENDER``) is the part of every cached PDF's key that is
not the HTML itself.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass

ALLOWED_DIRS = (os.path.join("content", "assets"), os.path.join("theme", "pdf"))
MEMORY_LIMIT = 3 * 1024 ** 3
CSS_FILE = os.path.join("theme", "pdf", "bulletin.css")


@dataclass(frozen=True)
class Job:
    key: str  # what the user sees: 《…》2026年第N期
    html: str  # '' when the inputs are known and their PDF is cached
    out: str  # cache file to write
    root: str
    inputs: str = ""  # hash of everything the HTML is made from


_FONT_CONFIG = None
_FROZEN: list = []  # [True] once this worker froze what its first issue left


def init_worker() -> None:
    global _FONT_CONFIG
    import resource
    try:  # 3 GB more than the worker starts with: forked from a large process, it inherits its size
        with open("/proc/self/statm") as fh:
            start = int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError):
        start = 0
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT + start, MEMORY_LIMIT + start))
    except (ValueError, OSError):
        pass
    _keep_freed_memory()
    # WeasyPrint leaves weasyprint-* folders in the temp folder: keep them in build/.
    os.environ["TMPDIR"] = tempfile.gettempdir()
    from weasyprint.text.fonts import FontConfiguration
    _FONT_CONFIG = FontConfiguration()


def _keep_freed_memory() -> None:
    """Keep freed memory in the worker for the next issue: each issue copies every font it uses
    (20–27 MB for a Noto CJK collection) several times, and glibc maps such blocks afresh and
    returns them at once, so every copy page-faulted anew: 0.29 -> 0.25 s an issue, with the
    same peak memory (measured on one core, 44 issues of the 5,000-item archive)."""
    import ctypes
    try:
        libc = ctypes.CDLL(None)  # this process's symbols: glibc's among them
        m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's mallopt parameters
        libc.mallopt(m_mmap_threshold, 256 * 1024 ** 2)
        libc.mallopt(m_trim_threshold, 512 * 1024 ** 2)
    except (OSError, AttributeError):  # not glibc: only slower
        pass


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


# The archive's format (档案): PDF/A-2b, the first part that allows the OpenType (CFF) fonts the
# bulletin is set in (PDF/A-1 does not); WeasyPrint adds the XMP metadata and the sRGB output intent.
PDF_VARIANT = "pdf/a-2b"
EVEN_MARK = 'class="tail-space" data-even-page'  # issue.html: a periodical printed double-sided
FLOW_MARK = "<!--flow-->"  # issue.html: where the text begins, after what every page repeats


_XMP_ATTRS = re.compile(rb'<rdf:Description rdf:about=""((?: [\w.-]+:[\w.-]+="[^"]*")+) */>')
_XMP_ATTR = re.compile(rb' ([\w.-]+:[\w.-]+)="([^"]*)"')


def _plain_metadata(document, pdf) -> None:
    """The XMP metadata as archive tools read it: unfiltered (WeasyPrint compresses it from PDF/A-2
    on; PDF/A-1 forbade it) and with simple properties as elements, not the attribute shorthand
    (``pdfaid:part="2"``), each description declaring its namespaces: PDFBox's XMP parser sees
    neither the shorthand nor a namespace declared on rdf:RDF, and the PDF/A identification then
    looks missing. The same RDF either way."""
    ref = pdf.catalog.get("Metadata")
    if not ref:
        return
    stream = pdf.objects[int(ref.split()[0] if isinstance(ref, (bytes, str)) else ref)]
    stream.compress = False
    data = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in stream.stream)

    def elements(match):
        props = b"".join(b"<%s>%s</%s>" % (k, v, k) for k, v in _XMP_ATTR.findall(match.group(1)))
        return b'<rdf:Description rdf:about="">' + props + b"</rdf:Description>"
    data = _XMP_ATTRS.sub(elements, data)
    # and each description declares its namespaces itself: PDFBox finds a schema only there
    declared = b"".join(b" " + d for d in re.findall(rb'xmlns:(?!rdf=|x=)[\w.-]+="[^"]*"', data))
    stream.stream = [data.replace(b'<rdf:Description rdf:about="">', b'<rdf:Description rdf:about=""' + declared + b">")]


def _body(page):
    return next((b for b in page._page_box.descendants() if getattr(b, "element_tag", None) == "body"), None)


def _is_tail(box) -> bool:
    return box.element is not None and "tail-space" in (box.element.get("class") or "")


def _tail_alone(page) -> bool:
    """Whether the 版记 is all the text on ``page`` (the last): the body ended on the page before."""
    body = _body(page)
    if body is None:
        return False
    return all(_is_tail(c) for c in body.children if c.style["position"] not in ("absolute", "fixed"))


def _moved(html: str, alone: bool) -> str:
    """``html`` with its 版记 marked to move to an even page (bulletin.css: ``.tail-space.even``)."""
    return html.replace(EVEN_MARK, 'class="tail-space even alone"' if alone else 'class="tail-space even"', 1)


def _tail_html(html: str, alone: bool, number: int) -> str:
    """The 版记 of ``html`` as a document of its own, on a left (even) page numbered ``number``
    (html.verso in bulletin.css); ``alone``: on the unnumbered page named ``tail``."""
    head, rest = html.split(FLOW_MARK, 1)
    tail = rest[rest.index("<div " + EVEN_MARK):]
    head = head.replace("<html ", '<html class="verso" ', 1)
    head = head.replace("</head>", f"<style>@page {{ counter-set: page {number} }}</style>\n</head>", 1)
    return _moved(head + tail, alone)


def _even_tail(laid, html: str, layout):
    """``laid`` (an odd number of pages, the 版记 on the last) with the 版记 moved to an even page,
    page for page what a second layout with ``.tail-space.even`` (``even alone``) gives, for the
    cost of laying out the 版记 alone (pages before the last do not change, since the 版记 comes
    last; a second layout of the whole issue cost as much as the first):

    - the text ended on that page: the page keeps the text, and the 版记 follows on the next page,
      numbered;
    - the 版记 stood alone on it: the page is left blank and unnumbered, as WeasyPrint makes a blank
      page (a draft's mark stays, as on every page), and the 版记 follows on an unnumbered page
      (GB/T 9704-2012 7.5).
    """
    from weasyprint.formatting_structure.boxes import MarginBox

    last = laid.pages[-1]
    alone = _tail_alone(last)
    body = _body(last)
    body.children = [c for c in body.children if not _is_tail(c)]  # what repeats on every page stays
    if alone:  # no page number either
        last._page_box.children = [c for c in last._page_box.children if not isinstance(c, MarginBox)]
    tail = layout(_tail_html(html, alone, len(laid.pages) + 1))
    return laid.copy(laid.pages + tail.pages)


def render_one(job: Job) -> str:
    """Render ``job`` into its cache file; '' on success, else the reason (in Chinese)."""
    import gc

    from weasyprint import CSS, HTML
    from weasyprint.urls import FatalURLFetchingError

    from .fetch import AssetFetcher

    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration
        _FONT_CONFIG = FontConfiguration()
    fetcher = AssetFetcher([os.path.join(job.root, d) for d in ALLOWED_DIRS])
    warnings = _Warnings()
    wlog = logging.getLogger("weasyprint")
    wlog.addHandler(warnings)
    try:
        base = "file://" + os.path.join(job.root, "content", "assets") + "/"
        css = CSS(filename=os.path.join(job.root, CSS_FILE), url_fetcher=fetcher, font_config=_FONT_CONFIG)

        def layout(text):
            return HTML(string=text, base_url=base, url_fetcher=fetcher).render(stylesheets=[css], font_config=_FONT_CONFIG)
        laid = layout(job.html)
        if EVEN_MARK in job.html and len(laid.pages) % 2:  # the 版记 fell on an odd page
            if FLOW_MARK in job.html:
                laid = _even_tail(laid, job.html, layout)
            else:  # an office's own issue.html from before the mark: the whole issue again
                laid = layout(_moved(job.html, _tail_alone(laid.pages[-1])))
        data = laid.write_pdf(uncompressed_pdf=False, pdf_variant=PDF_VARIANT, finisher=_plain_metadata)
    except RecursionError:
        return "版面嵌套过深，无法排版"
    except MemoryError:
        return f"排版用尽内存（上限 {MEMORY_LIMIT // 1024 ** 3} GB）"
    except (Exception, FatalURLFetchingError) as exc:  # WeasyPrint errors fail this one issue only
        return "；".join(fetcher.refused) or f"{type(exc).__name__}: {exc}"
    finally:
        wlog.removeHandler(warnings)
        gc.collect()
        if not _FROZEN:  # what the first issue leaves (fonts, styles, WeasyPrint's caches) stays:
            _FROZEN.append(True)  # later collections do not walk it again (0.25 -> 0.23 s an issue)
            gc.freeze()
    if fetcher.refused or warnings.messages:
        return "；".join(fetcher.refused + warnings.messages)
    os.makedirs(os.path.dirname(job.out), exist_ok=True)
    tmp = f"{job.out}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, job.out)
    return ""
