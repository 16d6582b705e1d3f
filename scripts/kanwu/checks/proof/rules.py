"""The proofreading rules: one id each, its Chinese name, what it checks, its default level.

The office sets each rule's level in content/kanwu.yml (``proofreading:``); ``kanwu proof --rules``
lists them. A rule is *safe to fix* when its fix changes the form of a mark or a digit and never a
word: ``kanwu proof --fix`` applies only those.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "错误"
WARNING = "警告"
OFF = "关闭"
LEVELS = (ERROR, WARNING, OFF)


@dataclass(frozen=True)
class Rule:
    id: str
    group: str  # 标点 / 数字 / 日期 / 名称 / 用词
    name: str
    checks: str  # one sentence: what is a defect
    level: str = WARNING
    fixable: bool = False


RULES = (
    Rule("punct-halfwidth", "标点", "半角标点", "中文里用了半角的 , . ; : ? ! ( )（GB/T 15834 用全角）", WARNING, True),
    Rule("punct-pair", "标点", "标点不成对", "“”‘’（）《》〔〕【】「」缺了一半或前后颠倒、交叉嵌套", ERROR),
    Rule("punct-quote-nesting", "标点", "引号嵌套", "引号里再用引号要用单引号‘’，最外层用双引号“”", WARNING),
    Rule("punct-double", "标点", "标点重复", "同一个点号连用两次（，，。。、、）", WARNING, True),
    Rule("punct-combination", "标点", "标点连用", "不该连用的点号连在一起（，。、，；。），或引号、括号内已有句末点号外面又加点号", WARNING),
    Rule("punct-dunhao", "标点", "顿号误用", "相邻数字表示概数用了顿号（三、四个），阿拉伯数字序号后用顿号（1、），括号序号后加顿号（（一）、）", WARNING),
    Rule("punct-ellipsis", "标点", "省略号", "省略号写成 ... 或 。。。 或一个 …，或与“等”并用；应为两个“…”（……）", WARNING, True),
    Rule("punct-dash", "标点", "破折号", "破折号写成 -- 或一个 —；应为两个“—”（——）", WARNING, True),
    Rule("num-fullwidth", "数字", "全角数字和字母", "用了全角的数字或字母（１２３、ＡＢＣ），应为半角", WARNING, True),
    Rule("num-year-short", "数字", "年份简写", "年份写成两位（26年11月、一九年），应写全（2026年、二〇一九年）", WARNING),
    Rule("num-mixed", "数字", "数字形式混用", "一个日期或数值里阿拉伯数字和汉字数字混用（2026年11月二十日、百分之5）", WARNING),
    Rule("num-range", "数字", "数值范围", "数值范围用了连字符 - 或半角 ~，应为浪纹线（3～5）", WARNING, True),
    Rule("num-zero", "数字", "汉字“〇”", "汉字数字的年份里把“〇”写成了“○”“零”“O”或“0”", WARNING, True),
    Rule("num-separator", "数字", "千分位", "千分位用了中文逗号（1，236），或分节不是三位一节（12,34）", WARNING),
    Rule("date-invalid", "日期", "日期不存在", "日历上没有的日期（11月31日、2月30日、13月）", ERROR),
    Rule("date-weekday", "日期", "星期不符", "日期后注的星期与日历不符（2026年11月20日（星期四））", ERROR),
    Rule("date-relative", "日期", "昨天、今天不符", "“昨天”“今天”“前天”所指的日期或星期与信息日期不符", ERROR),
    Rule("date-after-report", "日期", "晚于报告时间", "突发事件正文记述的时间晚于首报时间，或已发生的事写了信息日期之后的日子", WARNING),
    Rule("name-leader", "名称", "领导姓名职务", "领导同志的姓名与职务不符或已不再担任（按 content/leaders.yml 和信息日期核对）", ERROR),
    Rule("name-unit", "名称", "单位名称", "单位名称与 content/units.yml 登记的全称、简称都不一致（疑似写错）", WARNING),
    Rule("word-typo", "用词", "错别字", "content/proof/typos.yml 里的错别字（布署→部署）", ERROR),
    Rule("word-confusion", "用词", "易混词", "content/proof/confusions.yml 里按上下文判断的易混词（截止目前→截至目前）", WARNING),
    Rule("word-banned", "用词", "禁用词", "content/proof/banned.yml 里不宜见刊的词语", ERROR),
)
BY_ID = {r.id: r for r in RULES}


@dataclass(frozen=True)
class Hit:
    """One defect a rule found in one paragraph: text[start:end], what is wrong, how to fix it,
    and for a rule safe to fix, the text that replaces it."""

    rule: str
    start: int
    end: int
    message: str
    hint: str = ""
    replacement: str | None = None
