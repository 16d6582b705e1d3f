"""The README documents every command and every front-matter field; the README's commands are the CI's."""

from __future__ import annotations

import os
import re

from conftest import ROOT
from kanwu.cli import cli
from kanwu.source.fields import FIELDS

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def test_every_command_documented():
    for name in cli.commands:
        assert f"`kanwu {name}" in README, f"kanwu {name} is not in README.md"


def test_every_field_documented():
    for f in FIELDS:
        assert f"| `{f.name}` |" in README, f"front-matter field {f.name} is not in README.md"


def test_ci_runs_the_readme_commands():
    ci = open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8").read()
    commands = re.findall(r"^make \w+", README, re.M)
    assert commands[:2] == ["make demo", "make test"]
    for c in commands[:2]:
        assert c in ci


def test_every_command_has_chinese_help():
    from click.testing import CliRunner
    for name in cli.commands:
        out = CliRunner().invoke(cli, [name, "--help"]).output
        assert out.startswith("用法：") and re.search(r"[\u4e00-\u9fff]{4}", out)


def test_the_readme_tables_are_the_codes(tmp_path):
    """The field and command tables are generated (cog, from fields.FIELDS and the commands'
    --help): ``make docs`` rewrites them; a table edited by hand, or code changed without
    regenerating, fails here."""
    from cogapp import Cog
    assert Cog().main(["cog", "--check", os.path.join(ROOT, "README.md")]) == 0, "README.md is stale: run make docs"
    stale = tmp_path / "README.md"
    stale.write_text(README.replace("| `urgency` | 是 | 紧急程度：平件、加急、特急 |", "| `urgency` | 是 | 紧急程度 |"),
                     encoding="utf-8")
    assert Cog().main(["cog", "--check", str(stale)]) == 5  # cog's exit status for a stale file
