"""The bad-input catalogue of `kanwu check`: each input, its own located message."""

from __future__ import annotations

import json
import os
import re

import pytest
import yaml

from conftest import GOOD_ITEM, item_path

ID = "20261103-qingxi-01"
PATH = item_path(ID)


def check(tree, *args):
    result = tree.run("check", *args)
    assert "Traceback" not in result.output
    return result


def lines_for(result, severity="错误"):
    return [line for line in result.output.splitlines() if f": {severity}" in line]


def test_good_item_passes(tree):
    tree.item(ID, GOOD_ITEM)
    result = check(tree)
    assert result.exit_code == 0, result.output
    assert "检查了 1 条信息" in result.output


def test_gbk_file_named_with_conversion_hint(tree):
    tree.item(ID, GOOD_ITEM.encode("gbk"))
    result = check(tree)
    assert result.exit_code == 1
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:2:")  # the first non-ASCII byte is on line 2
    assert "GBK/GB18030" in line and "iconv -f GB18030 -t UTF-8" in line


def test_bom_accepted_with_warning(tree):
    tree.item(ID, b"\xef\xbb\xbf" + GOOD_ITEM.encode())
    result = check(tree)
    assert result.exit_code == 0
    [line] = lines_for(result, "警告")
    assert line.startswith(f"{PATH}:1:1: 警告") and "BOM" in line


def test_crlf_accepted(tree):
    tree.item(ID, GOOD_ITEM.replace("\n", "\r\n"))
    result = check(tree)
    assert result.exit_code == 0, result.output
    assert not lines_for(result, "警告")


def test_fullwidth_colon(tree):
    tree.item(ID, GOOD_ITEM.replace("title: ", "title："))
    result = check(tree)
    assert result.exit_code == 1
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:2:6: 错误 title — 键后面用了全角冒号")
    assert "title: " in line


def test_fullwidth_space_indent(tree):
    tree.item(ID, GOOD_ITEM.replace("authors: [何晓岚]", "authors:\n\u3000- 何晓岚"))
    result = check(tree)
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:9:1: 错误") and "全角空格" in line


def test_tab_indent(tree):
    tree.item(ID, GOOD_ITEM.replace("authors: [何晓岚]", "authors:\n\t- 何晓岚"))
    result = check(tree)
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:9:1: 错误") and "Tab" in line


def test_missing_closing_fence(tree):
    tree.item(ID, GOOD_ITEM.replace("---\n\n", "\n", 1).replace("[何晓岚]\n", "[何晓岚]\n", 1))
    text = GOOD_ITEM.split("---\n")
    tree.item(ID, "---\n" + text[1] + text[2])
    result = check(tree)
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:1:1: 错误") and "没有结束的 ---" in line


def test_front_matter_not_a_mapping(tree):
    tree.item(ID, "---\n- 标题\n- 青溪\n---\n\n正文。\n")
    result = check(tree)
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:2:1: 错误") and "字段: 值" in line


def test_duplicate_key_points_at_second(tree):
    tree.item(ID, GOOD_ITEM.replace("classification: 内部", "classification: 秘密\nclassification: 公开"))
    result = check(tree)
    assert result.exit_code == 1
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:8:1: 错误 classification — 字段重复：第 7 行")


def test_unknown_key_suggests(tree):
    tree.item(ID, GOOD_ITEM.replace("category:", "catgory:"))
    result = check(tree)
    errors = lines_for(result)
    assert any(line.startswith(f"{PATH}:5:1: 错误 catgory — 未知字段 catgory，是不是：category") for line in errors)
    assert any("缺少必填字段 category" in line for line in errors)


@pytest.mark.parametrize("value,kind", [("2026", "整数"), ("no", "布尔值"), ("1.10", "小数")])
def test_yaml11_trap_in_text_field_warned_and_kept(tree, value, kind):
    tree.item(ID, GOOD_ITEM.replace("title: 青溪县启动冬季农田水利建设", f"title: {value}"))
    result = check(tree)
    assert result.exit_code == 0
    [line] = lines_for(result, "警告")
    assert line.startswith(f"{PATH}:2:8: 警告 title — “{value}”不加引号时会被 YAML 读成{kind}")


