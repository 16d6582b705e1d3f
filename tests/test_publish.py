"""From merge to the intranet: publish, releases and rollback from fresh clones, doctor (the served site: test_server)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import ROOT, Tree, copy_sample


def sample(dest) -> Tree:
    return copy_sample(dest)


def test_publish_twice_then_rollback(tmp_path):
    tree = sample(tmp_path / "repo")
    srv = tmp_path / "srv"
    first = tree.run("publish", "--site-root", str(srv), "--no-pdf")
    assert first.exit_code == 0, first.output
    live = {a: os.path.realpath(srv / a) for a in ("quanti", "lingdao")}
    second = tree.run("publish", "--site-root", str(srv), "--no-pdf")
    assert second.exit_code == 0
    assert all(os.path.realpath(srv / a) != live[a] for a in live)
    assert tree.run("rollback", "--site-root", str(srv)).exit_code == 0
    assert all(os.path.realpath(srv / a) == live[a] for a in live)
    assert tree.run("rollback", "--site-root", str(srv)).exit_code == 1  # nothing older kept


def test_failing_item_publishes_nothing(tmp_path):
    tree = sample(tmp_path / "repo")
    srv = tmp_path / "srv"
    assert tree.run("publish", "--site-root", str(srv), "--no-pdf").exit_code == 0
    before = {a: os.path.realpath(srv / a) for a in ("quanti", "lingdao")}
    tree.item("20261124-qingxi-01", "---\ntitle：坏稿件\n---\n\n正文\n")
    result = tree.run("publish", "--site-root", str(srv), "--no-pdf")
    assert result.exit_code == 1 and "全角冒号" in result.output
    assert {a: os.path.realpath(srv / a) for a in before} == before
    releases = os.listdir(srv / ".kanwu" / "quanti" / "releases")  # the state beside the live links
    assert len(releases) == 1


def test_doctor_names_a_missing_font(tree, tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    "<dir>/usr/share/fonts/opentype/noto</dir>"
                    f"<cachedir>{tmp_path}/fc-cache</cachedir></fontconfig>")
    env = os.environ | {"FONTCONFIG_FILE": str(conf)}
    import sys
    exe = os.path.join(os.path.dirname(sys.executable), "kanwu")
    res = subprocess.run([exe, "--root", tree.root, "doctor", "--site-root", str(tmp_path / "srv")],
                         capture_output=True, text=True, env=env)
    assert res.returncode == 1
    assert "✗ 仿宋_GB2312（正文）：FandolFang → 系统会用" in res.stdout
    assert "✗ 楷体_GB2312（编者按、来源）：AR PL KaitiM GB" in res.stdout and "fonts-arphic-gkai00mp" in res.stdout
    assert "✓ 黑体（密级、栏目）：Noto Sans CJK SC" in res.stdout
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for a in ("quanti", "lingdao"):
        (secrets / f"{a}.htpasswd").write_text("staff:{SSHA}x\n")
    config = os.path.join(tree.root, "content", "kanwu.yml")
    text = open(config, encoding="utf-8").read()
    for name in ("xinxi.crt", "xinxi.key"):
        (secrets / name).write_text("-----BEGIN-----\n")
        text = text.replace(f"/etc/kanwu/tls/{name}", str(secrets / name))
    open(config, "w", encoding="utf-8").write(text)
    ok = subprocess.run([exe, "--root", tree.root, "doctor", "--site-root", str(tmp_path / "srv"), "--htpasswd-dir", str(secrets)],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout


def test_doctor_says_what_is_true(tree, tmp_path):
    """A site root that does not exist is not "可写"; a missing password file is an error, not a pass."""
    result = tree.run("doctor", "--site-root", str(tmp_path / "no" / "srv"))
    assert result.exit_code == 1
    assert f"✓ 发布目录 {tmp_path / 'no' / 'srv'} 不存在；首次发布时会在 {tmp_path} 下创建" in result.output
    assert "可写" not in result.output.split("发布目录")[1].split("\n")[0]
    assert "✗   口令文件 /etc/kanwu/quanti.htpasswd：不存在或不可读" in result.output
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root writes anywhere: nothing to show
            return
        result = tree.run("doctor", "--site-root", str(locked / "srv"))
        assert f"✗ 发布目录 {locked / 'srv'} 不存在；{locked} 不可写，无法创建" in result.output
    finally:
        locked.chmod(0o700)


def test_daily_cutoff_script_leaves_a_branch(tmp_path):
    import sys
    tree = sample(tmp_path / "repo")
    shutil.copytree(os.path.join(ROOT, "scripts"), tmp_path / "repo" / "scripts",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    tree.item("20261124-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    tree.git("init", "-q", "-b", "main")
    tree.git("add", "-A")
    tree.git("commit", "-qm", "样例")
    env = os.environ | {"KANWU_BIN": os.path.dirname(sys.executable), "GIT_AUTHOR_NAME": "kanwu", "GIT_AUTHOR_EMAIL": "k@x.invalid",
                        "GIT_COMMITTER_NAME": "kanwu", "GIT_COMMITTER_EMAIL": "k@x.invalid"}
    res = subprocess.run(["bash", "scripts/daily-cutoff.sh", "2026-11-24"], cwd=tree.root, capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "assemble/daily-2026-11-24" in res.stdout
    files = tree.git("show", "--name-only", "--format=", "assemble/daily-2026-11-24")
    assert files.strip() == "issues/daily/2026/213.yml"
    assert tree.git("branch", "--show-current").strip() == "main"
    sunday = subprocess.run(["bash", "scripts/daily-cutoff.sh", "2026-11-29"], cwd=tree.root, capture_output=True, text=True, env=env)
    assert sunday.returncode == 0 and "不是工作日" in sunday.stdout


def _clone(origin, dest) -> Tree:
    subprocess.run(["git", "clone", "-q", str(origin), str(dest)], check=True)
    return Tree(dest)


def test_publishing_from_fresh_clones_keeps_the_live_site(tmp_path):
    """The shipped CI flow: each publish from a fresh clone, the workspace cleaned with
    `git clean -ffdx` between, into one site root. The live site, the previous release and
    rollback survive, and the second publish is still incremental."""
    origin = sample(tmp_path / "origin")
    origin.git("init", "-q", "-b", "main")
    origin.git("add", "-A")
    origin.git("commit", "-qm", "样例")
    srv = tmp_path / "srv"
    first = _clone(origin.root, tmp_path / "runner")
    result = first.run("publish", "--site-root", str(srv), "--no-pdf")
    assert result.exit_code == 0, result.output
    before = {a: os.path.realpath(srv / a) for a in ("quanti", "lingdao")}
    assert all(not p.startswith(first.root) for p in before.values())  # nothing live in the checkout
    first.git("clean", "-ffdxq")
    assert not os.path.exists(os.path.join(first.root, "build"))
    assert all(os.path.isfile(srv / a / "index.html") for a in before)  # the cleaning left the site alone

    origin.item("20261124-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                      "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    origin.git("add", "-A")
    origin.git("commit", "-qm", "报送")
    second = _clone(origin.root, tmp_path / "runner2")
    result = second.run("publish", "--site-root", str(srv), "--no-pdf")
    assert result.exit_code == 0, result.output
    pages, written = map(int, re.search(r"已上线 quanti：(\d+) 个页面（重新生成 (\d+) 个）", result.output).groups())
    assert written < pages / 5, result.output  # incremental: the state outside the checkouts was kept
    with open(srv / "quanti" / "items" / "2026" / "11" / "20261124-qingxi-01" / "index.html", encoding="utf-8") as fh:
        assert "青溪县开展冬季安全检查" in fh.read()
    listed = second.run("releases", "--site-root", str(srv))
    head = second.git("rev-parse", "--short=12", "HEAD").strip()
    lines = [l for l in listed.output.splitlines() if " quanti " in l]
    assert len(lines) == 2 and lines[1].startswith("* ") and f"提交 {head}" in lines[1]
    second.git("clean", "-ffdxq")
    assert second.run("rollback", "--site-root", str(srv)).exit_code == 0
    assert {a: os.path.realpath(srv / a) for a in before} == before
    assert os.path.isfile(srv / "quanti" / "index.html")
    assert not os.path.exists(srv / "quanti" / "items" / "2026" / "11" / "20261124-qingxi-01")


def test_state_inside_the_checkout_is_refused(tmp_path):
    tree = sample(tmp_path / "repo")
    result = tree.run("publish", "--site-root", str(tmp_path / "srv"), "--state", os.path.join(tree.root, "build", "x"))
    assert result.exit_code == 1 and "在仓库里面" in result.output and not os.path.exists(tmp_path / "srv")


def test_rollback_any_number_of_steps_and_pruning_keeps_the_shared_store(tmp_path):
    tree = sample(tmp_path / "repo")
    config = os.path.join(tree.root, "content", "kanwu.yml")
    text = open(config, encoding="utf-8").read()
    open(config, "w", encoding="utf-8").write(text.replace("publish:\n", "publish:\n  keep_releases: 3\n", 1))
    srv = tmp_path / "srv"
    names = []
    for n in range(5):
        tree.item(f"2026112{n}-qingxi-01", f"---\ntitle: 青溪县第{n + 1}次检查\nunit: qingxi\ndate: 2026-11-2{n}\ncategory: 动态\n"
                                           f"urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n第{n + 1}次。\n")
        result = tree.run("publish", "--site-root", str(srv), "--no-pdf")
        assert result.exit_code == 0, result.output
        names.append(os.path.basename(os.path.realpath(srv / "quanti")))
    time.sleep(0.5)  # the pruned folders are removed in the background
    kept = sorted(d for d in os.listdir(srv / ".kanwu" / "quanti" / "releases") if d[:6].isdigit())
    assert kept == names[-3:]
    listed = tree.run("releases", "--site-root", str(srv)).output
    assert all(n in listed for n in names[-3:]) and names[0] not in listed
    assert tree.run("rollback", "--site-root", str(srv), "--steps", "3").exit_code == 1  # only two older kept
    assert os.path.basename(os.path.realpath(srv / "quanti")) == names[-1]
    assert tree.run("rollback", "--site-root", str(srv), "--steps", "2").exit_code == 0
    assert os.path.basename(os.path.realpath(srv / "quanti")) == names[-3]
    from kanwu.incremental import shards
    for name in names[-3:]:
        release = srv / ".kanwu" / "quanti" / "releases" / name
        assert not shards.broken(str(release)), name  # every kept release whole: its shared years still there
    number = names[-2].split("-")[0]
    result = tree.run("rollback", "--site-root", str(srv), "--to", number)
    assert result.exit_code == 0 and os.path.basename(os.path.realpath(srv / "quanti")) == names[-2]
    assert tree.run("rollback", "--site-root", str(srv), "--to", "999999").exit_code == 1
    pages = [os.path.join(d, f) for d, _, fs in os.walk(srv / "quanti", followlinks=True) for f in fs if f == "index.html"]
    assert len(pages) > 300 and all(os.path.getsize(p) for p in pages)


def test_a_release_a_killed_publish_left_is_never_the_rollback_target(tmp_path, monkeypatch):
    """A publish stopped after building, before switching, leaves a complete release nobody saw:
    the next publish prunes it, and rollback goes back to the release that was live before."""
    from kanwu.publish import switch as switch_mod
    tree = sample(tmp_path / "repo")
    srv = tmp_path / "srv"
    assert tree.run("publish", "--site-root", str(srv), "--no-pdf").exit_code == 0
    before = os.path.basename(os.path.realpath(srv / "quanti"))

    def killed(live, release):
        raise KeyboardInterrupt  # what SIGINT/SIGTERM does between the build and the switch
    with monkeypatch.context() as m:
        m.setattr(switch_mod, "switch", killed)
        tree.item("20261125-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-25\ncategory: 动态\n"
                                        "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
        assert tree.run("publish", "--site-root", str(srv), "--no-pdf").exit_code != 0
    folder = srv / ".kanwu" / "quanti" / "releases"
    unseen = [d for d in os.listdir(folder) if d[:6].isdigit() and d != before]
    assert len(unseen) == 1  # complete, never live
    assert "构建完未上线" in tree.run("releases", "--site-root", str(srv)).output
    assert tree.run("publish", "--site-root", str(srv), "--no-pdf").exit_code == 0
    now = os.path.basename(os.path.realpath(srv / "quanti"))
    assert now not in (before, unseen[0])
    assert tree.run("rollback", "--site-root", str(srv)).exit_code == 0
    assert os.path.basename(os.path.realpath(srv / "quanti")) == before
    assert tree.run("rollback", "--site-root", str(srv), "--to", unseen[0].split("-")[0]).exit_code == 1


@pytest.fixture
def small_disk(tmp_path):
    """A 200 MB tmpfs at tmp_path/srv, resized by calling the fixture's value with a size in KB."""
    srv = tmp_path / "srv"
    srv.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200m", "tmpfs", str(srv)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")

    def resize(kb: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={kb}k", str(srv)], check=True, capture_output=True)
    resize.path = srv
    yield resize
    subprocess.run(["umount", "-l", str(srv)], capture_output=True)


def test_a_full_disk_is_a_located_message_and_the_live_site_stays(tmp_path, small_disk):
    """ENOSPC at any point of a publish (MkDocs' pages and theme files, Pagefind, which exits 0 leaving
    empty files, the records): a Chinese message naming the file, exit 1, the live site untouched
    and whole; with space again, the publish goes through."""
    from kanwu.incremental import shards
    tree = sample(tmp_path / "repo")
    kanwu = os.path.join(os.path.dirname(os.sys.executable), "kanwu")
    srv = small_disk.path

    def publish():
        return subprocess.run([kanwu, "--root", tree.root, "publish", "--site-root", str(srv), "--no-pdf"],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert publish().returncode == 0
    live = os.path.realpath(srv / "quanti")
    with open(os.path.join(live, "index.html"), "rb") as fh:
        home = fh.read()
    tree.item("20261125-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-25\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    used = shutil.disk_usage(srv).used // 1024
    failures = 0
    for extra in range(500, 20001, 1000):
        small_disk(used + extra)
        res = publish()
        if res.returncode == 0:
            break
        failures += 1
        assert res.returncode == 1 and "磁盘空间不足" in res.stderr and "内部错误" not in res.stderr, res.stderr
        assert "Traceback" not in res.stderr
        assert os.path.realpath(srv / "quanti") == live  # not switched
        with open(os.path.join(live, "index.html"), "rb") as fh:
            assert fh.read() == home
        assert shards.broken(live) == []
        assert not [d for d in os.listdir(os.path.dirname(live)) if d.startswith(".tmp-")]  # nothing half-built left
    assert failures >= 2  # the disk really was full, more than once
    small_disk(200 * 1024)
    res = publish()
    assert res.returncode == 0, res.stderr
    new = os.path.realpath(srv / "quanti")
    assert new != live and os.path.exists(os.path.join(new, "items", "2026", "11", "20261125-qingxi-01", "index.html"))


def test_rollback_refuses_a_release_damaged_since_it_was_made(tmp_path):
    """A rollback is to the site as it was published: a kept release with a file deleted or cut
    short since is refused, with its name and the file, and nothing is switched."""
    tree = sample(tmp_path / "repo")
    srv = tmp_path / "srv"
    assert tree.run("publish", "--site-root", str(srv), "--no-pdf").exit_code == 0
    first = os.path.realpath(srv / "quanti")
    tree.item("20261124-qingxi-01", "---\ntitle: 青溪县开展冬季安全检查\nunit: qingxi\ndate: 2026-11-24\ncategory: 动态\n"
                                    "urgency: 平件\nclassification: 内部\nauthors: [何晓岚]\n---\n\n青溪县开展冬季安全检查。\n")
    assert tree.run("publish", "--site-root", str(srv), "--no-pdf").exit_code == 0
    second = os.path.realpath(srv / "quanti")
    os.unlink(os.path.join(first, "search", "index.html"))  # the older release's own copy of the name
    result = tree.run("rollback", "--site-root", str(srv))
    assert result.exit_code == 1, result.output
    assert os.path.basename(first) in result.output and "缺少 search/index.html" in result.output
    assert os.path.realpath(srv / "quanti") == second and os.path.realpath(srv / "lingdao") != first
