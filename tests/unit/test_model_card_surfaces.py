"""The model card where users meet scores: explanations, `Predictor.describe` (`/v1/model`), and the
promotion gate that refuses a model worse than the base rate on real letters (SYNTHETIC data)."""

from __future__ import annotations

import math

import pytest
from training_tables import tiny_table

from features.spec import load_spec
from letters.parser import parse_text
from model.explanations import explain_case
from model.model_card import Interval, ModelCard, RealLetterMetrics, TrainedOn
from model.predictor import Predictor
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings
from training.registry import RealLetterCheck, RegistryParams, apply_real_letter_gate, decide
from training.train import TrainParams, train_model


@pytest.fixture(scope="module")
def synthetic_model():
    return train_model(
        tiny_table(150, seed=8), load_spec(), TrainParams(cv_folds=3, lgbm={"num_boost_round": 30})
    ).model


def test_explanations_and_describe_carry_the_card(synthetic_model) -> None:
    predictor = Predictor(synthetic_model)
    (_, text), *_ = iter_letters(1, GeneratorSettings(seed=2))
    letter = explain_case(predictor, parse_text(text, "synthetic.txt"))
    facts = letter.model.model_dump()
    assert facts["version"] == synthetic_model.metadata.model_version
    assert facts["trained_on"] == {"real_letters": 0, "synthetic_letters": 150}
    assert facts["validated_on_real"] is False
    assert facts["warning"].startswith("This model never saw a real letter")
    card = predictor.describe()["model_card"]
    assert card["trained_on"]["synthetic_letters"] == 150 and card["warning"] == facts["warning"]


def _metrics(brier: float) -> RealLetterMetrics:
    return RealLetterMetrics(
        method="5 x 5-fold CV", n_letters=100, n_services=250, n_overturned=30,
        roc_auc=Interval(value=0.7, low=0.6, high=0.8), brier=Interval(value=brier), base_rate_brier=0.10,
    )  # fmt: skip


def test_warning_follows_what_the_model_knows() -> None:
    real = TrainedOn(real_letters=120, real_services=260)
    assert ModelCard(trained_on=real).warning.startswith("This model was never validated on real letters")
    good = ModelCard(trained_on=real, real_letter_metrics=_metrics(0.09))
    assert good.validated_on_real and good.warning is None
    poor = ModelCard(trained_on=real, real_letter_metrics=_metrics(0.11))
    assert "no better than the base rate" in poor.warning and "0.1100 vs 0.1000" in poor.warning


def test_gate_refuses_a_challenger_worse_than_the_base_rate() -> None:
    params = RegistryParams(metric="roc_auc")
    won = decide(0.75, 0.60, "baseline family_rate", params, "2", None, 300, margin=0.0)
    assert won.promoted
    assert apply_real_letter_gate(won, None) is won  # no real letters known: the rule as before
    assert apply_real_letter_gate(won, RealLetterCheck(0.099, 0.100, "card")).promoted
    refused = apply_real_letter_gate(won, RealLetterCheck(0.101, 0.100, "model card: 5 x 5-fold CV"))
    assert not refused.promoted
    assert refused.reason.startswith("refused: Brier on real letters 0.10100 is worse than the base rate's")
    assert refused.challenger_value == won.challenger_value  # the numbers it decided on stay
    assert not RealLetterCheck(math.nan, 0.1, "unscorable").passes()


class _RegisteredVersion:
    """A registry-like source: version 3 of the model, under the champion alias."""

    def __init__(self, model) -> None:
        self.model = model

    def describe(self) -> str:
        return "version 3"

    def current(self):
        from serving.model_store import ModelRef

        return ModelRef(name="imr-overturn", version="3", alias="champion", uri="models:/imr-overturn/3")

    def load(self, ref):
        return self.model


def test_the_api_names_a_version_as_people_see_it_everywhere(synthetic_model, tmp_path, monkeypatch) -> None:
    """`/v1/model` and every score carry `v3 (<content version>)`, the CLI's and the dashboard's name."""
    from fastapi.testclient import TestClient

    from model.version_label import version_label
    from serving.app import create_app
    from serving.settings import ServingSettings

    content = synthetic_model.metadata.model_version
    assert version_label("3", content) == f"v3 ({content})" and version_label(None, content) == content
    assert version_label(content, content) == content  # a local directory is named by its content
    monkeypatch.setenv("IMR_SCORES_DB_URL", f"sqlite:///{tmp_path / 'scores.db'}")
    settings = ServingSettings(_env_file=None, poll_interval_s=0)
    app = create_app(settings, source=_RegisteredVersion(synthetic_model))
    (_, text), *_ = iter_letters(1, GeneratorSettings(seed=3))
    with TestClient(app) as client:
        headers = {"X-API-Key": "imr-dev-key"}
        info = client.get("/v1/model", headers=headers).json()
        assert info["version"] == "3" and info["label"] == f"v3 ({content})"
        scored = client.post("/v1/score?store=true", json={"text": text}, headers=headers)
        assert scored.status_code == 200, scored.text
        assert scored.json()["model"]["label"] == f"v3 ({content})" and scored.json()["stored"]
        case_id = scored.json()["case_id"]
        stored = app.state.scores_db.get().case_rows(case_id)
        assert stored and {r["model_version"] for r in stored} == {f"v3 ({content})"}


def test_each_version_field_has_one_meaning_in_the_model_and_every_score(synthetic_model, tmp_path) -> None:
    """`version` is the registry's number when the API follows an alias and the content version when it
    serves a directory; `model_version_tag` (in `/v1/model` only) is always the content version. A client
    could not tell which it held. `registry_version` (null for a directory) and `content_version` say it,
    the same in `/v1/model` and every score response; `version` and `label` stay as they were."""
    from fastapi.testclient import TestClient

    from serving.app import create_app
    from serving.settings import ServingSettings

    content = synthetic_model.metadata.model_version
    directory = synthetic_model.save(tmp_path / "model")
    headers = {"X-API-Key": "imr-dev-key"}
    features = [{"id": "a", "features": {"patient_age": 52}}]
    (_, text), *_ = iter_letters(1, GeneratorSettings(seed=3))
    served_from = {
        "registry": (None, _RegisteredVersion(synthetic_model), "3", f"v3 ({content})"),
        "directory": (directory, None, None, content),
    }
    for where, (path, source, registry, label) in served_from.items():
        settings = ServingSettings(_env_file=None, poll_interval_s=0, model_path=path, probe_new_models=False)
        with TestClient(create_app(settings, source=source)) as client:
            info = client.get("/v1/model", headers=headers).json()
            expected = {"registry_version": registry, "content_version": content, "label": label}
            assert {k: info[k] for k in expected} == expected, where
            assert info["version"] == (registry or content) and info["model_version_tag"] == content
            answers = [
                client.post("/v1/score", json={"text": text}, headers=headers),
                client.post("/v1/score/batch", json=[{"text": text}], headers=headers),
                client.post("/v1/score/features", json=features, headers=headers),
            ]
            for r in answers:
                assert r.status_code == 200, r.text
                model = r.json()["model"]
                assert {k: model[k] for k in expected} == expected and model["version"] == info["version"]
            ready = client.get("/readyz").json()
            assert ready["model_version"] == info["version"], where
            schema = client.get("/openapi.json").json()["components"]["schemas"]
            for name in ("ModelInfo", "ModelRefOut"):
                props = schema[name]["properties"]
                assert all(props[f].get("description") for f in ("version", *expected)), name
