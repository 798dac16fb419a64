"""`imr retrain` and its MLflow store, on a real SQLite store: only a missing registered model or a missing
champion alias means "no champion"; any other error of the store (a damaged registry, a file that is no
database) is one `error:` line and exit 2, never a run that promotes its challenger against nothing
(the audit: `current_champion` read every MlflowException as "no champion"). SYNTHETIC letters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from letters.ingest import parse_paths, write_records
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings
from tests.imr_process import run_imr
from training.registry import RegistryParams, current_champion


def _store(path: Path) -> str:
    """A fresh MLflow store at `path` with its tables made (what any first run leaves)."""
    import mlflow

    uri = f"sqlite:///{path}"
    mlflow.set_tracking_uri(uri)
    mlflow.MlflowClient().search_experiments()
    return uri


def test_no_model_or_no_alias_is_no_champion_a_damaged_store_is_an_error(tmp_path: Path) -> None:
    import mlflow

    _store(tmp_path / "m.db")
    params = RegistryParams()
    assert current_champion(params) is None  # no registered model of that name
    mlflow.MlflowClient().create_registered_model(params.model_name)
    assert current_champion(params) is None  # the model, without the champion alias
    with sqlite3.connect(tmp_path / "m.db") as db:
        db.execute("DROP TABLE registered_model_aliases")
    with pytest.raises(Exception, match="registered_model_aliases"):
        current_champion(params)


def _world(root: Path) -> dict[str, str]:
    letters = list(iter_letters(4, GeneratorSettings(seed=5)))
    for folder, part in (("old", letters[:2]), ("new", letters[2:])):
        (root / folder).mkdir()
        for i, (_case, text) in enumerate(part):
            (root / folder / f"synthetic-{i}.txt").write_text(text, encoding="utf-8")
    write_records(parse_paths([root / "old"]), root / "records")
    return {"--new-letters": str(root / "new"), "--corpus": str(root / "records"),
            "--features": str(root / "f.parquet"), "--out": str(root / "rep"),
            "--params": str(root / "none.yaml")}  # fmt: skip


@pytest.mark.parametrize("damage", ["no aliases table", "not a database"])
def test_retrain_on_a_damaged_store_is_one_line_exit_2_nothing_written(tmp_path: Path, damage: str) -> None:
    args = _world(tmp_path)
    db = tmp_path / "m.db"
    if damage == "not a database":
        db.write_bytes(b"SYNTHETIC: not an SQLite file\n" * 200)
    else:  # a registered model whose aliases cannot be read
        import mlflow

        _store(db)
        mlflow.MlflowClient().create_registered_model(RegistryParams().model_name)
        with sqlite3.connect(db) as con:
            con.execute("DROP TABLE registered_model_aliases")
    before = sorted(p.name for p in (tmp_path / "records").iterdir())
    res = run_imr("retrain", *(a for kv in args.items() for a in kv), "--tracking-uri", f"sqlite:///{db}",
                  "--no-progress", cwd=tmp_path)  # fmt: skip
    lines = [ln for ln in res.stderr.splitlines() if ln.strip() and " INFO " not in ln
             and not ln.startswith("warning: ")]  # fmt: skip
    assert res.returncode == 2 and len(lines) == 1, res.stderr
    assert lines[0].startswith(f"error: sqlite:///{db}: cannot open the MLflow store ("), lines
    assert "no champion yet" not in res.stderr and not (tmp_path / "rep").exists()
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == before
