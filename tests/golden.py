"""The golden tree: the Markdown kanwu generates from the sample content (every audience), kept
under tests/golden/ and compared on every test run (as Pelican's functional tests compare their
output). A change that alters a generated page shows up as a diff to review; after reviewing,
``make golden`` writes the new tree.

    python tests/golden.py        # rewrite tests/golden/ from the sample
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GOLDEN = os.path.join(HERE, "golden")
AUDIENCES = ("quanti", "lingdao")


def generate(work: str) -> dict[str, str]:
    """{audience/relative path: text} of every generated Markdown page of the sample built in ``work``."""
    from click.testing import CliRunner

    from kanwu.cli import cli
    for part in ("content", "issues", "theme"):
        shutil.copytree(os.path.join(ROOT, part), os.path.join(work, part))
    shutil.copy(os.path.join(ROOT, "mkdocs.yml"), work)
    result = CliRunner().invoke(cli, ["--root", work, "build", "--no-pdf", "--all-audiences"], catch_exceptions=False)
    if result.exit_code:
        raise SystemExit(result.output)
    return read(os.path.join(work, "build"), lambda aud: os.path.join(aud, "docs"))


def read(base: str, docs_of=lambda aud: aud) -> dict[str, str]:
    out = {}
    for aud in AUDIENCES:
        docs = os.path.join(base, docs_of(aud))
        for dirpath, dirnames, filenames in os.walk(docs):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(".md"):
                    path = os.path.join(dirpath, name)
                    with open(path, encoding="utf-8") as fh:
                        out[os.path.join(aud, os.path.relpath(path, docs))] = fh.read()
    return out


def main() -> None:
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    with tempfile.TemporaryDirectory() as work:
        pages = generate(work)
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for rel, text in pages.items():
        path = os.path.join(GOLDEN, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    print(f"{len(pages)} pages written to {os.path.relpath(GOLDEN, ROOT)}")


if __name__ == "__main__":
    main()
