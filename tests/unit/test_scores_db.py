"""Scores database: the same tests on SQLite and on a real PostgreSQL server started here.

Aggregates are checked against the same numbers computed in Python from the rows written, so a
wrong GROUP BY, bucket edge or filter in SQL fails the test on either backend.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import inspect

from serving.scores_db import (
    SORT_KEYS,
    CalibrationPoint,
    LazyScoresDb,
    ModelRunRow,
    ScoreFilters,
    ScoreRow,
    ScoresBase,
    ScoresRepository,
    downgrade,
    migrate,
    open_scores_db,
)
from serving.scores_db_check import ScoresDbMissing, open_existing_scores_db
from serving.synthetic_scores import synthetic_score_rows
from tests.postgres_server import PostgresServer, find_pg_bin, start_postgres

_db_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if find_pg_bin() is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found; `apt-get install postgresql` to run")
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])  # a live server: slow
def repo(request: pytest.FixtureRequest, tmp_path) -> Iterator[ScoresRepository]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'scores.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.create_database(f"scores_{next(_db_counter)}")
    r = open_scores_db(url)
    try:
        yield r
    finally:
        r.engine.dispose()


def _row(letter: str, item: int, p: float, **kw: object) -> ScoreRow:
    base: dict[str, object] = {
        "letter_id": letter,
        "item_index": item,
        "service_heading": f"SYNTHETIC service {item}",
        "probability": p,
        "risk_band": "high" if p >= 0.5 else "low",
        "model_name": "m",
        "model_version": "1",
    }
    base.update(kw)
    return ScoreRow.model_validate(base)


def test_migrated_schema_matches_the_orm_models(repo: ScoresRepository) -> None:
    with repo.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), ScoresBase.metadata)
        tables = set(inspect(conn).get_table_names())
    assert diffs == []
    assert {"scored_services", "model_runs", "alembic_version"} <= tables
    empty = repo.filter_options()
    assert (empty["service_families"], empty["risk_bands"], empty["default_origin"]) == ([], [], "all")
    # Opening again runs `upgrade head` again: a no-op, data kept.
    repo.save_scores([_row("A", 0, 0.3)])
    again = open_scores_db(repo.engine.url.render_as_string(hide_password=False))
    assert again.count() == 1
    again.engine.dispose()
    # The migration also goes down cleanly, and back up.
    downgrade(repo.engine, "base")
    with repo.engine.connect() as conn:
        assert not {"scored_services", "model_runs"} & set(inspect(conn).get_table_names())
    migrate(repo.engine)
    assert repo.count() == 0


def test_rescoring_with_the_same_model_is_an_upsert(repo: ScoresRepository) -> None:
    t1 = datetime(2024, 1, 1, tzinfo=UTC)
    repo.save_scores([_row("A", 0, 0.2, scored_at=t1), _row("A", 1, 0.9, scored_at=t1)])
    repo.save_scores([_row("A", 0, 0.7, risk_band="high", top_reasons=[{"text": "r"}])])
    assert repo.count() == 2
    rows = {r["item_index"]: r for r in repo.case_rows("A")}
    assert rows[0]["probability"] == pytest.approx(0.7)
    assert rows[0]["risk_band"] == "high"
    assert rows[0]["top_reasons"] == [{"text": "r"}]
    assert rows[0]["scored_at"] > t1.isoformat()
    assert rows[1]["probability"] == pytest.approx(0.9)
    # A new model version is a new row, not an overwrite.
    repo.save_scores([_row("A", 0, 0.1, model_version="2")])
    assert repo.count() == 3
    assert {(r["model_version"], r["item_index"]) for r in repo.case_rows("A")} == {
        ("1", 0),
        ("1", 1),
        ("2", 0),
    }


def test_bad_rows_are_refused_before_the_database() -> None:
    with pytest.raises(ValidationError, match="probability"):
        _row("A", 0, 1.5)
    with pytest.raises(ValidationError, match="item_index"):
        _row("A", -1, 0.5)


def _expected(rows: list[ScoreRow], f: ScoreFilters) -> list[ScoreRow]:
    out = []
    for r in rows:
        if f.date_from and (r.ur_denial_date is None or r.ur_denial_date < f.date_from):
            continue
        if f.date_to and (r.ur_denial_date is None or r.ur_denial_date > f.date_to):
            continue
        if f.service_family and r.service_family != f.service_family:
            continue
        if f.model_version and r.model_version != f.model_version:
            continue
        if f.model_name and r.model_name != f.model_name:
            continue
        out.append(r)
    return out


FILTERS = [
    ScoreFilters(),
    ScoreFilters(model_name="m", model_version="2"),
    ScoreFilters(service_family="medication", model_version="1"),
    ScoreFilters(date_from=date(2015, 3, 1), date_to=date(2016, 6, 30)),
]


@pytest.fixture
def loaded(repo: ScoresRepository) -> tuple[ScoresRepository, list[ScoreRow]]:
    rows = synthetic_score_rows(600, seed=3, model_name="m", model_version="1")
    rows += synthetic_score_rows(250, seed=4, model_name="m", model_version="2")
    rows.append(_row("EDGE", 0, 1.0, service_family="medication", ur_denial_date=date(2015, 3, 1)))
    rows.append(_row("EDGE", 1, 0.0, service_family=None, body_region=None))
    repo.save_scores(rows)
    return repo, rows


@pytest.mark.parametrize("f", FILTERS, ids=["all", "model2", "medication-v1", "dates"])
def test_aggregates_equal_python_on_the_same_rows(loaded, f: ScoreFilters) -> None:  # type: ignore[no-untyped-def]
    repo, rows = loaded
    exp = _expected(rows, f)
    assert exp, "filter should keep some rows"

    s = repo.summary(f)
    assert s["services"] == len(exp)
    assert s["cases"] == len({r.letter_id for r in exp})
    assert s["mean_probability"] == pytest.approx(sum(r.probability for r in exp) / len(exp))
    assert s["share_above_threshold"] == pytest.approx(sum(r.probability >= 0.5 for r in exp) / len(exp))

    bins = repo.distribution(f, bins=10)
    assert [b["count"] for b in bins] == [
        sum(min(int(r.probability * 10), 9) == i for r in exp) for i in range(10)
    ]

    for by in ("service_family", "body_region", "ur_guideline_source"):
        got = {g["key"]: (g["count"], g["mean_probability"]) for g in repo.by_group(f, by, limit=100)}
        keys = {getattr(r, by) or "(unknown)" for r in exp}
        assert set(got) == keys
        for k in keys:
            ps = [r.probability for r in exp if (getattr(r, by) or "(unknown)") == k]
            assert got[k][0] == len(ps)
            assert got[k][1] == pytest.approx(sum(ps) / len(ps))

    months = repo.by_month(f)
    assert [m["month"] for m in months] == sorted(m["month"] for m in months)
    dated = [r for r in exp if r.ur_denial_date]
    assert sum(m["count"] for m in months) == len(dated)
    for m in months:
        ps = [r.probability for r in dated if r.ur_denial_date.strftime("%Y-%m") == m["month"]]
        assert m["mean_probability"] == pytest.approx(sum(ps) / len(ps))


def test_queue_is_sorted_and_paginated(loaded) -> None:  # type: ignore[no-untyped-def]
    repo, rows = loaded
    f = ScoreFilters(model_name="m", model_version="1")
    exp = _expected(rows, f)
    seen: list[tuple[str, int]] = []
    probs: list[float] = []
    first = repo.queue(f, page=1, page_size=97)
    assert first["pages"] == -(-len(exp) // 97) and first["in_all"] == first["total"] == len(exp)
    for page in range(1, first["pages"] + 1):
        q = repo.queue(f, page=page, page_size=97)
        assert (q["page"], q["total"]) == (page, len(exp))
        assert (q["first"], q["last"]) == ((page - 1) * 97 + 1, (page - 1) * 97 + len(q["items"]))
        seen += [(i["letter_id"], i["item_index"]) for i in q["items"]]
        probs += [i["probability"] for i in q["items"]]
    assert len(seen) == len(set(seen)) == len(exp)
    assert probs == sorted(probs, reverse=True)
    # A page past the end is the last page, not an empty one.
    past = repo.queue(f, page=10_000, page_size=97)
    assert past["page"] == first["pages"] and past["last"] == len(exp)
    top = repo.queue(f, page=1, page_size=2)["items"]
    assert (top[0]["letter_id"], top[0]["probability"]) == ("EDGE", 1.0)
    assert top[1]["top_reasons"] and top[1]["model_version"] == "1"
    with pytest.raises(ValueError):
        repo.queue(f, page=0)
    with pytest.raises(ValueError, match="cannot sort by 'patient_name'"):
        repo.queue(f, sort="patient_name")
    empty = repo.queue(ScoreFilters(service_family="no-such-family"), page=3)
    assert (empty["total"], empty["page"], empty["pages"], empty["first"], empty["items"]) == (0, 1, 1, 0, [])


def _python_order(rows: list[ScoreRow], sort: str, descending: bool) -> list[tuple[str, int, str]]:
    """The queue order computed in Python: key columns with unknown values last, then likelihood high
    to low, then insertion order (the id)."""
    keys = SORT_KEYS[sort]
    indexed = list(enumerate(rows))

    def key_of(pair):  # type: ignore[no-untyped-def]
        i, r = pair
        return tuple(getattr(r, k) for k in keys)

    known = [p for p in indexed if all(v is not None for v in key_of(p))]
    unknown = [p for p in indexed if any(v is None for v in key_of(p))]
    tail = sorted(sorted(unknown, key=lambda p: p[0]), key=lambda p: -p[1].probability)
    ordered = sorted(known, key=lambda p: p[0])
    if "probability" not in keys:
        ordered = sorted(ordered, key=lambda p: -p[1].probability)
    ordered = sorted(ordered, key=key_of, reverse=descending)
    return [(r.letter_id, r.item_index, r.model_version) for _, r in ordered + tail]


def test_queue_sorts_by_every_column_in_the_database(repo: ScoresRepository) -> None:
    """Every sortable column, both directions, on every page (back-half pages are read from the other
    end): the same order as Python's, with unknown values last either way."""
    rows = synthetic_score_rows(180, seed=21, model_name="m", model_version="1")
    rows += [
        _row("NULLS", 0, 0.5, service_family=None, body_region=None, ur_denial_date=None, priority=None),
        _row("NULLS", 1, 0.5, service_family=None, body_region=None, ur_denial_date=None, priority=None),
        _row("TIE", 0, 0.5, service_family="medication", priority="standard"),
    ]
    repo.save_scores(rows)  # ids follow the list order; the Python model relies on it for ties
    for sort, descending in itertools.product(sorted(SORT_KEYS), (True, False)):
        want = _python_order(rows, sort, descending)
        got: list[tuple[str, int, str]] = []
        q = repo.queue(ScoreFilters(), page=1, page_size=40, sort=sort, descending=descending)
        for page in range(1, q["pages"] + 1):
            q = repo.queue(ScoreFilters(), page=page, page_size=40, sort=sort, descending=descending)
            got += [(i["letter_id"], i["item_index"], i["model_version"]) for i in q["items"]]
        assert got == want, f"sort={sort} descending={descending}"