def test_time_only_datetime_explains_sexagesimal(tree):
    text = GOOD_ITEM.replace("category: 动态", "category: 突发事件").replace(
        "authors:", "event_at: 12:30\nreported_at: 2026-11-03 13:00+08:00\nauthors:")
    tree.item(ID, text)
    result = check(tree)
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:8:11: 错误 event_at") and "750" in line


@pytest.mark.parametrize("value", ["NO", "无", ""])
def test_classification_never_defaults_to_public(tree, value):
    tree.item(ID, GOOD_ITEM.replace("classification: 内部", f"classification: {value}"))
    result = check(tree)
    assert result.exit_code == 1
    assert any("classification" in line for line in lines_for(result))


def test_missing_classification(tree):
    tree.item(ID, GOOD_ITEM.replace("classification: 内部\n", ""))
    result = check(tree)
    assert result.exit_code == 1
    assert "缺少必填字段 classification" in result.output


def test_unknown_unit_with_nearest(tree):
    tree.item(ID, GOOD_ITEM.replace("unit: qingxi", "unit: qingxl"))
    result = check(tree)
    errors = lines_for(result)
    assert any(line.startswith(f"{PATH}:3:7: 错误 unit — 单位“qingxl”没有登记，是不是：qingxi") for line in errors)


def test_unknown_unit_by_chinese_name(tree):
    tree.item(ID, GOOD_ITEM.replace("unit: qingxi", "unit: 青溪县委办"))
    result = check(tree)
    assert "是不是：qingxi（中共青溪县委办公室）" in result.output


def test_unknown_category_with_nearest(tree):
    tree.item(ID, GOOD_ITEM.replace("category: 动态", "category: 工作动态"))
    result = check(tree)
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:5:11: 错误 category — “工作动态”不是可用的值，是不是：动态")


def test_impossible_date(tree):
    tree.item("20260230-qingxi-01", GOOD_ITEM.replace("2026-11-03", "2026-02-30"))
    result = check(tree)
    assert "日期 2026-02-30 不存在" in result.output
    assert result.exit_code == 1


def emergency(event, reported, extra=""):
    return GOOD_ITEM.replace("category: 动态", "category: 突发事件").replace(
        "authors:", f"event_at: {event}\nreported_at: {reported}\n{extra}authors:")


def test_event_after_report(tree):
    tree.item(ID, emergency("2026-11-03 10:00+08:00", "2026-11-03 09:00+08:00"))
    result = check(tree)
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:8:11: 错误 event_at — 事件发生时间晚于报告时间")


def test_emergency_without_times(tree):
    tree.item(ID, GOOD_ITEM.replace("category: 动态", "category: 突发事件"))
    result = check(tree)
    assert "突发事件必须写 event_at" in result.output and "突发事件必须写 reported_at" in result.output


def test_datetime_without_zone(tree):
    tree.item(ID, emergency("2026-11-03 08:00", "2026-11-03 09:00+08:00"))
    result = check(tree)
    assert "缺少时区" in result.output and "+08:00" in result.output


def test_follow_up_of_unknown(tree):
    tree.item(ID, emergency("2026-11-03 08:00+08:00", "2026-11-03 09:00+08:00", "follow_up_of: 20261102-qingxi-01\n"))
    result = check(tree)
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:10:15: 错误 follow_up_of — 续报所指的信息“20261102-qingxi-01”不存在")


def test_secret_without_period(tree):
    tree.item(ID, GOOD_ITEM.replace("classification: 内部", "classification: 秘密"))
    result = check(tree)
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:7:17: 错误 classification — 密级为秘密时必须写保密期限")


