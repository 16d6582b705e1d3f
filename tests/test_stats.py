"""After publication: scores and quotas by hand, period boundaries, Excel read back, 督办."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kanwu import stats
from kanwu.checks.validate import load_repository

D = dt.date


def item(tree, item_id, category="动态", extra="", unit=None, urgency="平件"):
    unit = unit or item_id.split("-")[1]
    day = f"{item_id[:4]}-{item_id[4:6]}-{item_id[6:8]}"
    tree.item(item_id, f"---\ntitle: 测试信息{item_id}\nunit: {unit}\ndate: {day}\ncategory: {category}\n"
                       f"urgency: {urgency}\nclassification: 内部\nauthors: [信息员{unit}]\n{extra}---\n\n正文。\n")


def issue(tree, periodical, number, total, day, ids):
    tree.write(f"issues/{periodical}/2026/{number:03d}.yml",
               f"periodical: {periodical}\nyear: 2026\nnumber: {number}\ntotal: {total}\ndate: {day}\n"
               f"editor: 林雨桐\nsigner: 周正平\nsections:\n- heading: ''\n  items: [{', '.join(ids)}]\n")


@pytest.fixture
def small(tree):
    """Two units over the first half of November 2026, scored by hand below."""
    item(tree, "20261102-qingxi-01")                                    # adopted in 上报 (2)
    item(tree, "20261103-qingxi-01", "调研", "adopted_by:\n  - {by: 省委办公厅, publication: 《江南信息》第1期, date: 2026-11-10}\n")
    item(tree, "20261105-qingxi-01", "突发事件", "event_at: 2026-11-05 01:00+08:00\nreported_at: 2026-11-05 04:30+08:00\n",
         urgency="特急")                                                 # late (3.5 h > 2 h), no 续报
    item(tree, "20261104-yingji-01", "问题",
         "instructions:\n  - by: 市委主要负责同志\n    date: 2026-11-06\n    text: 请抓紧办理。\n"
         "    units: [yingji, qingxi]\n    due: 2026-11-10\n    feedback:\n"
         "      - {unit: yingji, date: 2026-11-09, text: 已办理。}\n")
    issue(tree, "daily", 198, 381, "2026-11-05", ["20261102-qingxi-01", "20261103-qingxi-01", "20261105-qingxi-01"])
    issue(tree, "neican", 88, 97, "2026-11-06", ["20261103-qingxi-01", "20261104-yingji-01"])
    tree.write("content/evaluation.yml", "best_items:\n  2026-11: [20261103-qingxi-01]\ncriticisms:\n"
               "  - {unit: qingxi, level: city, date: 2026-11-06, reason: 迟报}\n"
               "  - {unit: qingxi, level: city, date: 2026-11-12, reason: 迟报}\n")
    return tree


def compute(tree, period="2026-11-01:2026-11-15", today=D(2026, 11, 16)):
    repo = load_repository(tree.root)
    assert not repo.errors, [p.format() for p in repo.errors]
    return stats.compute(repo, stats.parse_period(period, today), repo.evaluation, today)


def row(report, unit):
    return next(r for r in report.units if r.unit == unit)


def test_scores_and_quotas_by_hand(small):
    report = compute(small)
    q = row(report, "qingxi")
    # adoptions: 3 items in 上报 (3 × 2) + the research item in 内参 (4) + research bonus (3)
    # + 省委办公厅 adoption (10) + best item (10) − late report (5) − no follow-up (2)
    assert q.score == 3 * 2 + 4 + 3 + 10 + 10 - 5 - 2
    assert (q.submitted, q.adopted, q.higher, q.late, q.missing_follow_up, q.best) == (3, 3, 1, 1, 1, 1)
    assert q.adopted_by_periodical == {"daily": 3, "neican": 1}
    assert q.research == 1 and q.research_minimum == 2
    # daily quota over Nov 2–13 and 16? the period ends on the 15th (Sunday): 10 working days, reported on 3
    assert (q.quota_expected, q.quota_missed) == (10, 7)
    assert not q.eligible and q.criticisms_city == 2  # two city notices in the year
    y = row(report, "yingji")
    assert y.score == 4 + 5  # 内参 adoption + one instruction on its item
    assert (y.instructed, y.handling, y.answered, y.overdue) == (1, 1, 1, 0)
    assert (y.quota_expected, y.quota_missed) == (2, 1)  # weekly: two weeks, reported in one
    assert q.handling == 1 and q.answered == 0 and q.overdue == 1
    assert [o.unit for o in report.instructions] == ["qingxi"] and report.instructions[0].overdue_days == 6
    assert [r.unit for r in report.units[:2]] == ["qingxi", "yingji"]


def test_point_values_are_data(small):
    config = os.path.join(small.root, "content/kanwu.yml")
    text = open(config, encoding="utf-8").read()
    open(config, "w", encoding="utf-8").write(text.replace("    daily: 2\n", "    daily: 7\n", 1))
    assert row(compute(small), "qingxi").score == 3 * 7 + 4 + 3 + 10 + 10 - 5 - 2


def test_holidays_are_not_quota_days(small):
    report = compute(small, "2026-10", D(2026, 11, 16))
    q = row(report, "qingxi")
    # October 2026: 22 weekdays, 5 of them national holidays, plus the Saturday 10th made a working day
    assert q.quota_expected == 22 - 5 + 1


@pytest.mark.parametrize("text,start,end", [
    ("2026-11", D(2026, 11, 1), D(2026, 11, 30)),
    ("2028-02", D(2028, 2, 1), D(2028, 2, 29)),
    ("2026-Q4", D(2026, 10, 1), D(2026, 12, 31)),
    ("2026", D(2026, 1, 1), D(2026, 12, 31)),
    ("week", D(2026, 11, 30), D(2026, 12, 6)),
    ("last-week", D(2026, 11, 23), D(2026, 11, 29)),
    ("yesterday", D(2026, 12, 1), D(2026, 12, 1)),
    ("quarter", D(2026, 10, 1), D(2026, 12, 31)),
    ("2026-12-25:2027-01-05", D(2026, 12, 25), D(2027, 1, 5)),
])
def test_periods(text, start, end):
    p = stats.parse_period(text, D(2026, 12, 2))
    assert (p.start, p.end) == (start, end)


def test_year_end_boundary(tree):
    item(tree, "20261231-qingxi-01")
    item(tree, "20270104-qingxi-01")
    repo = load_repository(tree.root)
    dec = stats.compute(repo, stats.parse_period("2026-12", D(2027, 1, 10)), repo.evaluation, D(2027, 1, 10))
    jan = stats.compute(repo, stats.parse_period("2027-01", D(2027, 1, 10)), repo.evaluation, D(2027, 1, 10))
    assert row(dec, "qingxi").submitted == 1 and row(jan, "qingxi").submitted == 1


def test_bad_period_is_a_clean_error(small):
    result = small.run("stats", "--period", "2026-13")
    assert result.exit_code == 1 and "无法识别的时段" in result.output


def test_xlsx_read_back(small, tmp_path):
    out = tmp_path / "统计.xlsx"
    result = small.run("stats", "--period", "2026-11-01:2026-11-15", "--date", "2026-11-16", "--format", "xlsx",
                       "--out", str(out), "--audience", "全部")
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook
    wb = load_workbook(out)
    ws = wb["单位排名"]
    header = [c.value for c in ws[2]]
    first = dict(zip(header, [c.value for c in ws[3]]))
    assert first["单位"] == "中共青溪县委办公室" and first["得分"] == 26 and first["采用"] == 3
    assert first["评先资格"] == "取消" and first["上报采用"] == 3
    assert wb["领导批示督办"]["F2"].value == "逾期天数" and wb["领导批示督办"]["F3"].value == 6  # title, header, rows


def test_csv_and_table(small):
    csv_out = small.run("stats", "--period", "2026-11-01:2026-11-15", "--date", "2026-11-16", "--format", "csv").output
    assert csv_out.startswith("\ufeff名次,单位")
    table = small.run("stats", "--period", "2026-11-01:2026-11-15", "--date", "2026-11-16", "--officers").output
    assert re.search(r"^\s+1\s+中共青溪县委办公室\s+3\s+3\s+100%", table, re.M)
    assert "未反馈的领导批示" in table and "已逾期 6 天" in table and "信息员qingxi" in table


def test_bad_evaluation_record(small):
    small.write("content/evaluation.yml", "best_items:\n  2026-11: [20261199-nowhere-01]\n")
    result = small.run("check")
    assert result.exit_code == 1 and "content/evaluation.yml:2:" in result.output


def test_instruction_checks(tree):
    item(tree, "20261104-yingji-01", "问题", "instructions:\n  - by: 领导\n    date: 2026-11-06\n    text: 办。\n"
         "    units: [nowhere]\n    due: 2026-11-01\n    feedback:\n      - {unit: qingxi, date: 2026-11-05, text: 好}\n")
    out = tree.run("check").output
    assert "承办单位“nowhere”没有登记" in out and "不是承办单位" in out and "早于批示日期" in out


def test_site_pages_supervision_and_charts(tmp_path):
    from conftest import copy_sample
    tree = copy_sample(tmp_path / "repo")
    assert tree.run("build", "--audience", "领导").exit_code == 0
    live = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    sup = open(os.path.join(live, "supervision/index.html"), encoding="utf-8").read()
    assert "部分已售商品房项目存在逾期交房风险" in sup and "已逾期 3 天" in sup  # due 11-20, data until 11-23
    assert sup.index("部分已售商品房项目存在逾期交房风险") < sup.index("部分危险化学品企业安全管理人员配备不足")
    for name in ("units.svg", "months.svg", "periodicals.svg"):
        svg = open(os.path.join(live, "stats", name), encoding="utf-8").read()
        assert svg.startswith("<svg") and "<script" not in svg and "<rect" in svg
    item_page = open(os.path.join(live, "items/2026/11/20261112-zhujian-01/index.html"), encoding="utf-8").read()
    assert "市政府主要负责同志" in item_page and "已对5个项目逐一建立专班" in item_page and "已逾期" in item_page
    unit_page = open(os.path.join(live, "units/songqiao/index.html"), encoding="utf-8").read()
    assert "承办的领导批示" in unit_page
    notice = open(os.path.join(live, "notices/2026-11/index.html"), encoding="utf-8").read()
    assert "松桥区一工业园区仓库发生火灾" in notice and "迟报" in notice
    # November is still open on 11-23: its page is live, its printed notice waits for the month's end
    assert "本期尚未结束" in notice and "2026年11月23日" in notice
    assert not os.path.exists(os.path.join(live, "pdf/notices/2026-11.pdf"))
    pishi = open(os.path.join(live, "periodicals/pishi/2026/031/index.html"), encoding="utf-8").read()
    assert "kanwu-instruction" in pishi
    item(tree, "20261201-songqiao-01")  # the first December item closes November (not yet the quarter)
    assert tree.run("build", "--audience", "领导").exit_code == 0
    live = os.path.realpath(os.path.join(tree.root, "site", "lingdao"))
    notice = open(os.path.join(live, "notices/2026-11/index.html"), encoding="utf-8").read()
    assert "本期尚未结束" not in notice and "下载 PDF（印刷版）" in notice
    assert os.path.exists(os.path.join(live, "pdf/notices/2026-11.pdf"))
    printed = subprocess.run(["pdftotext", "-layout", os.path.join(live, "pdf/notices/2026-11.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
    assert "五、无差错检查" in printed and "发现差错0处" in "".join(printed.split())  # the sample prints none
    assert not os.path.exists(os.path.join(live, "pdf/notices/2026-Q4.pdf"))
    quarter = open(os.path.join(live, "notices/2026-Q4/index.html"), encoding="utf-8").read()
    assert "本期尚未结束" in quarter and "2026年12月1日" in quarter


def test_a_closed_notice_is_kept_until_what_it_shows_changes(tmp_path, monkeypatch):
    """A closed month's notice is neither computed nor printed again on a later day's publish; a 续报
    dated later, or a best item named later, changes its page and its PDF as a build from scratch would."""
    from conftest import copy_sample
    from pdfread import text

    from kanwu import audience
    from kanwu.pages import generate, notices as statspages
    from kanwu.engine import site
    from kanwu.pdf import document
    tree = copy_sample(tmp_path / "repo")
    fire = "event_at: 2026-11-20 01:00+08:00\nreported_at: 2026-11-20 02:00+08:00\n"
    item(tree, "20261120-songqiao-05", "突发事件", fire, urgency="特急")  # a first report, no 续报 yet
    item(tree, "20261201-songqiao-01")  # November is over
    pages, printed = [], []
    real_page, real_pdf = statspages.notice, document.notice_html
    monkeypatch.setattr(statspages, "notice", lambda s, period, src: pages.append(src) or real_page(s, period, src))
    monkeypatch.setattr(document, "notice_html", lambda root, t: printed.append(t["title"]) or real_pdf(root, t))

    def build():
        pages.clear()
        printed.clear()
        result = site.build(tree.root)
        docs = os.path.join(tree.root, "build", result.audience, "docs", "notices", "2026-11.md")
        with open(docs, "rb") as fh:
            built = fh.read()
        repo = load_repository(tree.root)  # the same page from nothing kept
        fresh = generate.Site(audience.view(repo, audience.pick(repo.config, result.audience)),
                              pdfs={"pdf/notices/2026-11.pdf"}, evaluation=repo.evaluation)
        period = stats.parse_period("2026-11", fresh.today)
        assert built == real_page(fresh, period, "notices/2026-11.md")
        return built.decode("utf-8"), text(os.path.join(result.live, "pdf", "notices", "2026-11.pdf"))

    page, pdf = build()
    assert "notices/2026-11.md" in pages and printed == ["2026年11月信息工作通报"]
    assert "首报后尚无续报：[测试信息20261120\\-songqiao\\-05](../items/2026/11/20261120-songqiao-05.md)" in page

    item(tree, "20261202-qingxi-01")  # the next day: November's notice stays as it is
    assert build() == (page, pdf)
    assert "notices/2026-11.md" not in pages and "notices/2026-12.md" in pages and printed == []

    item(tree, "20261203-songqiao-01", "突发事件", fire + "follow_up_of: 20261120-songqiao-05\n")  # its 续报, in December
    page2, pdf2 = build()
    assert "首报后尚无续报" not in page2 and "notices/2026-11.md" in pages and printed == ["2026年11月信息工作通报"]
    assert pdf2 != pdf  # the missing 续报's penalty is off the unit's score

    evaluation = os.path.join(tree.root, "content", "evaluation.yml")
    with open(evaluation, encoding="utf-8") as fh:
        records = fh.read().replace("  2026-11:\n", "  2026-11:\n    - 20261120-songqiao-05\n")
    tree.write("content/evaluation.yml", records)  # named a best item of November afterwards
    page3, pdf3 = build()
    best2, best3 = (re.sub(r"\s", "", p.split("月度最佳信息")[-1]) for p in (pdf2, pdf3))
    assert "测试信息20261120-songqiao-05" not in best2 and "松桥区委办：测试信息20261120-songqiao-05" in best3
    assert page3 != page2 and printed == ["2026年11月信息工作通报"]


# --- numbers that add up -----------------------------------------------------------------------

ADDITIVE = ("submitted", "adopted", "taken", "higher", "instructed", "late", "missing_follow_up", "best",
            "score", "quota_expected", "quota_missed")


def _sums(reports):
    out = {}
    for report in reports:
        for r in report.units:
            mine = out.setdefault(r.unit, {k: 0 for k in ADDITIVE} | {"by": {}})
            for k in ADDITIVE:
                mine[k] += getattr(r, k)
            for pid, n in r.adopted_by_periodical.items():
                mine["by"][pid] = mine["by"].get(pid, 0) + n
        for o in report.officers:
            mine = out.setdefault(("officer", o.name, o.unit), {"submitted": 0, "adopted": 0})
            mine["submitted"] += o.submitted
            mine["adopted"] += o.adopted
    return out


@pytest.fixture(scope="module")
def sample_repo(tmp_path_factory):
    from conftest import copy_sample
    return load_repository(copy_sample(tmp_path_factory.mktemp("stats") / "s").root)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.sets(st.integers(min_value=1, max_value=77), max_size=6),
       today=st.sampled_from([D(2026, 11, 25), D(2026, 12, 7), D(2027, 1, 11)]))
def test_every_additive_column_of_a_partition_sums_to_the_whole(sample_repo, cuts, today):
    """The sample from 2026-10-15 to 2026-12-31 cut anywhere: the parts' tables add up to the
    whole's, column by column, unit by unit and officer by officer; every rate is within 0–100 %."""
    repo = sample_repo
    start, end = D(2026, 10, 15), D(2026, 12, 31)
    days = [start] + sorted(start + dt.timedelta(days=c) for c in cuts) + [end + dt.timedelta(days=1)]
    parts = [stats.Period(a, b - dt.timedelta(days=1), "") for a, b in zip(days, days[1:])]
    whole = stats.compute(repo, stats.Period(start, end, ""), repo.evaluation, today)
    pieces = [stats.compute(repo, p, repo.evaluation, today) for p in parts]
    assert _sums(pieces) == _sums([whole])
    for report in [whole, *pieces]:
        for r in report.units:
            assert 0 <= r.taken <= r.submitted and 0 <= r.rate <= 1, (report.period, r)
    assert any(r.adopted for r in whole.units) and any(r.quota_expected for r in whole.units)


