"""The ``kanwu schema`` command."""

from __future__ import annotations

import json

import click

from ..source.fields import json_schema
from .base import CONTEXT, cli


@cli.command(context_settings=CONTEXT)
def schema():
    """输出信息 front matter 的 JSON Schema（供编辑器的 YAML 插件补全和校验）。"""
    click.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))
