"""retrain.md shows the labels.csv check of the new letters and both models' real-letter figures with
their 95% intervals, from the objects the run puts in retrain.json (SYNTHETIC numbers)."""

from __future__ import annotations

import json

import numpy as np

from training.corpus_update import IngestSummary
from training.letter_labels import LabelCheck, LabelMismatch
from training.retrain_recipe import real_letter_metrics
from training.retrain_report import interrupted_report, retrain_markdown


def _ingest(mismatches: list[LabelMismatch], withheld: list[str]) -> dict:
    check = LabelCheck("new/labels.csv", n_labelled=12, n_compared=12, mismatches=mismatches)
    summary = IngestSummary(4, ["A", "B", "C", "D"], [], [], 10, 14, labels=check, withheld_services=withheld)
    return json.loads(json.dumps(summary.as_dict()))  # as retrain.json holds it


def test_the_labels_check_and_what_it_left_out_are_in_the_report() -> None:
    wrong = LabelMismatch("CM16-0000002", 1, "parsed decision 'Overturned', label 'Upheld'")
    ingest = _ingest([wrong], ["CM16-0000002 item 1"])
    md = retrain_markdown({"outcome": "kept", "exit_code": 12, "ingest": ingest})
    assert "Labels: new/labels.csv: 12 of 12 labelled services compared, 1 mismatches." in md
    assert "- MISMATCH CM16-0000002 item 1: parsed decision 'Overturned', label 'Upheld'" in md
    assert "Left out of training and testing: 1 new service whose" in md and "CM16-0000002 item 1." in md
    clean = retrain_markdown({"outcome": "kept", "exit_code": 10, "ingest": _ingest([], [])})
    assert "12 of 12 labelled services compared, 0 mismatches" in clean and "MISMATCH" not in clean


def test_both_models_real_letter_figures_are_shown_with_intervals() -> None:
    rng = np.random.default_rng(3)
    letters = np.repeat([f"L{i:03d}" for i in range(60)], 2)
    y = rng.integers(0, 2, len(letters))
    chal = real_letter_metrics(y, np.clip(0.4 * y + rng.uniform(0, 0.6, len(y)), 0, 1), letters,
                               n_bootstrap=100, seed=0)  # fmt: skip
    report = {
        "outcome": "promoted",
        "exit_code": 0,
        "challenger": {"label": "v2 (imr-overturn-bbbbbbbbbbbb)", "metrics": {},
                       "metrics_new_letters": {}, "real_letter_metrics": chal.model_dump(mode="json")},
        "champion": {"label": "v1 (imr-overturn-aaaaaaaaaaaa)", "metrics": {},
                     "metrics_new_letters": {}, "real_letter_metrics": None},  # one outcome only
    }  # fmt: skip
    md = retrain_markdown(report)
    r = chal.roc_auc
    assert "## Real letters of the test window" in md and "120 services of 60 letters" in md
    assert f"| challenger v2 (imr-overturn-bbbbbbbbbbbb) | {r.value:.3f} [{r.low:.3f}, {r.high:.3f}] |" in md
    assert "| champion v1 (imr-overturn-aaaaaaaaaaaa) | n/a (one outcome only) |" in md
    assert "None" not in md.split("## Real letters")[1]
    synthetic_window = {**report, "challenger": {"metrics": {}, "metrics_new_letters": {}}, "champion": None}
    assert "Real letters" not in retrain_markdown(synthetic_window)


def test_an_interrupted_run_says_what_the_registry_and_the_corpus_hold() -> None:
    """Ctrl-C during the commit step, after the challenger was registered and promoted: the report says
    so, not a bare exit 130 beside the previous run's retrain.json; a run stopped while training keeps
    only the sections it finished (the challenger's are filled in piece by piece)."""
    decision = {"promoted": True, "reason": "promoted: SYNTHETIC"}
    challenger = {"version": "5", "metrics": {"roc_auc": 0.7}, "metrics_new_letters": {"roc_auc": 0.71}}
    partial = {"new_letters": "new", "ingest": _ingest([], []), "challenger": challenger,
               "decision": decision, "champion_after": "v5"}  # fmt: skip
    r = interrupted_report(partial, "SIGINT", 130, "commit")
    assert r["outcome"] == "interrupted" and r["exit_code"] == 130 and r["interrupted_step"] == "commit"
    assert r["error"].startswith("interrupted by SIGINT during the commit step: challenger v5 registered and "
                                 "promoted; interrupted while writing the corpus"), r["error"]  # fmt: skip
    md = retrain_markdown(r)
    assert "**Outcome: interrupted** (exit code 130)" in md and "Champion after this run: v5." in md, md
    training = {"new_letters": "new", "ingest": partial["ingest"], "challenger": {"metrics": {}}}
    early = interrupted_report(training, "SIGTERM", 143, "train")
    assert "challenger" not in early and early["ingest"] == partial["ingest"], early
    assert early["error"] == (
        "interrupted by SIGTERM during the train step: nothing registered; the corpus and feature table were "
        "left as they were, so a rerun adds these letters again"
    )
    assert "**Outcome: interrupted** (exit code 143)" in retrain_markdown(early)
