"""The scores database: every scored service with its reasons and model, plus each model's calibration.

Scoring runs write here and the dashboard reads here. All aggregation happens in SQL so the
dashboard stays fast at 100k+ rows; the same code runs on SQLite (default file) and PostgreSQL.
The schema is owned by the Alembic migrations in `serving/migrations/`, applied on first open.
"""

from __future__ import annotations

import contextlib
import csv
import io
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    case,
    cast,
    create_engine,
    event,
    func,
    make_url,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DEFAULT_SCORES_DB_URL = "sqlite:///scores.db"
GroupBy = Literal["service_family", "body_region", "ur_guideline_source"]
GROUP_COLUMNS: tuple[str, ...] = ("service_family", "body_region", "ur_guideline_source")
UNKNOWN_GROUP = "(unknown)"
# Rows per executemany call (bounds memory of one round of parameters).
UPSERT_CHUNK = 5000
# Covering indexes, each led by (model_name, model_version): every dashboard query is answered from
# one narrow index instead of the wide rows (reasons JSON, headings). `facts` serves date-ranged
# filters with any grouping and holds every filter column and the queue's sort keys (bar the heading)
# with the id, so a queue page is chosen inside it whatever the filters and sort; the others give
# pre-sorted GROUP BY / ORDER BY for their column and
# carry service_family so the family filter is checked inside the index (good plans even before
# ANALYZE has run). Each also ends with `synthetic`, so the real/synthetic filter the page always sends
# is checked inside the index too.
FACT_COLUMNS = (
    "ur_denial_date",
    "service_family",
    "body_region",
    "ur_guideline_source",
    "ur_denial_month",
    "risk_band",
    "synthetic",
)
COVERING_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("probability", ("probability", "letter_id", "service_family", "ur_denial_date", "synthetic")),
    ("letter", ("letter_id", "probability", "synthetic")),
    ("family", ("service_family", "probability", "synthetic")),
    ("region", ("body_region", "service_family", "probability", "synthetic")),
    ("guideline", ("ur_guideline_source", "service_family", "probability", "synthetic")),
    ("month", ("ur_denial_month", "service_family", "probability", "synthetic")),
    ("facts", (*FACT_COLUMNS, "probability", "letter_id", "item_index", "priority", "id")),
    ("scored_at", ("scored_at", "model_synthetic_only")),  # the model list and its SYNTHETIC-ONLY marks
)
EXPORT_COLUMNS: tuple[str, ...] = (
    "letter_id",
    "item_index",
    "service_heading",
    "service_family",
    "body_region",
    "ur_guideline_source",
    "ur_denial_date",
    "priority",
    "probability",
    "risk_band",
    "top_reasons",
    "model_name",
    "model_version",
    "scored_at",
    "synthetic",
    "model_synthetic_only",
)
# Queue sort keys: column -> the ORDER BY it means (ties broken by likelihood, highest first, then id,
# so every order is total and paging never repeats or skips a row). The band sorts as the likelihood
# it is cut from (alphabetical "high < low < medium" would mean nothing).
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "probability": ("probability",),
    "risk_band": ("probability",),
    "letter_id": ("letter_id", "item_index"),
    "item_index": ("item_index", "letter_id"),
    "service_heading": ("service_heading",),
    "service_family": ("service_family",),
    "body_region": ("body_region",),
    "ur_guideline_source": ("ur_guideline_source",),
    "ur_denial_date": ("ur_denial_date",),
    "priority": ("priority",),
    "model_version": ("model_name", "model_version"),
    "synthetic": ("synthetic",),
}
Origin = Literal["real", "synthetic", "all"]


class ScoresDbSettings(BaseSettings):
    """Where scores are stored: `IMR_SCORES_DB_URL` (SQLite path or PostgreSQL URL)."""

    model_config = SettingsConfigDict(env_prefix="IMR_", env_file=".env", extra="ignore")

    scores_db_url: str = DEFAULT_SCORES_DB_URL


# --------------------------------------------------------------------------------------------
# ORM models (the migrations in serving/migrations/versions create exactly these)
# --------------------------------------------------------------------------------------------
class ScoresBase(DeclarativeBase):
    pass