def test_queue_filters_band_guideline_origin_and_counts_in_all(repo: ScoresRepository) -> None:
    synthetic = synthetic_score_rows(300, seed=8, model_name="m", model_version="1")
    real = [  # rows marked real for this test only (letter ids say so); the rest are SYNTHETIC
        r.model_copy(update={"synthetic": False, "letter_id": "TEST-REAL-" + r.letter_id})
        for r in synthetic_score_rows(120, seed=9, model_name="m", model_version="1")
    ]
    repo.save_scores(synthetic + real)
    everything = synthetic + real
    for f in [
        ScoreFilters(synthetic=False),
        ScoreFilters(synthetic=True, risk_band="high"),
        ScoreFilters(synthetic=True, ur_guideline_source="mtus", service_family="medication"),
        ScoreFilters(risk_band="low", date_from=date(2016, 1, 1)),
    ]:
        exp = [
            r for r in _expected(everything, f)
            if (f.synthetic is None or r.synthetic == f.synthetic)
            and (f.risk_band is None or r.risk_band == f.risk_band)
            and (f.ur_guideline_source is None or r.ur_guideline_source == f.ur_guideline_source)
        ]  # fmt: skip
        assert exp, f
        q = repo.queue(f, page_size=500)
        assert q["total"] == len(exp) == repo.summary(f)["services"]
        got = {(i["letter_id"], i["item_index"]) for i in q["items"]}
        assert got == {(r.letter_id, r.item_index) for r in exp}
        in_all = [r for r in everything if f.synthetic is None or r.synthetic == f.synthetic]
        assert q["in_all"] == len(in_all)
        assert sum(b["count"] for b in repo.distribution(f)) == len(exp)
    opts = repo.filter_options()
    assert opts["origins"] == {"real": True, "synthetic": True}
    assert opts["default_origin"] == "real"
    assert opts["risk_bands"] == ["low", "medium", "high"]
    assert "mtus" in opts["ur_guideline_sources"]


