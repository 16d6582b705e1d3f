/* The search page: Pagefind's JavaScript API over kanwu's search documents (scripts/kanwu/searchdoc.py).
 *
 * Items are indexed as overlapping character pairs, so a query is cut the same way here and sent
 * as one quoted phrase: every item that holds the query is found, whatever a dictionary thinks a
 * word is. The same pairs unquoted give Pagefind's relevance order. Everything shown comes from
 * this site (nothing is loaded from elsewhere) and every text from an item is set as text, never
 * as HTML.
 */
(function () {
  "use strict";
  // The site's root from this file's own address (assets/kanwu-search.js): no inline script is
  // needed to pass it, so the server's Content-Security-Policy can forbid them all.
  var SITE_ROOT = new URL("../", document.currentScript.src);
  var box = document.getElementById("kanwu-search");
  if (!box) return;
  var all = JSON.parse(box.getAttribute("data-bundles") || "[]");
  var FACETS = ["刊物", "单位", "类别", "年份", "月份"];
  var PAGE = 20;

  // --- the query, cut as searchdoc.tokens cuts the text --------------------------------------
  function runs(text) {
    return text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
  }
  // The pairs of the query's runs, each run but the last closed by its last character (in the
  // text a run of the query may go on after its end only if it is the query's last).
  function phrase(text) {
    var rs = runs(text), out = [];
    rs.forEach(function (run, i) {
      var chars = Array.from(run);
      for (var j = 0; j + 1 < chars.length; j++) out.push(chars[j] + chars[j + 1]);
      if (i < rs.length - 1) out.push(chars[chars.length - 1]);
    });
    return { runs: rs, words: out };
  }
  window.kanwuSearchPhrase = phrase; // for the tests: the same strings through both cutters

  // --- state in the address ------------------------------------------------------------------
  var params = new URLSearchParams(location.search);
  var state = {
    q: params.get("q") || "",
    scope: params.get("scope") === "all" ? "all" : "recent",
    sort: ["relevance", "newest", "oldest"].indexOf(params.get("sort")) >= 0 ? params.get("sort") : "relevance",
    filters: {}
  };
  params.getAll("f").forEach(function (f) {
    var at = f.indexOf(":");
    if (at > 0) (state.filters[f.slice(0, at)] = state.filters[f.slice(0, at)] || []).push(f.slice(at + 1));
  });
  function address() {
    var p = new URLSearchParams();
    if (state.q) p.set("q", state.q);
    if (state.scope === "all") p.set("scope", "all");
    if (state.sort !== "relevance") p.set("sort", state.sort);
    FACETS.forEach(function (name) { (state.filters[name] || []).forEach(function (v) { p.append("f", name + ":" + v); }); });
    var s = p.toString();
    return location.pathname + (s ? "?" + s : "");
  }

  // --- elements ------------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  var year = function (b) { return parseInt(b.substr(9, 4), 10); };
  if (!all.length) { box.textContent = "检索索引为空：还没有可检索的信息。"; return; }
  var recent = all.filter(function (b) { return year(b) >= year(all[0]) - 1; });
  var bundles = state.scope === "all" ? all : recent;

  var input = el("input", { type: "search", name: "q", class: "kanwu-search-input", autocomplete: "off",
    placeholder: "输入关键词，如：防汛、信访、12345热线", "aria-label": "检索词" });
  input.value = state.q;
  var form = el("form", { class: "kanwu-search-form", role: "search" },
    [input, el("button", { type: "submit", text: "检索" })]);
  var sort = el("select", { class: "kanwu-search-sort", "aria-label": "排序" }, [
    el("option", { value: "relevance", text: "按相关度" }),
    el("option", { value: "newest", text: "按日期（新→旧）" }),
    el("option", { value: "oldest", text: "按日期（旧→新）" })]);
  sort.value = state.sort;
  var scope = el("p", { class: "kanwu-scope" });
  if (recent.length < all.length) {
    [["recent", "最近两年（" + (year(all[0]) - 1) + "–" + year(all[0]) + "年）"],
     ["all", "全部年份（" + year(all[all.length - 1]) + "–" + year(all[0]) + "年）"]].forEach(function (o) {
      var radio = el("input", { type: "radio", name: "kanwu-scope", value: o[0] });
      radio.checked = state.scope === o[0];
      scope.appendChild(el("label", {}, [radio, " " + o[1]]));
      scope.appendChild(document.createTextNode("　"));
    });
    scope.insertBefore(document.createTextNode("检索范围："), scope.firstChild);
  } else {
    scope.textContent = "检索范围：全部年份（" + year(all[all.length - 1]) + "–" + year(all[0]) + "年）";
  }
  var facets = el("aside", { class: "kanwu-facets", "aria-label": "筛选" });
  var summary = el("p", { class: "kanwu-search-summary", role: "status" });
  var list = el("ol", { class: "kanwu-results" });
  var more = el("button", { type: "button", class: "kanwu-more", text: "显示更多" });
  more.hidden = true;
  box.appendChild(form);
  box.appendChild(scope);
  box.appendChild(el("div", { class: "kanwu-search-layout" }, [facets,
    el("section", { class: "kanwu-search-main" }, [el("div", { class: "kanwu-search-bar" }, [summary, sort]), list, more])]));

  // --- Pagefind ------------------------------------------------------------------------------
  var root = SITE_ROOT;
  // Pagefind takes the query's language from the page's <html lang> and, for zh, cuts the query
  // with the browser's word segmenter ("村振" → "村 振"), which would undo the pairs. The index
  // is language-neutral ("unknown"), so each Pagefind instance is started while the page says
  // so, and the page's own language is put back at once (Pagefind reads it only when it starts).
  var NEUTRAL = "unknown";
  function neutrally(start) {
    var html = document.documentElement, lang = html.getAttribute("lang");
    html.setAttribute("lang", NEUTRAL);
    try { return start(); } finally { if (lang === null) html.removeAttribute("lang"); else html.setAttribute("lang", lang); }
  }
  // Every page of a bundle carries a filter naming its bundle (Pagefind's mergeFilter), so that a
  // search can be kept to one bundle: Pagefind sorts by date within a bundle only (a sorted
  // result's score is its place in its own bundle), so a sort by date goes bundle by bundle.
  var BUNDLE = "kanwu-bundle";
  function tag(b) { var t = {}; t[BUNDLE] = b; return t; }
  // The bundles in groups, one Pagefind instance each, searched in turn. With every year chosen,
  // the newest two years come first and their results are shown while the older years load:
  // each bundle's metadata (an entry per page) is downloaded whole by every search, and the
  // older years' alone would be more than the page and its first results together.
  var groups = bundles.length > recent.length ? [recent, bundles.slice(recent.length)] : [bundles];
  var script = import(new URL(bundles[0] + "/pagefind.js", root).href);
  var opened = [];
  function open(i) {
    if (opened[i]) return opened[i];
    var group = groups[i], dir = function (b) { return new URL(b + "/", root).pathname; };
    var opts = { baseUrl: root.pathname, excerptLength: 0, mergeFilter: tag(group[0]) };
    opened[i] = script.then(function (pf) {
      if (i === 0) return pf.options(opts).then(function () { return neutrally(pf.init); }).then(function () { return pf; });
      var made = neutrally(function () { return pf.createInstance(Object.assign({ basePath: dir(group[0]) }, opts)); });
      return made.init().then(function () { return made; });
    }).then(function (pf) {
      return Promise.all(group.slice(1).map(function (b) {
        return pf.mergeIndex(dir(b), { baseUrl: root.pathname, language: NEUTRAL, mergeFilter: tag(b) });
      })).then(function () { return pf; });
    });
    return opened[i];
  }
  // Every bundle's filter files, so that a search can count every value. Loaded once the first
  // results are on the page, not beside them: with every year chosen they are a third of what
  // the search downloads (5 filters × each year's bundle), and the first results do not wait.
  var counted = false, counts = null;
  function countsIn() {
    counts = counts || Promise.all(groups.map(function (g, i) {
      return open(i).then(function (pf) { return pf.filters(); });
    })).then(function () { counted = true; });
    return counts;
  }

  function pagefindFilters(chosen, bundle) {
    var out = {};
    FACETS.forEach(function (name) {
      var v = chosen[name];
      if (v && v.length) out[name] = { any: v.slice() };
    });
    if (bundle) out[BUNDLE] = { any: [bundle] };
    return out;
  }
  // Facet counts added up: {facet: {value: count}}.
  function added(into, counts) {
    Object.keys(counts || {}).forEach(function (name) {
      var to = into[name] = into[name] || {};
      Object.keys(counts[name]).forEach(function (v) { to[v] = (to[v] || 0) + counts[name][v]; });
    });
    return into;
  }

  // {results, filters}: every item of the bundles ``group`` (newest first) in the Pagefind
  // instance ``pf`` that holds the query ``ask.q`` and that the filters ``ask.filters`` let
  // through, in the order ``ask.sort``, with the facets' counts. By relevance each result has its
  // ``rank``, the plain search's score, which Pagefind itself compares across bundles: results of
  // two groups are merged by it.
  function find(pf, ask, group) {
    var cut = phrase(ask.q);
    if (!cut.runs.length) return Promise.resolve(null);
    // one character: the word each document has for every character it holds (searchdoc.characters)
    var words = cut.words.length ? cut.words : [cut.runs[0]];
    // Several words are one exact phrase. One word: Pagefind's plain search finds every page that
    // has it, in relevance order; only when no page has it does Pagefind fall back to a shorter
    // word (气安 → 气), so whether any page has the word is asked first: an exact search that a
    // filter matching nothing ends at once still counts the pages holding the word (its phrase
    // check costs pages² per bundle). The filter is on a key no page has: Pagefind then loads no
    // filter file for it (a real facet's file is each bundle's whole page list).
    var one = words.length === 1, query = one ? words[0] : '"' + words.join(" ") + '"';
    var has = one ? pf.search('"' + words[0] + '"', { filters: { "kanwu-none": { any: ["-"] } } })
      .then(function (r) { return r.unfilteredResultCount > 0; }) : Promise.resolve(true);
    var none = function (found) {
      var zero = {};
      Object.keys(found.filters || {}).forEach(function (name) {
        zero[name] = {};
        Object.keys(found.filters[name]).forEach(function (v) { zero[name][v] = 0; });
      });
      return { results: [], filters: zero };
    };
    if (ask.sort !== "relevance") {
      var sort = { "日期": ask.sort === "newest" ? "desc" : "asc" };
      var out = { results: [], filters: {} }, each = has;
      (ask.sort === "newest" ? group : group.slice().reverse()).forEach(function (b) {
        each = each.then(function (yes) {
          return pf.search(query, { filters: pagefindFilters(ask.filters, b), sort: sort }).then(function (found) {
            if (!yes) found = none(found);
            out.results = out.results.concat(found.results);
            added(out.filters, found.filters);
            return yes;
          });
        });
      });
      return each.then(function () { return out; });
    }
    var filters = pagefindFilters(ask.filters);
    var plain = pf.search(words.join(" "), { filters: filters });
    if (one) {
      return Promise.all([has, plain]).then(function (both) {
        if (!both[0]) return none(both[1]);
        both[1].results.forEach(function (r) { r.rank = r.score; });
        return both[1];
      });
    }
    return Promise.all([pf.search(query, { filters: filters }), plain]).then(function (both) {
      // The exact results in the plain search's (relevance) order. An id is a short hash of the
      // page, unique within one year's bundle only: two bundles can each have a page with the
      // same id (7 such pairs in 50,000 items), so every id keeps a list and each is shown.
      var found = {}, order = [];
      both[0].results.forEach(function (r) { (found[r.id] = found[r.id] || []).push(r); });
      both[1].results.forEach(function (r) {
        if (found[r.id] && found[r.id].length) { var hit = found[r.id].shift(); hit.rank = r.score; order.push(hit); }
      });
      Object.keys(found).forEach(function (id) {
        found[id].forEach(function (r) { r.rank = -Infinity; order.push(r); });
      });
      return { results: order, filters: both[0].filters };
    });
  }

  // The groups' findings as one: by relevance merged by rank (ties in group order), by date one
  // group after another (the groups are newest first, each in date order already).
  function merged(parts, sort) {
    var results = [], filters = {};
    (sort === "oldest" ? parts.slice().reverse() : parts).forEach(function (p) {
      results = results.concat(p.results);
      added(filters, p.filters);
    });
    if (sort === "relevance") results.sort(function (a, b) { return (b.rank > a.rank) - (b.rank < a.rank); });
    return { results: results, filters: filters };
  }
  // Every group's finding for ``ask``, merged; ``early`` (when given) is shown the newest
  // groups' while the older ones load, unless the order is oldest first (their results would
  // come first). Null when the query has nothing to search for.
  function search(ask, early) {
    var parts = [], chain = Promise.resolve();
    groups.forEach(function (group, i) {
      chain = chain.then(function () { return open(i); }).then(function (pf) { return find(pf, ask, group); })
        .then(function (found) {
          if (!found) return;
          parts.push(found);
          if (early && i < groups.length - 1 && ask.sort !== "oldest") return early(merged(parts, ask.sort));
        });
    });
    return chain.then(function () { return parts.length ? merged(parts, ask.sort) : null; });
  }

  // --- showing results -----------------------------------------------------------------------
  function cnDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? m[1] + "年" + parseInt(m[2], 10) + "月" + parseInt(m[3], 10) + "日" : "";
  }
  // Where the query (or, failing that, its first run) is in ``text``, case and width folded.
  function locate(text, q) {
    var lower = text.toLowerCase(), folded = text.normalize("NFKC").toLowerCase();
    var needles = [q.toLowerCase().trim(), q.normalize("NFKC").toLowerCase().trim()].concat(runs(q));
    for (var i = 0; i < needles.length; i++) {
      if (!needles[i]) continue;
      var at = lower.length === text.length ? lower.indexOf(needles[i]) : -1;
      if (at < 0 && folded.length === text.length) at = folded.indexOf(needles[i]);
      if (at >= 0) return [at, needles[i].length];
    }
    return null;
  }
  function marked(text, q) {
    var frag = document.createDocumentFragment(), rest = text, guard = 0;
    while (rest && guard++ < 50) {
      var hit = locate(rest, q);
      if (!hit) break;
      frag.appendChild(document.createTextNode(rest.slice(0, hit[0])));
      frag.appendChild(el("mark", { text: rest.substr(hit[0], hit[1]) }));
      rest = rest.slice(hit[0] + hit[1]);
    }
    frag.appendChild(document.createTextNode(rest));
    return frag;
  }
  function snippet(text, q) {
    var chars = Array.from(text), hit = locate(text, q), start = 0, before = 24, length = 90;
    if (hit) start = Math.max(0, Array.from(text.slice(0, hit[0])).length - before);
    var s = chars.slice(start, start + length).join("");
    return (start > 0 ? "……" : "") + s + (start + length < chars.length ? "……" : "");
  }
  function show(data, q) {
    var m = data.meta || {};
    var href = new URL(data.url, location.href).href; // Pagefind puts baseUrl (the site root) in front
    var issues = [], adopted = [];
    try { issues = JSON.parse(m.issues || "[]"); adopted = JSON.parse(m.adopted || "[]"); } catch (e) { /* shown without */ }
    var facts = el("p", { class: "kanwu-result-meta" }, [
      "日期：" + cnDate(m["日期"]), "　单位：" + (m["单位"] || "—"), "　类别：" + (m["类别"] || "—")]);
    var li = el("li", { class: "kanwu-result" }, [
      el("a", { class: "kanwu-result-title", href: href }, [marked(m.title || "", q)]),
      facts,
      el("p", { class: "kanwu-result-snippet" }, [marked(snippet(m.text || "", q), q)])]);
    if (issues.length || adopted.length) {
      var carried = el("p", { class: "kanwu-result-issues" }, ["刊载："]);
      issues.forEach(function (pair, i) {
        if (i) carried.appendChild(document.createTextNode("；"));
        carried.appendChild(el("a", { href: new URL(pair[1], root).href, text: pair[0] }));
      });
      adopted.forEach(function (text, i) {
        carried.appendChild(document.createTextNode((i || issues.length ? "；" : "") + text));
      });
      li.appendChild(carried);
    }
    return li;
  }
  function order(name, values) {
    var num = function (v) { return parseInt(v, 10) || 0; };
    if (name === "年份") return values.sort(function (a, b) { return num(b) - num(a); });
    if (name === "月份") return values.sort(function (a, b) { return num(a) - num(b); });
    return values.sort(function (a, b) { return a.localeCompare(b, "zh-Hans-CN"); });
  }
  function showFacets(counts) {
    facets.textContent = "";
    FACETS.forEach(function (name) {
      var have = counts[name] || {}, chosen = state.filters[name] || [];
      var values = order(name, Object.keys(have).filter(function (v) { return have[v] > 0 || chosen.indexOf(v) >= 0; }));
      if (!values.length) return;
      var set = el("fieldset", { class: "kanwu-facet", "data-facet": name }, [el("legend", { text: name })]);
      values.forEach(function (v) {
        var box = el("input", { type: "checkbox", value: v });
        box.checked = chosen.indexOf(v) >= 0;
        box.addEventListener("change", function () {
          var now = (state.filters[name] || []).filter(function (x) { return x !== v; });
          if (box.checked) now.push(v);
          state.filters[name] = now;
          run();
        });
        set.appendChild(el("label", {}, [box, " " + v + " ", el("span", { class: "kanwu-count", text: "（" + (have[v] || 0) + "）" })]));
      });
      facets.appendChild(set);
    });
  }

  var current = 0;
  // The box says which query it has finished showing (data-done), for tests and assistive tools.
  function done(q) { box.setAttribute("data-done", q); }
  function run() {
    var mine = ++current, q = state.q;
    box.removeAttribute("data-done");
    history.replaceState(null, "", address());
    list.textContent = "";
    more.hidden = true;
    if (!q.trim()) { summary.textContent = "输入关键词后按回车检索。"; facets.textContent = ""; done(q); return; }
    if (!runs(q).length) { summary.textContent = "检索词里没有文字或数字：请输入要找的词。"; facets.textContent = ""; done(q); return; }
    summary.textContent = "正在检索……";
    // Whether the filter files were in when this search *started*: if they arrived while it ran,
    // its counts may still lack some facets (a facet then went missing now and then).
    var before = counted, facetsShown = null;
    // The counts of this search once every filter file is in (a second search, on loaded chunks).
    function recount() {
      if (!facetsShown) {
        facetsShown = before ? Promise.resolve() : countsIn().then(function () { return search(state); }).then(function (again) {
          if (mine === current && again) showFacets(again.filters);
        });
      }
      return facetsShown;
    }
    var filtered = FACETS.some(function (n) { return (state.filters[n] || []).length; });
    var first = groups[0], earlyYears = year(first[first.length - 1]) + "–" + year(first[0]) + "年";
    var results = [], shown = [];
    // The next page of results: fetched together, each shown as soon as those before it are.
    function next() {
      var page = results.slice(shown.length, shown.length + PAGE), inOrder = Promise.resolve();
      shown = shown.concat(page);
      page.map(function (r) { return r.data(); }).forEach(function (data) {
        inOrder = inOrder.then(function () { return data; }).then(function (d) {
          if (mine === current) list.appendChild(show(d, q));
        });
      });
      return inOrder;
    }
    function paged(pending) {
      more.hidden = pending || shown.length >= results.length;
      more.textContent = "显示更多（还有 " + (results.length - shown.length) + " 条）";
    }
    // ``found`` on the page; ``pending``: older years are still being searched. The results
    // already shown stay when they begin the new list (by date, newest first, they always do).
    function present(found, pending) {
      if (mine !== current) return Promise.resolve();
      results = found.results;
      showFacets(found.filters);
      if (!results.length) {
        list.textContent = "";
        shown = [];
        if (pending) { summary.textContent = earlyYears + "没有找到包含“" + q + "”的信息，正在检索更早的年份……"; return Promise.resolve(); }
        var tips = ["减少字数，或换一个说法"];
        if (filtered) tips.push("取消左侧的筛选条件");
        if (state.scope !== "all" && recent.length < all.length) tips.push("把检索范围改为“全部年份”");
        summary.textContent = "没有找到包含“" + q + "”的信息。可以试试：" + tips.join("；") + "。";
        return Promise.resolve();
      }
      summary.textContent = "找到 " + results.length + " 条信息" + (filtered ? "（已筛选）" : "") +
        (pending ? "（" + earlyYears + "），正在检索更早的年份……" : "。");
      var kept = shown.length && shown.every(function (r, k) { return results[k] === r; });
      if (!kept) { list.textContent = ""; shown = []; }
      return (kept ? Promise.resolve() : next()).then(function () { if (mine === current) paged(pending); });
    }
    search(state, function (early) { return present(early, true); }).then(function (found) {
      return present(found || { results: [], filters: {} }, false);
    }).then(recount).then(function () {
      if (mine !== current) return;
      more.onclick = function () {
        box.removeAttribute("data-done");
        next().then(function () { if (mine === current) { paged(false); done(q); } });
      };
      done(q);
    }).catch(function (e) {
      if (mine !== current) return;
      summary.textContent = "检索出错：" + (e && e.message ? e.message : e) + "。请刷新页面再试。";
      done(q);
    });
  }

  // For the benchmark and tests: the ids (fragment names) of every result for ``q``, as the page
  // finds them, and the finding itself, to be run on a stand-in for Pagefind.
  window.kanwuFind = find;
  // For the benchmark (scripts/bench.py): every result's id, in order; the ids in ``shared``
  // (ids that two year bundles both use) are given as the page address instead, read from the
  // result's own bundle, so a measurement never has to guess which of the two pages was found.
  window.kanwuSearchIds = function (q, shared) {
    var ambiguous = {};
    (shared || []).forEach(function (id) { ambiguous[id] = true; });
    return search({ q: q, filters: {}, sort: "relevance" }).then(function (found) {
      return Promise.all((found ? found.results : []).map(function (r) {
        return ambiguous[r.id] ? r.data().then(function (d) { return d.url; }) : r.id;
      }));
    });
  };

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    state.q = input.value;
    run();
  });
  sort.addEventListener("change", function () { state.sort = sort.value; run(); });
  scope.addEventListener("change", function (ev) {
    state.scope = ev.target.value;
    location.href = address(); // another set of bundles: the page loads them anew
  });
  run();
})();