def test_a_digest_is_not_an_adoption_and_each_periodical_counts_an_item_once(small):
    """汇要 repeats what 上报 took: 青溪 submitted 3 and 3 were taken (it read 3 / 5 when every
    inclusion counted)."""
    issue(small, "huiyao", 41, 151, "2026-11-07", ["20261102-qingxi-01", "20261103-qingxi-01"])
    q = row(compute(small), "qingxi")
    assert (q.submitted, q.taken, q.adopted, q.rate) == (3, 3, 3, 1.0)
    assert q.adopted_by_periodical == {"daily": 3, "neican": 1, "huiyao": 2}
    assert q.score == 3 * 2 + 4 + 3 + 10 + 10 - 5 - 2  # huiyao scores 0; the research bonus once


def test_equal_scores_share_a_rank(tree):
    for unit in ("qingxi", "yunling", "yingji"):
        item(tree, f"20261102-{unit}-01")
    issue(tree, "daily", 198, 381, "2026-11-03", ["20261102-qingxi-01", "20261102-yunling-01"])
    report = compute(tree, "2026-11-02:2026-11-06", D(2026, 11, 9))
    ranks = {r.unit: r.rank for r in report.units}
    assert ranks["qingxi"] == ranks["yunling"] == 1 and ranks["yingji"] == 3
    assert [r.unit for r in report.units[:2]] == ["qingxi", "yunling"]  # listed by unit id within a tie


