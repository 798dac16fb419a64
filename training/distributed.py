"""Parse and featurize letters partitioned over a Dask cluster, writing partitioned parquet.

Each partition is an ordered slice of the inputs; a task parses (or featurizes) its slice with the
same functions as the single-process path and writes its own part file, so a retried task just
rewrites that file. Per-letter failures come back from the tasks and are reported in input order;
`_SUCCESS` is written only when every partition finished.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from letters.ingest import (
    CASES_FILE,
    FAILURES_FILE,
    PARTITIONED_CASES,
    PARTITIONED_SERVICES,
    SERVICES_FILE,
    expand_inputs,
    iter_parse,
    records_from_rows,
    write_case_tables,
    write_failures,
)
from letters.partitioned_output import clear_partitioned, completed_parts, part_name, write_success
from letters.pdf_text import Engine
from letters.records import Case, ParseFailure


class DaskParams(BaseModel):
    """params.yaml `dask:` (CLI options override it)."""

    model_config = ConfigDict(extra="ignore")

    n_workers: int = Field(default=2, ge=1, description="LocalCluster worker processes for `--dask local`.")
    partition_size: int = Field(default=500, ge=1, description="Letters per partition.")
    retries: int = Field(default=2, ge=0, description="Times Dask re-runs a task whose worker was lost.")


@contextmanager
def dask_client(address: str, n_workers: int = 2, processes: bool = True) -> Iterator[Any]:
    """A Client for `address`, or for a loopback-only LocalCluster when address is 'local'."""
    from distributed import Client, LocalCluster

    if address != "local":
        with Client(address) as client:
            yield client
        return
    with LocalCluster(
        n_workers=n_workers, threads_per_worker=1, processes=processes, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, Client(cluster) as client:  # fmt: skip
        yield client


def _slices(n: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, n)) for a in range(0, n, size)]


@dataclass
class PartitionedParse:
    """What a partitioned parse produced (counts only: the rows stay in the part files)."""

    out: Path
    partitions: list[str]
    n_cases: int = 0
    n_services: int = 0
    failures: list[ParseFailure] = field(default_factory=list)
    warned: int = 0


def _parse_partition(task: tuple[int, list[str], str, str]) -> dict[str, Any]:
    """Parse one slice of files and write its part files; returns counts and failures."""
    index, files, engine, out = task
    cases: list[Case] = []
    failures: list[dict[str, str]] = []
    for r in iter_parse([Path(f) for f in files], engine=engine):  # type: ignore[arg-type]
        if isinstance(r, Case):
            cases.append(r)
        else:
            failures.append(r.model_dump())
    root = Path(out)
    (root / PARTITIONED_CASES).mkdir(parents=True, exist_ok=True)
    (root / PARTITIONED_SERVICES).mkdir(parents=True, exist_ok=True)
    name = part_name(index)
    write_case_tables(cases, root / PARTITIONED_CASES / name, root / PARTITIONED_SERVICES / name)
    return {
        "part": name, "n_cases": len(cases), "n_services": sum(len(c.services) for c in cases),
        "warned": sum(1 for c in cases if c.parse_warnings), "failures": failures,
    }


def parse_partitioned(
    inputs: Sequence[Path | str], out: Path | str, client: Any, engine: Engine = "pypdfium2",
    partition_size: int = 500, retries: int = 2,
) -> PartitionedParse:
    """`parse_paths` + `write_records` over Dask: cases/ and services/ part files, failures.csv, _SUCCESS."""
    import dask.bag as db

    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    clear_partitioned(root, (PARTITIONED_CASES, PARTITIONED_SERVICES))
    for stale in (CASES_FILE, SERVICES_FILE):  # a single-process run's tables would shadow the parts
        (root / stale).unlink(missing_ok=True)
    files, missing = expand_inputs(inputs)
    names = [str(f) for f in files]
    slices = _slices(len(names), partition_size)
    tasks = [(i, names[a:b], engine, str(root)) for i, (a, b) in enumerate(slices)]
    if not tasks:
        tasks = [(0, [], engine, str(root))]
    bag = db.from_sequence(tasks, npartitions=len(tasks)).map(_parse_partition)
    parts = client.compute(bag, retries=retries).result()  # raises when a task fails for good
    result = PartitionedParse(root, [p["part"] for p in parts], failures=list(missing))
    for p in parts:
        result.n_cases += p["n_cases"]
        result.n_services += p["n_services"]
        result.warned += p["warned"]
        result.failures += [ParseFailure(**f) for f in p["failures"]]
    write_failures(result.failures, root / FAILURES_FILE)
    write_success(root, {
        "job": "parse", "partitions": result.partitions, "letters_read": len(names) + len(missing),
        "cases": result.n_cases, "services": result.n_services,
        "failures": [f.model_dump() for f in result.failures],
    })  # fmt: skip
    return result


# ---- features -------------------------------------------------------------------------------


def build_features_isolated(cases: list[Case], chunk: int = 500) -> tuple[Any, list[str]]:
    """Feature table of `cases`; a letter whose features fail is named and skipped (as `imr features`)."""
    import pandas as pd

    from features.spec import load_spec
    from features.table import build_feature_frames, build_feature_table

    spec = load_spec()
    frames, failed = build_feature_frames(cases, spec, chunk=chunk)
    frames = [f for f in frames if len(f)]
    table = pd.concat(frames, ignore_index=True) if frames else build_feature_table([], spec=spec)
    return table, failed


def _record_parts(records_dir: Path, partition_size: int) -> list[tuple[str, str, int, int | None]]:
    """(cases file, services file, first row, stop row) per partition of either parse layout."""
    import pyarrow.parquet as pq

    if (records_dir / CASES_FILE).exists():
        n = pq.read_metadata(records_dir / CASES_FILE).num_rows
        c, s = str(records_dir / CASES_FILE), str(records_dir / SERVICES_FILE)
        return [(c, s, a, b) for a, b in _slices(n, partition_size)] or [(c, s, 0, 0)]
    return [
        (str(records_dir / PARTITIONED_CASES / p), str(records_dir / PARTITIONED_SERVICES / p), 0, None)
        for p in completed_parts(records_dir)
    ]


def _features_partition(task: tuple[int, tuple[str, str, int, int | None], str]) -> dict[str, Any]:
    """Load one partition's records, build its feature rows and write its part file."""
    import pyarrow.parquet as pq

    index, (cases_file, services_file, start, stop), out = task
    case_tbl = pq.read_table(cases_file)
    case_tbl = case_tbl.slice(start, None if stop is None else stop - start)
    letters = set(case_tbl.column("letter_id").to_pylist())
    svc = [r for r in pq.read_table(services_file).to_pylist() if r["letter_id"] in letters]
    cases = records_from_rows(case_tbl.to_pylist(), svc)
    table, failed = build_features_isolated(cases)
    name = part_name(index)
    Path(out).mkdir(parents=True, exist_ok=True)
    table.to_parquet(Path(out) / name, index=False)
    return {"part": name, "letters": len(cases), "rows": len(table), "failed": failed}


