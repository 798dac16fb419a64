"""Alembic environment for the scores database; run programmatically by `serving.scores_db.migrate`.

A caller may hand in an open connection (`config.attributes["connection"]`) so migrations share its
transaction; otherwise the URL from the config is used (e.g. `alembic -c serving/migrations/alembic.ini`).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from serving.scores_db import ScoresBase, normalise_url

config = context.config
target_metadata = ScoresBase.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs table rebuilds for ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///scores.db"
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=normalise_url(config.get_main_option("sqlalchemy.url") or "sqlite:///scores.db"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