def test_empty_body(tree):
    tree.item(ID, GOOD_ITEM.split("---\n\n")[0] + "---\n\n\n")
    result = check(tree)
    [line] = lines_for(result)
    assert line.startswith(f"{PATH}:10:1: 错误") and "正文是空的" in line


def test_long_dynamic_body_warned(tree):
    tree.item(ID, GOOD_ITEM + "这是一段很长的正文。" * 80)
    result = check(tree)
    assert result.exit_code == 0
    [line] = lines_for(result, "警告")
    assert "动态类信息正文有" in line and "200～300" in line


def test_long_title_warned(tree):
    tree.item(ID, GOOD_ITEM.replace("青溪县启动冬季农田水利建设", "青溪县" + "启动冬季农田水利建设" * 5))
    result = check(tree)
    [line] = lines_for(result, "警告")
    assert line.startswith(f"{PATH}:2:8: 警告 title — 标题有 53 字，超过 40 字")


def test_double_submission_warned(tree):
    tree.item(ID, GOOD_ITEM)
    tree.item("20261103-qingxi-02", GOOD_ITEM)
    result = check(tree)
    assert result.exit_code == 0
    [line] = lines_for(result, "警告")
    assert "20261103-qingxi-02" in line and "疑似重复报送" in line


def test_filename_must_match_date_and_folder(tree):
    tree.write("content/items/2026/10/20261103-qingxi-01.md", GOOD_ITEM)
    result = check(tree)
    assert "content/items/2026/11/" in result.output and result.exit_code == 1


def test_all_problems_reported_sorted_once(tree):
    tree.item(ID, GOOD_ITEM.replace("unit: qingxi", "unit: nowhere"))
    tree.item("20261103-qingxi-02", GOOD_ITEM.replace("title：", "").replace("title: ", "title："))
    result = check(tree)
    errors = lines_for(result)
    assert len(errors) == 2
    assert errors == sorted(errors)
    assert "2 个错误" in result.output


def test_json_and_github_formats(tree):
    tree.item(ID, GOOD_ITEM.replace("category: 动态", "category: 工作动态"))
    data = json.loads(tree.run("check", "--format", "json").output)
    assert data[0]["path"] == PATH and data[0]["line"] == 5 and data[0]["field"] == "category"
    gh = tree.run("check", "--format", "github").output
    assert re.search(rf"^::error file={re.escape(PATH)},line=5,col=11::category — ", gh, re.M)


def test_strict_turns_warnings_into_errors(tree):
    tree.item(ID, GOOD_ITEM.replace("title: 青溪县启动冬季农田水利建设", "title: no"))
    assert tree.run("check").exit_code == 0
    assert tree.run("check", "--strict").exit_code == 1


def test_check_limited_to_paths(tree):
    tree.item(ID, GOOD_ITEM.replace("unit: qingxi", "unit: nowhere"))
    tree.item("20261104-qingxi-01", GOOD_ITEM.replace("2026-11-03", "2026-11-04"))
    result = tree.run("check", item_path("20261104-qingxi-01"))
    assert result.exit_code == 0, result.output


def test_symlinked_item_rejected(tree, tmp_path):
    target = tmp_path / "outside.md"
    target.write_text(GOOD_ITEM, encoding="utf-8")
    import os
    os.makedirs(f"{tree.root}/content/items/2026/11")
    os.symlink(target, f"{tree.root}/{PATH}")
    result = check(tree)
    assert result.exit_code == 1 and "符号链接" in result.output


@pytest.mark.parametrize("ref", ["/etc/passwd", "../../secret.png", "http://169.254.169.254/x.png", "file:///etc/passwd"])
def test_image_outside_assets_rejected(tree, ref):
    tree.item(ID, GOOD_ITEM + f"\n![图]({ref})\n")
    result = check(tree)
    assert result.exit_code == 1
    assert f"{PATH}:13:" in result.output and "图片" in result.output  # the line the image is on


