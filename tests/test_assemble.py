"""Issue assembly and manifest checks: numbering, cut-off, reuse, freezing."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
import yaml

from conftest import GOOD_ITEM, item_path
from kanwu.editorial import assemble
from kanwu.editions import common
from kanwu.source import manifest
from kanwu.checks.validate import load_repository


def make_item(tree, item_id, **changes):
    text = GOOD_ITEM.replace("2026-11-03", f"{item_id[:4]}-{item_id[4:6]}-{item_id[6:8]}")
    text = text.replace("冬季农田水利建设", "冬季农田水利建设" + item_id[-2:] + item_id[4:8])
    for key, value in changes.items():
        if key == "extra":
            text = text.replace("authors:", value + "authors:")
        else:
            text = text.replace(f"{key}: " + _field(text, key), f"{key}: {value}")
    tree.item(item_id, text)


def _field(text, key):
    for line in text.splitlines():
        if line.startswith(key + ": "):
            return line[len(key) + 2:]
    raise KeyError(key)


def assemble_ok(tree, *args):
    result = tree.run("assemble", *args)
    assert result.exit_code == 0, result.output
    return result


def load_yaml(tree, rel):
    return yaml.safe_load(open(os.path.join(tree.root, rel), encoding="utf-8"))


def test_numbering_across_year_boundary(tree):
    make_item(tree, "20261231-qingxi-01")
    make_item(tree, "20270104-qingxi-01")
    make_item(tree, "20270105-qingxi-01")
    assemble_ok(tree, "上报", "--date", "2026-12-31")
    first = load_yaml(tree, "issues/daily/2026/198.yml")  # first_issue in content/kanwu.yml
    assert (first["number"], first["total"]) == (198, 381)
    assemble_ok(tree, "上报", "--date", "2027-01-04")
    jan = load_yaml(tree, "issues/daily/2027/001.yml")
    assert (jan["number"], jan["total"]) == (1, 382)  # reset in January, running total goes on
    assemble_ok(tree, "daily", "--date", "2027-01-05")
    assert load_yaml(tree, "issues/daily/2027/002.yml")["total"] == 383
    assert tree.run("check").exit_code == 0


def test_cutoff_rolls_to_next_working_day(tree):
    late = "event_at: 2026-11-06 15:00+08:00\nreported_at: 2026-11-06 16:30+08:00\n"
    early = "event_at: 2026-11-06 10:00+08:00\nreported_at: 2026-11-06 11:00+08:00\n"
    make_item(tree, "20261106-qingxi-01", category="突发事件", extra=late)   # Friday after 16:00
    make_item(tree, "20261106-yunling-01", unit="yunling", category="突发事件", extra=early)
    result = assemble_ok(tree, "上报", "--date", "2026-11-06", "--dry-run")
    assert "20261106-yunling-01" in result.output.split("未选入")[0]
    assert "20261106-qingxi-01" in result.output.split("未选入")[1]
    assert "顺延到下一个工作日" in result.output
    assemble_ok(tree, "上报", "--date", "2026-11-06")
    monday = assemble_ok(tree, "上报", "--date", "2026-11-09", "--dry-run")  # Saturday and Sunday skipped
    assert "20261106-qingxi-01" in monday.output.split("未选入")[0]


def test_cutoff_and_calendar_unit():
    from conftest import ROOT
    from kanwu.source.config import load_config
    from kanwu.model import Item
    config = load_config(ROOT)
    p = config.periodicals["daily"]
    tz = dt.timezone(dt.timedelta(hours=8))
    base = dict(id="x", path="x", title="x", unit="qingxi", category="动态", urgency="平件", classification="内部",
                authors=(), body="x", body_line=1, digest="")
    before = Item(date=dt.date(2026, 11, 6), reported_at=dt.datetime(2026, 11, 6, 15, 59, tzinfo=tz), **base)
    after = Item(date=dt.date(2026, 11, 6), reported_at=dt.datetime(2026, 11, 6, 16, 1, tzinfo=tz), **base)
    holiday = Item(date=dt.date(2026, 10, 1), **base)
    assert common.issue_day(config, p, before) == dt.date(2026, 11, 6)
    assert common.issue_day(config, p, after) == dt.date(2026, 11, 9)
    assert common.issue_day(config, p, holiday) == dt.date(2026, 10, 8)  # national holiday week
    assert config.is_workday(dt.date(2026, 10, 10))  # a Saturday made a working day


def test_assemble_skips_used_and_overclassified(tree):
    make_item(tree, "20261103-qingxi-01")
    make_item(tree, "20261103-yunling-01", unit="yunling", classification="秘密", extra="secrecy_period: 1年\n")
    out = assemble_ok(tree, "上报", "--date", "2026-11-03")
    assert "密级秘密高于本刊允许的内部" in out.output
    again = tree.run("assemble", "上报", "--date", "2026-11-03")
    assert again.exit_code == 1 and "没有可用的信息" in again.output


def test_unknown_periodical(tree):
    result = tree.run("assemble", "周报")
    assert result.exit_code == 1 and "没有刊物“周报”" in result.output and "daily（上报）" in result.output


def write_issue(tree, number, items, total=None, year=2026, **extra):
    data = {"periodical": "daily", "year": year, "number": number, "total": total or 183 + number,
            "date": "2026-11-20", "editor": "林雨桐", "signer": "周正平",
            "sections": [{"heading": "县区动态", "items": items}], "copies": 45, **extra}
    rel = manifest.manifest_path("daily", year, number)
    tree.write(rel, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return rel


def errors_of(tree):
    result = tree.run("check")
    return [line for line in result.output.splitlines() if ": 错误" in line]


def line_of(tree, rel, needle):
    for n, line in enumerate(open(os.path.join(tree.root, rel), encoding="utf-8"), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_gap_in_numbers(tree):
    make_item(tree, "20261103-qingxi-01")
    make_item(tree, "20261104-qingxi-01")
    write_issue(tree, 198, ["20261103-qingxi-01"])
    rel = write_issue(tree, 200, ["20261104-qingxi-01"], total=382)
    [err] = errors_of(tree)
    assert err.startswith(f"{rel}:{line_of(tree, rel, 'number:')}:9: 错误 number — 期号不连续：2026年缺第199期")


def test_duplicate_number(tree):
    make_item(tree, "20261103-qingxi-01")
    make_item(tree, "20261104-qingxi-01")
    write_issue(tree, 198, ["20261103-qingxi-01"])
    other = "issues/daily/2026/198b.yml"
    tree.write(other, open(os.path.join(tree.root, "issues/daily/2026/198.yml"), encoding="utf-8").read()
               .replace("20261103-qingxi-01", "20261104-qingxi-01").replace("total: 381", "total: 382"))
    errs = errors_of(tree)
    assert any(e.startswith(f"{other}:1:1: 错误") and "issues/<刊物>/<年>/<三位期号>.yml" in e for e in errs)


def test_duplicate_number_in_place(tree):
    make_item(tree, "20261103-qingxi-01")
    make_item(tree, "20261104-qingxi-01")
    write_issue(tree, 198, ["20261103-qingxi-01"])
    rel = write_issue(tree, 199, ["20261104-qingxi-01"], total=382)
    text = open(os.path.join(tree.root, rel), encoding="utf-8").read()
    tree.write("issues/daily/2026/199.yml", text.replace("number: 199", "number: 198"))
    errs = errors_of(tree)
    assert any("文件位置 issues/daily/2026/199.yml 与清单里的刊物、年份、期号不一致" in e for e in errs)


def test_wrong_running_total(tree):
    make_item(tree, "20261103-qingxi-01")
    rel = write_issue(tree, 198, ["20261103-qingxi-01"], total=390)
    [err] = errors_of(tree)
    assert err.startswith(f"{rel}:{line_of(tree, rel, 'total:')}:8: 错误 total — 总期号应为总第381期")


def test_reused_item(tree):
    make_item(tree, "20261103-qingxi-01")
    write_issue(tree, 198, ["20261103-qingxi-01"])
    rel = write_issue(tree, 199, ["20261103-qingxi-01"], total=382)
    [err] = errors_of(tree)
    assert err.startswith(f"{rel}:{line_of(tree, rel, '- 20261103-qingxi-01')}:")
    assert "已在《澜江信息》2026年第198期用过" in err


def test_missing_item(tree):
    make_item(tree, "20261103-qingxi-01")
    rel = write_issue(tree, 198, ["20261103-qingxi-01", "20261103-qingxi-09"])
    [err] = errors_of(tree)
    assert err.startswith(f"{rel}:{line_of(tree, rel, '- 20261103-qingxi-09')}:")
    assert "信息“20261103-qingxi-09”不存在" in err


def test_a_cached_manifest_reports_its_problems_where_they_are(tree, monkeypatch):
    """The parse cache keeps a manifest without its parsed document: a problem found across files
    (here an item that does not exist) is located by reading the file again, at the same place."""
    import time
    make_item(tree, "20261103-qingxi-01")
    rel = write_issue(tree, 198, ["20261103-qingxi-01", "20261103-qingxi-09"])
    old = time.time_ns() - 10_000_000_000  # outside the racy window: the manifest is cached
    os.utime(os.path.join(tree.root, rel), ns=(old, old))
    first = errors_of(tree)
    monkeypatch.setattr(manifest, "load_manifest", lambda *a: pytest.fail("parsed again, not taken from the cache"))
    again = errors_of(tree)
    assert again == first and len(again) == 1
    n = line_of(tree, rel, "- 20261103-qingxi-09")
    col = open(os.path.join(tree.root, rel), encoding="utf-8").read().splitlines()[n - 1].index("20261103-qingxi-09") + 1
    assert again[0].startswith(f"{rel}:{n}:{col}: 错误") and "20261103-qingxi-09”不存在" in again[0]


def test_overclassified_item(tree):
    make_item(tree, "20261103-qingxi-01", classification="秘密", extra="secrecy_period: 1年\n")
    rel = write_issue(tree, 198, ["20261103-qingxi-01"])
    [err] = errors_of(tree)
    assert err.startswith(f"{rel}:{line_of(tree, rel, '- 20261103-qingxi-01')}:")
    assert "密级是秘密，高于《澜江信息》（上报）允许的内部" in err


def test_missing_signer(tree):
    make_item(tree, "20261103-qingxi-01")
    rel = write_issue(tree, 198, ["20261103-qingxi-01"], signer="")
    errs = errors_of(tree)
    assert any(e.startswith(f"{rel}:") and "缺少签发人" in e for e in errs)


def test_changed_published_item_needs_correction(tree):
    """An item changed after its issue was signed is an error that names the command to record it;
    a correction written by hand, without the as-sent text kept, is not accepted (test_record has
    the whole flow through kanwu correct)."""
    make_item(tree, "20261103-qingxi-01")
    assemble_ok(tree, "上报", "--date", "2026-11-03")
    rel = "issues/daily/2026/198.yml"
    signed = tree.run("sign", os.path.join(tree.root, rel), "--date", "2026-11-03", "--by", "周正平")
    assert signed.exit_code == 0, signed.output
    assert tree.run("check").exit_code == 0
    path = os.path.join(tree.root, item_path("20261103-qingxi-01"))
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("四十公里", "四十五公里"))
    [err] = errors_of(tree)
    assert err.startswith(f"{rel}:{line_of(tree, rel, '- 20261103-qingxi-01')}:")
    assert "在本期发布后被修改" in err and "kanwu correct 20261103-qingxi-01 --what" in err
    repo = load_repository(tree.root)
    data = load_yaml(tree, rel)
    data["corrections"] = [{"item": "20261103-qingxi-01", "date": "2026-11-05", "by": "林雨桐",
                            "what": "第一段“四十公里”更正为“四十五公里”",
                            "digest": repo.items["20261103-qingxi-01"].digest}]
    tree.write(rel, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    errs = errors_of(tree)
    assert any("缺少本期签发时的原文" in e for e in errs), errs


def test_sign_refuses_twice(tree):
    make_item(tree, "20261103-qingxi-01")
    assemble_ok(tree, "上报", "--date", "2026-11-03")
    rel = os.path.join(tree.root, "issues/daily/2026/198.yml")
    assert tree.run("sign", rel, "--by", "周正平").exit_code == 0
    again = tree.run("sign", rel, "--by", "周正平")
    assert again.exit_code == 1 and "不能重复签发" in again.output


def test_urgent_chain_and_digest(sample):
    repo = load_repository(sample.root)
    urgent = [i for i in repo.issues if i.periodical == "urgent"][0]
    assert [s.heading for s in urgent.sections] == ["首报", "续报"]
    chain = common.chain_of(repo.items, urgent.item_ids[-1])
    assert [i.id for i in chain] == list(urgent.item_ids)
    digest = [i for i in repo.issues if i.periodical == "huiyao"][0]
    assert (digest.period_start, digest.period_end) == (dt.date(2026, 11, 9), dt.date(2026, 11, 13))
    adopted = {i for x in repo.issues if x.periodical not in ("huiyao",) and
               dt.date(2026, 11, 9) <= x.date <= dt.date(2026, 11, 13) for i in x.item_ids
               if repo.items[i].level <= 1}
    assert set(digest.item_ids) == adopted


def test_status_answers_the_editor(sample):
    out = sample.run("status", "--date", "2026-11-23").output
    assert "尚未被任何一期采用的信息" in out and "《澜江信息》上报：2026年第213期（总第396期）" in out


def test_sample_has_every_periodical(sample):
    repo = load_repository(sample.root)
    kinds = {i.periodical for i in repo.issues}
    assert kinds == {"daily", "neican", "huiyao", "urgent", "pishi"}
    assert sum(i.periodical == "daily" for i in repo.issues) >= 5
    assert sum(i.periodical == "neican" for i in repo.issues) >= 2


def test_day_commands_read_only_recent_years_and_agree_with_a_full_load(tree):
    """assemble and sign of a daily issue load this year and last (50,000 items: seconds saved on
    every publish); what they propose and record is what a full load gives, and their own years
    are still checked."""
    make_item(tree, "20230310-qingxi-01")
    assemble_ok(tree, "上报", "--date", "2023-03-10")  # the periodical's last issue before a gap year
    assert tree.run("sign", os.path.join(tree.root, "issues/daily/2023/001.yml"), "--date", "2023-03-10", "--by", "周正平").exit_code == 0
    make_item(tree, "20250603-qingxi-01", extra="follow_up_of: 20230310-qingxi-01\n")  # to an unloaded year
    make_item(tree, "20250604-qingxi-01")
    assemble_ok(tree, "上报", "--date", "2025-06-04")
    make_item(tree, "20250605-qingxi-01")
    full = assemble.propose(load_repository(tree.root), "上报", dt.date(2025, 6, 5))
    part_repo = assemble.load_for(tree.root, "上报", dt.date(2025, 6, 5))
    assert part_repo.known is not None and "20230310-qingxi-01" not in part_repo.items
    assert not part_repo.errors, part_repo.errors
    part = assemble.propose(part_repo, "上报", dt.date(2025, 6, 5))
    assert part == full and (part.issue.number, part.issue.total) == (2, 383)  # over 2024, which has none
    # An error in a year the day's commands do not read: they go on; the build and check refuse.
    tree.write(item_path("20230310-qingxi-01"), open(os.path.join(tree.root, item_path("20230310-qingxi-01")),
                                                      encoding="utf-8").read().replace("unit: qingxi", "unit: nowhere"))
    out = assemble_ok(tree, "上报", "--date", "2025-06-05").output
    assert "issues/daily/2025/002.yml" in out
    signed = tree.run("sign", os.path.join(tree.root, "issues/daily/2025/002.yml"), "--date", "2025-06-05", "--by", "周正平")
    assert signed.exit_code == 0, signed.output
    assert load_yaml(tree, "issues/daily/2025/002.yml")["digests"]["20250605-qingxi-01"]
    assert tree.run("check").exit_code == 1 and tree.run("build", "--no-pdf").exit_code == 1
    # An error in the loaded years still stops them.
    make_item(tree, "20250606-qingxi-01", unit="nowhere")
    bad = tree.run("assemble", "上报", "--date", "2025-06-06")
    assert bad.exit_code == 1 and "20250606-qingxi-01.md" in bad.output and "nowhere" in bad.output


def test_items_left_out_by_the_cap_are_the_next_issues_candidates(sample):
    """The sample on 2026-12-07: 内参 089 took 5 of the weeks' problems and proposals; the rest
    were never used by 内参 and stay candidates (28 days), listed by `kanwu status`, until taken."""
    status = sample.run("status", "--date", "2026-12-07")
    assert status.exit_code == 0, status.output
    block = status.output.split("《澜江信息》内参的候选")[1].split("《")[0]
    listed = re.findall(r"^  (\d{8}-[a-z0-9-]+-\d{2})  (.+)（(.+)，已等 (\d+) 天）$", block, re.M)
    count = int(re.search(r"：(\d+) 条", block).group(1))
    assert count == len(listed) > 5
    from kanwu.checks import validate
    repo = validate.load_repository(sample.root)
    used = {i for issue in repo.issues_of("neican") for i in issue.item_ids}
    p = repo.config.periodicals["neican"]
    expect = {i.id for i in repo.items.values() if i.id not in used and i.category in p.categories
              and dt.date(2026, 11, 9) <= i.date <= dt.date(2026, 12, 7)}
    assert {x[0] for x in listed} == expect
    for item_id, title, unit, age in listed:
        assert repo.items[item_id].title == title and (dt.date(2026, 12, 7) - repo.items[item_id].date).days == int(age)
    first = assemble_ok(sample, "内参", "--date", "2026-12-07")  # it answered "没有可用的信息"
    assert "超过每期上限 5 条，留待下一期" in first.output
    ids = []
    for out in (first, assemble_ok(sample, "内参", "--date", "2026-12-14")):
        issue = load_yaml(sample, re.search(r"已写入 (issues/neican/2026/\d{3}\.yml)", out.output).group(1))
        ids.append({i for s in issue["sections"] for i in s["items"]})
    assert len(ids[0]) == len(ids[1]) == 5 and not ids[0] & ids[1] and ids[0] | ids[1] <= expect
    assert max(repo.items[i].date for i in ids[0]) <= min(repo.items[i].date for i in expect - ids[0])  # waited longest first
    assert all(repo.items[i].date >= dt.date(2026, 11, 16) for i in ids[1])  # 28 days before 12-14
