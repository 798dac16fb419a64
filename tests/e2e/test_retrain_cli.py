"""`imr retrain` end to end on synthetic letters: a shifted newer period promotes, an unshifted one does not.

A champion is trained on synthetic letters from 2016-10..2017-01 and registered (alias `champion`) in
a temporary SQLite MLflow store. The retraining CLI then ingests 2017-06..2017-12 letters generated
with `--shift guideline-2017` (outcome logic changed) in one copy of the store, and with `--shift none`
in another. Corpus sizes were chosen so the decision is not fragile: with these seeds the shifted
gain's 95% lower bound is far above 0 and the unshifted one's is below 0 (see docs/retraining.md).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from imr_triage.cli import app

pytestmark = pytest.mark.slow

N_LETTERS = 1500  # per new period
N_OLD = 3000  # the champion's corpus: big enough that more letters alone buy little
MODEL = "imr-overturn-retrain-e2e"
PARAMS = {
    "train": {
        "seed": 0,
        "cv_folds": 3,
        "weighting": "unweighted",
        "calibration": "sigmoid",
        "lgbm": {"num_boost_round": 150},
    },
    "register": {"model_name": MODEL, "margin": 0.005, "metric": "roc_auc", "experiment": "retrain-e2e"},
    "retrain": {"holdout_fraction": 0.5, "n_bootstrap": 300, "seed": 0},
    "drift": {"warn": 0.1, "alert": 0.25, "performance_drop_alert": 0.025},
}


def _synth_args(
    out: Path,
    seed: int,
    start: str,
    end: str,
    shift: str,
    first_id: int,
    n: int = N_LETTERS,
) -> list[str]:
    """The `imr synth` command line of one corpus."""
    return [
        "synth",
        "--n",
        str(n),
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--period-start",
        start,
        "--period-end",
        end,
        "--shift",
        shift,
        "--first-id",
        str(first_id),
        "--no-progress",
        "--params",
        str(out.parent / "none.yaml"),
    ]


def _synth_process(args: list[str]) -> subprocess.Popen[str]:
    """`imr synth` as its own process (the shifted corpus: what proves `--shift`/`--first-id` as a command),
    generating beside the test process."""
    return subprocess.Popen(
        [sys.executable, "-c", "from imr_triage.cli import app; app()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _letters(proc: subprocess.Popen[str], out: Path) -> Path:
    output, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, output
    return out / "letters"


def _synth_here(args: list[str]) -> Path:
    """The same `imr synth` command run in this process (Typer's CliRunner): the same files, without another
    process's start-up (~2.7 CPU-s of imports and pattern compiles, experiments/test-budget.md)."""
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    return Path(args[args.index("--out") + 1]) / "letters"


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, empty_mlflow_store: Callable[[Path], str]
) -> Iterator[dict[str, Path]]:
    """Old-period corpus (records + features) and a registered champion trained on all of it."""
    root = tmp_path_factory.mktemp("retrain")
    with contextlib.chdir(root):  # a local MLflow store puts artifacts under ./mlartifacts
        yield _build_world(root, empty_mlflow_store)


def _build_world(root: Path, empty_mlflow_store: Callable[[Path], str]) -> dict[str, Path]:
    import mlflow

    from features.spec import load_spec
    from letters.ingest import parse_paths, write_records
    from tests.synthetic_tables import feature_table_of
    from training.registry import RegistryParams, register_challenger
    from training.tracking import log_training_run
    from training.train import TrainParams, train_model

    shift = _synth_args(root / "shifted", 1, "2017-06", "2017-12", "guideline-2017", 100001)
    shifting = _synth_process(shift)
    old = _synth_here(_synth_args(root / "old", 0, "2016-10", "2017-01", "none", 1, N_OLD))
    same = _synth_here(_synth_args(root / "same", 1, "2017-06", "2017-12", "none", 100001))
    shifted = _letters(shifting, root / "shifted")
    parsed = parse_paths([old])
    write_records(parsed, root / "records")
    spec = load_spec()
    table = feature_table_of(parsed.cases)  # here: the in-process retrains below reuse the compiled rules
    table.to_parquet(root / "features.parquet", index=False)
    (root / "params.yaml").write_text(yaml.safe_dump(PARAMS))

    champion = train_model(table, spec, TrainParams(**PARAMS["train"])).model
    champion.save(root / "champion")
    uri = empty_mlflow_store(root / "mlflow.db")
    reg = RegistryParams(**PARAMS["register"])
    logged = log_training_run(
        champion,
        root / "champion",
        table.head(20),
        {},
        {},
        [],
        {},
        experiment=reg.experiment,
        tracking_uri=uri,
    )
    version = register_challenger(logged.model_uri, reg, logged.run_id)
    mlflow.MlflowClient().set_registered_model_alias(MODEL, "champion", version)
    return {"root": root, "shifted": shifted, "same": same}


def _retrain(world: dict[str, Path], name: str, letters: Path) -> tuple[int, dict, Path]:
    """A private copy of the corpus and the store, then `imr retrain` on it."""
    root = world["root"]
    work = root / name
    shutil.copytree(root / "records", work / "records")
    shutil.copy(root / "features.parquet", work / "features.parquet")
    shutil.copy(root / "mlflow.db", work / "mlflow.db")
    args = [
        "retrain",
        "--new-letters",
        str(letters),
        "--corpus",
        str(work / "records"),
        "--features",
        str(work / "features.parquet"),
        "--out",
        str(work / "report"),
        "--params",
        str(root / "params.yaml"),
        "--tracking-uri",
        f"sqlite:///{work / 'mlflow.db'}",
    ]
    res = CliRunner().invoke(app, args)
    report = json.loads((work / "report" / "retrain.json").read_text())
    assert res.exit_code == report["exit_code"], res.output
    return res.exit_code, report, work


