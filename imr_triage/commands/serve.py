"""`imr serve`: run the scoring API under uvicorn, configured from the environment / `.env`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from imr_triage.progress import PROGRESS_HELP, StepProgress, progress_wanted

if TYPE_CHECKING:  # the settings module loads the model code: imported when `imr serve` runs
    from fastapi import FastAPI

    from serving.settings import ServingSettings

# What a terminal shows while the server starts (the model load can take seconds from a registry).
STARTUP_STEPS = ["loading libraries", "loading the model"]
DEFAULT_REGISTRY_FILE = "mlflow.db"  # the default MLflow store of `imr register` (sqlite:///mlflow.db)


def serve(
    host: str | None = typer.Option(None, help="Bind address (default: IMR_SERVE_HOST or 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default: IMR_SERVE_PORT or 8000; 0 picks one)."),
    model_path: Path | None = typer.Option(
        None, help="Serve a local model directory instead of the registry alias."
    ),
    env_file: Path | None = typer.Option(None, help="Read settings from this file instead of ./.env."),
    hash_key: str | None = typer.Option(
        None, "--hash-key", help="Print the stored (hashed) form of this API key as one JSON line and exit."
    ),
    new_key: bool = typer.Option(
        False, "--new-key", help="Make a new key: its entry on stdout (one JSON line), the key on stderr."
    ),
    scopes: str = typer.Option(
        "score", help="With --hash-key/--new-key: comma-separated scopes (score, admin, dashboard)."
    ),
    workers: int | None = typer.Option(
        None, min=1, help="Worker processes (default: IMR_SERVE_WORKERS or 1); one per core uses them all."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help=PROGRESS_HELP),
) -> None:
    """Start the scoring API (FastAPI + uvicorn); settings come from IMR_SERVE_* variables or .env."""
    if hash_key is not None or new_key:
        print_key_entry(hash_key, scopes)
        return
    # LightGBM's OpenMP threads sleep between calls instead of spinning on cores the other scoring
    # threads need (set before LightGBM loads; worker processes inherit it). Operators may override.
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    console = Console(stderr=True)
    bar = StepProgress("imr serve", STARTUP_STEPS, console, progress_wanted(progress, console)).start()
    bar.step("loading libraries")
    try:
        _serve(host, port, model_path, env_file, workers, bar)
    finally:
        bar.finish()


def _serve(
    host: str | None,
    port: int | None,
    model_path: Path | None,
    env_file: Path | None,
    workers: int | None,
    bar: StepProgress,
) -> None:
    """Resolve the settings and run uvicorn (one worker in this process, or a supervisor of N)."""
    import os

    import uvicorn
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from serving.app import create_app
    from serving.settings import ServingSettings

    overrides: dict[str, object] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    if model_path is not None:
        overrides["model_path"] = model_path
    if workers is not None:
        overrides["workers"] = workers
    try:
        if env_file is not None:
            settings = ServingSettings(_env_file=env_file, **overrides)
        else:
            settings = ServingSettings(**overrides)
    except (ValidationError, SettingsError) as exc:
        from imr_triage.settings_errors import settings_error

        why = settings_error(exc, ServingSettings, overrides)
        typer.echo(f"imr serve: invalid settings: {why}", err=True)
        raise typer.Exit(2) from exc
    warn_deprecated_keys(settings)

    def startup_step(name: str) -> None:
        if name == "ready":
            bar.finish()  # uvicorn's own lines follow
        else:
            bar.step(name)

    problem = model_source_problem(settings, os.environ, Path.cwd())
    if problem is not None:  # before uvicorn binds the port
        from imr_triage.cli_input import fail

        fail(problem)
    _clear_earlier_metrics()  # before any metric of this run is written (the app below writes them)
    app = create_app(settings, startup_step=startup_step) if settings.workers == 1 else None
    try:  # the model loads here, before uvicorn takes the signals: Ctrl-C stops the load, not waits for it
        if settings.model_path is not None:
            bar.step("loading the model")
            load_model_or_fail(app if app is not None else create_app(settings), settings.model_path)
        elif app is not None:
            bar.step("loading the model")
            app.state.store.refresh()  # the lifespan finds it loaded, or tries again and starts not ready
    except KeyboardInterrupt:
        bar.finish()
        typer.echo("imr serve: stopped while loading the model; the server was not started", err=True)
        raise typer.Exit(130) from None
    run_options: dict[str, object] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,  # the access log would carry query strings; metrics cover traffic instead
    }
    if app is not None:
        uvicorn.run(app, **run_options)
        return
    bar.finish()  # each worker loads its own model; uvicorn logs their start-up
    from serving.app import RESOLVED_SETTINGS_ENV, SUPERVISOR_PID_ENV
    from serving.metrics import prepare_multiprocess_metrics

    # One worker per core: each worker's numeric kernels (numba, OpenMP) get the cores it owns, so
    # workers neither oversubscribe the machine nor spin on each other's cores (operators may override).
    threads = max(1, (os.cpu_count() or 1) // settings.workers)
    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(var, str(threads))
    if "batch_threads" not in settings.model_fields_set:
        settings = settings.model_copy(update={"batch_threads": min(settings.batch_threads, threads)})
    # Worker processes rebuild the app from the settings resolved here (CLI options, --env-file).
    os.environ[RESOLVED_SETTINGS_ENV] = settings.model_dump_json()
    os.environ[SUPERVISOR_PID_ENV] = str(os.getpid())  # workers exit when this process dies
    prepare_multiprocess_metrics()
    if settings.poll_interval_s == 0:
        typer.echo(
            f"imr serve: {settings.workers} workers with polling off: POST /v1/admin/reload reloads only "
            "the worker that answers it; set IMR_SERVE_POLL_INTERVAL_S so every worker follows the alias",
            err=True,
        )
    from uvicorn.supervisors import Multiprocess

    from serving.listener import ListenError, tcp_listener

    config = uvicorn.Config(
        "serving.app:create_app_from_environment", factory=True, workers=settings.workers, **run_options
    )
    try:  # our own listener, not uvicorn's: see serving.listener (TCP_NODELAY)
        sock = tcp_listener(settings.host, settings.port)
    except ListenError as exc:
        typer.echo(f"imr serve: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"imr serve: {settings.workers} workers on http://{settings.host}:{settings.port}", err=True)
    Multiprocess(config, sockets=[sock]).run()


def _clear_earlier_metrics() -> None:
    """An operator's PROMETHEUS_MULTIPROC_DIR still holds the files of the last run: removed, and said."""
    import os

    from serving.metrics import MULTIPROC_ENV, clear_earlier_run

    given = os.environ.get(MULTIPROC_ENV)
    if not given:
        return
    removed = clear_earlier_run(Path(given))
    if removed:
        typer.echo(
            f"imr serve: removed {len(removed)} metric files of an earlier run from {MULTIPROC_ENV}={given} "
            "(prometheus_client would add them to this run's /metrics)",
            err=True,
        )


