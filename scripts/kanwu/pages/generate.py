"""The page tree handed to the site engine: Markdown files with front matter.

kanwu derives every page from a View (one audience's cut of the repository). Listings
are generated pages, not navigation: Material writes the whole nav into every page, so
an automatic nav over thousands of pages makes builds quadratic. ``write_tree`` writes
only files whose bytes changed and removes pages that no longer exist, so an engine can
skip the rest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
from collections import defaultdict

from .. import editions
from ..source import render
from ..editions.common import chain_of, follow_ups
from ..audience import View
from ..model import Issue, Item
from ..paths import DOWNLOADS, correction_pdf, issue_docx, issue_page, issue_pdf, item_page  # noqa: F401 (the path table)
from .markup import link


def issue_label(view: View, issue: Issue) -> str:
    p = view.config.periodicals[issue.periodical]
    return f"《{p.name}》{p.edition} {issue.year}年第{issue.number}期"


def reference_date(view: View) -> dt.date:
    """"Today" for a build: the newest date in the data, never the clock (builds are reproducible)."""
    return max([i.date for i in view.items.values()] + [i.date for i in view.issues] or [dt.date(2000, 1, 1)])


# ---- the tree ------------------------------------------------------------------------------

def _digest(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


class Site:
    """Builds every page of one audience's site."""

    def __init__(self, view: View, pdfs: set[str] | None = None, evaluation=None, previous: dict | None = None,
                 sealed: dict | None = None):
        """``previous``: {page: [key, sha1]} of the last build with the same salt (see ``memo``).
        ``sealed``: {year: what it gave the last build} for the years ``view`` leaves out (see
        ``years``): their pages are kept, and the pages spanning years add their numbers."""
        from ..stats import Evaluation
        self.view = view
        self.sealed = sealed or {}
        # the items and issues whose pages this build makes (a sealed year's may be read for others' pages)
        self.made_items = [i for i in view.items.values() if i.date.year not in self.sealed]
        self.made_issues = [i for i in view.issues if i.year not in self.sealed]
        self.previous = previous or {}
        self.keys: dict = {}  # page -> key of its inputs, for the next build
        self.bundles: dict = {}  # Pagefind bundle -> {page: key of what the index reads from it}
        self._tokens: dict | None = None  # item id -> its part of a listing's key (``list_key``)
        self._entries: dict = {}  # item id -> its line in listings, around the link
        self.evaluation = evaluation or Evaluation()
        self.config = view.config
        self.pdfs = pdfs or set()
        self.adopted: dict = defaultdict(list)  # item id -> [Issue]
        for issue in view.issues:
            for item_id in issue.item_ids:
                self.adopted[item_id].append(issue)
        self.today = reference_date(view)
        self.followups = follow_ups(view.items)  # computed once: a scan per item page is quadratic
        self._prepared: tuple | None = None
        self._summaries: dict | None = None
        self._counts: dict | None = None
        self._instructed: list | None = None

    def memo(self, path: str, key: str, make):
        """The page at ``path``, or Kept when its inputs (``key``) are those of the last build.

        A key names everything the page shows besides the salt (kanwu's code, the configuration,
        the audience): the revisions of the item and manifest files it draws on, and whether each
        deadline it shows has passed by the build's reference date. Most of the archive's pages do
        not change from one day to the next, and are then not even generated.
        """
        return self._memo(path, _digest(key), make)

    def _memo(self, path: str, digest: str, make):
        self.keys[path] = digest
        if self.kept(path, digest):
            return Kept(self.previous[path][1])
        return make()

    def kept(self, path: str, digest: str) -> bool:
        """Whether the page at ``path`` is kept (not generated): ``digest`` of its key is the last build's."""
        old = self.previous.get(path)
        return old is not None and old[0] == digest

    def prepare(self) -> tuple[list, list]:
        """The keys (digested) of the item and issue pages, and the bodies of those to be generated rendered,
        on every core when they are many (forked processes: call it before starting threads)."""
        items = [(item_page(item), _digest(self.item_key(item)), item) for item in self.made_items]
        issues = [(issue_page(issue), _digest(self.issue_key(issue)), issue) for issue in self.made_issues]
        self._prerender(items, issues)
        self._prepared = (items, issues)
        return self._prepared

    def _prerender(self, items: list, issues: list) -> None:
        bodies = [(item.body, link(path, "assets/x")[:-1]) for path, digest, item in items if not self.kept(path, digest)]
        for path, digest, issue in issues:
            if editions.of(self.config.periodicals[issue.periodical]).shows == "body" and not self.kept(path, digest):
                prefix = link(path, "assets/x")[:-1]
                bodies += [(self.view.items[i].body, prefix) for i in issue.item_ids]
        render.prerender(bodies)

    def item_key(self, item: Item) -> str:
        parts = [item.revision]
        parts += [f"{i.periodical}/{i.year}/{i.number}/{i.date}" for i in self.adopted.get(item.id, ())]
        parts += [f"{c.date}/{c.by}/{c.what}/{correction_pdf(i) in self.pdfs}" for i in self.adopted.get(item.id, ())
                  for c in i.corrections if c.item == item.id]
        if item.follow_up_of or item.id in self.followups:
            parts += [f"{i.id}:{i.revision}" for i in chain_of(self.view.items, item.id, self.followups)]
        if item.instructions:
            parts.append(self.deadlines(item))
        return "|".join(parts)

    def search_key(self, item: Item) -> str:
        """What an item's search document is made from besides the code and configuration: its
        text and the issues that carried it (shown on the result, and its 刊物 filter)."""
        return "|".join([item.revision] + [f"{i.periodical}/{i.year}/{i.number}" for i in self.adopted.get(item.id, ())])

    def deadlines(self, item: Item) -> str:
        """What a page shows of the reference date: whether each instruction's deadline has passed.
        Not the date itself, or each day's build would make every instruction's page again
        (~500 at 50,000 items)."""
        return "".join("1" if self.today > ins.due else "0" for ins in item.instructions)

    def issue_key(self, issue: Issue) -> str:
        parts = [issue.revision, *(str(d.of(issue) in self.pdfs) for d in DOWNLOADS), str(self.view.redacted.get(issue.key, 0))]
        parts += [f"{i}:{self.view.items[i].revision}" for i in issue.item_ids]
        if editions.of(self.config.periodicals[issue.periodical]).prints_instructions:
            parts += [self.deadlines(self.view.items[i]) for i in issue.item_ids]
        return "|".join(parts)

    def list_key(self, items: list[Item]) -> str:
        tokens = self._tokens
        if tokens is None:  # an item is on four or five lists: its part of their keys is made once
            tokens = self._tokens = {i.id: f"{i.id}:{i.revision}" for i in self.view.items.values()}
        return "|".join([tokens[i.id] for i in items])

    def pages(self) -> dict[str, bytes]:
        """Every page, kind by kind (``pages.KINDS``), and the sealed years' pages kept as they are."""
        from . import KINDS
        from ..incremental.years import ReadAll
        self.prepared()
        if self.newest_year_sealed():
            raise ReadAll()
        out: dict = {}
        for kind in KINDS:
            out.update(kind.pages(self))
        out.update(self.kept_years())
        return out

    # -- the door to the incremental state: what page kinds may ask ----------------------
    def prepared(self) -> tuple[list, list]:
        """[(page, digest of its key, item)] and [(page, digest, issue)] of the pages this build makes."""
        return self._prepared or self.prepare()

    def made(self, path: str, digest: str, make):
        """``make()``, or Kept when ``digest`` (of the page's key) is the last build's (``memo``)."""
        return self._memo(path, digest, make)

    def kept_years(self) -> dict:
        """The sealed years' pages, as the last build left them."""
        out = {}
        for year, entry in sorted(self.sealed.items()):
            for path, (key, sha1) in entry.pages.items():
                if key is not None:
                    self.keys[path] = key
                out[path] = Kept(sha1)
        return out

    def kept_bundles(self) -> dict:
        """The sealed years' search bundles: {bundle: {page: key}}."""
        return {f"pagefind-{year}": entry.bundle for year, entry in sorted(self.sealed.items()) if entry.bundle}

    def newest_year_sealed(self) -> bool:
        """Whether a periodical's newest year is sealed: its page lists that year's issues in full,
        which this build has not read (then every year is read)."""
        for pid in self.view.audience.periodicals:
            made = {i.year for i in self.made_issues if i.periodical == pid}
            sealed = {y for y, e in self.sealed.items() if e.summary.issues.get(pid)}
            if sealed and (not made or max(sealed) > max(made)):
                return True
        return False

    def label(self, issue: Issue) -> str:
        return issue_label(self.view, issue)

    def unit_name(self, unit_id: str) -> str:
        unit = self.config.units.get(unit_id)
        return unit.short if unit else unit_id

    def summaries(self) -> dict:
        """{year: what the year adds to the pages spanning years}, for the years read (see ``years``):
        items and adopted ones per unit, category, month and tag; issues per periodical; the items
        with leaders' instructions (as ``years.Stub``)."""
        if self._summaries is None:
            from ..incremental.years import Stub, YearSummary
            out: dict = {}
            adopted = self.adopted
            for i in self.made_items:
                year = i.date.year
                summary = out.get(year) or out.setdefault(year, YearSummary())
                counts, used = summary.counts, i.id in adopted
                for key in (("unit", i.unit), ("category", i.category), ("month", year * 100 + i.date.month),
                            *(("tag", t) for t in i.tags)):
                    c = counts.get(key) or counts.setdefault(key, [0, 0])
                    c[0] += 1
                    c[1] += used
                if i.instructions:
                    summary.stubs.append(Stub(i.id, i.title, i.date, i.unit, i.instructions))
            for issue in self.made_issues:
                summary = out.get(issue.year) or out.setdefault(issue.year, YearSummary())
                summary.issues[issue.periodical] = summary.issues.get(issue.periodical, 0) + 1
            self._summaries = out
        return self._summaries

    def counts(self) -> dict:
        """(kind, key) -> [items, adopted] over every year, sealed or read; kind: unit, category, month, tag."""
        if self._counts is None:
            merged: dict = {}
            for summary in [*self.summaries().values(), *(e.summary for e in self.sealed.values())]:
                for key, (n, used) in summary.counts.items():
                    c = merged.get(key) or merged.setdefault(key, [0, 0])
                    c[0] += n
                    c[1] += used
            self._counts = merged
        return self._counts

    def sealed_counts(self) -> dict:
        """(kind, key) -> {year: items} of the sealed years: the rows of their kept year pages."""
        out: dict = {}
        for year, entry in self.sealed.items():
            for key, (n, _) in entry.summary.counts.items():
                out.setdefault(key, {})[year] = n
        return out

    def instructed(self) -> list:
        """The items with leaders' instructions of every year (stubs of the sealed years'), in the
        archive's order: by year, then as the view has them."""
        if self._instructed is None:
            mine = [i for i in self.made_items if i.instructions]
            for entry in self.sealed.values():
                mine += entry.summary.stubs
            self._instructed = sorted(mine, key=lambda i: i.date.year)  # stable: each year's own order
        return self._instructed


