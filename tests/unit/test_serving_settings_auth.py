"""Serving settings validation and API-key hashing/verification."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from serving.api_keys import DEV_API_KEY, ApiKeyEntry, hash_api_key, hash_matches
from serving.auth import KeyVerifier
from serving.settings import ServingSettings


def test_hash_schemes_verify_only_the_right_key() -> None:
    for scheme in ("sha256", "pbkdf2_sha256"):
        stored = hash_api_key("s3cret", scheme, iterations=1000)
        assert "s3cret" not in stored
        assert hash_matches("s3cret", stored)
        assert not hash_matches("s3cret ", stored)
    assert not hash_matches("x", "pbkdf2_sha256:broken")
    with pytest.raises(ValueError, match="unknown key hash scheme"):
        hash_api_key("x", "md5")


def test_verifier_maps_keys_to_entries() -> None:
    entries = [
        ApiKeyEntry(name="triage", hash=hash_api_key("k1", "pbkdf2_sha256", 1000), scopes=["score"]),
        ApiKeyEntry(name="ops", hash=hash_api_key("k2"), scopes=["score", "admin"]),
    ]
    v = KeyVerifier(entries)
    assert v.identify("k1").name == "triage"
    assert v.identify("k1").name == "triage"  # second time from the verified cache
    assert v.identify("k2").scopes == ["score", "admin"]
    assert v.identify("k3") is None


def test_production_refuses_to_start_without_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMR_SERVE_PRODUCTION", "true")
    with pytest.raises(ValidationError, match="production mode needs at least one API key"):
        ServingSettings(_env_file=None)
    dev = json.dumps([{"name": "dev", "hash": hash_api_key(DEV_API_KEY), "scopes": ["score"]}])
    monkeypatch.setenv("IMR_SERVE_API_KEYS", dev)
    with pytest.raises(ValidationError, match="refuses the development key"):
        ServingSettings(_env_file=None)
    good = json.dumps([{"name": "t", "hash": hash_api_key("real-key"), "scopes": ["score"]}])
    monkeypatch.setenv("IMR_SERVE_API_KEYS", good)
    s = ServingSettings(_env_file=None)
    assert [k.name for k in s.effective_api_keys()] == ["t"]


def test_development_mode_has_only_the_dev_key_when_none_configured() -> None:
    s = ServingSettings(_env_file=None)
    keys = s.effective_api_keys()
    assert len(keys) == 1 and hash_matches(DEV_API_KEY, keys[0].hash)
    assert set(keys[0].scopes) == {"score", "admin", "dashboard"}


def test_env_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "IMR_SERVE_TOP_K=7\nIMR_SERVE_MODEL_ALIAS=challenger\nIMR_SERVE_RISK_BAND_EDGES=[0.1,0.9]\n"
    )
    s = ServingSettings(_env_file=env)
    assert (s.top_k, s.model_alias, s.risk_band_edges) == (7, "challenger", [0.1, 0.9])


@pytest.mark.parametrize(
    "edges,labels,msg",
    [([0.5, 0.2], ["a", "b", "c"], "strictly ascending"), ([0.2, 0.5], ["a", "b"], "needs 3 labels")],
)
def test_bad_risk_bands_are_refused(edges, labels, msg) -> None:
    with pytest.raises(ValidationError, match=msg):
        ServingSettings(_env_file=None, risk_band_edges=edges, risk_band_labels=labels)


def test_verified_keys_are_known_without_hashing_again() -> None:
    v = KeyVerifier([ApiKeyEntry(name="triage", hash=hash_api_key("k1", "pbkdf2_sha256", 1000))])
    assert v.verified("k1") is None  # not verified yet: the route hashes it in the thread pool
    assert v.identify("k1").name == "triage"
    assert v.verified("k1").name == "triage"
    assert v.verified("k2") is None


def test_workers_setting_and_the_worker_app_factory(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from serving.app import RESOLVED_SETTINGS_ENV, create_app_from_environment

    assert ServingSettings(_env_file=None).workers == 1
    with pytest.raises(ValidationError):
        ServingSettings(_env_file=None, workers=0)
    resolved = ServingSettings(_env_file=None, workers=2, top_k=5, model_path=tmp_path / "no-model")
    monkeypatch.setenv(RESOLVED_SETTINGS_ENV, resolved.model_dump_json())
    monkeypatch.setenv("IMR_SERVE_TOP_K", "7")  # the worker takes what `imr serve` resolved, not this
    app = create_app_from_environment()
    assert app.state.settings == resolved and app.state.settings.top_k == 5
