"""Serving settings validation and API-key hashing/verification."""

from __future__ import annotations

import json

import pytest
from model_sources import NoModel
from pydantic import ValidationError

from serving.api_keys import (
    DEV_API_KEY,
    ApiKeyEntry,
    entry_for_key,
    hash_api_key,
    hash_matches,
    new_api_key,
)
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


# ---- issue #21.3: wrong keys must not starve right ones ------------------------------------------


def _auth_app(entries: list[ApiKeyEntry], **settings: object):
    from fastapi.testclient import TestClient

    from serving.app import create_app

    keys = [e.model_dump(exclude_none=True) for e in entries]
    s = ServingSettings(_env_file=None, production=True, api_keys=keys, poll_interval_s=0, **settings)
    return TestClient(create_app(s, source=NoModel()))


def test_new_keys_carry_an_id_and_a_fast_hash() -> None:
    key = new_api_key()
    entry = entry_for_key(key, ["score"], "triage")
    assert key.startswith(f"imr_{entry.id}_") and entry.hash.startswith("sha256:") and not entry.deprecated
    old = entry_for_key("a chosen password", ["score"])
    assert old.id is None and old.hash.startswith("pbkdf2_sha256:") and old.deprecated
    v = KeyVerifier([entry, old])
    assert v.identify(key).name == "triage"
    assert v.slow_checks == 0  # the id named the entry: one SHA-256, no PBKDF2


def test_a_named_key_is_checked_against_its_entry_only() -> None:
    legacy = [
        ApiKeyEntry(name=f"old-{i}", hash=hash_api_key(f"k{i}", "pbkdf2_sha256", 1000)) for i in range(3)
    ]
    key = new_api_key()
    v = KeyVerifier([*legacy, entry_for_key(key, ["score"], "new")])
    wrong = key[:-4] + "AAAA"  # the right id, a wrong secret
    assert v.identify(wrong) is None and v.slow_checks == 0
    assert v.identify(key).name == "new" and v.slow_checks == 0


def test_a_flood_of_wrong_keys_is_rate_limited_while_valid_keys_pass() -> None:
    good_key = new_api_key()
    entries = [
        entry_for_key(good_key, ["score"], "triage"),
        ApiKeyEntry(name="old-a", hash=hash_api_key("legacy-a", "pbkdf2_sha256", 20_000)),
        ApiKeyEntry(name="old-b", hash=hash_api_key("legacy-b", "pbkdf2_sha256", 20_000)),
    ]
    with _auth_app(entries, auth_failure_burst=5, auth_failures_per_minute=6) as c:
        verifier = c.app.state.key_verifier
        statuses = []
        for i in range(60):
            statuses.append(c.get("/v1/model", headers={"X-API-Key": f"random-guess-{i}"}).status_code)
            good = c.get("/v1/model", headers={"X-API-Key": good_key})
            assert good.status_code == 503, good.text  # past auth: no model loaded in this test
        assert statuses[:5] == [401] * 5
        assert statuses[5:].count(429) >= 50
        limited = c.get("/v1/model", headers={"X-API-Key": "another-guess"})
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert "too many failed API key attempts" in limited.json()["detail"]
        # PBKDF2 ran for the first few guesses only (2 legacy entries each), never for the rest
        assert verifier.slow_checks <= 2 * 6
        # legacy keys still work (checked behind the limit: from an address with budget left)
        assert verifier.identify("legacy-b").name == "old-b"


def test_imr_serve_warns_about_deprecated_key_entries(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from imr_triage.commands.serve import warn_deprecated_keys

    keys = [entry_for_key(new_api_key(), ["score"], "fresh"), entry_for_key("chosen", ["score"], "legacy")]
    warn_deprecated_keys(ServingSettings(_env_file=None, api_keys=keys))
    err = capsys.readouterr().err
    assert "legacy" in err and "deprecated" in err and "fresh" not in err


def test_imr_serve_prints_key_entries_as_one_json_line() -> None:
    from typer.testing import CliRunner

    from imr_triage.cli import app

    runner = CliRunner()
    new = runner.invoke(app, ["serve", "--new-key", "--scopes", "score,admin"])
    assert new.exit_code == 0, new.output
    entry = ApiKeyEntry.model_validate_json(new.stdout.strip())
    key = new.stderr.strip().rsplit(" ", 1)[-1]
    assert entry.scopes == ["score", "admin"] and key.startswith(f"imr_{entry.id}_")
    assert KeyVerifier([entry]).identify(key) is not None
    again = runner.invoke(app, ["serve", "--hash-key", key, "--scopes", "score"])
    assert ApiKeyEntry.model_validate_json(again.stdout.strip()).hash == entry.hash
    legacy = runner.invoke(app, ["serve", "--hash-key", "a chosen key", "--scopes", "score"])
    assert legacy.exit_code == 0 and len(legacy.stdout.strip().splitlines()) == 1
    stored = ApiKeyEntry.model_validate_json(legacy.stdout)
    assert stored.id is None and hash_matches("a chosen key", stored.hash) and "deprecated" in legacy.stderr