@dataclass
class PartitionedFeatures:
    out: Path
    partitions: list[str]
    letters: int
    rows: int
    failed: list[str]


def features_partitioned(
    records_dir: Path | str, out: Path | str, client: Any, partition_size: int = 500, retries: int = 2
) -> PartitionedFeatures:
    """`imr features` over Dask: OUT/part-*.parquet (a parquet dataset `pd.read_parquet(OUT)` reads)."""
    import dask.bag as db

    src, root = Path(records_dir), Path(out)
    if root.is_file():
        root.unlink()  # a single-process feature table at the same path is replaced by the dataset
    root.mkdir(parents=True, exist_ok=True)
    clear_partitioned(root, ("",))
    parts = _record_parts(src, partition_size)
    tasks = [(i, part, str(root)) for i, part in enumerate(parts)]
    bag = db.from_sequence(tasks, npartitions=len(tasks)).map(_features_partition)
    done = client.compute(bag, retries=retries).result()
    result = PartitionedFeatures(
        root, [d["part"] for d in done], sum(d["letters"] for d in done), sum(d["rows"] for d in done),
        [line for d in done for line in d["failed"]],
    )
    write_success(root, {
        "job": "features", "partitions": result.partitions, "letters": result.letters, "rows": result.rows,
        "failed_letters": result.failed,
    })  # fmt: skip
    return result


def read_feature_table(path: Path | str) -> Any:
    """A feature table written by `imr features`, single file or `--dask` dataset (complete only)."""
    import pandas as pd

    p = Path(path)
    if p.is_dir():
        parts = completed_parts(p)
        frames = [pd.read_parquet(p / name) for name in parts]
        non_empty = [f for f in frames if len(f)] or frames[:1]
        return pd.concat(non_empty, ignore_index=True)
    return pd.read_parquet(p)
