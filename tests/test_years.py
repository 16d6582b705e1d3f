"""Sealed years: a day's build reads the years that can have changed and keeps the others' pages.

Each test makes a three-year archive (the synthetic generator), builds it once in full, changes
one thing, builds again, and checks which years that build read and that its tree equals a
generation of every page from every item (``assert_equals_full``).
"""

from __future__ import annotations

import os
import pickle
import re

import pytest

from conftest import ROOT, Tree

from kanwu import audience
from kanwu.pages import generate
from kanwu.engine import site
from kanwu.incremental import state as state_mod
from kanwu.checks import validate
from kanwu.incremental import years
from kanwu.tools.synth import generate as synth


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """A four-year archive; each test builds its own copy once in full."""
    base = tmp_path_factory.mktemp("years") / "base"
    synth(ROOT, str(base), items=1200, years=4)
    return base


@pytest.fixture
def tree(archive, tmp_path):
    import shutil
    shutil.copytree(archive, tmp_path / "repo", symlinks=True)
    tree = at(tmp_path / "repo")
    assert build(tree) == (None, set())
    return tree


def at(path) -> Tree:
    """A ``Tree`` over a repository already written (the synthetic archive's own configuration)."""
    tree = Tree.__new__(Tree)
    tree.root = str(path)
    return tree


def build(tree) -> tuple[set | None, set]:
    """Build; → (the years read, None for all; the years sealed)."""
    seen, sealed = [], []
    load, release = site.load_checked, site.build_release

    def spy_load(root, years=None):
        seen.append(years)
        return load(root, years)

    def spy_release(*args):
        sealed.append(set(args[6]))
        return release(*args)
    site.load_checked, site.build_release = spy_load, spy_release
    try:
        result = tree.run("build", "--no-pdf")
    finally:
        site.load_checked, site.build_release = load, release
    assert result.exit_code == 0, result.output
    return seen[-1], sealed[-1]


def all_years(tree) -> list[int]:
    return sorted(int(y) for y in os.listdir(os.path.join(tree.root, "content", "items")))


def assert_equals_full(tree, name: str | None = None):
    """The tree (of audience ``name``, default the lowest) equals every page generated from every
    item, and the search bundles match."""
    repo = validate.load_checked(tree.root)
    aud = audience.pick(repo.config, name)
    fresh = generate.Site(audience.view(repo, aud), evaluation=repo.evaluation)
    pages = fresh.pages()
    docs = os.path.join(tree.root, "build", aud.id, "docs")
    on_disk = set()
    for dirpath, _, names in os.walk(docs):
        on_disk |= {os.path.relpath(os.path.join(dirpath, n), docs) for n in names}
    generated = {rel for rel in on_disk if not rel.startswith(("help/", "assets/"))}
    assert generated == set(pages), (sorted(generated - set(pages))[:5], sorted(set(pages) - generated)[:5])
    for rel, data in pages.items():
        with open(os.path.join(docs, rel), "rb") as fh:
            assert fh.read() == data, f"{rel} differs from a full generation"
    with open(os.path.join(tree.root, "build", aud.id, "state.pickle"), "rb") as fh:
        state = pickle.load(fh)
    assert state["search"] == site.bundle_keys(fresh.bundles, state_mod.page_salt(tree.root, aud.id))


def add_item(tree, item_id: str, extra: str = "", title: str = "新到信息") -> None:
    day = f"{item_id[:4]}-{item_id[4:6]}-{item_id[6:8]}"
    unit = re.match(r"^\d{8}-([a-z0-9-]+)-\d+$", item_id).group(1)
    tree.item(item_id, f"---\ntitle: {title}\nunit: {unit}\ndate: {day}\ncategory: 动态\nurgency: 平件\n"
                       f"classification: 内部\nauthors: [何晓岚]\n{extra}---\n\n{title}。\n")


def a_unit(tree) -> str:
    with open(os.path.join(tree.root, "content", "units.yml"), encoding="utf-8") as fh:
        return re.search(r"\{id: ([a-z][a-z0-9-]*),", fh.read()).group(1)


def some_item(tree, year: int, shown: bool = True, unused: bool = False) -> str:
    """The path of an item of ``year`` with no 续报, instruction or record: one the site shows, or
    (``unused``) one no issue adopts."""
    repo = validate.load_checked(tree.root)
    used = {i for issue in repo.issues for i in issue.item_ids}
    items = audience.view(repo, audience.pick(repo.config, None)).items if shown else repo.items
    for item in items.values():
        if (item.date.year == year and not (unused and item.id in used) and not item.follow_up_of
                and not item.instructions and not item.adopted_by):
            return item.path
    raise AssertionError(f"no such item in {year}")


def test_a_new_item_reads_the_newest_year_and_those_tied_to_it(tree):
    first, second, third, newest = all_years(tree)
    add_item(tree, f"{newest}1120-{a_unit(tree)}-91")
    read, sealed = build(tree)
    # the newest year changed; the one before is tied to it (early January's issues adopt late
    # December's items), so its pages are made too, reading the one before that for them
    assert read == {second, third, newest} and sealed == {first, second}
    assert_equals_full(tree)
    record = state_mod._read_record(os.path.join(tree.root, "build", "quanti", years.RECORD))
    assert set(record["years"]) == set(all_years(tree))