def test_missing_config_is_clean_error(tmp_path):
    from click.testing import CliRunner
    from kanwu.cli import cli
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "check"])
    assert result.exit_code == 1
    assert "找不到 content/kanwu.yml" in result.output


def test_sample_content_passes():
    from click.testing import CliRunner
    from conftest import ROOT
    from kanwu.cli import cli
    result = CliRunner().invoke(cli, ["--root", ROOT, "check"])
    assert result.exit_code == 0, result.output
    assert "：0 个错误" in result.output
    n = int(re.search(r"检查了 (\d+) 条信息", result.output).group(1))
    assert n >= 80


def test_field_marks_read_like_the_dict_they_replace():
    import pickle

    from kanwu.source.fields import FIELDS, Marks
    where = {"title": (2, 8), "unit": (3, 7), "instructions": (12, 1)}
    marks = pickle.loads(pickle.dumps(Marks.of(where), protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(marks, Marks) and len(marks) == 2 * len(FIELDS)
    for f in FIELDS:
        assert marks.get(f.name, (1, 1)) == where.get(f.name, (1, 1))
    assert marks.get("no-such-field") is None


BOMB = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}" if i else "x"] * 9) + "]\n" for i in range(8))


@pytest.mark.parametrize("extra,where,message", [
    (BOMB, ":10:", "锚点和别名"),  # 340 bytes that expand to 9^8 values: refused where the first alias is used
    ("tags: &a [x, *a]\n", ":9:", "锚点和别名"),  # a list that holds itself
    ("tags: &t 防汛\nnote: *t\n", ":10:", "锚点和别名"),
    ("tags: " + "[" * 5000 + "]" * 5000 + "\n", ":9:", "嵌套过深"),
    ("tags: " + "[" * 100000 + "]" * 100000 + "\n", ":9:", "嵌套过深"),  # crashed the C parser
    ("tags: " + "[" * 200000 + "]" * 200000 + "\n", ":1:", "超过一条信息的上限"),  # 400 KB: refused before parsing
    ("tags:\n" + "".join("  " * i + f"- k{i}:\n" for i in range(1, 60)) + "  " * 60 + "- x\n", ":", "嵌套过深"),
])
def test_yaml_aliases_and_deep_nesting_are_refused_at_once(tree, extra, where, message):
    import time
    tree.item(ID, GOOD_ITEM.replace("authors: [何晓岚]\n", "authors: [何晓岚]\n" + extra))
    start = time.monotonic()
    result = check(tree)
    assert time.monotonic() - start < 5
    assert result.exit_code == 1
    [line] = [x for x in lines_for(result) if message in x]
    assert line.startswith(PATH + where), line


def test_aliases_in_a_manifest_are_refused(tree):
    tree.item(ID, GOOD_ITEM)
    tree.write("issues/daily/2026/300.yml", "periodical: daily\nyear: 2026\nnumber: 300\ntotal: 500\ndate: 2026-11-03\n"
               "editor: &e 林雨桐\nsigner: *e\nsections:\n- heading: 动态\n  items: [20261103-qingxi-01]\ncopies: 10\n")
    result = check(tree)
    assert result.exit_code == 1
    assert any(x.startswith("issues/daily/2026/300.yml:7:") and "锚点和别名" in x for x in lines_for(result)), result.output


INVISIBLE_BODY = ("青溪县近日启动冬季\u200b农田水利建设，\u00ad计划整修渠道四十公里。\x0b"
                  "县里组织技术人员\x0c分片指导。\u2028进度每周通报。")