def test_a_quota_counts_only_what_has_ended(tree):
    """On Wednesday 2026-11-25 November has 17 ended working days (not the 25th itself); of its
    weeks, those of 11-02 … 11-16 ended; the week of 11-23 has not; the week of 11-30 ends on Friday
    12-04 and is December's, with a submission on Monday 11-30 covering it."""
    item(tree, "20261102-yingji-01")
    item(tree, "20261130-yingji-01")
    r = row(compute(tree, "2026-11", D(2026, 11, 25)), "yingji")
    assert (r.quota_expected, r.quota_missed) == (3, 2)
    d = row(compute(tree, "2026-12", D(2027, 1, 4)), "yingji")
    assert d.quota_expected == 5 and d.quota_missed == 4  # weeks ending 12-04, 11, 18, 25, 31: 12-04 covered
    q = row(compute(tree, "2026-11", D(2026, 11, 25)), "qingxi")
    assert q.quota_expected == 17


def test_the_workbook_is_ready_to_hand_out(small, tmp_path):
    out = tmp_path / "统计.xlsx"
    assert small.run("stats", "--period", "2026-11-01:2026-11-15", "--date", "2026-11-16", "--format", "xlsx",
                     "--out", str(out), "--audience", "全部").exit_code == 0
    from openpyxl import load_workbook
    wb = load_workbook(out)
    for ws in wb.worksheets:
        header = [c.value for c in ws[2]]
        from openpyxl.utils import get_column_letter
        assert ws["A1"].font.b and f"A1:{get_column_letter(len(header))}1" in {str(r) for r in ws.merged_cells.ranges}
        assert ws.freeze_panes == "A3" and ws.print_title_rows == "$1:$2"
        assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert all(c.font.b and c.border.left.style == "thin" for c in ws[2])
        assert ws["A2"].font.name == "宋体"
    ws = wb["单位排名"]
    header = [c.value for c in ws[2]]
    assert "缺续报" in header and "已采用" in header
    widths = {c: ws.column_dimensions[c].width for c in "AB"}
    assert widths["B"] >= len("中共青溪县委办公室") * 2  # the longest unit name fits
    rate = ws.cell(3, header.index("采用率") + 1)
    assert rate.number_format == "0%" and 0 <= rate.value <= 1
    below = [str(ws.cell(r, 1).value or "") for r in range(3, ws.max_row + 1)]
    assert any("本表统计全部信息" in v for v in below) and any("采用率”＝已采用÷报送" in v for v in below)


