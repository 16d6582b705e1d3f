"""Rules over the whole repository → located problems, collected and sorted.

``check`` loads every item (the rules need all of them: units, 续报 chains, double
submissions), every issue manifest, and reports what is wrong in one sorted list.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field

from ..source import load, manifest, render
from .proof import proofreader
from ..source.config import load_config
from ..errors import ERROR, WARNING, Problem
from ..source.fields import nearest
from ..model import Config, Issue

_IMG_MD = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
_IMG_HTML = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.I)
_MAY_REFER = re.compile(r"\]\(|src|href", re.I)  # a cheap pre-filter for the three patterns here
_LINK_FILE = re.compile(r"""(?:href|src)\s*=\s*["']?\s*(file:|/|\.\./)""", re.I)


@dataclass
class Repository:
    """Everything loaded from one checkout: the config, the items and the issues."""

    config: Config
    items: dict = field(default_factory=dict)  # id -> Item
    issues: list = field(default_factory=list)  # Issue, sorted by periodical, year, number
    problems: list = field(default_factory=list)
    evaluation: object = None  # stats.Evaluation: best items, criticism notices
    known: set | None = None  # a partial load (``years``): the ids of every item, loaded or not

    @property
    def errors(self) -> list[Problem]:
        """The errors that stop a build. A proofreading error stops ``kanwu check`` (and so a merge)
        but not the site: a word added to the office's list must not stop today's issue."""
        return [p for p in self.problems if p.is_error and not p.rule]

    def issues_of(self, periodical: str) -> list[Issue]:
        return [i for i in self.issues if i.periodical == periodical]


def load_repository(root: str, years: set[int] | None = None) -> Repository:
    """Load and check everything; never raises for bad content, only for a bad config.

    ``years``: only the items and manifests of those years (and each periodical's newest year,
    for its numbering), for a command that reads no further back, such as the day's assemble and
    sign at 50,000 items. Its checks cover what it loaded; references to items of other years
    are taken as resolved (``Repository.known``); ``kanwu check`` and the build check it all."""
    from ..incremental.cache import bulk_load
    with bulk_load():  # a quarter-million new objects
        return _load_repository(root, years)


def _load_repository(root: str, years: set[int] | None = None) -> Repository:
    from ..incremental.cache import MISS, ParseCache, files_under, walk, year_shard
    from ..source.config import settings_files
    config = load_config(root)
    repo = Repository(config)
    repo.problems += list(config.warnings)
    # Both trees are walked before the caches are read: stat() over 56,000 files measured 3× slower
    # once the 50,000 cached items are in memory.
    links: list = []
    if years is None:
        content = list(files_under(root, "content", links))
        item_files = sorted((rel, e.stat(follow_symlinks=False)) for rel, e in content if e.name.endswith(".md"))
        repo.problems += stray_files(rel for rel, _ in content)
        manifest_files = walk(root, manifest.ISSUES_DIR, (".yml", ".yaml"), links)
    else:
        item_files, repo.known = _walk_years(root, years, links)
        manifest_files = []
        for p in _subdirs(root, manifest.ISSUES_DIR):
            kept = [y for y in _subdirs(root, f"{manifest.ISSUES_DIR}/{p}") if y.isdigit()]
            newest = {max(kept)} if kept else set()  # its running total goes on from there
            for y in sorted({y for y in kept if int(y) in years} | newest):
                manifest_files += walk(root, f"{manifest.ISSUES_DIR}/{p}/{y}", (".yml", ".yaml"), links)
    parsed = ParseCache(root, "items", settings_files(root), shard=year_shard,
                        only=None if years is None else {year_shard(rel) for rel, _ in item_files})

    item_files = [(rel, st) for rel, st in item_files if rel.startswith(load.ITEMS_DIR + "/")]
    manifests = manifest.parse_cache(root, manifest_files, partial=years is not None)
    kept = [parsed.lookup(rel, st) for rel, st in item_files]  # one check per file (56,000 at 50,000 items)
    ahead = parse_many(root, config, [rel for (rel, _), hit in zip(item_files, kept) if hit is MISS]
                       + [rel for rel, st in manifest_files if not manifests.has(rel, st)])
    local: dict = {}
    unreadable = set()  # ids of item files with errors of their own: not "missing" where referenced
    for (rel, st), hit in zip(item_files, kept):
        if hit is MISS:
            hit = parsed.put(rel, st, ahead.pop(rel, None) or parse_item(root, config, rel))
        item, problems, checked = hit
        if problems:
            repo.problems += problems
        if item is None:
            unreadable.add(os.path.basename(rel)[:-3])
            continue
        if item.id in repo.items:
            other = repo.items[item.id]
            repo.problems.append(Problem(rel, 1, 1, ERROR, "", f"编号 {item.id} 与 {other.path} 重复", "重命名其中一个文件"))
            continue
        repo.items[item.id] = item
        local[item.id] = checked
    writing = parsed.save(background=True)  # written while the checks below run
    try:
        _check_rest(root, repo, local, links, manifest_files, manifests, ahead, unreadable)
    finally:
        writing.wait()
    return repo


