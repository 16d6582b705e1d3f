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

from kanwu import audience, generate, site, validate, years
from kanwu.synth import generate as synth


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """A three-year archive built once; each test works on its own copy."""
    import shutil
    base = tmp_path_factory.mktemp("years") / "base"
    synth(ROOT, str(base), items=900, years=3)
    tree = Tree(base)
    build(tree)
    return base, shutil


@pytest.fixture
def tree(archive, tmp_path):
    base, shutil = archive
    shutil.copytree(base, tmp_path / "repo", symlinks=True)
    return Tree(tmp_path / "repo")


def build(tree, monkeypatch=None) -> set | None:
    """Build; → the years the build read (None: all of them)."""
    seen = []
    load = site.load_checked
    if monkeypatch is not None:
        monkeypatch.setattr(site, "load_checked", lambda root, years=None: seen.append(years) or load(root, years))
    result = tree.run("build", "--no-pdf")
    assert result.exit_code == 0, result.output
    if monkeypatch is not None:
        monkeypatch.undo()
    return seen[-1] if seen else None


def all_years(tree) -> list[int]:
    return sorted(int(y) for y in os.listdir(os.path.join(tree.root, "content", "items")))


def assert_equals_full(tree):
    """The tree equals every page generated from every item, and the search bundles match."""
    repo = validate.load_checked(tree.root)
    aud = audience.pick(repo.config, None)
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
    assert state["search"] == site.bundle_keys(fresh.bundles, site.page_salt(tree.root, aud.id))


def add_item(tree, item_id: str, extra: str = "", title: str = "新到信息") -> None:
    day = f"{item_id[:4]}-{item_id[4:6]}-{item_id[6:8]}"
    unit = re.match(r"^\d{8}-([a-z0-9-]+)-\d+$", item_id).group(1)
    tree.item(item_id, f"---\ntitle: {title}\nunit: {unit}\ndate: {day}\ncategory: 动态\nurgency: 平件\n"
                       f"classification: 内部\nauthors: [何晓岚]\n{extra}---\n\n{title}。\n")


def a_unit(tree) -> str:
    with open(os.path.join(tree.root, "content", "units.yml"), encoding="utf-8") as fh:
        return re.search(r"^  ([a-z][a-z0-9-]*):\s*$", fh.read(), re.M).group(1)


def some_item(tree, year: int) -> str:
    """The path of an item of ``year`` with no 续报, instruction or record, and adopted by no issue."""
    repo = validate.load_checked(tree.root)
    used = {i for issue in repo.issues for i in issue.item_ids}
    for item in repo.items.values():
        if (item.date.year == year and item.id not in used and not item.follow_up_of and not item.instructions
                and not item.adopted_by):
            return item.path
    raise AssertionError(f"no plain item in {year}")


def test_a_new_item_reads_the_newest_year_only(tree, monkeypatch):
    first, *_, newest = all_years(tree)
    add_item(tree, f"{newest}1120-{a_unit(tree)}-91")
    read = build(tree, monkeypatch)
    assert read is not None and newest in read and first not in read
    assert_equals_full(tree)
    record = site._read_record(os.path.join(tree.root, "build", "quanti", years.RECORD))
    assert set(record["years"]) == set(all_years(tree))


def test_an_edit_in_a_sealed_year_reads_that_year(tree, monkeypatch):
    first = all_years(tree)[0]
    path = os.path.join(tree.root, some_item(tree, first))
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(re.sub(r"^title: .*$", "title: 改过标题的旧信息", text, count=1, flags=re.M))
    read = build(tree, monkeypatch)
    assert read is not None and first in read
    assert_equals_full(tree)


def test_a_follow_up_across_years_reads_both(tree, monkeypatch):
    first, *_, newest = all_years(tree)
    old = some_item(tree, first)
    old_id = os.path.basename(old)[:-3]
    unit = re.match(r"^\d{8}-([a-z0-9-]+)-\d+$", old_id).group(1)
    add_item(tree, f"{newest}1120-{unit}-92", extra=f"follow_up_of: {old_id}\n", title="旧事续报")
    read = build(tree, monkeypatch)
    assert read is not None and {first, newest} <= read
    assert_equals_full(tree)
    # and the tie is kept: the next day's build reads the old year again with the newest
    add_item(tree, f"{newest}1120-{a_unit(tree)}-93")
    read = build(tree, monkeypatch)
    assert read is not None and first in read
    assert_equals_full(tree)


def test_a_deadline_passing_in_a_sealed_year_is_shown(tree, monkeypatch):
    first, *_, newest = all_years(tree)
    path = os.path.join(tree.root, some_item(tree, first))
    unit = a_unit(tree)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    ins = (f"instructions:\n  - by: 市委副书记\n    date: {first}-06-01\n    text: 请抓紧办理。\n"
           f"    units: [{unit}]\n    due: {newest}-11-25\n")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text.replace("\n---\n", "\n" + ins + "---\n", 1))
    build(tree)
    # its deadline has not passed: the year is read with each build until it has
    add_item(tree, f"{newest}1123-{unit}-94")
    read = build(tree, monkeypatch)
    assert read is not None and first in read
    assert_equals_full(tree)
    add_item(tree, f"{newest}1126-{unit}-95")
    read = build(tree, monkeypatch)
    assert read is not None and first in read
    assert "已逾期" in open(os.path.join(tree.root, "build", "quanti", "docs",
                                        generate.item_page(validate.load_checked(tree.root).items[
                                            os.path.basename(path)[:-3]])), encoding="utf-8").read()
    assert_equals_full(tree)
    # overdue now, and stays so until its files change: the year is sealed again
    add_item(tree, f"{newest}1127-{unit}-96")
    read = build(tree, monkeypatch)
    assert read is not None and first not in read
    assert_equals_full(tree)


def test_a_removed_item_of_a_sealed_year_goes(tree, monkeypatch):
    first = all_years(tree)[0]
    path = some_item(tree, first)
    os.remove(os.path.join(tree.root, path))
    read = build(tree, monkeypatch)
    assert read is not None and first in read
    assert_equals_full(tree)
    assert not os.path.exists(os.path.join(tree.root, "build", "quanti", "docs", path.replace("content/", "")))


def test_without_a_record_or_with_another_configuration_everything_is_read(tree, monkeypatch):
    newest = all_years(tree)[-1]
    os.remove(os.path.join(tree.root, "build", "quanti", years.RECORD))
    add_item(tree, f"{newest}1120-{a_unit(tree)}-97")
    assert build(tree, monkeypatch) is None
    assert_equals_full(tree)
    with open(os.path.join(tree.root, "content", "units.yml"), "a", encoding="utf-8") as fh:
        fh.write("\n")
    add_item(tree, f"{newest}1120-{a_unit(tree)}-98")
    assert build(tree, monkeypatch) is None
    assert_equals_full(tree)


def test_a_tree_edited_by_hand_in_a_sealed_year_is_made_again(tree, monkeypatch):
    first, *_, newest = all_years(tree)
    docs = os.path.join(tree.root, "build", "quanti", "docs")
    victim = sorted(os.listdir(os.path.join(docs, "items", str(first), "03")))[0]
    os.remove(os.path.join(docs, "items", str(first), "03", victim))
    add_item(tree, f"{newest}1120-{a_unit(tree)}-99")
    build(tree, monkeypatch)
    assert_equals_full(tree)
