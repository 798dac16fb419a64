"""Published priors as data and the empirical-Bayes family rate built on them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.family_prior import (
    FamilyPrior,
    build_family_priors,
    load_published_priors,
    published_family_priors,
)


def test_every_published_figure_has_a_source_and_a_share() -> None:
    table = load_published_priors()
    assert len(table) >= 40
    assert table["source_url"].str.startswith("http").all()
    assert table["value"].between(0, 1, inclusive="neither").all()
    # the figures the issue names are in the table
    rows = {(r.category, int(r.year), r.metric, round(r.value, 4)) for r in table.itertuples()}
    for figure in [
        ("all", 2016, "upheld_share", 0.916),
        ("all", 2017, "upheld_share", 0.917),
        ("medication", 2017, "upheld_share", 0.92),
        ("evaluation_management", 2024, "overturned_share", 0.231),
        ("psychology", 2022, "upheld_share", 0.825),
        ("injection", 2022, "upheld_share", 0.959),
        ("all", 2024, "overturned_share", 0.127),
    ]:
        assert figure in rows


def test_family_priors_follow_the_published_direction() -> None:
    pri = published_family_priors()
    assert 0.08 < pri.reference_level < 0.10  # DWC/CWCI 2016-2017: 8-9% overturned
    level = pri.reference_level
    assert pri.prior_mean("consultation") > 2 * level  # E&M and psychology: overturned most often
    assert pri.prior_mean("injection") < 0.6 * level  # injections: upheld 95.9%
    assert pri.prior_mean("medication") < level  # drugs: upheld 92%
    assert pri.families["consultation"].sources  # every derived prior names its sources
    # recentring keeps the relative effect and moves the level
    hi = pri.prior_mean("consultation", 0.2)
    assert hi > pri.prior_mean("consultation") and pri.prior_mean("unheard_of_family", 0.2) == pytest.approx(
        pri.prior_mean("imaging", 0.2)
    )


def test_bad_row_is_named(tmp_path: Path) -> None:
    table = load_published_priors()
    table.loc[3, "value"] = 1.4
    path = tmp_path / "priors.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"priors\.csv row 5: value 1\.4"):
        load_published_priors(path)


def test_family_config_without_rates_is_refused() -> None:
    config = {
        "reference_years": [2016],
        "families": {"lab": {"categories": ["no_such_category"], "strength": 5, "basis": "x"}},
        "default": {"non_drug_year": 2017, "strength": 5, "basis": "x"},
    }
    with pytest.raises(ValueError, match="no_such_category"):
        build_family_priors(load_published_priors(), config)


def test_empirical_bayes_shrinks_toward_the_prior() -> None:
    fam = ["consultation"] * 4 + ["imaging"] * 200 + ["medication"] * 100
    y = np.r_[[1, 1, 1, 1], np.zeros(200), np.r_[np.ones(10), np.zeros(90)]].astype(int)
    eb = FamilyPrior.fit(fam, y)
    pri = published_family_priors()
    k = pri.families["consultation"].strength
    m = eb.prior_means["consultation"]
    assert eb.rates["consultation"] == pytest.approx((4 + k * m) / (4 + k))
    assert m < eb.rates["consultation"] < 1.0  # 4 of 4 overturned is pulled well below 1
    assert eb.rates["imaging"] < 0.01  # 200 services: the data dominate
    assert eb.rate(["lab"])[0] == pytest.approx(published_family_priors().prior_mean("lab", eb.level))
    assert eb.level == pytest.approx(y.mean())  # recentred on the fitted rows
    stronger = FamilyPrior.fit(fam, y, strength_scale=10)
    assert abs(stronger.rates["consultation"] - m) < abs(eb.rates["consultation"] - m)
    alone = FamilyPrior.fit(fam, y, use_counts=False)
    assert alone.rates["consultation"] == pytest.approx(m)
    got = eb.rate(["consultation", None, float("nan"), "imaging"])
    assert got[0] == eb.rates["consultation"] and got[1] == got[2] == eb.default_rate
    assert np.all(np.diff(eb.log_odds(["imaging", "medication", "consultation"])) > 0)


def test_prior_round_trips_as_json() -> None:
    eb = FamilyPrior.fit(pd.Series(["dme", "dme", "lab"]), [0, 1, 1])
    again = FamilyPrior.model_validate_json(eb.model_dump_json())
    assert again == eb