def test_checklist_round_trips(repo: ScoresRepository) -> None:
    (row,) = synthetic_score_rows(1, seed=2, model_name="m", checklist=True)
    repo.save_scores([row, _row("PLAIN", 0, 0.4)])
    (stored,) = repo.case_rows(row.letter_id)
    assert stored["checklist"] == [c.model_dump() for c in row.checklist]
    assert {c["status"] for c in stored["checklist"]} <= {"met", "unmet", "not_documented", "not_applicable"}
    evidence = [e for c in stored["checklist"] for e in c["evidence"]]
    assert all({"text", "section", "start", "end", "author"} <= set(e) for e in evidence)  # offsets kept
    assert stored["context"] == row.context and stored["summary"] == row.summary and row.summary
    plain = repo.case_rows("PLAIN")[0]
    assert plain["checklist"] is None and plain["context"] is None and plain["summary"] is None


def test_readers_refuse_a_missing_database_and_writers_create_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "typo" / "scores.db"
    with pytest.raises(ScoresDbMissing) as err:
        open_existing_scores_db(f"sqlite:///{missing}")
    assert str(err.value).startswith(f"{missing}: no scores database there")
    assert "\n" not in str(err.value)
    assert not missing.exists() and not missing.parent.exists(), "a reader must create nothing"
    with pytest.raises(ScoresDbMissing, match="no scores database there"):
        open_existing_scores_db(str(missing))  # a bare path, as `imr drift --current` takes
    # A SQLite file that is not a scores database is refused, not filled with tables.
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    with pytest.raises(ScoresDbMissing, match=f"{other}: not a scores database"):
        open_existing_scores_db(f"sqlite:///{other}")
    with sqlite3.connect(other) as conn:
        assert conn.execute("select count(*) from sqlite_master").fetchone() == (0,)
    # A writer creates it; then a reader opens it.
    open_scores_db(f"sqlite:///{missing}").engine.dispose()
    reader = open_existing_scores_db(f"sqlite:///{missing}")
    assert reader.count() == 0
    reader.engine.dispose()
    # The lazy handle of the web app: a reader's open refuses (and tries again later), a writer's creates.
    lazy = LazyScoresDb(f"sqlite:///{tmp_path / 'later.db'}")
    with pytest.raises(ScoresDbMissing, match="later.db: no scores database there"):
        lazy.get(open_existing_scores_db)
    assert lazy.get().count() == 0 and lazy.get(open_existing_scores_db) is lazy.get()
    lazy.close()