class Kept:
    """A page whose inputs are those of the last build: the file already in the tree stays."""

    __slots__ = ("digest",)

    def __init__(self, digest: str):
        self.digest = digest


class StaleTree(Exception):
    """The tree does not hold a page the last build recorded (edited or deleted by hand)."""


class CachedFile:
    """A file already on disk under a content-addressed name (a cached PDF): linked, never read."""

    __slots__ = ("path", "digest")

    def __init__(self, path: str):
        self.path = path
        self.digest = os.path.splitext(os.path.basename(path))[0]


def write_tree(docs_dir: str, files: dict, tree: dict | None = None,
               since: dict | None = None) -> tuple[list, list, dict]:
    """Make ``docs_dir`` hold exactly ``files``: write what changed, remove the rest.

    ``tree`` maps paths to the sha1 of what the tree holds (recorded by the last call), so
    unchanged files are not even read; ``since`` (default: ``tree``) maps paths to the sha1 of
    the sources of the live release. Returns (paths changed since ``since``, paths removed
    since ``since``, sha1 of every file).
    """
    import hashlib
    known = tree or {}
    since = known if since is None else since
    present = _tree_files(docs_dir)  # one pass over the tree, not a stat per page
    written, hashes = [], {}
    for rel, data in files.items():
        linked = isinstance(data, CachedFile)
        digest = data.digest if isinstance(data, (CachedFile, Kept)) else hashlib.sha1(data).hexdigest()
        hashes[rel] = digest
        full = os.path.join(docs_dir, rel)
        if isinstance(data, Kept):
            if known.get(rel) != digest or rel not in present:
                raise StaleTree(rel)
            continue
        if not linked and known.get(rel) == digest and rel in present:
            continue
        if linked:  # the tree's link is checked, not trusted: a damaged cached PDF is rendered anew
            with contextlib.suppress(FileNotFoundError):  # under the same name, as another file
                have, cached = os.stat(full), os.stat(data.path)
                if os.path.samestat(have, cached):
                    continue  # already this file (renaming a link onto itself would leave the link behind)
                if (have.st_dev != cached.st_dev and have.st_size == cached.st_size
                        and known.get(rel) == digest):
                    continue  # a copy (the cache on another file system)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            tmp = full + ".kanwu-tmp"
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
            try:
                os.link(data.path, tmp)
            except OSError:  # another file system: copy
                shutil.copyfile(data.path, tmp)
            os.replace(tmp, full)
            written.append(rel)
            continue
        try:
            with open(full, "rb") as fh:
                if fh.read() == data:
                    continue
        except FileNotFoundError:
            os.makedirs(os.path.dirname(full), exist_ok=True)
        tmp = full + ".kanwu-tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, full)
        written.append(rel)
    # What changed since the last *successful* build (``since``), not only what this call rewrote:
    # a build that failed after writing the tree must not hide its changes from the next one.
    written += [rel for rel, digest in hashes.items() if since and since.get(rel) != digest and rel not in written]
    removed = [rel for rel in since if rel not in files]
    gone = set(removed)
    folders = set()
    for rel in sorted(present - files.keys()):
        os.remove(os.path.join(docs_dir, rel))
        if rel not in gone:
            removed.append(rel)
        folders.add(os.path.dirname(rel))
    for folder in sorted(folders, key=len, reverse=True):  # folders left empty, deepest first
        while folder:
            try:
                os.rmdir(os.path.join(docs_dir, folder))
            except OSError:
                break
            folder = os.path.dirname(folder)
    return written, removed, hashes


def _tree_files(top: str) -> set[str]:
    """Every file under ``top`` (relative, '/'-separated)."""
    from ..incremental.cache import files_under
    return {rel for rel, _ in files_under(top)}