def _check_rest(root, repo, local, links, manifest_files, manifests, ahead, unreadable=frozenset()) -> None:
    """After the items: the checks across them, the manifests and theirs, and the other records."""
    config = repo.config
    repo.problems += check_items(config, repo.items, root, local, repo.known, unreadable)
    repo.issues, problems = manifest.load_all(root, manifest_files, manifests, ahead)
    repo.problems += check_symlinks(root, links)
    repo.problems += problems
    loaded = {i.path for i in repo.issues}
    broken = {rel for rel, _ in manifest_files if rel not in loaded}  # their own errors are reported
    repo.problems += manifest.check_issues(root, config, repo.items, repo.issues, repo.known, unreadable, broken)
    from ..stats import load_evaluation
    repo.evaluation, problems = load_evaluation(root, config.units, (repo.known or set(repo.items)) | unreadable)
    repo.problems += problems
    from ..editorial.cms import stale as stale_cms
    from .review import backdated, stale_codeowners
    repo.problems += stale_codeowners(root, config)
    repo.problems += stale_cms(root, config)
    repo.problems += backdated(root, repo.items, config.git_record_since, config.backdate_hours)
    repo.problems.sort()


def parse_item(root: str, config: Config, rel: str) -> tuple:
    """What depends on one item file and the configuration only (kept in the parse cache):
    (Item or None, its problems, ``item_problems``)."""
    item, problems = load.load_item(root, rel, config)
    return item, problems, (item_problems(config, item) if item else ((), ()))


PARALLEL_MIN = 2000  # files to parse before more processes pay for their start and for sending results back


def parse_many(root: str, config: Config, rels: list) -> dict:
    """{rel: parse_item(…) or manifest.load_manifest(…)} parsed on every core, when there are many
    (a cold start: no cache yet, or a new version of kanwu); {} when few, or if the processes
    cannot be had (then the caller parses them one by one, with the same results)."""
    from ..incremental.cache import fork_map

    def parse(rel: str):
        if rel.startswith(manifest.ISSUES_DIR + "/"):
            return manifest.load_manifest(root, rel)
        return parse_item(root, config, rel)
    done = fork_map(parse, rels, PARALLEL_MIN)
    return dict(zip(rels, done)) if done is not None else {}


def _subdirs(root: str, rel: str) -> list[str]:
    try:
        with os.scandir(os.path.join(root, rel)) as entries:
            return sorted(e.name for e in entries if e.is_dir(follow_symlinks=False))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _item_names(top: str) -> list[str]:
    """The ids of the item files under ``top`` (names only: no stat, no paths; 45,000 names at
    50,000 items in 0.02 s, against 0.06 s through ``files_under``)."""
    out, stack = [], [top]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.name.endswith(".md"):
                    out.append(e.name[:-3])
    return out


def _walk_years(root: str, years: set[int], links: list) -> tuple[list, set]:
    """The item files of ``years`` (with their stat) and the ids of all items (names only: no stat)."""
    from ..incremental.cache import walk
    files, known = [], set()
    for y in _subdirs(root, load.ITEMS_DIR):
        if y.isdigit() and int(y) in years:
            files += walk(root, f"{load.ITEMS_DIR}/{y}", (".md",), links)
        else:
            known.update(_item_names(os.path.join(root, load.ITEMS_DIR, y)))
    known.update(os.path.basename(rel)[:-3] for rel, _ in files)
    return files, known


