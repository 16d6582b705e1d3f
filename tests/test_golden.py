"""The sample's generated Markdown is the committed golden tree (tests/golden, see golden.py)."""

from __future__ import annotations

import difflib

import golden


def test_the_sample_generates_the_golden_tree(tmp_path):
    got = golden.generate(str(tmp_path))
    kept = golden.read(golden.GOLDEN)
    assert len(kept) > 300, "tests/golden is missing: run make golden"
    missing, extra = sorted(set(kept) - set(got)), sorted(set(got) - set(kept))
    changed = [rel for rel in sorted(set(kept) & set(got)) if kept[rel] != got[rel]]
    diff = []
    for rel in changed[:5]:
        diff += difflib.unified_diff(kept[rel].splitlines(), got[rel].splitlines(), f"golden/{rel}", rel, lineterm="", n=1)
    assert not (missing or extra or changed), (
        f"generated pages differ from tests/golden (review, then run make golden): missing {missing[:10]}, "
        f"new {extra[:10]}, changed {len(changed)}: {changed[:10]}\n" + "\n".join(diff[:80]))