def test_an_edit_in_a_sealed_year_makes_its_pages_again(tree):
    first = all_years(tree)[0]
    path = os.path.join(tree.root, some_item(tree, first))
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:  # a record, which needs no correction once published
        fh.write(text.replace("\n---\n", f"\nadopted_by:\n  - {{by: 省委办公厅, publication: 《每日要情》, "
                                          f"date: {first}-12-20}}\n---\n", 1))
    read, sealed = build(tree)
    assert (read is None or first in read) and first not in sealed
    assert_equals_full(tree)
    assert "省委办公厅" in open(os.path.join(tree.root, "build", "quanti", "docs", path[len(tree.root) + 9:]),
                            encoding="utf-8").read()


def test_a_follow_up_across_years_ties_them(tree):
    first, second, third, newest = all_years(tree)
    old = some_item(tree, first)
    old_id = os.path.basename(old)[:-3]
    unit = re.match(r"^\d{8}-([a-z0-9-]+)-\d+$", old_id).group(1)
    add_item(tree, f"{newest}1120-{unit}-92", extra=f"follow_up_of: {old_id}\n", title="旧事续报")
    read, sealed = build(tree)
    assert first not in sealed  # its item's page shows the new 续报
    assert_equals_full(tree)
    # and the tie stays: the next day's pages of the newest year show the old item, so it is read
    add_item(tree, f"{newest}1120-{a_unit(tree)}-93")
    read, sealed = build(tree)
    assert first not in sealed
    assert_equals_full(tree)


def test_a_deadline_passing_in_a_sealed_year_is_shown(tree):
    first, *_, newest = all_years(tree)
    path = os.path.join(tree.root, some_item(tree, first))
    item_id = os.path.basename(path)[:-3]
    unit = re.match(r"^\d{8}-([a-z0-9-]+)-\d+$", item_id).group(1)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    ins = (f"instructions:\n  - by: 市委副书记\n    date: {first}-12-01\n    text: 请抓紧办理。\n"
           f"    units: [{unit}]\n    due: {newest}-11-25\n")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text.replace("\n---\n", "\n" + ins + "---\n", 1))
    assert first not in build(tree)[1]
    # its deadline has not passed: the year's pages are made with each build until it has
    add_item(tree, f"{newest}1123-{unit}-94")
    assert first not in build(tree)[1]
    assert_equals_full(tree)
    page = os.path.join(tree.root, "build", "quanti", "docs", "items", str(first), path.split("/")[-2], f"{item_id}.md")
    assert "办理中" in open(page, encoding="utf-8").read()
    add_item(tree, f"{newest}1126-{unit}-95")
    assert first not in build(tree)[1]
    assert "已逾期" in open(page, encoding="utf-8").read()
    assert_equals_full(tree)
    # overdue now, and so until its files change: the year is sealed again
    add_item(tree, f"{newest}1127-{unit}-96")
    assert first in build(tree)[1]
    assert_equals_full(tree)


def test_a_removed_item_of_a_sealed_year_goes(tree):
    first = all_years(tree)[0]
    path = some_item(tree, first, shown=False, unused=True)
    os.remove(os.path.join(tree.root, path))
    read, sealed = build(tree)
    assert first not in sealed
    assert_equals_full(tree)
    assert not os.path.exists(os.path.join(tree.root, "build", "quanti", "docs", path.replace("content/", "")))


def test_without_a_record_or_with_another_configuration_everything_is_read(tree):
    newest = all_years(tree)[-1]
    os.remove(os.path.join(tree.root, "build", "quanti", years.RECORD))
    add_item(tree, f"{newest}1120-{a_unit(tree)}-97")
    assert build(tree) == (None, set())
    assert_equals_full(tree)
    with open(os.path.join(tree.root, "content", "units.yml"), "a", encoding="utf-8") as fh:
        fh.write("\n")
    add_item(tree, f"{newest}1120-{a_unit(tree)}-98")
    assert build(tree) == (None, set())
    assert_equals_full(tree)


def test_a_tree_edited_by_hand_in_a_sealed_year_is_made_again(tree):
    first, *_, newest = all_years(tree)
    docs = os.path.join(tree.root, "build", "quanti", "docs")
    month = sorted(os.listdir(os.path.join(docs, "items", str(first))))[0]
    victim = sorted(os.listdir(os.path.join(docs, "items", str(first), month)))[0]
    os.remove(os.path.join(docs, "items", str(first), month, victim))
    add_item(tree, f"{newest}1120-{a_unit(tree)}-99")
    read, sealed = build(tree)
    assert (read, sealed) == (None, set())  # the sealed year's page is missing: every year is read
    assert_equals_full(tree)


def test_a_partial_load_with_unread_years_between_finds_no_problem(archive):
    """Years tied to a year read can leave a gap (a 续报 of an item ten years back): the running
    totals of the issues are then checked within the years read, not across the gap."""
    first, second, third, newest = sorted(int(y) for y in os.listdir(os.path.join(archive, "content", "items")))
    repo = validate.load_repository(str(archive), {first, third, newest})
    assert not repo.errors, repo.errors[:3]
    assert {i.year for i in repo.issues} >= {first, third, newest}


def test_publish_reads_for_every_audience_what_its_build_needs(tree):
    """``kanwu publish`` builds every audience: each reads the years its own record says it needs."""
    newest = all_years(tree)[-1]
    assert tree.run("publish", "--no-pdf").exit_code == 0
    add_item(tree, f"{newest}1120-{a_unit(tree)}-90")
    seen = []
    load = site.load_checked
    site.load_checked = lambda root, years=None: seen.append(years) or load(root, years)
    try:
        result = tree.run("publish", "--no-pdf")
    finally:
        site.load_checked = load
    assert result.exit_code == 0, result.output
    audiences = list(validate.load_checked(tree.root).config.audiences)
    assert len(audiences) > 1 and len(seen) == len(audiences) and None not in seen
    for name in audiences:
        assert_equals_full(tree, name)
