"""An item's Markdown body → sanitised HTML, shared by the site and the PDFs.

Items come from many units' staff; their raw HTML is untrusted. Python-Markdown does
not sanitise, so the HTML it produces goes through nh3 (the maintained sanitiser)
with an allow-list of what items need. There is no include/snippet mechanism.
"""

from __future__ import annotations

import contextlib
import functools
import html
import re
import signal
import threading

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "s", "sub", "sup", "ul", "ol", "li", "blockquote",
                "table", "thead", "tbody", "tr", "th", "td", "h3", "h4", "h5", "a", "img", "hr", "code", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                      "th": {"align", "colspan", "rowspan"}, "td": {"align", "colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_NESTING = 40
# Bounds that keep one hostile or broken item from stalling check or build (Python-Markdown is
# quadratic in unmatched [ and <: 10,000 "[" took 13 s, 20,000 "<a" lines 30 s). A real item is a
# few KB with a handful of links; each bound is far above that and reported with its location.
MAX_ITEM_BYTES = 256 * 1024
MAX_LINE_CHARS = 20_000
MAX_BRACKETS = 1_500  # "[" in one body
MAX_TAG_OPENERS = 3_000  # "<" in one body
RENDER_SECONDS = 10  # the backstop: one body's rendering, in the build
_ASSET = re.compile(r'(<img\b[^>]*?\bsrc=")(?:\./)?(?:assets/)?([^"/][^"]*)"')


class RenderError(ValueError):
    pass


@functools.cache
def _cache_version() -> str:
    """What a cached body was rendered by: this module's code (and what it imports) and the
    versions of Python-Markdown and nh3. Any change renders the bodies again."""
    from ..incremental import fingerprint
    return fingerprint.code(fingerprint.BODY) + fingerprint.versions("markdown", "nh3")


_CACHE: dict = {}  # shard (first two hex digits of the key) -> {sha1(prefix, markdown): html}
_FOLDER = [""]  # where the shards are kept between builds ("": nowhere)
_DIRTY: set = set()  # shards with bodies rendered since they were read


def load_cache(folder: str) -> None:
    """Reuse the bodies rendered by earlier builds (rendering 50,000 items takes ~10 s): 256 shards
    under ``folder``, each read when a body first needs it. A day's publish renders a few dozen
    bodies: it reads and rewrites a few shards, not the 45 MB of all of them."""
    import contextlib
    import os
    _FOLDER[0] = folder
    _CACHE.clear()
    _DIRTY.clear()
    with contextlib.suppress(OSError):  # the single file of earlier versions
        os.unlink(f"{folder}.pickle")


def _shard(name: str) -> dict:
    got = _CACHE.get(name)
    if got is None:
        import os
        import pickle
        got = {}
        if _FOLDER[0]:
            try:
                with open(os.path.join(_FOLDER[0], f"{name}.pickle"), "rb") as fh:
                    version, data = pickle.load(fh)
                if version == _cache_version() and isinstance(data, dict):
                    got = data
            except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError, ImportError):
                pass
        _CACHE[name] = got
    return got


def save_cache() -> None:
    """Write the shards that gained bodies; never fails a build."""
    import os

    from ..incremental.cache import write_pickle
    if not _FOLDER[0]:
        return
    for name in sorted(_DIRTY):
        write_pickle(os.path.join(_FOLDER[0], f"{name}.pickle"), (_cache_version(), _CACHE[name]))
    _DIRTY.clear()


def _key(markdown_text: str, asset_prefix: str) -> str:
    import hashlib
    return hashlib.sha1(f"{asset_prefix}\0{markdown_text}".encode("utf-8")).hexdigest()


def body_html(markdown_text: str, asset_prefix: str) -> str:
    """Render and sanitise; image sources become ``asset_prefix + name`` (repository assets only)."""
    key = _key(markdown_text, asset_prefix)
    shard = _shard(key[:2])
    cached = shard.get(key)
    if cached is None:
        cached = _keep(key, _body_html(markdown_text, asset_prefix))
    return cached


def _keep(key: str, html_text: str) -> str:
    _shard(key[:2])[key] = html_text
    _DIRTY.add(key[:2])
    return html_text


PARALLEL_MIN = 2000  # bodies to render before more processes pay for themselves (~0.25 ms each)


def prerender(bodies: list[tuple[str, str]]) -> None:
    """Render the (markdown, asset prefix) pairs the cache lacks on every core, ahead of
    ``body_html`` asking for them one by one: a first build, or a new version of kanwu, renders
    50,000 bodies (~13 s on one core). Does nothing for a few (a day's publish: nothing is read
    then, the cache's shards stay unread until a body needs them). A body that fails to render
    is left to ``body_html``, which raises its error."""
    from ..incremental.cache import fork_map
    if len(bodies) < PARALLEL_MIN:
        return
    todo: dict = {}
    for text, prefix in bodies:
        key = _key(text, prefix)
        if key not in todo and key not in _shard(key[:2]):
            todo[key] = (text, prefix)
    for key, html_text in zip(todo, fork_map(_try_render, list(todo.values()), PARALLEL_MIN) or ()):
        if html_text is not None:
            _keep(key, html_text)


