"""The real DMHC trend CSV through the adapter: every row read, counts and overturn rate as published."""

from __future__ import annotations

from pathlib import Path

import pytest

from features.dmhc_features import dmhc_feature_table, load_dmhc_spec
from letters.dmhc import read_dmhc_csv

pytestmark = pytest.mark.real


def test_ingest_real_dmhc_csv(dmhc_csv: Path) -> None:
    batch = read_dmhc_csv(dmhc_csv)
    assert batch.errors == []
    assert len(batch.rows) == 19_228
    table = dmhc_feature_table(batch.rows, load_dmhc_spec())
    assert table["letter_id"].is_unique  # one case per Reference ID
    assert table["overturned"].mean() == pytest.approx(0.44, abs=0.005)
    assert (table["overturned"] == 1).sum() == 8452
    years = table["report_year"]
    assert years.min() == 2001 and years.max() == 2016
    assert ((years >= 2014).sum(), (years <= 2013).sum()) == (4821, 14407)
    # every treatment category the data names maps to a family; only missing ones and
    # "Not Applicable" fall to `other`
    other = table["service_family"] == "other"
    unmapped = table.loc[other & table["treatment_category"].notna(), "treatment_category"].unique()
    assert set(unmapped) <= {"Not Applicable"}, unmapped
    assert (
        table["age_range"].dropna().isin(["0-10", "11-20", "21-30", "31-40", "41-50", "51-64", "65+"]).all()
    )


@pytest.mark.slow  # the CLI over the whole DMHC file
def test_ingest_dmhc_command_writes_records_and_table(dmhc_csv: Path, tmp_path: Path) -> None:
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from imr_triage.cli import app

    out = tmp_path / "dmhc"
    result = CliRunner().invoke(app, ["ingest-dmhc", str(dmhc_csv), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "19228 cases (0 malformed rows skipped)" in result.output
    assert len(pd.read_parquet(out / "features.parquet")) == 19_228
    with (out / "records.jsonl").open(encoding="utf-8") as fh:
        first = json.loads(fh.readline())
    assert first["case"]["letter_format"] == "dmhc-trend" and len(first["case"]["services"]) == 1
    assert first["case"]["services"][0]["decision"] in ("Overturned", "Upheld")
