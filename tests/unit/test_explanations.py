"""The Predictor's explanations on a tiny hand-built model: additivity, grouping, ranking, SHAP agreement,
phrases."""

from __future__ import annotations

import json

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from features.spec import FeatureSpec, load_spec
from model.artifact import ModelMetadata, TriageModel
from model.calibration import fit_calibrator
from model.encoder import FeatureEncoder
from model.explanation_models import EvidenceSpan, ServiceExplanation
from model.guideline_phrases import load_phrase_table
from model.predictor import Predictor
from model.reasons import grouping_matrix, top_k_indices

TINY_FEATURES = [
    "service_family",
    "service_type",
    "duration_of_use_months",
    "functional_improvement",
    "red_flag_neuro_deficit",
    "patient_age",
]


def _tiny_frame(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Synthetic rows with a known signal: long carisoprodol use lowers, neuro deficit raises."""
    rng = np.random.default_rng(seed)
    stype = rng.choice(["muscle_relaxant", "mri", "emg", "ncv", "physical_therapy"], size=n)
    family = pd.Series(stype).map(
        {"muscle_relaxant": "medication", "mri": "imaging", "emg": "electrodiagnostics",
         "ncv": "electrodiagnostics", "physical_therapy": "physical_medicine"}
    )
    duration = np.where(rng.random(n) < 0.4, np.nan, rng.integers(0, 24, size=n).astype(float))
    fi = rng.choice(["yes", "no", "not_stated"], size=n)
    neuro = rng.random(n) < 0.3
    age = rng.integers(20, 70, size=n).astype(float)
    logit = (-1.5 + 1.8 * neuro - 0.15 * np.nan_to_num(duration) * (stype == "muscle_relaxant")
             + 0.8 * (fi == "yes") - 1.0 * (stype == "ncv"))
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    df = pd.DataFrame({
        "letter_id": [f"SYNTH-{i // 3:05d}" for i in range(n)],
        "item_index": [i % 3 for i in range(n)],
        "service": [f"synthetic {s}" for s in stype],
        "service_family": family.to_numpy(),
        "service_type": stype,
        "duration_of_use_months": duration,
        "functional_improvement": fi,
        "red_flag_neuro_deficit": neuro,
        "patient_age": age,
    })
    return df, y


def _tiny_spec() -> FeatureSpec:
    full = load_spec()
    return FeatureSpec(
        version=full.version, id_columns=full.id_columns, target=full.target, meta_columns=[],
        features=[full.feature(n) for n in TINY_FEATURES],
    )


@pytest.fixture(scope="module")
def tiny_model() -> TriageModel:
    spec = _tiny_spec()
    df, y = _tiny_frame(1500, seed=1)
    enc = FeatureEncoder(spec, min_frequency=1).fit(df)
    x = enc.transform(df)
    booster = lgb.train(
        {"objective": "binary", "num_leaves": 8, "learning_rate": 0.1, "verbose": -1, "seed": 1,
         "min_data_in_leaf": 10, "num_threads": 1},
        lgb.Dataset(x.to_numpy(), label=y, feature_name=list(x.columns)),
        num_boost_round=40,
    )
    raw = booster.predict(x.to_numpy(), raw_score=True)
    meta = ModelMetadata(model_version="tiny-test", feature_spec_version=spec.version,
                         feature_spec_fingerprint=spec.fingerprint())
    return TriageModel(spec, enc, booster, fit_calibrator(raw, y, "sigmoid"), meta)


@pytest.fixture(scope="module")
def batch() -> pd.DataFrame:
    return _tiny_frame(300, seed=2)[0]


def test_contributions_plus_expected_equal_raw_score_and_survive_reload(tiny_model, batch, tmp_path):
    predictor = Predictor(tiny_model)
    c = predictor.contributions(batch)
    raw = predictor.raw_scores(batch)
    total = c.values.sum(axis=1) + c.expected
    assert len(total) == len(batch)
    np.testing.assert_allclose(total, raw, rtol=0, atol=1e-6)

    reloaded = Predictor.load(tiny_model.save(tmp_path / "m"))
    c2 = reloaded.contributions(batch)
    np.testing.assert_array_equal(c2.values, c.values)
    np.testing.assert_array_equal(c2.expected, c.expected)
    np.testing.assert_array_equal(reloaded.predict_proba(batch), predictor.predict_proba(batch))


@pytest.mark.slow  # shap.TreeExplainer on the batch
def test_lightgbm_pred_contrib_agrees_with_shap_tree_explainer(tiny_model, batch):
    shap = pytest.importorskip("shap")
    predictor = Predictor(tiny_model)
    x = predictor.matrix(batch)
    explainer = shap.TreeExplainer(tiny_model.booster)
    sv = np.asarray(explainer.shap_values(x))
    if sv.ndim == 3:  # some shap versions return one block per class
        sv = sv[-1]
    c = predictor.contributions(batch)
    np.testing.assert_allclose(sv, c.values, rtol=0, atol=1e-6)
    ev = np.ravel(explainer.expected_value)[-1]
    np.testing.assert_allclose(ev, c.expected, rtol=0, atol=1e-6)


def test_grouping_sums_one_hot_columns_per_feature(tiny_model, batch):
    predictor = Predictor(tiny_model)
    c = predictor.contributions(batch)
    grouped, features = predictor.grouped(c)
    assert features == tiny_model.spec.names
    assert grouped.shape == (len(batch), len(features))
    onehot = [j for j, f in enumerate(tiny_model.feature_of_column) if f == "service_type"]
    assert len(onehot) > 1
    np.testing.assert_allclose(grouped[:, features.index("service_type")],
                               c.values[:, onehot].sum(axis=1), atol=1e-12)
    np.testing.assert_allclose(grouped.sum(axis=1), c.values.sum(axis=1), atol=1e-9)
    with pytest.raises(ValueError, match="not in the spec"):
        grouping_matrix(["nope"], features)


def test_contributions_sum_over_any_grouping_of_features(tiny_model, batch):
    """Criteria-style groups: a feature may feed several groups or none; each group sums its features."""
    predictor = Predictor(tiny_model)
    c = predictor.contributions(batch)
    per_feature, names = predictor.grouped(c)
    groups = {"service": ["service_family", "service_type"], "use": ["duration_of_use_months"],
              "also_type": ["service_type"]}
    got, group_names = predictor.grouped(c, groups)
    assert group_names == ["service", "use", "also_type"]
    for k, fs in enumerate(groups.values()):
        np.testing.assert_allclose(got[:, k], per_feature[:, [names.index(f) for f in fs]].sum(axis=1))
    with pytest.raises(ValueError, match="nope"):
        predictor.grouped(c, {"bad": ["nope"]})


def test_top_k_orders_by_size_and_drops_unused_features():
    grouped = np.array([[0.1, -0.5, 0.0, 0.3], [0.0, 0.0, 0.0, 0.2]])
    order, used = top_k_indices(grouped, 3)
    assert order[0].tolist() == [1, 3, 0]
    assert used[0].tolist() == [True, True, True]
    assert order[1, 0] == 3 and used[1].tolist() == [True, False, False]
    order, used = top_k_indices(grouped, 10)
    assert order.shape == (2, 4)


def test_explanations_rank_reasons_and_add_up(tiny_model, batch):
    predictor = Predictor(tiny_model, top_k=3)
    out = [ServiceExplanation.model_validate(d) for d in predictor.explain(batch)]
    proba = predictor.predict_proba(batch)
    raw = predictor.raw_scores(batch)
    assert len(out) == len(batch)
    for i, e in enumerate(out):
        assert e.overturn_likelihood == pytest.approx(proba[i], abs=1e-9)
        assert e.raw_score == pytest.approx(raw[i], abs=1e-6)
        assert 1 <= len(e.reasons) <= 3
        sizes = [abs(r.log_odds) for r in e.reasons]
        assert sizes == sorted(sizes, reverse=True)
        parts = e.expected_value + sum(r.log_odds for r in e.reasons) + e.other_features_log_odds
        assert parts == pytest.approx(e.raw_score, abs=1e-6)
        for r in e.reasons:
            assert r.direction == ("raises" if r.log_odds > 0 else "lowers")
            # a monotone calibrator moves the probability the same way as the log-odds (or not at all)
            assert r.probability_effect * r.log_odds >= 0
            assert (r.phrase is None) == r.no_guideline == (not r.citations)
        assert e.risk_band == predictor.bands.label(e.overturn_likelihood)
    assert len(predictor.explain(batch.head(5), top_k=1)[0]["reasons"]) == 1
    # the API reuses these models: they must round-trip through JSON with validation
    again = ServiceExplanation.model_validate_json(out[0].model_dump_json())
    assert again == ServiceExplanation.model_validate(json.loads(out[0].model_dump_json()))


def test_carisoprodol_duration_reason_cites_short_term_use(tiny_model):
    rows = pd.DataFrame([{
        "letter_id": "SYNTH-X", "item_index": 0, "service": "Soma 350mg, #90 (synthetic)",
        "service_family": "medication", "service_type": "muscle_relaxant", "duration_of_use_months": 14.0,
        "functional_improvement": "not_stated", "red_flag_neuro_deficit": False, "patient_age": 46.0,
    }])
    span = EvidenceSpan(section="clinical_summary", start=10, end=30, text="synthetic: 14 months")
    predictor = Predictor(tiny_model, top_k=6)
    (d,) = predictor.explain(rows, evidence=[{"duration_of_use_months": [span]}])
    e = ServiceExplanation.model_validate(d)
    by_name = {r.feature: r for r in e.reasons}
    r = by_name["duration_of_use_months"]
    assert r.direction == "lowers"
    assert "short-term" in (r.phrase or "")
    assert any(c.pages == "29" and "Carisoprodol" in (c.section or "") for c in r.citations)
    assert r.evidence == [span]
    age = by_name.get("patient_age")
    if age is not None:
        assert age.no_guideline and age.phrase is None and age.citations == []
        assert age.note and age.note.startswith("No guideline phrase for this feature.")


def test_empty_batch_and_mismatched_evidence(tiny_model, batch):
    predictor = Predictor(tiny_model)
    assert predictor.explain(batch.head(0)) == []
    with pytest.raises(ValueError, match="evidence has 1 entries for 2 rows"):
        predictor.explain(batch.head(2), evidence=[{}])


def test_every_spec_feature_has_a_phrase_entry_or_explicit_no_guideline():
    table = load_phrase_table()
    spec = load_spec()
    assert table.missing(spec.names) == []
    assert table.unknown(spec.names) == []
    # every feature resolves to some row in a context with no service information at all
    for name in spec.names:
        for direction in ("raises", "lowers"):
            entry = table.match(name, None, {}, direction)
            assert entry is not None, f"{name}: no fallback row for an unknown service"


def test_phrase_table_refuses_a_phrase_without_citation(tmp_path):
    bad = tmp_path / "phrases.yaml"
    bad.write_text("family_feature: service_family\nentries:\n  - feature: x\n    phrase: made up\n")
    with pytest.raises(ValueError, match="(?s)phrases.yaml.*at least one citation"):
        load_phrase_table(bad)


def test_phrase_matching_prefers_the_most_specific_row():
    table = load_phrase_table()
    ctx = {"service_family": "electrodiagnostics", "service_type": "ncv", "service_region": "lower_extremity",
           "region_low_back": True}
    e = table.match("service_type", "ncv", ctx, "lowers")
    assert e is not None and "Nerve conduction" in (e.citations[0].section or "")
    # the ODG Low Back NCV phrase does not apply to an upper-limb study
    upper = table.match("service_type", "ncv", {**ctx, "service_region": "upper_extremity"}, "lowers")
    assert upper is not None and upper.no_guideline
    relaxant = {"service_family": "medication", "service_type": "muscle_relaxant"}
    soma = table.match("duration_of_use_months", 8.0, {**relaxant, "service": "Soma 350mg #90"}, "lowers")
    other = table.match("duration_of_use_months", 8.0, {**relaxant, "service": "Flexeril 7.5mg"}, "lowers")
    assert soma is not None and [c.pages for c in soma.citations] == ["29", "63-66"]
    assert other is not None and [c.pages for c in other.citations] == ["63-66"]
    generic = table.match("service_type", "acupuncture", {"service_type": "acupuncture"}, "lowers")
    assert generic is not None and generic.no_guideline
    fi = table.match("functional_improvement", "no", {"service_family": "dme", "service_type": "tens"},
                     "lowers")
    assert fi is not None and fi.citations[0].pages == "114-116"


def test_fast_path_gives_the_same_explanations_as_lightgbm(tiny_model, batch):
    pytest.importorskip("numba")
    fast = Predictor(tiny_model, top_k=4)
    slow = Predictor(tiny_model, top_k=4, fast_shap=False)
    assert fast.shap_method == "precomputed TreeSHAP" and slow.shap_method == "LightGBM pred_contrib"
    for n in (1, len(batch)):
        cf, cs = fast.contributions(batch.head(n)), slow.contributions(batch.head(n))
        np.testing.assert_allclose(cf.values, cs.values, rtol=0, atol=1e-9)
        np.testing.assert_allclose(cf.expected, cs.expected, rtol=0, atol=1e-9)
    a, b = fast.explain(batch), slow.explain(batch)
    names = [[[r["feature"] for r in x["reasons"]] for x in out] for out in (a, b)]
    assert names[0] == names[1]
    for x, y in zip(a, b, strict=True):
        assert x["raw_score"] == pytest.approx(y["raw_score"], abs=1e-9)


def _bounded_table():
    """A phrase table (SYNTHETIC phrases) whose rows bound a numeric value, list categorical values and
    match a heading, so a cached look-up keyed by value bucket must still pick the right row."""
    from model.guideline_phrases import PhraseTable

    cite = {"guideline": "ODG", "section": "synthetic test section"}
    entries = [
        {"feature": "duration_of_use_months", "max": 3, "phrase": "short (synthetic)", "citations": [cite]},
        {"feature": "duration_of_use_months", "min": 3.5, "max": 12, "phrase": "medium (synthetic)",
         "citations": [cite]},
        {"feature": "duration_of_use_months", "min": 12, "direction": "lowers", "phrase": "long (synthetic)",
         "citations": [cite]},
        {"feature": "functional_improvement", "values": ["no"], "families": ["medication"],
         "phrase": "no improvement, medication (synthetic)", "citations": [cite]},
        {"feature": "service_type", "heading_pattern": r"\bmuscle",
         "when": {"service_family": ["medication"]}, "phrase": "heading (synthetic)", "citations": [cite]},
    ] + [{"feature": f, "no_guideline": True} for f in TINY_FEATURES]
    return PhraseTable.model_validate({"family_feature": "service_family", "entries": entries})


def test_cached_phrase_lookups_equal_direct_matches(tiny_model):
    """Every reason's phrase equals `PhraseTable.match` on that row, across two batches sharing the
    cache, with numeric values on both sides of bounds and exactly on them."""
    table = _bounded_table()
    ex = Predictor(tiny_model, phrases=table, top_k=6)
    for seed in (5, 6):
        rows = _tiny_frame(400, seed=seed)[0]
        rows.loc[rows.index[:40], "duration_of_use_months"] = [3.0, 3.2, 3.5, 12.0, 12.5] * 8
        for i, e in enumerate(ex.explain(rows)):
            row = rows.iloc[i].to_dict()
            for r in e["reasons"]:
                want = table.match(r["feature"], row[r["feature"]], row, r["direction"])
                assert want is not None
                assert r["phrase"] == want.phrase and r["no_guideline"] == want.no_guideline
    phrases = {r["phrase"] for e in ex.explain(rows) for r in e["reasons"]}
    assert {"short (synthetic)", "medium (synthetic)", "no improvement, medication (synthetic)"} <= phrases
