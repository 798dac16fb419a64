"""`imr serve`: run the scoring API under uvicorn, configured from the environment / `.env`."""

from __future__ import annotations

from pathlib import Path

import typer


def serve(
    host: str | None = typer.Option(None, help="Bind address (default: IMR_SERVE_HOST or 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default: IMR_SERVE_PORT or 8000; 0 picks one)."),
    model_path: Path | None = typer.Option(
        None, help="Serve a local model directory instead of the registry alias."
    ),
    env_file: Path | None = typer.Option(None, help="Read settings from this file instead of ./.env."),
    hash_key: str | None = typer.Option(
        None, "--hash-key", help="Print the stored (hashed) form of this API key and exit."
    ),
    scopes: str = typer.Option("score", help="With --hash-key: comma-separated scopes (score,admin)."),
) -> None:
    """Start the scoring API (FastAPI + uvicorn); settings come from IMR_SERVE_* variables or .env."""
    import json

    if hash_key is not None:
        from serving.auth import hash_api_key

        entry = {
            "name": "CHANGE-ME",
            "hash": hash_api_key(hash_key, "pbkdf2_sha256"),
            "scopes": [s.strip() for s in scopes.split(",") if s.strip()],
        }
        typer.echo(json.dumps(entry))
        return

    import uvicorn
    from pydantic import ValidationError

    from serving.app import create_app
    from serving.settings import ServingSettings

    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    if model_path is not None:
        overrides["model_path"] = model_path
    try:
        if env_file is not None:
            settings = ServingSettings(_env_file=env_file, **overrides)
        else:
            settings = ServingSettings(**overrides)
    except ValidationError as exc:
        typer.echo(f"imr serve: invalid settings: {exc}", err=True)
        raise typer.Exit(2) from exc
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,  # the access log would carry query strings; metrics cover traffic instead
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