class ScoredService(ScoresBase):
    """One disputed service scored by one model version; re-scoring replaces the row (upsert)."""

    __tablename__ = "scored_services"
    __table_args__ = (
        UniqueConstraint("letter_id", "item_index", "model_name", "model_version", name="uq_scored_service"),
        # Covering indexes: each dashboard aggregate reads one narrow index instead of the wide rows.
        *[
            Index(f"ix_scored_model_{name}", "model_name", "model_version", *cols)
            for name, cols in COVERING_INDEXES
        ],
        Index("ix_scored_family", "service_family", "probability"),
        Index("ix_scored_denial_date", "ur_denial_date"),  # date bounds of the filter controls
        # The filter controls' choices, each found by a few index seeks (see `_distinct`).
        Index("ix_scored_band", "risk_band", "probability"),
        Index("ix_scored_guideline", "ur_guideline_source"),
        Index("ix_scored_synthetic", "synthetic"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    letter_id: Mapped[str] = mapped_column(String(128))
    item_index: Mapped[int] = mapped_column(Integer)
    service_heading: Mapped[str] = mapped_column(Text, default="")
    service_family: Mapped[str | None] = mapped_column(String(64), nullable=True)
    body_region: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ur_guideline_source: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ur_denial_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    ur_denial_month: Mapped[str | None] = mapped_column(String(7), nullable=True)
    priority: Mapped[str | None] = mapped_column(String(32), nullable=True)
    probability: Mapped[float] = mapped_column(Float)
    risk_band: Mapped[str] = mapped_column(String(32))
    top_reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    model_name: Mapped[str] = mapped_column(String(128))
    model_version: Mapped[str] = mapped_column(String(64))
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    # The raw feature values the service was scored on (what `imr drift` compares with the training
    # table); NULL for rows written before revision 0002.
    features: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Per-criterion checklist of the explanation (issue #18), when the scorer produced one.
    checklist: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    # Its context factors (never criteria) and the reviewer-style summary line (revision 0004).
    context: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Whether the model that scored it was trained on SYNTHETIC letters alone (`ModelCard.synthetic_only`:
    # its scores are not evidence about real IMR outcomes); NULL for rows written before revision 0005.
    model_synthetic_only: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class ModelRun(ScoresBase):
    """A model version that scored cases, with its reliability (calibration) curve and metrics."""

    __tablename__ = "model_runs"
    __table_args__ = (UniqueConstraint("model_name", "model_version", name="uq_model_run"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_name: Mapped[str] = mapped_column(String(128))
    model_version: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    calibration: Mapped[list[Any]] = mapped_column(JSON, default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    training_fingerprint: Mapped[str | None] = mapped_column(String(128), nullable=True)


# --------------------------------------------------------------------------------------------
# Plain input / output records
# --------------------------------------------------------------------------------------------
class ChecklistEvidence(BaseModel):
    """A sentence of the letter behind a criterion (offsets and author kept when the scorer gives them)."""

    model_config = ConfigDict(extra="allow")

    text: str
    section: str | None = None


class ChecklistItem(BaseModel):
    """One guideline criterion checked against the letter (issue #18's explanation checklist)."""

    model_config = ConfigDict(extra="allow")

    criterion: str
    status: str
    evidence: list[ChecklistEvidence] = Field(default_factory=list)
    log_odds: float | None = None


class ScoreRow(BaseModel):
    """One scored service as written by a scoring run."""

    letter_id: str
    item_index: int = Field(ge=0)
    service_heading: str = ""
    service_family: str | None = None
    body_region: str | None = None
    ur_guideline_source: str | None = None
    ur_denial_date: date | None = None
    priority: str | None = None
    probability: float = Field(ge=0.0, le=1.0)
    risk_band: str
    top_reasons: list[Any] = Field(default_factory=list)
    model_name: str
    model_version: str
    scored_at: datetime | None = None
    synthetic: bool = False
    features: dict[str, Any] | None = None  # raw feature values scored (None: not recorded)
    checklist: list[ChecklistItem] | None = None
    context: list[dict[str, Any]] | None = None  # context factors of the explanation (not criteria)
    summary: str | None = None  # e.g. "MTUS Low Back Complaints, ...: 1 of 5 criteria not documented"
    # The scoring model was trained on SYNTHETIC letters alone (None: not known, e.g. fabricated rows).
    model_synthetic_only: bool | None = None


class CalibrationPoint(BaseModel):
    """One bin of a reliability curve: mean predicted probability vs observed overturn rate."""

    predicted: float
    observed: float
    count: int = 0


class ModelRunRow(BaseModel):
    model_name: str
    model_version: str
    registered_at: datetime | None = None
    calibration: list[CalibrationPoint] = Field(default_factory=list)
    metrics: dict[str, Any] = Field(default_factory=dict)
    training_fingerprint: str | None = None


class ScoreFilters(BaseModel):
    """Dashboard filters; None means 'no filter'. The date range applies to the UR denial date;
    `synthetic` True keeps SYNTHETIC rows only, False real rows only."""

    date_from: date | None = None
    date_to: date | None = None
    service_family: str | None = None
    risk_band: str | None = None
    ur_guideline_source: str | None = None
    synthetic: bool | None = None
    model_name: str | None = None
    model_version: str | None = None


# --------------------------------------------------------------------------------------------
# Engine and migrations
# --------------------------------------------------------------------------------------------
def normalise_url(url: str) -> str:
    """A bare path becomes a SQLite URL; plain `postgresql://` uses psycopg v3 (the installed driver)."""
    if "://" not in url:
        return f"sqlite:///{url}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_scores_engine(url: str) -> Engine:
    """Engine tuned per backend: SQLite gets WAL + busy timeout so a scorer and the dashboard coexist."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent / "migrations"


@contextlib.contextmanager
def _sqlite_migration_lock(engine: Engine) -> Iterator[None]:
    """Serialise migrations of one SQLite file across processes (`imr serve --workers N` opens it in
    every worker at once; SQLite DDL is not transactional here, so two would both create tables). The
    lock file stays: removing it could let a waiting process lock a file a third one no longer sees."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    import fcntl

    with open(f"{database}.migrate-lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run_alembic(engine: Engine, action: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    with _sqlite_migration_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two processes starting at once must not both create the tables.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727170)")
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Run Alembic `upgrade <revision>` on this engine (idempotent; serialised on PostgreSQL)."""
    _run_alembic(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Run Alembic `downgrade <revision>` (tests and operators; `base` drops the scores tables)."""
    _run_alembic(engine, "downgrade", revision)


def open_scores_db(url: str | None = None) -> ScoresRepository:
    """Open (creating and migrating to head) the scores database at `url`, or the one from settings.

    For writers (`imr score`, the scoring API): a new SQLite path becomes a new database. Readers
    use `open_existing_scores_db`, which refuses a missing one.
    """
    engine = create_scores_engine(url or ScoresDbSettings().scores_db_url)
    migrate(engine)
    return ScoresRepository(engine)


def schema_at_head(engine: Engine) -> bool:
    """Whether the schema is already at the newest migration (a reader then need write nothing)."""
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


class LazyScoresDb:
    """Opens the database on first use, once, thread-safely (the web app must start without it).

    `get()` opens for writers and creates a missing database; readers (the dashboard) pass
    `serving.scores_db_check.open_existing_scores_db`, which raises `ScoresDbMissing` while there is
    none (the next call tries again).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._repo: ScoresRepository | None = None
        self._lock = threading.Lock()

    def get(self, opener: Callable[[str], ScoresRepository] | None = None) -> ScoresRepository:
        if self._repo is None:
            with self._lock:
                if self._repo is None:
                    self._repo = (opener or open_scores_db)(self.url)
        return self._repo

    def close(self) -> None:
        if self._repo is not None:
            self._repo.engine.dispose()


# --------------------------------------------------------------------------------------------
# Repository
# --------------------------------------------------------------------------------------------
def _utc(dt: datetime | None) -> datetime:
    if dt is None:
        return datetime.now(UTC)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return _utc(dt).isoformat()


def _dialect_insert(dialect_name: str) -> Any:
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect_name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise ValueError(f"unsupported scores database backend: {dialect_name}")
    return insert


class ScoresRepository:
    """Writes scores idempotently and answers the dashboard's aggregate queries in SQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- writes ----------------------------------------------------------------------------
    def save_scores(self, rows: Sequence[ScoreRow]) -> int:
        """Upsert on (letter_id, item_index, model_name, model_version); returns rows written."""
        if not rows:
            return 0
        insert = _dialect_insert(self.engine.dialect.name)
        table = ScoredService.__table__
        now = datetime.now(UTC)
        payload = []
        for r in rows:
            d = r.model_dump()
            d["scored_at"] = _utc(r.scored_at or now)
            d["ur_denial_month"] = r.ur_denial_date.strftime("%Y-%m") if r.ur_denial_date else None
            payload.append(d)
        key = ["letter_id", "item_index", "model_name", "model_version"]
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=key, set_={c: stmt.excluded[c] for c in payload[0] if c not in key}
        )
        with self.engine.begin() as conn:
            # executemany: SQLite's cursor.executemany, PostgreSQL's batched "insertmanyvalues".
            for start in range(0, len(payload), UPSERT_CHUNK):
                conn.execute(stmt, payload[start : start + UPSERT_CHUNK])
        return len(payload)

    def stored_keys(
        self, model_name: str, model_version: str, letter_ids: Sequence[str]
    ) -> set[tuple[str, int]]:
        """(letter_id, item_index) of the services these letters already have from this model: what a
        re-run replaces rather than adds, so `imr score` can say so."""
        ids = sorted(set(letter_ids))
        t = ScoredService.__table__
        out: set[tuple[str, int]] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(ids), UPSERT_CHUNK):
                stmt = select(t.c.letter_id, t.c.item_index).where(
                    t.c.model_name == model_name,
                    t.c.model_version == model_version,
                    t.c.letter_id.in_(ids[start : start + UPSERT_CHUNK]),
                )
                out.update((str(a), int(b)) for a, b in conn.execute(stmt))
        return out

    def record_model_run(self, run: ModelRunRow) -> None:
        """Register (or refresh) a model version and its calibration curve."""
        insert = _dialect_insert(self.engine.dialect.name)
        values = run.model_dump(mode="json")
        values["registered_at"] = _utc(run.registered_at)
        stmt = insert(ModelRun.__table__).values(values)
        update = {
            c: stmt.excluded[c] for c in ("registered_at", "calibration", "metrics", "training_fingerprint")
        }
        with self.engine.begin() as conn:
            conn.execute(
                stmt.on_conflict_do_update(index_elements=["model_name", "model_version"], set_=update)
            )

    def optimize(self) -> None:
        """Refresh planner statistics after a large write (and, on PostgreSQL, the visibility map,
        so the covering indexes give index-only scans). Autovacuum would get there, later."""
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM (ANALYZE) scored_services")
        else:
            with self.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")  # ~2 s per 100k rows; only after large writes

    # ---- filter helpers --------------------------------------------------------------------
    @staticmethod
    def _where(f: ScoreFilters) -> list[Any]:
        t = ScoredService
        clauses: list[Any] = []
        if f.date_from is not None:
            clauses.append(t.ur_denial_date >= f.date_from)
        if f.date_to is not None:
            clauses.append(t.ur_denial_date <= f.date_to)
        if f.service_family:
            clauses.append(t.service_family == f.service_family)
        if f.risk_band:
            clauses.append(t.risk_band == f.risk_band)
        if f.ur_guideline_source:
            clauses.append(t.ur_guideline_source == f.ur_guideline_source)
        if f.synthetic is not None:
            clauses.append(t.synthetic == f.synthetic)
        if f.model_name:
            clauses.append(t.model_name == f.model_name)
        if f.model_version:
            clauses.append(t.model_version == f.model_version)
        return clauses

    # ---- reads: aggregates -------------------------------------------------------------------
    def summary(self, f: ScoreFilters, high_threshold: float = 0.5) -> dict[str, Any]:
        """Counts and mean likelihood of the filtered services."""
        t = ScoredService
        where = self._where(f)
        stmt = select(
            func.count(t.id),
            func.avg(t.probability),
            func.sum(case((t.probability >= high_threshold, 1), else_=0)),
        ).where(*where)
        # Distinct letters as GROUP BY over the (model, letter_id) index: streams, no temp B-tree.
        letters_q = select(t.letter_id).where(*where).group_by(t.letter_id).subquery()
        with self.engine.connect() as conn:
            n, mean, high = conn.execute(stmt).one()
            letters = conn.execute(select(func.count()).select_from(letters_q)).scalar_one()
        return {
            "services": int(n or 0),
            "cases": int(letters or 0),
            "mean_probability": float(mean) if mean is not None else None,
            "share_above_threshold": (float(high or 0) / n) if n else None,
            "threshold": high_threshold,
        }

    def distribution(self, f: ScoreFilters, bins: int = 20) -> list[dict[str, Any]]:
        """Histogram of predicted overturn likelihood in `bins` equal-width buckets over [0, 1]."""
        if not 1 <= bins <= 100:
            raise ValueError(f"bins must be between 1 and 100, got {bins}")
        t = ScoredService
        scaled = t.probability * bins
        if self.engine.dialect.name == "sqlite":
            bucket = cast(scaled, Integer)  # truncates, i.e. floors for p >= 0
        else:
            bucket = cast(func.floor(scaled), Integer)  # PostgreSQL's cast rounds, so floor first
        bucket = bucket.label("bucket")
        stmt = select(bucket, func.count(t.id)).where(*self._where(f)).group_by(bucket)
        counts = [0] * bins
        with self.engine.connect() as conn:
            for b, n in conn.execute(stmt):
                counts[min(int(b), bins - 1)] += int(n)  # p == 1.0 belongs to the last bucket
        return [
            {"lo": round(i / bins, 6), "hi": round((i + 1) / bins, 6), "count": counts[i]}
            for i in range(bins)
        ]

    def by_group(self, f: ScoreFilters, by: str, limit: int = 30) -> list[dict[str, Any]]:
        """Volume and mean likelihood per service family / body region / UR guideline source."""
        if by not in GROUP_COLUMNS:
            raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(GROUP_COLUMNS)}")
        t = ScoredService
        col = getattr(t, by)
        n = func.count(t.id).label("n")
        stmt = (
            select(col, n, func.avg(t.probability))
            .where(*self._where(f))
            .group_by(col)
            .order_by(n.desc(), col)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [
                {"key": k if k is not None else UNKNOWN_GROUP, "count": int(c), "mean_probability": float(m)}
                for k, c, m in conn.execute(stmt)
            ]

    def by_month(self, f: ScoreFilters) -> list[dict[str, Any]]:
        """Volume and mean likelihood per UR denial month (services without a date are left out)."""
        t = ScoredService
        stmt = (
            select(t.ur_denial_month, func.count(t.id), func.avg(t.probability))
            .where(*self._where(f), t.ur_denial_month.is_not(None))
            .group_by(t.ur_denial_month)
            .order_by(t.ur_denial_month)
        )
        with self.engine.connect() as conn:
            return [
                {"month": m, "count": int(c), "mean_probability": float(p)} for m, c, p in conn.execute(stmt)
            ]

    def queue(
        self,
        f: ScoreFilters,
        page: int = 1,
        page_size: int = 50,
        *,
        sort: str = "probability",
        descending: bool = True,
    ) -> dict[str, Any]:
        """Triage queue: one page of the filtered services in `sort` order, with what it shows.

        `total` counts the rows matching every filter, `in_all` the rows of the same model and origin
        (real/synthetic) before the other filters; a page past the end gives the last page. Unknown
        values sort last in either direction, on SQLite and PostgreSQL alike.
        """
        if page < 1 or not 1 <= page_size <= 500:
            raise ValueError("page must be >= 1 and page_size between 1 and 500")
        if sort not in SORT_KEYS:
            raise ValueError(f"cannot sort by {sort!r}; choose one of {', '.join(SORT_KEYS)}")
        t = ScoredService
        where = self._where(f)
        base = ScoreFilters(model_name=f.model_name, model_version=f.model_version, synthetic=f.synthetic)
        with self.engine.connect() as conn:
            total = int(conn.execute(select(func.count(t.id)).where(*where)).scalar_one())
            in_all = (
                total
                if base == f
                else int(conn.execute(select(func.count(t.id)).where(*self._where(base))).scalar_one())
            )
            pages = max(1, -(-total // page_size))
            page = min(page, pages)
            offset = (page - 1) * page_size
            size = min(page_size, total - offset)
            keys = self._sort_keys(sort, descending)
            # Pages in the back half are read from the other end (exactly reversed order), so "last
            # page" costs what "first page" does.
            backwards = offset > total - offset - size
            if backwards:
                offset, keys = total - offset - size, [(c, not d, not n) for c, d, n in keys]
            order = [self._order_by(c, d, n) for c, d, n in keys]
            # Deferred join: sort and skip narrow (key, id) tuples from the covering index, then read
            # the page's wide rows (reasons JSON, headings) by id.
            page_ids = select(t.id).where(*where).order_by(*order).limit(max(size, 0)).offset(offset)
            page_rows = t.id.in_(page_ids.scalar_subquery())
            stmt = select(ScoredService.__table__).where(page_rows).order_by(*order)
            rows = [self._row_dict(r) for r in conn.execute(stmt)] if size > 0 else []
            if backwards:
                rows.reverse()
        first = (page - 1) * page_size + 1 if rows else 0
        return {
            "total": total,
            "in_all": in_all,
            "page": page,
            "pages": pages,
            "page_size": page_size,
            "first": first,
            "last": first + len(rows) - 1 if rows else 0,
            "sort": sort,
            "order": "desc" if descending else "asc",
            "items": rows,
        }

    @staticmethod
    def _sort_keys(sort: str, descending: bool) -> list[tuple[str, bool, bool]]:
        """(column, descending, nulls last) for a queue sort: the key columns with unknown values last,
        then likelihood high to low, then id (a total order, so pages never overlap)."""
        keys = [(name, descending, True) for name in SORT_KEYS[sort]]
        if "probability" not in SORT_KEYS[sort]:
            keys.append(("probability", True, True))
        keys.append(("id", False, True))
        return keys

    @staticmethod
    def _order_by(name: str, descending: bool, nulls_last: bool) -> Any:
        col = getattr(ScoredService, name)
        key = col.desc() if descending else col.asc()
        if not ScoredService.__table__.c[name].nullable:
            return key  # no NULLs: plain order, which an index can give
        return key.nulls_last() if nulls_last else key.nulls_first()

    # ---- reads: cases, models, export -------------------------------------------------------
    def case_rows(self, letter_id: str) -> list[dict[str, Any]]:
        """All scored services of one letter, every model version, newest model first."""
        t = ScoredService
        stmt = (
            select(ScoredService.__table__)
            .where(t.letter_id == letter_id)
            .order_by(t.item_index, t.scored_at.desc(), t.model_version.desc())
        )
        with self.engine.connect() as conn:
            return [self._row_dict(r) for r in conn.execute(stmt)]

    def models(self) -> list[dict[str, Any]]:
        """Model versions that have scores, newest scoring first, with their row counts and whether any
        of their rows is marked as scored by a SYNTHETIC-only model (read from one covering index)."""
        t = ScoredService
        last = func.max(t.scored_at).label("last_scored_at")
        marked = func.max(case((t.model_synthetic_only.is_(True), 1), else_=0))
        stmt = (
            select(t.model_name, t.model_version, func.count(t.id), last, marked)
            .group_by(t.model_name, t.model_version)
            .order_by(last.desc(), t.model_name, t.model_version.desc())
        )
        with self.engine.connect() as conn:
            return [
                {"model_name": name, "model_version": ver, "count": int(n), "last_scored_at": _iso(ts),
                 "model_synthetic_only": bool(m)}
                for name, ver, n, ts, m in conn.execute(stmt)
            ]  # fmt: skip

    def current_model(self) -> dict[str, Any] | None:
        """The model that scored most recently (what analysts are looking at now)."""
        models = self.models()
        return models[0] if models else None

    def model_run(self, model_name: str, model_version: str) -> dict[str, Any] | None:
        stmt = select(ModelRun.__table__).where(
            ModelRun.model_name == model_name, ModelRun.model_version == model_version
        )
        with self.engine.connect() as conn:
            r = conn.execute(stmt).first()
        if r is None:
            return None
        return {
            "model_name": r.model_name,
            "model_version": r.model_version,
            "registered_at": _iso(r.registered_at),
            "calibration": r.calibration or [],
            "metrics": r.metrics or {},
            "training_fingerprint": r.training_fingerprint,
        }

    def filter_options(self) -> dict[str, Any]:
        """Values the dashboard's filter controls offer, and whether real and SYNTHETIC rows exist
        (`default_origin`: real whenever there is any real row, so the two never mix unasked).
        Every part is a few index seeks, not a scan: this is the page's first call."""
        t = ScoredService
        with self.engine.connect() as conn:
            families = self._distinct(conn, t.service_family)
            guidelines = self._distinct(conn, t.ur_guideline_source)
            bands = self._distinct(conn, t.risk_band)
            lowest = {b: conn.execute(select(func.min(t.probability)).where(t.risk_band == b)).scalar_one()
                      for b in bands}  # fmt: skip
            origins = {
                name: conn.execute(select(t.id).where(t.synthetic == flag).limit(1)).first() is not None
                for name, flag in (("real", False), ("synthetic", True))
            }
            lo, hi = conn.execute(select(func.min(t.ur_denial_date), func.max(t.ur_denial_date))).one()
        return {
            "service_families": families,
            "risk_bands": sorted(bands, key=lambda b: lowest[b]),  # low to high likelihood
            "ur_guideline_sources": guidelines,
            "origins": origins,
            "default_origin": "real" if origins["real"] else "synthetic" if origins["synthetic"] else "all",
            "date_min": lo.isoformat() if lo else None,
            "date_max": hi.isoformat() if hi else None,
        }

    @staticmethod
    def _distinct(conn: Any, col: Any) -> list[Any]:
        """The column's distinct non-NULL values in order, by one index seek per value ("loose index
        scan"; SELECT DISTINCT reads every row on SQLite and PostgreSQL alike)."""
        out: list[Any] = []
        value = conn.execute(select(func.min(col))).scalar_one()
        while value is not None:
            out.append(value)
            value = conn.execute(select(func.min(col)).where(col > value)).scalar_one()
        return out

    def iter_export_csv(self, f: ScoreFilters, batch: int = 2000) -> Iterator[str]:
        """The filtered table as CSV text chunks, streamed from a server-side cursor."""
        t = ScoredService
        # Reasons leave as the stored JSON text: no decode/re-encode per row.
        cols = [cast(t.top_reasons, Text) if c == "top_reasons" else getattr(t, c) for c in EXPORT_COLUMNS]
        at = EXPORT_COLUMNS.index("scored_at")
        stmt = select(*cols).where(*self._where(f)).order_by(t.probability.desc(), t.id)
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(EXPORT_COLUMNS)
        yield buf.getvalue()
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
            for part in result.partitions():
                buf.seek(0)
                buf.truncate()
                for row in part:
                    values = list(row)
                    values[at] = _iso(values[at])
                    writer.writerow(values)
                yield buf.getvalue()

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count(ScoredService.id))).scalar_one())

    @staticmethod
    def _row_dict(r: Any) -> dict[str, Any]:
        return {
            "letter_id": r.letter_id,
            "item_index": r.item_index,
            "service_heading": r.service_heading,
            "service_family": r.service_family,
            "body_region": r.body_region,
            "ur_guideline_source": r.ur_guideline_source,
            "ur_denial_date": r.ur_denial_date.isoformat() if r.ur_denial_date else None,
            "priority": r.priority,
            "probability": r.probability,
            "risk_band": r.risk_band,
            "top_reasons": r.top_reasons or [],
            "model_name": r.model_name,
            "model_version": r.model_version,
            "scored_at": _iso(r.scored_at),
            "synthetic": bool(r.synthetic),
            "checklist": r.checklist,
            "context": r.context,
            "summary": r.summary,
            "model_synthetic_only": r.model_synthetic_only,
        }
