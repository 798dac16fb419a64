"""The `--dask` branches of `imr parse`, `imr features` and `imr score`: open a client, run, report.

The partition work lives in `training.distributed` (parse, features) and `serving.batch_scoring`
(scores); this module only wires them to a Dask client for the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from imr_triage.batch_outcome import end_features, end_parse


def _dask_params(params_file: Path, workers: int | None) -> Any:
    from imr_triage.cli_input import read_params
    from training.distributed import DaskParams
    from training.params import section

    cfg = DaskParams(**section(read_params(params_file), "dask"))
    if workers is not None:
        cfg.n_workers = workers
    return cfg


def run_parse_on_dask(
    paths: list[str], out: Path, engine: str, address: str, workers: int | None, params_file: Path,
    console: Any, allow_failures: bool = False, n_missing: int = 0,
) -> None:
    import time

    from training.distributed import dask_client, parse_partitioned

    cfg = _dask_params(params_file, workers)
    t0 = time.perf_counter()
    with dask_client(address, cfg.n_workers) as client:
        res = parse_partitioned(paths, out, client, engine=engine,  # type: ignore[arg-type]
                                partition_size=cfg.partition_size, retries=cfg.retries)  # fmt: skip
    console.print(
        f"letters read: {res.n_cases + len(res.failures)}  parsed: {res.n_cases}  "
        f"services: {res.n_services}  failed: {len(res.failures)}  partitions: {len(res.partitions)}  "
        f"({time.perf_counter() - t0:.1f}s)"
    )
    if res.warned:
        console.print(f"letters with parse warnings: {res.warned} (see parse_warnings in {out}/cases/)",
                      markup=False, highlight=False)
    wrote = f"{out}/cases/, {out}/services/, {out}/failures.csv, {out}/_SUCCESS"
    end_parse(console, res.failures, res.n_cases, wrote, allow_failures, n_missing)


def run_features_on_dask(
    records_dir: Path, out: Path, address: str, workers: int | None, params_file: Path, console: Any,
    allow_failures: bool = False,
) -> None:
    import time

    from training.distributed import dask_client, features_partitioned

    cfg = _dask_params(params_file, workers)
    t0 = time.perf_counter()
    with dask_client(address, cfg.n_workers) as client:
        res = features_partitioned(records_dir, out, client, cfg.partition_size, cfg.retries)
    console.print(
        f"letters: {res.letters}  services: {res.rows}  failed letters: {len(res.failed)}  "
        f"partitions: {len(res.partitions)}  ({time.perf_counter() - t0:.1f}s)"
    )
    end_features(console, res.failed, res.rows, res.letters, f"{out}/part-*.parquet and {out}/_SUCCESS",
                 allow_failures)  # fmt: skip


def _score_partition(
    files: list[str], model: Any, k: int, name: str, version: str, scored_at: Any, settings: Any
) -> dict[str, Any]:
    """Score one slice of input files on a worker; a failing file is named, the rest still scored."""
    from serving.batch_scoring import score_file

    predictor = settings.predictor(model, top_k=k)
    rows: list[Any] = []
    labelled: list[tuple[float, int]] = []
    failed: list[tuple[str, str]] = []
    warnings: list[str] = []
    for f in files:
        got = score_file(Path(f), predictor, model.input_spec, name, version, scored_at)
        failed += [(f, e) for e in got.errors]  # as in the single-process path
        warnings += [f"warning: {f}: {note}" for note in got.warnings]  # scored, but read with a gap
        rows += got.rows
        labelled += got.labelled
    return {"rows": rows, "labelled": labelled, "failed": failed, "warnings": warnings}


def score_on_dask(
    files: list[Path], model: Any, k: int, name: str, version: str, scored_at: Any, repo: Any,
    batch_size: int, address: str, workers: int | None, params_file: Path,
    warn: Callable[[str], None] | None = None,
) -> tuple[int, int, list[tuple[float, int]], list[tuple[str, str]]]:
    """Score partitions of `files` on Dask and store their rows in partition order (idempotent upserts); the
    cases and services counted are those stored, as in the single-process path. `warn` gets each letter's
    parse warnings (`warning: FILE: ...`), in input order."""
    from serving.settings import ServingSettings
    from training.distributed import dask_client

    cfg = _dask_params(params_file, workers)
    settings = ServingSettings()  # the API's bands and phrases, so CLI and API label scores alike
    names = [str(f) for f in files]
    chunks = [names[a : a + cfg.partition_size] for a in range(0, len(names), cfg.partition_size)]
    cases: set[str] = set()
    stored: set[tuple[str, int]] = set()  # a case met twice (a copy under another name) is stored once
    labelled: list[tuple[float, int]] = []
    failed: list[tuple[str, str]] = []
    with dask_client(address, cfg.n_workers) as client:
        shared = client.scatter(model, broadcast=True)
        futures = [
            client.submit(_score_partition, chunk, shared, k, name, version, scored_at, settings,
                          retries=cfg.retries, pure=False)  # fmt: skip
            for chunk in chunks
        ]
        for fut in futures:  # partition order, so rows and failures come back in input order
            part = fut.result()
            for a in range(0, len(part["rows"]), batch_size):
                repo.save_scores(part["rows"][a : a + batch_size])
            cases.update(r.letter_id for r in part["rows"])
            stored.update((r.letter_id, r.item_index) for r in part["rows"])
            labelled += part["labelled"]
            failed += part["failed"]
            for line in part["warnings"] if warn is not None else []:
                warn(line)
            fut.release()
    return len(cases), len(stored), labelled, failed