def load_checked(root: str, years: set[int] | None = None) -> Repository:
    """The repository, or ProblemsFound: every stage that writes output refuses bad input."""
    repo = load_repository(root, years)
    if repo.errors:
        from ..errors import ProblemsFound
        raise ProblemsFound(repo.errors)
    return repo


def item_problems(config: Config, item) -> tuple[tuple[Problem, ...], tuple]:
    """The checks that read one item and the configuration only (kept in the parse cache):
    (problems, image references as (line, column, address) whose files are checked on every run)."""
    problems = []

    def report(name, message, hint=""):
        line, col = item.lines.get(name, (1, 1))
        problems.append(Problem(item.path, line, col, ERROR, name, message, hint))

    for n, ins in enumerate(item.instructions):
        for unit in ins.units:
            if unit not in config.units:
                report("instructions", f"第 {n + 1} 条批示的承办单位“{unit}”没有登记{nearest(unit, config.units)}")
        for fb in ins.feedback:
            if fb.unit not in ins.units:
                report("instructions", f"第 {n + 1} 条批示的反馈单位“{fb.unit}”不是承办单位", "反馈单位应在 units 中")
            if fb.date < ins.date:
                report("instructions", f"第 {n + 1} 条批示的反馈日期 {fb.date} 早于批示日期 {ins.date}")
        if ins.due < ins.date:
            report("instructions", f"第 {n + 1} 条批示的办理时限 {ins.due} 早于批示日期 {ins.date}")
    depth = render.nesting_depth(item.body)
    if depth > render.MAX_NESTING:
        problems.append(Problem(item.path, item.body_line, 1, ERROR, "",
                                f"正文嵌套过深（{depth} 层，上限 {render.MAX_NESTING} 层），无法排版",
                                "去掉多余的 HTML 标签、引用符号 > 或行首的缩进"))
    for line, col, message, fix in render.limits(item.body):
        problems.append(Problem(item.path, item.body_line + line, col, ERROR, "", message, fix))
    problems += [f.problem() for f in proofreader(config).item(item, config.root)]
    refs = []
    if _MAY_REFER.search(item.body):  # most items: no image, no link, nothing to resolve
        for lineno, line in enumerate(item.body.split("\n"), item.body_line):
            refs += [(lineno, m.start(1) + 1, m.group(1)) for m in image_refs(line)]
            m = _LINK_FILE.search(line)
            if m and not _IMG_HTML.search(line):
                problems.append(Problem(item.path, lineno, m.start(1) + 1, ERROR, "",
                                        "正文引用了本机文件或仓库外的路径", "删除该引用"))
    return tuple(problems), tuple(refs)


def check_items(config: Config, items: dict, root: str, local: dict | None = None,
                known: set | None = None, unreadable=frozenset()) -> list[Problem]:
    """Every item's own checks (``local``: kept from the parse cache) and those across items
    (``known``: ids of items not loaded, taken as existing; ``unreadable``: ids of item files
    whose own errors are reported, not reported again where referenced)."""
    problems = []
    seen_titles: dict = {}
    for item in items.values():
        own, refs = local[item.id] if local and item.id in local else item_problems(config, item)
        problems += own
        for lineno, col, ref in refs:  # the image files themselves can come and go: checked every run
            msg = asset_problem(root, ref)
            if msg:
                problems.append(Problem(item.path, lineno, col, ERROR, "", msg,
                                        f"图片请放在 {load.ASSETS_DIR}/ 下，用相对路径引用"))
        if item.follow_up_of:
            first = items.get(item.follow_up_of)
            line, col = item.lines.get("follow_up_of", (1, 1))
            if first is None and (known and item.follow_up_of in known or item.follow_up_of in unreadable):
                pass  # in a year not loaded, or with errors of its own
            elif first is None:
                problems.append(Problem(item.path, line, col, ERROR, "follow_up_of",
                                        f"续报所指的信息“{item.follow_up_of}”不存在{nearest(item.follow_up_of, items)}",
                                        "写上一条信息的编号（文件名去掉 .md）"))
            elif (first.date, first.id) >= (item.date, item.id):
                problems.append(Problem(item.path, line, col, ERROR, "follow_up_of",
                                        f"续报所指的信息 {first.id} 不早于本条", "续报只能接在更早的信息后面"))
        key = (item.unit, item.date, item.title)
        if key in seen_titles and not item.follow_up_of:  # 续报 may repeat the first report's title
            line, col = item.lines.get("title", (1, 1))
            problems.append(Problem(item.path, line, col, WARNING, "title",
                                    f"同一单位同一天已报送同题信息 {seen_titles[key]}（疑似重复报送）",
                                    "确认是否重复提交；若是续报请写 follow_up_of"))
        else:
            seen_titles[key] = item.id
    return problems