def _try_render(pair: tuple[str, str]) -> str | None:
    try:
        return _body_html(*pair)
    except Exception:  # noqa: BLE001 - body_html renders it again and reports it
        return None


def limits(body: str) -> list[tuple[int, int, str, str]]:
    """What in a body is beyond the bounds above: (line within the body, column, message, fix)."""
    out = []
    for n, line in enumerate(body.split("\n")):
        if len(line) > MAX_LINE_CHARS:
            out.append((n, MAX_LINE_CHARS + 1, f"这一行有 {len(line):,} 个字符（上限 {MAX_LINE_CHARS:,}）",
                        "段与段之间空一行；粘贴的内容是否混进了别的东西"))
            break
    for mark, top in (("[", MAX_BRACKETS), ("<", MAX_TAG_OPENERS)):
        count = body.count(mark)
        if count > top:
            before = body[:_nth(body, mark, top + 1)]
            out.append((before.count("\n"), len(before) - before.rfind("\n"),
                        f"正文中有 {count:,} 个“{mark}”（上限 {top:,}），无法在限定时间内排版", "删去多余的符号；通常是粘贴错误"))
    return out


def _nth(text: str, mark: str, n: int) -> int:
    at = -1
    for _ in range(n):
        at = text.index(mark, at + 1)
    return at


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise RenderError when the block runs longer than ``seconds`` (main thread only: elsewhere, no limit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise RenderError(f"正文排版超过 {seconds:g} 秒，已停止")
    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _body_html(markdown_text: str, asset_prefix: str) -> str:
    depth = nesting_depth(markdown_text)
    if depth > MAX_NESTING:
        raise RenderError(f"正文嵌套过深（{depth} 层，上限 {MAX_NESTING} 层）")
    over = limits(markdown_text)
    if over:
        raise RenderError(over[0][2])
    with _time_limit(RENDER_SECONDS):
        return _render(markdown_text, asset_prefix)


def _render(markdown_text: str, asset_prefix: str) -> str:
    raw = markdown.markdown(markdown_text, extensions=["tables", "sane_lists"],
                            extension_configs={"tables": {"use_align_attribute": True}}, output_format="html")
    clean = nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                      link_rel="noopener noreferrer", strip_comments=True)
    clean = _ASSET.sub(lambda m: f'{m.group(1)}{asset_prefix}{m.group(2)}"', clean)
    # No blank lines: the HTML is embedded in generated Markdown as one raw block.
    return re.sub(r"\n\s*\n", "\n", clean).strip()


# The help pages (content/help/*.md) go through MkDocs like the generated pages, and any unit
# can propose a change to them: their HTML is cleaned like an item's, with headings, anchors and
# the classes Material's Markdown writes (buttons, code) besides.
HELP_TAGS = ALLOWED_TAGS | {"h1", "h2", "h6", "div", "span"}
HELP_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, **{f"h{n}": {"id"} for n in range(1, 7)},
                   "a": {"href", "title", "class"}, "code": {"class"}, "pre": {"class"}, "div": {"class"},
                   "span": {"class"}, "table": {"class"}}


def clean_page(html_text: str) -> str:
    """A help page's HTML as MkDocs rendered it, sanitised (see ``HELP_TAGS``)."""
    return nh3.clean(html_text, tags=HELP_TAGS, attributes=HELP_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^<>]*?(/?)>")  # [^<>]: linear, where [^>] was quadratic on "<a<a<a…"
_INDENT = re.compile(r"^[ \t]+(?=\S)", re.M)


def nesting_depth(text: str) -> int:
    depth = best = 0
    for m in _TAG.finditer(text):
        if m.group(1):
            depth = max(0, depth - 1)
        elif not m.group(3) and m.group(2).lower() not in ("br", "img", "hr", "input", "meta", "link"):
            depth += 1
            best = max(best, depth)
    quote = max((len(m.group(0).replace(" ", "")) for m in re.finditer(r"^(?:> ?)+", text, re.M)), default=0)
    lists = max((len(m.group(0).expandtabs(4)) // 4 for m in _INDENT.finditer(text)), default=0)  # nested lists
    return max(best, quote, lists)


def first_sentence(markdown_text: str) -> str:
    """The abstract of an item with no summary: its first sentence, as plain text."""
    text = re.sub(r"<[^>]+>|[#*_>`\[\]!]|\(.*?\)", "", markdown_text).strip()
    text = " ".join(text.split())
    m = re.search(r"^.*?[。！？]", text)
    return (m.group(0) if m else text[:80]).strip()


def esc(text: str) -> str:
    return html.escape(text, quote=True)
