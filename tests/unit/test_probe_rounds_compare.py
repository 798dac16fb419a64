"""experiments/probe_rounds.py's comparison: the "all rounds against the session start" figure of the
write-ups counts a value as moved to its key, away from it, or wrong to wrong, and skips a round whose keys
changed."""

from __future__ import annotations

import json
from pathlib import Path

from experiment_scripts import load_script


def _result(misreads: list[tuple[str, int, str, object, object]], cells: int = 30) -> dict:
    rows = [{"id": i, "item": n, "field": f, "expected": e, "got": g} for i, n, f, e, g in misreads]
    return {"cells": cells, "borderline_cells": 2, "correct": cells - len(rows),
            "accuracy": (cells - len(rows)) / cells, "misreads": rows}


def test_values_to_their_keys_away_and_wrong_to_wrong_are_told_apart() -> None:
    rounds = load_script("probe_rounds")
    before = _result([("s1", 0, "pain_score", 6, 10), ("s2", 1, "prior_sessions", 12, None)])
    after = _result([("s1", 0, "pain_score", 6, 7), ("s3", 0, "red_flag_trauma", 0, 1)])
    moves = rounds.round_moves(before, after)
    assert moves.to_key == [("s2", 1, "prior_sessions")]
    assert [m["id"] for m in moves.away] == ["s3"]
    assert [(m["id"], m["before"], m["got"]) for m in moves.changed_wrong] == [("s1", 10, 7)]
    assert not rounds.round_moves(before, before).moved


def test_a_rekeyed_round_is_named_not_counted(tmp_path: Path, capsys) -> None:
    rounds = load_script("probe_rounds")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    same = [("s1", 0, "failed_conservative_care", "yes", "not_stated")]
    (a / "summary_probe_r5.json").write_text(json.dumps(_result(same)))
    (b / "summary_probe_r5.json").write_text(json.dumps(_result([])))
    (a / "summary_probe_r6.json").write_text(json.dumps(_result(same)))
    (b / "summary_probe_r6.json").write_text(json.dumps(_result([("s1", 0, "failed_conservative_care",
                                                                   "not_stated", "yes")])))
    (a / "summary_probe_r7.json").write_text(json.dumps(_result([])))
    assert rounds.compare(a, b) == (1, 0)
    out = capsys.readouterr().out
    assert "summary_probe_r6: its keys differ" in out and "summary_probe_r7: only in" in out
    assert "TOTAL to key 1, away 0" in out
