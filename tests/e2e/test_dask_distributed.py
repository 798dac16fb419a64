"""Dask paths on a real loopback LocalCluster (2 worker processes) give the single-process results.

SYNTHETIC letters only. One cluster for the module keeps it to seconds after the start-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from features.spec import load_spec
from features.table import build_feature_table
from letters.ingest import load_failures, load_records, parse_paths, write_records
from letters.partitioned_output import SUCCESS_FILE, IncompleteOutputError, read_manifest
from tests.synthetic_letter_files import write_synthetic_letters
from tests.synthetic_tables import letter_range_table
from training.distributed import (
    dask_client,
    features_partitioned,
    parse_partitioned,
    read_feature_table,
)

pytestmark = pytest.mark.slow  # a Dask LocalCluster per module
N_LETTERS = 200
KEY = ["letter_id", "item_index"]


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    with dask_client("local", n_workers=2) as c:
        yield c


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("synthetic-letters")
    write_synthetic_letters(d, N_LETTERS, seed=7, name="synthetic-{seed}-{i:04d}.txt")
    # A bad letter inside a partition (sorted between the good ones): reported, not fatal.
    (d / "synthetic-7-0100-bad.txt").write_text("SYNTHETIC text that is not a letter\n", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def single(letters: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("records-single")
    write_records(parse_paths([letters]), out)
    return out


@pytest.fixture(scope="module")
def partitioned(letters: Path, client: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("records-dask")
    parse_partitioned([letters], out, client, partition_size=60, retries=1)
    return out


def test_parse_gives_the_same_records_and_failures(single: Path, partitioned: Path) -> None:
    manifest = read_manifest(partitioned)
    assert len(manifest["partitions"]) == 4  # 201 files in slices of 60
    assert load_records(partitioned) == load_records(single)
    failures = load_failures(partitioned)
    assert failures == load_failures(single)
    assert [Path(f.source_file).name for f in failures] == ["synthetic-7-0100-bad.txt"]
    assert "not an IMR Final Determination letter" in failures[0].reason
    assert manifest["failures"][0]["source_file"] == failures[0].source_file


def test_features_match_on_both_record_layouts(
    single: Path, partitioned: Path, client: object, tmp_path: Path
) -> None:
    table = build_feature_table(load_records(single), spec=load_spec())
    table.to_parquet(tmp_path / "single.parquet", index=False)  # what `imr features` writes
    expected = pd.read_parquet(tmp_path / "single.parquet")
    for src in (single, partitioned):
        out = tmp_path / f"features-{src.name}"
        res = features_partitioned(src, out, client, partition_size=70, retries=1)
        got = read_feature_table(out)
        assert res.rows == len(expected) and not res.failed
        pd.testing.assert_frame_equal(
            got.sort_values(KEY).reset_index(drop=True), expected.sort_values(KEY).reset_index(drop=True)
        )
        assert pd.read_parquet(out).shape == expected.shape  # plain pandas reads the dataset too


def test_a_failed_partition_leaves_no_success_marker(letters: Path, client: object, tmp_path: Path) -> None:
    out = tmp_path / "records"
    out.mkdir()
    (out / "services").write_text("a file where the partition directory must go\n")  # every task fails
    with pytest.raises(Exception, match="services"):
        parse_partitioned([letters], out, client, partition_size=100, retries=1)
    assert not (out / SUCCESS_FILE).exists()
    with pytest.raises(IncompleteOutputError, match="_SUCCESS"):
        load_records(out)
    with pytest.raises(IncompleteOutputError):
        read_feature_table(out)


def test_rerun_replaces_stale_partitions(letters: Path, client: object, tmp_path: Path) -> None:
    out = tmp_path / "records"
    parse_partitioned([letters], out, client, partition_size=20, retries=1)
    parse_partitioned([letters], out, client, partition_size=100, retries=1)
    assert sorted(p.name for p in (out / "cases").iterdir()) == read_manifest(out)["partitions"]
    assert len(load_records(out)) == N_LETTERS


def test_score_rows_match_single_process(letters: Path, client: object, tmp_path: Path) -> None:
    from imr_triage.dask_runs import score_on_dask
    from model.artifact import TriageModel
    from serving.batch_scoring import score_file
    from serving.scores_db import ScoreFilters, open_scores_db
    from serving.settings import ServingSettings
    from tests.synthetic_explain_model import synthetic_model_dir

    model = TriageModel.load(synthetic_model_dir())
    files = sorted(letters.glob("*.txt"))
    at = datetime(2026, 1, 1, tzinfo=UTC)
    predictor = ServingSettings().predictor(model, top_k=3)
    single_db = open_scores_db(f"sqlite:///{tmp_path / 'single.db'}")
    failed_single = []
    for f in files:
        got = score_file(f, predictor, model.spec, "m", "1", at)
        single_db.save_scores(got.rows)
        if got.error is not None:
            failed_single.append((str(f), got.error))
    dask_db = open_scores_db(f"sqlite:///{tmp_path / 'dask.db'}")
    address = client.scheduler.address  # type: ignore[attr-defined]
    params = tmp_path / "params.yaml"
    params.write_text("dask: {partition_size: 64, retries: 1}\n")
    n_cases, n_services, _labelled, failed = score_on_dask(
        files, model, 3, "m", "1", at, dask_db, 100, address, None, params
    )
    assert failed == failed_single and len(failed) == 1
    assert n_cases == N_LETTERS and n_services == single_db.count() == dask_db.count()

    def rows(repo: object) -> list[str]:
        lines = "".join(repo.iter_export_csv(ScoreFilters())).splitlines()  # type: ignore[attr-defined]
        return [lines[0], *sorted(lines[1:])]

    got = rows(dask_db)
    assert len(got) == n_services + 1 and "probability" in got[0]
    assert got[0].endswith(",model_synthetic_only") and all(r.endswith(",True") for r in got[1:])  # marked
    assert got == rows(single_db)


def test_score_counts_a_case_met_twice_once_and_passes_on_parse_warnings(
    letters: Path, client: object, tmp_path: Path
) -> None:
    """A letter and its copy under another name (the same case) in two partitions: the counts returned are
    the cases and services stored, as `imr score` without Dask prints them (it said 2 cases, stored 1), and
    a letter's parse warnings reach the caller (they were dropped under Dask)."""
    import re

    from imr_triage.dask_runs import score_on_dask
    from model.artifact import TriageModel
    from serving.scores_db import open_scores_db
    from tests.synthetic_explain_model import synthetic_model_dir

    first = sorted(letters.glob("*.txt"))[0]
    copy = tmp_path / "copy-of-the-first.txt"  # read with a gap: its age sentence gone, a parse warning
    copy.write_text(re.sub(r"\b\d+[- ]year[- ]old\b", "adult", first.read_text(encoding="utf-8")),
                    encoding="utf-8")
    db = open_scores_db(f"sqlite:///{tmp_path / 'dask.db'}")
    params = tmp_path / "params.yaml"
    params.write_text("dask: {partition_size: 1, retries: 1}\n")
    said: list[str] = []
    n_cases, n_services, _labelled, failed = score_on_dask(
        [first, copy], TriageModel.load(synthetic_model_dir()), 3, "m", "1", datetime(2026, 1, 1, tzinfo=UTC),
        db, 100, client.scheduler.address, None, params, warn=said.append,  # type: ignore[attr-defined]
    )
    assert failed == [] and n_cases == 1 and n_services == db.count() > 0
    assert said == [f"warning: {copy}: patient age not found in the summary's opening"]  # as without Dask


