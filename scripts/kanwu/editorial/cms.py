"""A web form for the units' information officers: Decap CMS, configured from kanwu's own
declaration of an item (fields.py), the unit registry and the configuration.

Decap runs in the browser from a vendored bundle (``scripts/setup-system.sh`` takes it from npm,
nothing from a CDN) in Chinese (``zh_Hans``), with its editorial workflow: each entry an officer
saves is a branch and a pull (merge) request on the office's git host, which runs the same CI
checks as a committed item, and merging is approval, as for every item.

``kanwu cms`` writes the admin folder (index.html, config.yml, the bundle); the collection part
of ``content/cms.yml`` is generated, its ``backend`` part is the administrator's (which git host,
which repository); ``kanwu check`` warns of a committed ``content/cms.yml`` whose collection no longer matches
the registry (a unit added or renamed: the form would not offer it), an error with ``--strict``.
"""

from __future__ import annotations

import os
import shutil
import sys

import yaml

from ..errors import ERROR, WARNING, KanwuError, Problem
from ..source.fields import BY_NAME, CATEGORIES, CLASSIFICATIONS, URGENCIES, title_message
from ..model import Config

CMS_FILE = os.path.join("content", "cms.yml")
VENDOR = os.path.join(sys.prefix, "share", "kanwu", "decap-cms")  # the bundle setup unpacks (.venv/share/kanwu)
DEFAULT_BACKEND = {"name": "gitlab", "repo": "xinxike/kanwu", "branch": "main"}
INDEX_HTML = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>报送信息 — {office}</title>
</head>
<body>
<script src="decap-cms.js"></script>
</body>
</html>
"""


def _field(name: str, widget: str, **more) -> dict:
    f = BY_NAME[name]
    out = {"name": name, "label": f.doc.split("：")[0].split("，")[0].split("（")[0], "widget": widget,
           "hint": f.doc, "required": f.required}
    out.update(more)
    return out


def collection(config: Config) -> dict:
    """The items collection: one form field per front-matter field an officer writes."""
    units = [{"label": f"{u.short}（{u.id}）", "value": u.id} for u in config.units.values()]
    limit = config.long_title_chars
    fields = [
        _field("title", "string", label="标题", pattern=[f"^.{{1,{limit}}}$", "标题" + title_message(limit)]),
        _field("unit", "select", label="报送单位", options=units),
        _field("date", "datetime", label="报送日期", format="YYYY-MM-DD", date_format="YYYY-MM-DD", time_format=False),
        _field("category", "select", label="类别", options=list(CATEGORIES)),
        _field("urgency", "select", label="紧急程度", options=list(URGENCIES), default=URGENCIES[0]),
        _field("classification", "select", label="密级", options=list(CLASSIFICATIONS), default="内部"),
        _field("secrecy_period", "string", label="保密期限", required=False),
        _field("authors", "list", label="撰稿人"),
        # emergencies: required by kanwu check for 突发事件 (Decap has no condition on another field)
        _field("event_at", "string", label="事件发生时间（突发事件必填）", required=False,
               pattern=[r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}\+08:00$", "时间写成“年-月-日 时:分+08:00”，例如 2026-11-23 07:00+08:00"]),
        _field("reported_at", "string", label="首次报告时间（突发事件必填）", required=False,
               pattern=[r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}\+08:00$", "时间写成“年-月-日 时:分+08:00”，例如 2026-11-23 08:00+08:00"]),
        _field("follow_up_of", "string", label="续报的上一条信息编号", required=False),
        _field("tags", "list", label="关键词", required=False),
        {"name": "body", "label": "正文", "widget": "markdown", "hint": "先写事情本身，再写做法、成效或问题。报喜也报忧，核实后再报。",
         "buttons": ["bold", "heading-three", "heading-four", "bulleted-list", "numbered-list", "quote"],
         "editor_components": ["image"], "modes": ["rich_text", "raw"]},
    ]
    return {
        "name": "items",
        "label": "信息",
        "label_singular": "信息",
        "description": f"{config.office_name} 信息报送：保存后自动生成合并请求，通过检查、经信息科审核合并即采用。",
        "folder": "content/items",
        "path": "{{year}}/{{month}}/{{slug}}",
        "slug": "{{year}}{{month}}{{day}}-{{fields.unit}}-01",
        "create": True,
        "extension": "md",
        "format": "frontmatter",
        "summary": "{{title}}（{{fields.unit}}，{{date}}）",
        "sortable_fields": ["date", "title"],
        "fields": fields,
    }


def generated(config: Config, backend: dict | None = None) -> dict:
    return {
        "backend": backend or dict(DEFAULT_BACKEND),
        "publish_mode": "editorial_workflow",
        "locale": "zh_Hans",
        "media_folder": "content/assets",
        "public_folder": "",
        "collections": [collection(config)],
    }


def dump(data: dict) -> str:
    head = ("# 报送表单（Decap CMS）的设置。collections 由 kanwu cms 根据 content/units.yml、content/kanwu.yml\n"
            "# 和字段声明生成，请勿手改（过期时 kanwu check 给出警告）；backend 由管理员填写（git 网站、仓库、分支），见 content/help/admin.md。\n")
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)


def read(root: str) -> dict | None:
    path = os.path.join(root, CMS_FILE)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return data if isinstance(data, dict) else {}


def stale(root: str, config: Config) -> list[Problem]:
    """A committed content/cms.yml whose collection differs from what the registry gives."""
    try:
        data = read(root)
    except (OSError, yaml.YAMLError):
        return [Problem(CMS_FILE, 1, 1, ERROR, "", "报送表单设置读不出来", "运行 kanwu cms 重新生成")]
    if data is None:
        return []
    if data.get("collections") != [collection(config)]:  # a warning: the published site does not depend on it
        return [Problem(CMS_FILE, 1, 1, WARNING, "collections", "报送表单与单位名册或字段设置不一致（名册、类别或标题字数改过）",
                        "运行 kanwu cms 重新生成并提交")]
    return []


def write_config(root: str, config: Config) -> str:
    """content/cms.yml with the collection regenerated and the backend kept."""
    data = read(root) or {}
    text = dump(generated(config, data.get("backend")))
    with open(os.path.join(root, CMS_FILE), "w", encoding="utf-8") as fh:
        fh.write(text)
    return CMS_FILE


def admin_folder(root: str, config: Config, out: str, local: str | None = None) -> list[str]:
    """The form as static files in ``out``: index.html, config.yml, the vendored bundle.
    ``local``: the address of a decap-server on this machine (trying the form without a git host)."""
    vendor = VENDOR
    if not os.path.isfile(os.path.join(vendor, "decap-cms.js")):
        raise KanwuError(f"没有找到 Decap CMS（{VENDOR}）。运行 make setup 安装。")
    data = read(root) or generated(config)
    data = {**data, "collections": [collection(config)]}
    if local:
        data = {"local_backend": {"url": local}, **data}
    os.makedirs(out, exist_ok=True)
    files = ["index.html", "config.yml"]
    with open(os.path.join(out, "index.html"), "w", encoding="utf-8") as fh:
        fh.write(INDEX_HTML.format(office=config.office_name))
    with open(os.path.join(out, "config.yml"), "w", encoding="utf-8") as fh:
        fh.write(dump(data))
    for name in sorted(os.listdir(vendor)):
        if name.endswith(".js"):
            shutil.copyfile(os.path.join(vendor, name), os.path.join(out, name))
            files.append(name)
    return files