def test_invisible_characters_are_located_and_fixed(tree):
    """What Word leaves in pasted text: each one located; `check --fix` removes them (breaks become
    line ends), CRLF line ends and the rest of the file byte for byte as they were."""
    text = GOOD_ITEM.replace("unit: qingxi", "unit: qingxi\x0b").replace(
        "青溪县近日启动冬季农田水利建设，计划整修渠道四十公里、清淤山塘二十座，县里组织技术人员分片指导。", INVISIBLE_BODY)
    tree.item(ID, text.replace("\n", "\r\n").encode("utf-8"))
    result = check(tree)
    assert result.exit_code == 1
    found = [(int(line.split(":")[1]), int(line.split(":")[2]), line) for line in lines_for(result)]
    body = INVISIBLE_BODY
    expected = [(3, 13, "垂直制表符")] + [(11, body.index(c) + 1, what) for c, what in
                                     [("\u200b", "零宽空格"), ("\u00ad", "软连字符"), ("\x0b", "垂直制表符"),
                                      ("\x0c", "换页符"), ("\u2028", "行分隔符")]]
    assert [(n, c) for n, c, _ in found] == [(n, c) for n, c, _ in expected], result.output
    for (_, _, line), (_, _, what) in zip(found, expected):
        assert what in line and f"kanwu check --fix {PATH}" in line
    assert "YAML" not in result.output  # the \x0b in the front matter is named, not a parse error

    fixed = tree.run("check", "--fix", PATH)
    assert fixed.exit_code == 0, fixed.output
    assert f"已删掉 1 个文件里看不见的字符：{PATH}" in fixed.output
    want = GOOD_ITEM.replace("unit: qingxi", "unit: qingxi\n").replace(
        "青溪县近日启动冬季农田水利建设，计划整修渠道四十公里、清淤山塘二十座，县里组织技术人员分片指导。",
        "青溪县近日启动冬季农田水利建设，计划整修渠道四十公里。\n县里组织技术人员\n分片指导。\n进度每周通报。")
    assert open(os.path.join(tree.root, PATH), "rb").read() == want.replace("\n", "\r\n").encode("utf-8")
    assert check(tree).exit_code == 0


def test_word_bullet_and_undrawable_characters_are_errors_with_their_place(tree):
    """A Symbol-font bullet (private use) and a character none of the print fonts has: errors at
    their line and column (the PDF would show a box, or WeasyPrint stop); --fix leaves them for the
    author, since only the author knows what they stood for. A rare character the fonts do have passes."""
    body = "\uf0b7 青溪县启动冬季农田水利建设，璟泓渠😀同步整修。"
    tree.item(ID, GOOD_ITEM.replace(
        "青溪县近日启动冬季农田水利建设，计划整修渠道四十公里、清淤山塘二十座，县里组织技术人员分片指导。", body))
    result = check(tree, "--fix")
    assert result.exit_code == 1 and "已删掉" not in result.output
    errors = lines_for(result)
    assert len(errors) == 2, result.output
    assert errors[0].startswith(f"{PATH}:11:1: 错误") and "U+F0B7" in errors[0] and "项目符号" in errors[0]
    assert errors[1].startswith(f"{PATH}:11:{body.index('😀') + 1}: 错误") and "U+1F600" in errors[1]


def test_an_item_with_errors_is_not_also_missing_where_an_issue_names_it(sample):
    """One mistake, one message: the manifests that carry a broken item do not add "不存在"."""
    rel = item_path("20261102-qingxi-01")
    path = os.path.join(sample.root, rel)
    text = open(path, encoding="utf-8").read()
    open(path, "w", encoding="utf-8").write(text.replace("unit: qingxi", "unit: qingxii"))
    result = check(sample)
    errors = lines_for(result)
    assert len(errors) == 1 and errors[0].startswith(rel) and "qingxii" in errors[0], result.output


DEC = "20261203-qingxi-01"


def dec_item(**fields):
    """GOOD_ITEM dated 2026-12-03 (no example date in kanwu's hints is that day) with ``fields`` set."""
    text = GOOD_ITEM.replace("2026-11-03", "2026-12-03")
    for name, value in fields.items():
        if re.search(rf"^{name}:", text, re.M):
            text = re.sub(rf"^{name}:.*$", f"{name}: {value}" if value is not None else "", text, flags=re.M)
        else:
            text = text.replace("authors:", f"{name}: {value}\nauthors:")
    return text