# documented in docs/scaling.md: holdout ROC-AUC of engine dask vs local; LightGBM's rank order under
# Dask varies between runs and moved it by -0.017 to +0.028 here (0.02 failed in CI)
AUC_TOLERANCE = 0.04
BRIER_TOLERANCE = 0.005


def test_dask_training_matches_local_quality_and_saves_a_plain_model(client: object, tmp_path: Path) -> None:
    import numpy as np

    from model.artifact import TriageModel
    from training import metrics as M
    from training.dask_train import train_model_dask
    from training.splits import holdout_split
    from training.train import TrainParams, labelled_rows, train_model

    spec = load_spec()
    # 2,000 letters: at a few hundred, holdout ROC-AUC alone swings by more than the tolerance. Built
    # in ranges on the cluster's two workers and joined in order (the table is row-wise: see
    # test_features_match_on_both_record_layouts), which halves the wait.
    ranges = [(start, min(start + 250, 2000)) for start in range(0, 2000, 250)]
    futures = [client.submit(letter_range_table, a, b, 3, "synthetic-{i:05d}.txt", pure=False)  # type: ignore[attr-defined]
               for a, b in ranges]  # fmt: skip
    parts = client.gather(futures)  # type: ignore[attr-defined]
    table = labelled_rows(pd.concat(parts, ignore_index=True), spec)
    split = holdout_split(table, 0.25, 0)
    train, test = table.iloc[split.train], table.iloc[split.test]
    params = TrainParams(cv_folds=3, weighting="unweighted", calibration="sigmoid")
    local = train_model(train, spec, params).model
    result = train_model_dask(train, spec, params, client)
    reloaded = TriageModel.load(result.model.save(tmp_path / "model"))  # what serving loads
    assert reloaded.metadata.calibration["engine"] == "dask"
    y = test[spec.target].to_numpy()
    from model.predictor import Predictor

    p_local, p_dask = Predictor(local).predict_proba(test), Predictor(reloaded).predict_proba(test)
    np.testing.assert_allclose(p_dask, Predictor(result.model).predict_proba(test))
    assert abs(M.roc_auc(y, p_dask) - M.roc_auc(y, p_local)) <= AUC_TOLERANCE
    assert abs(M.brier(y, p_dask) - M.brier(y, p_local)) <= BRIER_TOLERANCE
