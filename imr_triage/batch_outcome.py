"""How `imr parse` and `imr features` end, run here or on Dask: each failed letter named on its own line,
what was written, and the exit status the commands document (1 when a letter failed, or with
`--allow-failures` only when nothing came out)."""

from __future__ import annotations

from typing import Any

import typer


def end_parse(
    console: Any, failures: list[Any], parsed: int, wrote: str, allow_failures: bool, n_missing: int = 0
) -> None:
    """After `imr parse`: a `FAILED file: reason` line per failure, `wrote ...`, then the exit status; an
    input path that named no letter (`n_missing`, already an `error:` line) fails the run as a letter does."""
    for f in failures:
        console.print(f"  FAILED {f.source_file}: {f.reason}", markup=False, highlight=False)
    console.print(f"wrote {wrote}", markup=False, highlight=False)  # a path "out[1]" is not markup
    if not parsed:
        console.print("no letter could be parsed", style="bold red")
        raise typer.Exit(code=1)
    if (failures or n_missing) and not allow_failures:
        raise typer.Exit(code=1)


def end_features(
    console: Any, failed: list[str], rows: int, letters: int, wrote: str, allow_failures: bool
) -> None:
    """After `imr features`: a `FAILED ...` line per failed letter, `wrote ...`, then the exit status."""
    for line in failed:
        console.print(f"  FAILED {line}", markup=False, highlight=False)
    console.print(f"wrote {wrote}", markup=False, highlight=False)  # a path "out[1]" is not markup
    if not rows:
        console.print("no feature row was built", style="bold red")
        raise typer.Exit(code=1)
    if failed and not allow_failures:
        raise typer.Exit(code=1)