@pytest.mark.parametrize("written", ["2026/12/03", "2026.12.3", "2026年12月3日", "20261203", "2026-12-3"])
def test_a_date_hint_is_the_users_own_date_rewritten(tree, written):
    tree.item(DEC, dec_item(date=f'"{written}"'))
    [line] = lines_for(check(tree))
    assert f"“{written}”不是 YYYY-MM-DD 格式的日期" in line and line.endswith("（写成：date: 2026-12-03）"), line


def test_time_hints_use_the_items_own_date(tree):
    tree.item(DEC, dec_item(category="突发事件", event_at="09:10", reported_at='"2026/12/03 10:40"'))
    result = check(tree)
    event, reported = lines_for(result)
    assert "event_at" in event and "写完整的日期时间和时区：event_at: 2026-12-03 09:10+08:00" in event, event
    assert "reported_at" in reported and "写成：reported_at: 2026-12-03 10:40+08:00" in reported, reported
    tree.item(DEC, dec_item(category="突发事件"))
    result = check(tree)
    for name in ("event_at", "reported_at"):
        [line] = [l for l in lines_for(result) if f"必须写 {name}" in l]
        assert f"{name}: 2026-12-03 " in line and "2026-11-05" not in line, line
    tree.item(DEC, dec_item(date=None))
    [line] = lines_for(check(tree))
    assert "缺少必填字段 date" in line and "加一行：date: 2026-12-03" in line


@pytest.mark.parametrize("field,written,parts", [("authors", "何晓岚、李明", ["何晓岚", "李明"]),
                                                  ("tags", "[燃气，安全]", ["燃气", "安全"]),
                                                  ("authors", "[何晓岚, 李明；周敏]", ["何晓岚", "李明", "周敏"])])
def test_lists_written_with_chinese_separators_are_split_with_a_warning(tree, field, written, parts):
    tree.item(DEC, dec_item(**{field: written}))
    result = check(tree, "--format", "json")
    assert result.exit_code == 0
    [warning] = [p for p in json.loads(result.output) if p["field"] == field]
    assert warning["severity"] == "警告" and "、".join(parts) in warning["message"]
    assert warning["hint"] == f"写成列表：{field}: [{', '.join(parts)}]（各项之间用英文逗号）"


def test_every_problem_at_once_and_each_once(sample):
    """Several broken files and a file with two mistakes: one run names every mistake, once, and
    nothing that only follows from another (an issue "missing" a broken item, a numbering gap
    where a manifest is unreadable)."""
    def edit(rel, old, new):
        path = os.path.join(sample.root, rel)
        text = open(path, encoding="utf-8").read()
        assert old in text
        open(path, "w", encoding="utf-8").write(text.replace(old, new, 1))

    two = item_path("20261102-qingxi-01")
    edit(two, "title: ", "title：")
    edit(two, "unit: qingxi", "unit: qingxii")
    bad_yaml = item_path("20261102-teyue-chen-01")
    edit(bad_yaml, "unit: teyue-chen", "unit: [teyue-chen")
    no_fm = item_path("20261102-songqiao-01")
    edit(no_fm, "---\n", "")
    edit("issues/daily/2026/205.yml", "number: 205", "number: abc")
    edit("issues/daily/2026/207.yml", "copies:", "copies：")
    result = check(sample)
    errors = lines_for(result)
    got = sorted((line.split(":")[0], line.split(" — ")[1].split("（")[0]) for line in errors)
    assert got == sorted([
        (two, "键后面用了全角冒号“：”，YAML 读不出这个字段"), (two, "单位“qingxii”没有登记，是不是：qingxi、yingji"),
        (bad_yaml, "YAML 无法解析：did not find expected ',' or ']'"),
        (no_fm, "文件开头缺少 front matter"),
        ("issues/daily/2026/205.yml", "应为整数，现在是“abc”"),
        ("issues/daily/2026/207.yml", "键后面用了全角冒号“：”，YAML 读不出这个字段"),
    ]), result.output