def image_refs(body: str) -> list:
    """Image references in an item body, Markdown and HTML: match objects, group(1) the address."""
    if "![" not in body and "<" not in body:  # most items (and every build reads all 50,000)
        return []
    return list(_IMG_MD.finditer(body)) + list(_IMG_HTML.finditer(body))


def asset_file(root: str, ref: str) -> tuple[str, str]:
    """(name under content/assets, real path) for an image address, or raise ValueError(why not)."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", ref) or ref.startswith("//"):
        raise ValueError(f"图片地址“{ref}”指向网络或本机路径；内网网站和 PDF 只能使用仓库里的图片")
    if ref.startswith("/"):
        raise ValueError(f"图片地址“{ref}”是绝对路径")
    assets = os.path.realpath(os.path.join(root, load.ASSETS_DIR))
    name = ref.split("#")[0].split("?")[0].removeprefix("./").removeprefix("assets/")
    target = os.path.realpath(os.path.join(assets, name))
    if os.path.commonpath([assets, target]) != assets:
        raise ValueError(f"图片地址“{ref}”跳出了 {load.ASSETS_DIR} 目录")
    if not os.path.isfile(target):
        raise ValueError(f"图片“{ref}”在 {load.ASSETS_DIR} 里不存在")
    return name, target


def asset_problem(root: str, ref: str) -> str:
    """'' when ``ref`` names an existing file inside content/assets; otherwise why not."""
    try:
        asset_file(root, ref)
    except ValueError as exc:
        return str(exc)
    return ""


def stray_files(paths) -> list[Problem]:
    """Files in content/ that nothing reads, said aloud: an item saved as .markdown or .txt, or
    written outside content/items, would otherwise be silently left out of every issue."""
    problems = []
    for rel in paths:
        name = os.path.basename(rel)
        if name.startswith("."):
            continue
        if rel.startswith(load.ITEMS_DIR + "/") and not rel.endswith(".md"):
            stem = os.path.splitext(name)[0]
            problems.append(Problem(rel, 1, 1, ERROR, "", "content/items/ 下只读取 .md 文件，这个文件不会被读取",
                                    f"信息稿件改名为 {stem}.md；图片等附件放到 content/assets/"))
        elif rel.endswith(".md") and not rel.startswith((load.ITEMS_DIR + "/", "content/help/")):
            problems.append(Problem(rel, 1, 1, ERROR, "", "信息稿件应放在 content/items/年/月/ 下，这里的文件不会被读取",
                                    "移到 content/items/ 下对应的年月目录；帮助页放在 content/help/"))
    return problems


def check_symlinks(root: str, links: list[str]) -> list[Problem]:
    """Symlinks anywhere in content/ or issues/ (``links``: met while loading), on disk or committed
    (mode 120000)."""
    problems = []
    for rel in sorted(links):
        if rel.endswith(".md") and rel.startswith(load.ITEMS_DIR + "/"):
            continue  # reported by load_item
        if rel.endswith((".yml", ".yaml")) and rel.startswith("issues/"):
            continue  # reported by load_manifest
        problems.append(Problem(rel, 1, 1, ERROR, "", "符号链接不允许：它可能把仓库外的文件带进网站",
                                "删除链接，提交普通文件"))
    try:
        out = subprocess.run(["git", "ls-files", "-s", "--", "content", "issues"], cwd=root,
                             capture_output=True, text=True, check=False).stdout
    except OSError:
        return problems
    reported = {p.path for p in problems}
    for line in out.splitlines():
        mode, _, rest = line.partition(" ")
        if mode == "120000":
            rel = rest.split("\t", 1)[1]
            if rel not in reported and not (rel.endswith(".md") and os.path.islink(os.path.join(root, rel))):
                problems.append(Problem(rel, 1, 1, ERROR, "", "仓库里提交了符号链接（git 模式 120000）",
                                        f"git rm --cached {rel}，改为提交普通文件"))
    return problems


@dataclass(frozen=True)
class Changes:
    """What a branch changed since it left ``rev``: files added, modified or renamed (their new
    names), and files deleted or renamed away (their old names)."""

    base: str
    changed: frozenset
    deleted: frozenset


def _git(root: str, rev: str, *args) -> bytes:
    res = subprocess.run(["git", *args], cwd=root, capture_output=True)
    if res.returncode != 0:
        from ..errors import KanwuError
        err = (res.stderr or res.stdout).decode("utf-8", "replace").strip()
        raise KanwuError(f"git 无法比较 {rev}：{err}")
    return res.stdout


def changes_since(root: str, rev: str) -> Changes:
    """The files changed since ``rev`` (committed, staged, or in the work tree). Names are read
    NUL-separated (``-z``): git quotes a non-ASCII or odd name otherwise, and it would match nothing."""
    base = _git(root, rev, "merge-base", rev, "HEAD").decode().strip() or rev
    fields = _git(root, rev, "diff", "--name-status", "-z", "-M", base).split(b"\0")
    changed, deleted = set(), set()
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i].decode()
        n = 2 if status[:1] in "RC" else 1
        names = [f.decode("utf-8", "surrogateescape") for f in fields[i + 1:i + 1 + n]]
        i += 1 + n
        if status[:1] in "RC":
            changed.add(names[-1])
            if status[:1] == "R":
                deleted.add(names[0])
        elif status[:1] in "AMT":
            changed.add(names[0])
        elif status[:1] == "D":
            deleted.add(names[0])
    others = _git(root, rev, "ls-files", "-z", "--others", "--exclude-standard").split(b"\0")
    changed.update(f.decode("utf-8", "surrogateescape") for f in others if f)
    return Changes(base, frozenset(changed), frozenset(deleted))


def changed_files(root: str, rev: str) -> set[str]:
    """Files added, modified or renamed since ``rev`` (committed, staged, or in the work tree)."""
    return set(changes_since(root, rev).changed)


def caused_by(root: str, rev: str, problems: list[Problem]) -> list[Problem]:
    """The problems a branch is answerable for: every problem in a file it changed, and every
    error elsewhere that the repository at ``rev`` did not have (a deleted item a signed issue
    still lists, an edited item a signed issue printed: the error lands on an unchanged manifest).
    Such a problem is also shown on the changed item it names, where the author will look.

    The repository at the merge base is loaded from ``git archive`` only when some problem lies
    outside the changed files: on a clean main that costs nothing."""
    changes = changes_since(root, rev)
    mine = [p for p in problems if p.path in changes.changed]
    # errors only: a warning elsewhere never blocks, and some depend on git history (a back-dated
    # report_at), which the archive of the base lacks
    # and not proofreading: a change to the word lists reports on the items it changed, not on the archive
    elsewhere = [p for p in problems if p.path not in changes.changed and p.is_error and not p.rule]
    if not elsewhere:
        return mine
    before = {(p.path, p.field, p.message) for p in _problems_at(root, rev, changes.base)}
    new = [p for p in elsewhere if (p.path, p.field, p.message) not in before]
    items = {os.path.basename(path)[:-3]: path for path in changes.changed
             if path.startswith("content/items/") and path.endswith(".md")}
    echoes = []
    for p in new:
        for item_id, path in items.items():
            if item_id in p.message or path in p.message:
                echoes.append(Problem(path, 1, 1, p.severity, p.field,
                                      f"{p.message}（这条问题记在 {p.path}:{p.line}，由本文件的改动引起）", p.hint))
    return sorted(mine + new + echoes, key=lambda p: (p.path, p.line, p.col))


def _problems_at(root: str, rev: str, commit: str) -> list[Problem]:
    """Every problem of the repository as it was at ``commit``, read from a ``git archive`` of it."""
    import io
    import tarfile
    import tempfile
    data = _git(root, rev, "archive", "--format=tar", commit)
    with tempfile.TemporaryDirectory(prefix="kanwu-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(tmp, filter="data")
        if not os.path.isfile(os.path.join(tmp, "content", "kanwu.yml")):
            return []  # nothing to compare with: every problem counts
        try:
            return load_repository(tmp).problems
        except Exception:  # a configuration the base could not load: every problem counts
            return []
