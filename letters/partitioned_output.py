"""The partitioned output layout of `--dask` runs: part files plus a `_SUCCESS` manifest.

The manifest is written last, only after every partition finished; readers refuse a directory
without it, so a job that lost partitions is never mistaken for a complete one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SUCCESS_FILE = "_SUCCESS"


class IncompleteOutputError(RuntimeError):
    """A partitioned output directory whose job did not finish (no `_SUCCESS` manifest)."""


def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def clear_partitioned(out: Path, subdirs: tuple[str, ...]) -> None:
    """Remove a previous run's marker and part files so stale partitions never mix with new ones."""
    (out / SUCCESS_FILE).unlink(missing_ok=True)
    for sub in subdirs:
        d = out / sub if sub else out
        if d.is_dir():
            for p in d.glob("part-*.parquet"):
                p.unlink()


def write_success(out: Path, manifest: dict[str, Any]) -> Path:
    """The completion marker: partitions, counts and failures of the finished job (JSON)."""
    path = out / SUCCESS_FILE
    tmp = out / (SUCCESS_FILE + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read_manifest(out: Path | str) -> dict[str, Any]:
    """The `_SUCCESS` manifest; raises IncompleteOutputError naming the directory when absent."""
    path = Path(out) / SUCCESS_FILE
    if not path.is_file():
        raise IncompleteOutputError(
            f"{out}: partitioned output has no {SUCCESS_FILE} marker; the job that wrote it did not finish "
            "(re-run it)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def completed_parts(out: Path | str) -> list[str]:
    """Part file names of a finished job, in partition order (the manifest is the source of truth)."""
    return list(read_manifest(out)["partitions"])
