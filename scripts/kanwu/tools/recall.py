"""Measuring search by what it finds: queries drawn from the archive's own text, and the items
that hold each one (the ground truth), for ``tests/test_search.py`` and ``scripts/bench.py``.

The ground truth is the text of each item page as Chromium lays it out (``innerText`` of the
page's ``data-pagefind-body`` part, less what is marked ``data-pagefind-ignore`` or hidden): what
a reader sees, read by the browser, not by the code that writes the index.
"""

from __future__ import annotations

import random
import re

# In the page: {url: {text, title}} for the item pages at ``urls`` (fetched from the same site).
PAGE_TEXTS = """async (urls) => {
  const box = document.createElement("div");
  box.style.cssText = "position:absolute;left:-100000px;top:0;width:900px";
  document.body.appendChild(box);
  const out = {};
  const pages = await Promise.all(urls.map(async (u) => [u, await (await fetch(u)).text()]));
  for (const [u, html] of pages) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const body = doc.querySelector("[data-pagefind-body]");
    if (!body) continue;
    body.querySelectorAll("[data-pagefind-ignore], [hidden]").forEach((n) => n.remove());
    box.replaceChildren(document.importNode(body, true));
    out[u] = { text: box.innerText, title: (body.querySelector("h1") || box).textContent.trim() };
  }
  box.remove();
  return out;
}"""

# How many queries of each kind (titles: every title, unless capped).
LIMITS = {"标题": 10**9, "字词": 150, "跨标点短语": 20, "单位": 40, "人名": 20, "数量": 30, "中文加字母数字": 15,
          "地名": 25}


def page_texts(page, urls, batch: int = 400) -> dict:
    """The texts of ``urls`` through the Playwright ``page`` (already on the same site)."""
    out: dict = {}
    for i in range(0, len(urls), batch):
        out.update(page.evaluate(PAGE_TEXTS, urls[i:i + batch]))
    return out


def draw_queries(pages: dict, units: list, seed: int = 21, limits: dict | None = None) -> dict[str, set[str]]:
    """Queries of the kinds readers type, each found in some page's text: {kind: {query}}.

    Titles, 1–6 characters from within a run of letters and digits, short phrases across a
    punctuation mark, unit names (full and short), authors' names, numbers with units, mixed
    Chinese and Latin or digits (5G, 12345热线), and place names.
    """
    limits = {**LIMITS, **(limits or {})}
    rng = random.Random(seed)
    texts = [p["text"] for p in pages.values()]
    blob = "\n".join(texts)
    kinds: dict[str, set[str]] = {}

    def add(kind, q):
        q = (q or "").strip()
        if q and q in blob:
            kinds.setdefault(kind, set()).add(q)

    for p in pages.values():
        add("标题", p["title"])
    runs = [r for t in rng.sample(texts, min(len(texts), 2000)) for r in re.findall(r"[^\W_]+", t)]
    for _ in range(100 * limits["字词"]):
        if len(kinds.get("字词", ())) >= limits["字词"]:
            break
        run = rng.choice(runs)
        n = rng.randint(1, min(6, len(run)))
        start = rng.randint(0, len(run) - n)
        add("字词", run[start:start + n])
    for _ in range(50 * limits["跨标点短语"]):
        if len(kinds.get("跨标点短语", ())) >= limits["跨标点短语"]:
            break
        t = rng.choice(texts)
        m = re.search(r"[^\W_]{1,4}[，、：；“”（）·—][^\W_]{1,4}", t[rng.randrange(len(t)):])
        if m:
            add("跨标点短语", m.group())
    for unit in units:
        add("单位", unit.get("name"))
        add("单位", unit.get("short"))
    for line in re.findall(r"撰稿人：(.+)", blob):
        for name in re.split(r"[、，,\s]+", line):
            add("人名", name)
    for m in re.findall(r"\d+(?:\.\d+)?(?:万|亿)?[个户人名家处件条项吨亩元米台辆所次天%％]", blob):
        add("数量", m)
    for m in re.findall(r"[A-Za-z0-9]+[\u4e00-\u9fff]{1,2}|[\u4e00-\u9fff]{1,2}[A-Za-z]+[0-9]*", blob):
        add("中文加字母数字", m)
    for m in re.findall(r"[^\W\d_]{1,4}(?:县|区|镇|乡|村|街道|社区)", blob):
        add("地名", m)
    return {k: set(rng.sample(sorted(v), min(len(v), limits[k]))) for k, v in kinds.items()}


def truth(pages: dict, q: str) -> set[str]:
    """The pages whose text holds ``q``."""
    return {url for url, p in pages.items() if q in p["text"]}


def score(pages: dict, results: dict[str, list[str]], titles: set[str] = frozenset()) -> dict:
    """Recall of ``results`` ({query: [url in the order shown]}) against the ground truth, and how
    many title queries had their own item in the first three results."""
    expected = found = 0
    misses: list[tuple[str, str]] = []
    perfect = 0
    top3 = [0, 0]
    low: list[str] = []
    for q, shown in results.items():
        want = truth(pages, q)
        got = want & set(shown)
        expected += len(want)
        found += len(got)
        perfect += got == want
        misses += [(q, u) for u in sorted(want - got)]
        if q in titles:
            own = {u for u, p in pages.items() if p["title"] == q}
            top3[0] += 1
            top3[1] += bool(own & set(shown[:3]))
            if not own & set(shown[:3]):
                low.append(q)
    return {"queries": len(results), "expected": expected, "found": found,
            "recall": found / expected if expected else 1.0, "complete": perfect, "misses": misses,
            "titles": top3[0], "titles_top3": top3[1], "titles_low": low}