def _content_tag(work: Path, version: str) -> str:
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{work / 'mlflow.db'}")
    return client.get_model_version(MODEL, version).tags["content_version"]


def _assert_no_local_paths(root: Path) -> None:
    """No logged file (MLmodel included) names a folder of the machine that logged it."""
    logged = [p for p in (root / "mlartifacts").rglob("*") if p.is_file() and p.suffix != ".pkl"]
    assert logged
    for p in logged:
        if p.suffix in ("", ".json", ".yaml", ".txt", ".md"):
            assert str(root) not in p.read_text(encoding="utf-8", errors="replace"), p


def _champion_version(work: Path) -> str:
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{work / 'mlflow.db'}")
    return str(client.get_model_version_by_alias(MODEL, "champion").version)


def _check_decision_matches_numbers(report: dict) -> None:
    # a champion trained with `train:` (synthetic letters) gets a `train:` challenger; no real-letter gate
    assert report["recipe"]["name"] == "train" and report["real_letter_gate"] is None
    dec, cmp_ = report["decision"], report["comparison"]
    champ, chal = report["champion"]["metrics"]["roc_auc"], report["challenger"]["metrics"]["roc_auc"]
    assert dec["challenger_value"] == pytest.approx(chal) == pytest.approx(cmp_["challenger_value"])
    assert dec["reference_value"] == pytest.approx(champ) == pytest.approx(cmp_["reference_value"])
    assert cmp_["gain"] == pytest.approx(chal - champ)
    expected = cmp_["gain"] >= dec["margin"] and cmp_["gain_lower"] >= 0.0
    assert dec["promoted"] is expected
    assert report["outcome"] == ("promoted" if expected else "kept")
    # The window: letters neither model trained on. The champion trained on every old letter, so it is
    # the newest half of the new period; both models are reported on it and on its new letters.
    window = report["test_window"]
    assert window["cutoff"] > window["champion_trained_until"] >= "2017-01-01"
    assert window["n_letters"] == window["n_new_letters"] == N_LETTERS // 2
    assert window["new_letter_share"] == 1.0
    for side in ("challenger", "champion"):
        assert report[side]["metrics_new_letters"]["roc_auc"] is not None
    perf = report["drift"]["performance"]
    assert perf["note"] is None and perf["observed_on_new_letters"] == pytest.approx(champ)
    # One name per model: registry number and content version, in the report and on the registry.
    label = report["champion"]["label"]
    assert label == f"v{report['champion']['version']} ({report['champion']['content_version']})"
    assert re.fullmatch(r"imr-overturn-[0-9a-f]{12}", report["champion"]["content_version"])


def test_shifted_period_flags_drift_and_promotes(world: dict[str, Path]) -> None:
    code, report, work = _retrain(world, "shifted-run", world["shifted"])
    assert report["ingest"]["n_new"] == N_LETTERS and report["ingest"]["n_duplicate"] == 0
    # flagged at least at the warn level (the shift is mostly outcome logic; see docs/retraining.md)
    assert report["drift"]["alerts"] or report["drift"]["warnings"], report["drift"]
    _check_decision_matches_numbers(report)
    assert code == 0 and report["outcome"] == "promoted"
    assert _champion_version(work) == report["challenger"]["version"] == report["champion_after_version"]
    assert report["champion_after"] == report["challenger"]["label"]
    assert _content_tag(work, report["challenger"]["version"]) == report["challenger"]["content_version"]
    md = (work / "report" / "retrain.md").read_text()
    assert "**Outcome: promoted**" in md and f"champion {report['champion']['label']}: window" in md
    assert "None" not in md
    assert (work / "report" / "drift.json").is_file()
    _assert_no_local_paths(world["root"])

    # The same letters again: nothing new, nothing trained, champion untouched.
    again = CliRunner().invoke(
        app,
        [
            "retrain",
            "--new-letters",
            str(world["shifted"]),
            "--corpus",
            str(work / "records"),
            "--features",
            str(work / "features.parquet"),
            "--out",
            str(work / "report2"),
            "--params",
            str(world["root"] / "params.yaml"),
            "--tracking-uri",
            f"sqlite:///{work / 'mlflow.db'}",
        ],
    )
    second = json.loads((work / "report2" / "retrain.json").read_text())
    assert again.exit_code == 11 and second["outcome"] == "no_new_letters"
    assert (
        second["ingest"]["n_duplicate"] == N_LETTERS
        and second["ingest"]["corpus_letters_after"] == N_OLD + N_LETTERS
    )


def test_unshifted_period_keeps_champion(world: dict[str, Path]) -> None:
    code, report, work = _retrain(world, "same-run", world["same"])
    _check_decision_matches_numbers(report)
    assert not report["drift"]["alerts"] and not report["drift"]["warnings"], report["drift"]
    assert code == 10 and report["outcome"] == "kept"
    assert _champion_version(work) == report["champion"]["version"] != report["challenger"]["version"]
