"""`imr features RECORDS_DIR --out features.parquet`: parsed records -> the feature table.

One row per disputed service (ids, meta, the spec's pre-review features, the target). A letter whose
features cannot be built is reported by name and skipped; every other letter's rows are written, and
the exit status is 1 when any letter failed (`--allow-failures`: only when no row was built).
"""

from __future__ import annotations

from pathlib import Path

import typer

from imr_triage.cli_input import fail, one_line, require_writable, writable_dir


def features(
    records_dir: Path = typer.Argument(..., help="Directory written by `imr parse` (cases/services)."),
    out: Path = typer.Option(Path("data/features.parquet"), "--out", "-o", help="Feature table to write."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    allow_failures: bool = typer.Option(
        False, "--allow-failures", help="Exit 0 when some letters failed (1 only when no row was built)."
    ),
    dask: str | None = typer.Option(
        None, "--dask", help="Run partitioned on Dask (OUT becomes a parquet dataset): address or 'local'."
    ),
    dask_workers: int | None = typer.Option(None, help="Workers of `--dask local` [params: dask.n_workers]."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml to read [dask:]."),
) -> None:
    """Build the feature table (one row per disputed service) from parsed letters."""
    import time

    import pandas as pd
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from features.spec import load_spec
    from features.table import build_feature_frames, build_feature_table
    from imr_triage.batch_outcome import end_features
    from letters.ingest import load_records

    console = Console(stderr=True, soft_wrap=True)
    if not ((records_dir / "cases.parquet").is_file() or (records_dir / "cases").is_dir()):
        what = "no cases.parquet in that folder" if records_dir.is_dir() else "not a directory"
        fail(f"{records_dir}: {what} (expected the output of `imr parse ... --out {records_dir}`)")
    if dask is None:
        require_writable(out, "the feature table", folder=False)  # before the work, not after it
    else:
        writable_dir(out.parent, "the folder of the feature table")
    if dask is not None:
        from imr_triage.dask_runs import run_features_on_dask

        run_features_on_dask(records_dir, out, dask, dask_workers, params_file, console, allow_failures)
        return
    spec = load_spec()
    t0 = time.perf_counter()
    try:
        cases = load_records(records_dir)
    except Exception as exc:  # noqa: BLE001 - a damaged parquet file, named once
        fail(f"{records_dir}: cannot read the parsed letters ({one_line(exc)})")
    columns = [
        TextColumn("features"), BarColumn(), MofNCompleteColumn(), TextColumn("letters"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, disable=not progress) as bar:
        task = bar.add_task("features", total=len(cases))
        frames, failed = build_feature_frames(cases, spec, on_chunk=lambda n: bar.advance(task, n))
    table = pd.concat(frames, ignore_index=True) if frames else build_feature_table([], spec=spec)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_parquet(out, index=False)
    secs = time.perf_counter() - t0
    labelled = int(table[spec.target].notna().sum())
    console.print(
        f"letters: {len(cases)}  services: {len(table)}  labelled: {labelled}  "
        f"overturned: {int(table[spec.target].sum())}  failed letters: {len(failed)}  ({secs:.1f}s)"
    )
    end_features(console, failed, len(table), len(cases), str(out), allow_failures)


def register(app: typer.Typer) -> None:
    app.command("features")(features)