@pytest.mark.slow
def test_readers_name_an_unreachable_or_empty_postgresql(postgres: PostgresServer) -> None:
    empty = postgres.create_database(f"empty_{next(_db_counter)}")
    with pytest.raises(ScoresDbMissing, match="not a scores database"):
        open_existing_scores_db(empty)
    gone = postgres.url("no_such_database")
    with pytest.raises(ScoresDbMissing) as err:
        open_existing_scores_db(gone)
    assert "no_such_database" in str(err.value) and "\n" not in str(err.value)


def test_csv_export_streams_the_filtered_table(loaded) -> None:  # type: ignore[no-untyped-def]
    repo, rows = loaded
    f = ScoreFilters(service_family="medication", model_version="1")
    chunks = list(repo.iter_export_csv(f, batch=50))
    assert len(chunks) > 2, "export should arrive in several chunks"
    table = list(csv.DictReader(io.StringIO("".join(chunks))))
    exp = _expected(rows, f)
    assert len(table) == len(exp)
    assert {(t["letter_id"], int(t["item_index"])) for t in table} == {
        (r.letter_id, r.item_index) for r in exp
    }
    assert all(t["service_family"] == "medication" for t in table)
    assert isinstance(json.loads(table[0]["top_reasons"]), list)


def test_models_and_calibration_curve(loaded) -> None:  # type: ignore[no-untyped-def]
    repo, rows = loaded
    repo.optimize()  # VACUUM ANALYZE / PRAGMA optimize must run on a live database, data untouched
    assert repo.count() == len(rows)
    later = datetime.now(UTC)
    repo.save_scores([_row("LATEST", 0, 0.5, model_version="3", scored_at=later)])
    models = repo.models()
    assert [(m["model_name"], m["model_version"]) for m in models][0] == ("m", "3")
    assert repo.current_model()["model_version"] == "3"
    assert {m["model_version"] for m in models} == {"1", "2", "3"}
    assert repo.model_run("m", "3") is None
    curve = [
        CalibrationPoint(predicted=0.1, observed=0.15, count=40),
        CalibrationPoint(predicted=0.8, observed=0.7),
    ]
    repo.record_model_run(
        ModelRunRow(model_name="m", model_version="3", calibration=curve, metrics={"brier": 0.2})
    )
    repo.record_model_run(
        ModelRunRow(model_name="m", model_version="3", calibration=curve[:1], metrics={"brier": 0.19})
    )
    run = repo.model_run("m", "3")
    assert run["calibration"] == [{"predicted": 0.1, "observed": 0.15, "count": 40}]
    assert run["metrics"] == {"brier": 0.19}
    opts = repo.filter_options()
    assert opts["service_families"] == sorted({r.service_family for r in rows if r.service_family})
    guidelines = {r.ur_guideline_source for r in rows if r.ur_guideline_source}
    assert opts["ur_guideline_sources"] == sorted(guidelines)
    assert opts["risk_bands"] == ["low", "medium", "high"]
    assert opts["origins"] == {"real": True, "synthetic": True}  # the EDGE rows are not flagged synthetic
    assert opts["default_origin"] == "real"
    assert opts["date_min"] <= "2015-03-01" <= opts["date_max"]