def model_source_problem(settings: ServingSettings, environ: Mapping[str, str], cwd: Path) -> str | None:
    """Why there is no model to serve, or None. A model path that does not exist is refused; so is no
    model at all (no path, no registry configured and no ./mlflow.db, where `imr register` puts the
    default registry), which would start a server that can never be ready and create ./mlflow.db.
    A configured registry is trusted: the server starts not ready and picks the model up when the alias
    is set (docs/serving.md)."""
    if settings.model_path is not None:
        if settings.model_path.exists():
            return None
        return f"{settings.model_path}: no model directory there (--model-path / IMR_SERVE_MODEL_PATH)"
    if settings.tracking_uri or environ.get("MLFLOW_TRACKING_URI"):
        return None
    if (cwd / DEFAULT_REGISTRY_FILE).is_file():
        return None
    return (
        f"no model to serve: give --model-path DIR (or IMR_SERVE_MODEL_PATH), or the registry to follow "
        f"(IMR_SERVE_TRACKING_URI or MLFLOW_TRACKING_URI); there is no ./{DEFAULT_REGISTRY_FILE} here, "
        "the registry `imr register` writes by default"
    )


def load_model_or_fail(app: FastAPI, model_path: Path) -> None:
    """Load the model of an explicit `--model-path` into `app` before the port is bound. A directory
    that exists but cannot be loaded (checksum mismatch, a booster LightGBM cannot parse, a failed smoke
    check) would leave a server that is never ready, so it is refused in one line naming the path and
    the problem (exit 2). With N workers the supervisor checks it this way once, then each worker loads
    its own. (A registry alias may get its first model later, so it starts not ready instead.)"""
    import logging

    from imr_triage.cli_input import fail

    store_log = logging.getLogger("serving.model_store")
    store_log.disabled = True  # its "refused model" line would say what the one line below says
    try:
        result = app.state.store.refresh()
    finally:
        store_log.disabled = False
    if result.outcome != "loaded":
        reason = (result.error or result.outcome).strip().splitlines()[0]
        fail(f"{model_path}: cannot load the model: {reason}")


def print_key_entry(key: str | None, scopes: str) -> None:
    """`--hash-key KEY` / `--new-key`: the stored entry as one JSON line on stdout."""
    from pydantic import ValidationError

    from serving.api_keys import entry_for_key, new_api_key

    wanted = [s.strip() for s in scopes.split(",") if s.strip()]
    fresh = key is None
    key = new_api_key() if key is None else key
    try:
        entry = entry_for_key(key, wanted)  # type: ignore[arg-type]
    except ValidationError as exc:
        typer.echo(f"imr serve: --scopes {scopes!r}: use score, admin and/or dashboard ({exc.error_count()} "
                   "invalid)", err=True)
        raise typer.Exit(2) from exc
    typer.echo(entry.model_dump_json(exclude_none=True))
    if fresh:
        typer.echo(f"API key (shown once; give it to the client, store only the entry): {key}", err=True)
    elif entry.deprecated:
        typer.echo(
            "imr serve: this key has no 'imr_<id>_' prefix, so its entry uses the deprecated form (no id, "
            "PBKDF2), checked only behind the failure rate limit; make keys with `imr serve --new-key`",
            err=True,
        )


def warn_deprecated_keys(settings: object) -> None:
    """Name the configured key entries stored in a deprecated form (no id, or a PBKDF2 hash)."""
    old = [e.name for e in getattr(settings, "api_keys", []) if e.deprecated]
    if old:
        typer.echo(
            f"imr serve: warning: API key entries {', '.join(old)} use a deprecated form (no key id, or "
            "a PBKDF2 hash): they keep working, checked only behind the "
            "failure rate limit; replace them with keys from `imr serve --new-key`",
            err=True,
        )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
