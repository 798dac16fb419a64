"""Read commands (drift, the dashboard) refuse a scores database that is not there.

`open_scores_db` creates and migrates a database on first use, which is right for writers; a reader
given a mistyped SQLite path would instead show an empty new database as if nothing had been scored.
This check opens nothing for writing and names the problem in one line.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, make_url
from sqlalchemy.exc import SQLAlchemyError

from serving.scores_db import (
    ScoresDbSettings,
    ScoresRepository,
    create_scores_engine,
    migrate,
    normalise_url,
    schema_at_head,
)

SCORES_TABLE = "scored_services"


class ScoresDbMissing(FileNotFoundError):
    """The scores database named is absent, unreachable or holds no scores table."""


def require_existing_scores_db(url: str) -> str:
    """The normalised URL of an existing scores database; raises `ScoresDbMissing` naming the problem."""
    normalised = normalise_url(url)
    parsed = make_url(normalised)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise ScoresDbMissing(f"{url}: an in-memory SQLite database holds no scores")
        if not Path(database).expanduser().is_file():
            raise ScoresDbMissing(
                f"{database}: no scores database there (SQLite file not found; check the path, "
                "or IMR_SCORES_DB_URL)"
            )
    engine = create_engine(normalised)
    try:
        with engine.connect() as conn:
            has_table = inspect(conn).has_table(SCORES_TABLE)
    except SQLAlchemyError as exc:
        where = parsed.render_as_string(hide_password=True)
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ScoresDbMissing(f"{where}: cannot open the scores database: {reason}") from exc
    finally:
        engine.dispose()
    if not has_table:
        where = parsed.render_as_string(hide_password=True)
        raise ScoresDbMissing(
            f"{where}: not a scores database (no {SCORES_TABLE} table); score some cases first "
            "(`imr score`, or the API with store=true)"
        )
    return normalised


def open_existing_scores_db(url: str | None = None) -> ScoresRepository:
    """Open a scores database that must already exist: for readers (the dashboard, `imr drift`).

    `require_existing_scores_db` first, so a mistyped path raises `ScoresDbMissing` in one line and
    creates nothing; an older schema is then migrated to head, one at head is not written to.
    """
    engine = create_scores_engine(require_existing_scores_db(url or ScoresDbSettings().scores_db_url))
    if not schema_at_head(engine):
        migrate(engine)
    return ScoresRepository(engine)