def _schema(repo: ScoresRepository) -> tuple[set[str], list[str]]:
    """The scored-services columns, and those of the model list's covering index."""
    with repo.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("scored_services")}
        indexes = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("scored_services")}
    return columns, list(indexes["ix_scored_model_scored_at"])


def _marks(repo: ScoresRepository, *letters: str) -> list[bool | None]:
    return [r["model_synthetic_only"] for letter in letters for r in repo.case_rows(letter)]


def test_revision_0005_marks_scores_of_synthetic_only_models(repo: ScoresRepository) -> None:
    """Rows say whether their model never saw a real letter; rows written before revision 0005 read
    NULL (not known) after it, and the revision goes down and up again keeping every row."""
    columns, index = _schema(repo)
    assert "model_synthetic_only" in columns
    assert index == ["model_name", "model_version", "scored_at", "model_synthetic_only"]  # models() reads it
    repo.save_scores([
        _row("SYN-ONLY", 0, 0.4, model_synthetic_only=True),
        _row("REAL", 0, 0.6, model_version="2", model_synthetic_only=False),
    ])  # fmt: skip
    assert _marks(repo, "SYN-ONLY", "REAL") == [True, False]
    assert {m["model_version"]: m["model_synthetic_only"] for m in repo.models()} == {"1": True, "2": False}
    exported = csv.DictReader(io.StringIO("".join(repo.iter_export_csv(ScoreFilters()))))
    marks = {t["letter_id"]: t["model_synthetic_only"] for t in exported}
    assert marks == {"SYN-ONLY": "True", "REAL": "False"}

    downgrade(repo.engine, "0004_checklist_context")
    columns, index = _schema(repo)
    assert "model_synthetic_only" not in columns and index == ["model_name", "model_version", "scored_at"]
    with repo.engine.connect() as conn:  # plain SQL: the ORM's columns do not match this schema
        assert conn.exec_driver_sql("SELECT count(*) FROM scored_services").scalar_one() == 2
    migrate(repo.engine)
    assert _marks(repo, "SYN-ONLY", "REAL") == [None, None]  # written before 0005: not known
    assert {m["model_version"]: m["model_synthetic_only"] for m in repo.models()} == {"1": False, "2": False}
    repo.save_scores([_row("SYN-ONLY", 0, 0.4, model_synthetic_only=True)])  # re-scored: marked again
    assert _marks(repo, "SYN-ONLY") == [True] and _schema(repo)[1][-1] == "model_synthetic_only"
