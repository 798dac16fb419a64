"""`imr explain` as a nurse reads it (a subprocess on SYNTHETIC letters): items numbered from 1, the
likelihood with its band, criteria and reasons in plain words, each guideline citation once per item;
the JSON keeps 0-based `item_index`, feature names and log-odds."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from features.spec import load_spec
from serving.plain_reasons import citation_line
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings
from tests.conftest import REPO_ROOT
from tests.synthetic_explain_model import synthetic_model_dir

pytestmark = pytest.mark.slow


def _imr(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "240"}  # wide enough that a citation never wraps
    code = "from imr_triage.cli import app; app()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=300, env=env, check=False)  # fmt: skip


def test_explain_table_is_written_for_a_nurse(tmp_path: Path) -> None:
    letters = []
    for i, (_case, text) in enumerate(iter_letters(4, GeneratorSettings(seed=73))):
        p = tmp_path / f"synthetic-{i}.txt"
        p.write_text(text, encoding="utf-8")
        letters.append(str(p))
    model = str(synthetic_model_dir())
    data = json.loads(_imr("explain", *letters, "--model", model, "--json").stdout)
    table = _imr("explain", *letters, "--model", model)
    assert table.returncode == 0, table.stderr
    out = table.stdout
    services = [s for letter in data for s in letter["services"]]
    several = next(letter for letter in data if len(letter["services"]) > 1)
    assert [s["item_index"] for s in several["services"]][:2] == [0, 1]  # 0-based in the JSON

    # Items from 1 in each letter's table, one row per service.
    numbers = [int(n) for n in re.findall(r"^│\s+(\d+)\s+│", out, flags=re.MULTILINE)]
    assert numbers == [s["item_index"] + 1 for s in services]
    # The likelihood with its band, per service.
    for s in services:
        assert f"{100 * s['overturn_likelihood']:.1f}%" in out
    assert sum(out.count(f"{b} band") for b in ("low", "medium", "high")) == len(services)
    # Plain words: no spec feature names and no log-odds figures outside the caption's pointer to --json.
    for name in load_spec().names:
        if "_" in name:
            assert name not in out, f"feature name {name!r} on screen"
    assert "log-odds" not in out.replace("Feature names and log-odds: --json", "")
    # Each citation once per item: every criterion of a checklist carries its guideline citation (the
    # section's, shared by all its criteria), and where no checklist was built the reasons carry theirs;
    # the item's block prints each of those citations exactly once, however many criteria or reasons
    # share it.
    blocks = _item_blocks(out)
    assert len(blocks) == len(services)
    shared = 0
    for s, block in zip(services, blocks, strict=True):
        if s["checklist"] is not None:
            texts = [citation_line(c["citation"]) for c in s["checklist"]]
        else:
            texts = [c for r in s["reasons"] if r["citation"] for c in r["citation"].split("; ")]
        texts = [t for t in texts if t]
        shared += len(texts) - len(set(texts))
        for citation in set(texts):
            assert block.count(citation) == 1, (s["service"], citation)
    assert shared > 0, "the letters should include an item whose criteria (or reasons) share a citation"


def _item_blocks(out: str) -> list[str]:
    """The text printed for each item, in order: from its "Item N: ..." rule to the next rule or the next
    letter's table."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in out.splitlines():
        if re.match(r"^Item \d+: .* ─+$", line):
            current = []
            blocks.append(current)
        elif re.search(r"\(\S*synthetic-\d+\.txt\)\s*$", line):  # the next letter's table title
            current = None
        elif current is not None:
            current.append(line)
    return ["\n".join(b) for b in blocks]