def test_github_annotations_cannot_be_injected_through_a_file_name():
    """A file name with a newline (git allows it) must not end the annotation and start a workflow command."""
    from kanwu.errors import ERROR, Problem
    p = Problem("content/items/2026/11/x\n::add-mask::secret,line=1:a.md", 3, 1, ERROR, "title", "错误\n::stop-commands::x", "")
    out = p.format_github()
    assert out.count("\n") == 0 and out.startswith("::error file=")
    assert "%0A%3A%3Aadd-mask%3A%3Asecret%2Cline=1%3Aa.md,line=3,col=1::" in out


def test_what_check_passed_and_build_crashed_on_is_located(sample):
    """Dates beyond any record, a distribution with 抄 or a {…} entry, settings of the wrong shape:
    each a located error from check (they were 内部错误 in build or check)."""
    for day in ("0001-01-01", "9999-12-31"):
        rel = f"content/items/{day[:4]}/{day[5:7]}/{day.replace('-', '')}-qingxi-01.md"
        sample.write(rel, GOOD_ITEM.replace("2026-11-03", day))
    manifest = "issues/daily/2026/212.yml"
    data = yaml.safe_load(open(os.path.join(sample.root, manifest), encoding="utf-8"))
    for key in ("published", "digests", "seal"):
        data.pop(key, None)
    data["distribution"] = {"抄": ["市委办公室"], "报": [{"a": "b"}]}
    sample.write(manifest, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    out = "\n".join(lines_for(check(sample)))
    assert "00010101-qingxi-01.md:4:7: 错误 date — 日期 0001-01-01 早于 1990 年" in out
    assert "99991231-qingxi-01.md:4:7: 错误 date — 日期 9999-12-31 在一年以后" in out
    assert f"{manifest}:" in out and "不能是“抄”" in out and "“报”下的第 1 项不是单位名称" in out
    config = os.path.join(sample.root, "content", "kanwu.yml")
    text = open(config, encoding="utf-8").read()
    for old, new, said in (('cutoff: "16:00"', "cutoff: [16]", "截稿时间"),
                           ("emergency_deadline_hours: 2", "emergency_deadline_hours: abc", "不小于 0 的小时数"),
                           ("calendar:\n", "calendar: [1]\ncalendar_was:\n", "calendar 应是一组")):
        assert old in text
        open(config, "w", encoding="utf-8").write(text.replace(old, new, 1))
        result = check(sample)
        assert result.exit_code == 1 and "content/kanwu.yml:" in result.output and said in result.output, result.output
        assert "内部错误" not in result.output
    open(config, "w", encoding="utf-8").write(text)


def test_files_nothing_reads_are_reported(sample):
    folder = "content/items/2026/11"
    sample.write(f"{folder}/20261125-qingxi-01.markdown", GOOD_ITEM)
    sample.write("content/20261125-qingxi-02.md", GOOD_ITEM)
    sample.write(f"{folder}/２０２６1125-qingxi-03.md", GOOD_ITEM)
    out = "\n".join(lines_for(check(sample)))
    assert f"{folder}/20261125-qingxi-01.markdown:1:1: 错误 — content/items/ 下只读取 .md 文件" in out
    assert "content/20261125-qingxi-02.md:1:1: 错误 — 信息稿件应放在 content/items/年/月/ 下" in out
    assert "里面有全角字符（改名为 20261125-qingxi-03.md）" in out


def test_missing_glyphs_are_placed_by_line_and_column():
    from kanwu.source import chars
    text = "第一行都是常用字。\n第二行有“䶮”字，还有“㐂”。"
    found = chars.missing_glyphs(text, "x.md", first_line=12, drawable=lambda ch: False)
    assert [(p.line, p.col) for p in found] == [(13, 6), (13, 13)]
    assert "䶮" in found[0].message and "㐂" in found[1].message
    assert chars.missing_glyphs("全是常用字，没有生僻字。", "x.md", drawable=lambda ch: False) == []