def test_stats_by_default_show_nothing_above_the_lowest_audience(sample):
    """The daily mail (admin guide: kanwu stats | mail) counts what the lowest audience may see."""
    secret = "部分危险化学品企业安全管理人员配备不足"  # a 秘密 item of the sample, with a leader's instruction
    everything = sample.run("stats", "--period", "2026-11", "--date", "2026-11-30", "--audience", "全部")
    assert secret in everything.output
    for fmt in ("table", "csv"):
        mailed = sample.run("stats", "--period", "2026-11", "--date", "2026-11-30", "--format", fmt)
        assert mailed.exit_code == 0 and secret not in mailed.output


def test_each_table_says_which_items_it_counts(small):
    full = small.run("stats", "--period", "2026-11-01:2026-11-15", "--date", "2026-11-16", "--audience", "全部")
    assert "本表统计全部信息（各密级）。" in full.output and "名次并列" in full.output
    low = small.run("stats", "--period", "2026-11-01:2026-11-15", "--date", "2026-11-16", "--audience", "全体")
    assert low.exit_code == 0, low.output
    assert "本表只统计“全体”阅读范围可见的信息（密级不高于内部）" in low.output
    # the output the admin guide mails every morning: the lowest audience unless asked otherwise
    default = small.run("stats", "--period", "2026-11-01:2026-11-15", "--date", "2026-11-16", "--officers")
    assert default.exit_code == 0 and "本表只统计“全体”阅读范围可见的信息" in default.output

