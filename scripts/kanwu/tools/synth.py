"""A synthetic archive, deterministic from a seed: ten years of an office's work in seconds.

For benchmarks and load tests only: units, items of realistic length and mix (categories,
urgency, classification, 续报 chains, instructions), and published manifests of every
periodical with correct numbering, all passing ``kanwu check``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from collections import defaultdict

from ..source import load, manifest, yamlread

PLACES = "东湖 西岭 南浦 北川 青石 白鹭 桂花 杏坛 桃源 枫林 柳岸 松涛 竹溪 梅岭 荷塘 兰亭 石桥 金沙 银杏 玉泉".split()
WORK = ["冬春农田水利建设", "营商环境优化", "基层治理网格化", "老旧小区改造", "秸秆综合利用", "防汛备汛", "安全生产检查",
        "医保便民服务", "义务教育均衡", "农村人居环境整治", "就业帮扶", "矛盾纠纷排查化解", "森林防火", "食品安全监管",
        "文明城市创建", "乡村特色产业", "社区养老服务", "河湖长制落实", "数字政务建设", "重点项目推进"]
VERBS = ["扎实推进", "创新开展", "全面启动", "深入实施", "稳步推进", "集中开展", "持续深化"]
DETAILS = ["组织专门力量逐村逐户摸排情况，建立问题清单和责任清单", "把任务分解到乡镇和部门，明确时间节点，每周调度一次",
           "采取“四不两直”方式开展暗访，发现问题当场反馈、限期整改", "整合部门资金和力量，统筹安排项目，避免重复建设",
           "邀请群众代表参与评议，把群众满意度作为检验工作成效的主要标准", "建立台账实行销号管理，整改一件、销号一件",
           "推行“一窗受理、集成服务”，办理时限压缩一半以上", "组织技术人员现场指导，帮助解决实际困难"]
RESULTS = ["目前已完成年度任务的{p}%，群众反映良好", "累计投入资金{n}万元，受益群众{m}户", "共排查问题{n}个，已整改{m}个",
           "相关投诉同比下降{p}%", "带动就业{n}人，人均增收{m}元"]
PROBLEMS = ["部分基层单位存在重部署、轻落实的情况", "资金和人手不足制约工作推进", "个别地方群众参与度不高",
            "部门之间信息不共享、衔接不顺畅", "长效管护机制尚未建立"]
EVENTS = ["山体滑坡", "道路交通事故", "厂房火灾", "燃气泄漏", "城市内涝", "危化品运输车辆侧翻"]
CATEGORY_WEIGHTS = [("动态", 44), ("经验", 13), ("问题", 13), ("建议", 7), ("社情民意", 11), ("调研", 5), ("综述", 5),
                    ("突发事件", 2)]


def _units(rng: random.Random) -> list[dict]:
    units = []
    for n in range(12):
        units.append({"id": f"xian{n + 1:02d}", "name": f"中共{PLACES[n]}县委办公室", "short": f"{PLACES[n]}县委办",
                      "kind": "县区", "reviewers": ["@bianji1"]})
    for n in range(80):
        units.append({"id": f"bumen{n + 1:02d}", "name": f"市直第{n + 1}部门", "short": f"市直{n + 1}部门",
                      "kind": "市直单位", "reviewers": ["@bianji2"]})
    for n in range(10):
        units.append({"id": f"teyue{n + 1:02d}", "name": f"特约信息员{n + 1}号", "short": f"特约信息员{n + 1}号",
                      "kind": "特约信息员", "reviewers": ["@bianji1"]})
    return units


def _body(rng: random.Random, unit: dict, work: str, category: str) -> str:
    paras = []
    target = rng.randint(150, 600) if category != "动态" else rng.randint(150, 320)
    text_len = 0
    while text_len < target:
        if not paras:
            s = f"{unit['short'].removesuffix('委办')}围绕{work}，{rng.choice(DETAILS)}。"
        elif category in ("问题", "建议", "社情民意") and rng.random() < 0.5:
            s = f"从了解的情况看，{rng.choice(PROBLEMS)}，需要引起重视。建议{rng.choice(DETAILS)}。"
        else:
            r = rng.choice(RESULTS).format(p=rng.randint(10, 95), n=rng.randint(20, 9000), m=rng.randint(10, 5000))
            s = f"{rng.choice(DETAILS)}。{r}。"
        if not paras or rng.random() < 0.35:
            paras.append(s)
        else:
            paras[-1] += s
        text_len += len(s)
    return "\n\n".join(paras) + "\n"


def _workdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    d = start
    while d <= end:
        if d.weekday() < 5:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def generate(template_root: str, out: str, items: int, years: int, seed: int = 1, end: dt.date = dt.date(2026, 11, 20)) -> dict:
    """Write a complete kanwu repository to ``out``; return counts."""
    rng = random.Random(seed)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "content"))
    shutil.copytree(os.path.join(template_root, "theme"), os.path.join(out, "theme"))
    shutil.copytree(os.path.join(template_root, "content", "help"), os.path.join(out, "content", "help"))
    shutil.copy(os.path.join(template_root, "mkdocs.yml"), os.path.join(out, "mkdocs.yml"))
    # the office's proofreading lists: kanwu check at 50,000 items reads them as the office's does
    if os.path.isfile(os.path.join(template_root, "content", "leaders.yml")):
        shutil.copy(os.path.join(template_root, "content", "leaders.yml"), os.path.join(out, "content", "leaders.yml"))
    if os.path.isdir(os.path.join(template_root, "content", "proof")):
        shutil.copytree(os.path.join(template_root, "content", "proof"), os.path.join(out, "content", "proof"))
    start = dt.date(end.year - years + 1, 1, 1)
    config_text = open(os.path.join(template_root, "content", "kanwu.yml"), encoding="utf-8").read()
    import re
    config_text = re.sub(r"first_issue: \{year: \d+, number: \d+\}", f"first_issue: {{year: {start.year}, number: 1}}", config_text)
    config_text = re.sub(r"total_base: \d+", "total_base: 0", config_text)
    config_text = re.sub(r"git_record_since: [0-9-]+", "git_record_since: 2100-01-01", config_text)
    with open(os.path.join(out, "content", "kanwu.yml"), "w", encoding="utf-8") as fh:
        fh.write(config_text)
    units = _units(rng)
    with open(os.path.join(out, "content", "units.yml"), "w", encoding="utf-8") as fh:
        fh.write("units:\n" + "".join(
            f"  - {{id: {u['id']}, name: {u['name']}, short: {u['short']}, kind: {u['kind']}, reviewers: [\"{u['reviewers'][0]}\"]}}\n"
            for u in units))
    days = _workdays(start, end)
    per_day = items / len(days)
    cats, weights = zip(*CATEGORY_WEIGHTS)
    written = []
    counters: dict = defaultdict(int)
    chains = []
    made = 0
    for n, day in enumerate(days):
        quota = int((n + 1) * per_day) - int(n * per_day)
        for _ in range(quota):
            if made >= items:
                break
            unit = rng.choice(units[:12]) if rng.random() < 0.5 else rng.choice(units)
            category = rng.choices(cats, weights)[0]
            work = rng.choice(WORK)
            counters[(day, unit["id"])] += 1
            item_id = f"{day:%Y%m%d}-{unit['id']}-{counters[(day, unit['id'])]:02d}"
            cls = rng.choices(["公开", "内部", "秘密"], [20, 72, 8])[0]
            urgency = "平件"
            fm = [f'title: "{unit["short"].removesuffix("委办")}{rng.choice(VERBS)}{work}"', f"unit: {unit['id']}",
                  f"date: {day}", f"category: {category}"]
            extra = []
            if category == "突发事件":
                urgency = "特急"
                event = dt.datetime.combine(day, dt.time(rng.randint(0, 14), rng.choice((0, 15, 30, 45))))
                delay = rng.choice((40, 70, 90, 110, 150, 200))
                reported = event + dt.timedelta(minutes=delay)
                fm[0] = f'title: "{unit["short"].removesuffix("委办")}发生一起{rng.choice(EVENTS)}"'
                extra += [f"event_at: {event:%Y-%m-%d %H:%M}+08:00", f"reported_at: {reported:%Y-%m-%d %H:%M}+08:00"]
                chains.append((item_id, unit, day, event, reported))
            elif rng.random() < 0.05:
                urgency = "加急"
            fm += [f"urgency: {urgency}", f"classification: {cls}"]
            if cls == "秘密":
                fm.append("secrecy_period: 1年")
            fm += extra
            fm.append(f"authors: [信息员{unit['id']}]")
            fm.append(f"tags: [{work[:4]}]")
            if rng.random() < 0.01:
                due = day + dt.timedelta(days=14)
                unit2 = rng.choice(units)["id"]
                fm.append("instructions:\n  - by: 市委主要负责同志\n"
                          f"    date: {day + dt.timedelta(days=2)}\n    text: 请抓紧研究落实。\n"
                          f"    units: [{unit2}]\n    due: {due}\n"
                          + (f"    feedback:\n      - {{unit: {unit2}, date: {day + dt.timedelta(days=9)}, text: 已落实。}}\n"
                             if rng.random() < 0.8 else ""))
            written.append(_write_item(out, item_id, day, fm, _body(rng, unit, work, category)))
            made += 1
    for first, unit, day, event, reported in chains:  # one or two 续报 the same day
        prev = first
        for k in range(rng.randint(1, 2)):
            counters[(day, unit["id"])] += 1
            item_id = f"{day:%Y%m%d}-{unit['id']}-{counters[(day, unit['id'])]:02d}"
            later = reported + dt.timedelta(hours=2 + 2 * k)
            fm = [f'title: "{unit["short"].removesuffix("委办")}突发事件处置进展（续报）"', f"unit: {unit['id']}",
                  f"date: {day}", "category: 突发事件", "urgency: 加急", "classification: 内部",
                  f"event_at: {event:%Y-%m-%d %H:%M}+08:00", f"reported_at: {later:%Y-%m-%d %H:%M}+08:00",
                  f"follow_up_of: {prev}", f"authors: [信息员{unit['id']}]"]
            written.append(_write_item(out, item_id, day, fm, "经全力处置，现场已得到控制，无人员伤亡。后续情况将及时续报。\n"))
            prev = item_id
    issues = _issues(out, rng)
    return {"items": len(written), "issues": issues, "units": len(units)}


def _write_item(out: str, item_id: str, day: dt.date, fm: list[str], body: str) -> str:
    rel = f"{load.ITEMS_DIR}/{day.year:04d}/{day.month:02d}/{item_id}.md"
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("---\n" + "\n".join(fm) + "\n---\n\n" + body)
    return rel


def _issues(out: str, rng: random.Random) -> int:
    """Published manifests for every periodical, numbered per year with a running total."""
    from ..editions.common import chain_of
    from ..checks.validate import load_repository
    repo = load_repository(out)
    bad = repo.errors
    if bad:
        raise RuntimeError("synthetic items fail the check: " + bad[0].format())
    config = repo.config
    items = sorted(repo.items.values(), key=lambda i: (i.date, i.id))
    by_day = defaultdict(list)
    for it in items:
        by_day[it.date].append(it)
    counters = {p: [None, 0, 0] for p in config.periodicals}  # year, number, total
    count = 0

    def emit(pid, day, sections, period=None):
        nonlocal count
        state = counters[pid]
        if state[0] != day.year:
            state[0], state[1] = day.year, 0
        state[1] += 1
        state[2] += 1
        p = config.periodicals[pid]
        ids = [i for _, group in sections for i in group]
        data = {"periodical": pid, "year": day.year, "number": state[1], "total": state[2], "date": day.isoformat(),
                "editor": p.editor, "signer": p.signer}
        if period:
            data["period"] = {"from": period[0].isoformat(), "to": period[1].isoformat()}
        data["sections"] = [{"heading": h, "items": list(g)} for h, g in sections]
        data["copies"] = p.copies
        data["published"] = day.isoformat()
        data["digests"] = {i: repo.items[i].digest for i in ids}
        data["seal"] = manifest.seal_data(data)
        rel = manifest.manifest_path(pid, day.year, state[1])
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(yamlread.dump(data))
        count += 1

    week: list = []
    urgent_done = set()
    for day in sorted(by_day):
        todays = [i for i in by_day[day] if i.level <= 1]
        daily = [i for i in todays if i.category != "突发事件" or not i.follow_up_of][:8]
        if daily:
            emit("daily", day, [("", [i.id for i in daily])])
        week += [(day, i.id) for i in daily]
        for it in by_day[day]:
            if it.category == "突发事件" and not it.follow_up_of and it.id not in urgent_done:
                chain = [x.id for x in chain_of(repo.items, it.id)]
                urgent_done.update(chain)
                emit("urgent", day, [("首报", [chain[0]]), ("续报", chain[1:])] if len(chain) > 1 else [("首报", chain)])
        if day.weekday() == 4:  # Friday: 内参 and 汇要
            neican = [i for d in range(5) for i in by_day.get(day - dt.timedelta(days=d), [])
                      if i.category in ("问题", "建议", "社情民意", "调研") and i.level <= 2][:5]
            if neican:
                emit("neican", day, [("", [i.id for i in neican])])
            if week:
                emit("huiyao", day, [("", [i for _, i in week])], (day - dt.timedelta(days=4), day))
            week = []
    return count
