"""One test per table that still names every bad row: a parametrised case costs pytest, and xdist's
controller, about a millisecond of bookkeeping, more than most row checks, and the tables hold thousands."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def check_rows(rows: Iterable[tuple[Any, ...]], check: Callable[..., object],
               name: Callable[..., str] | None = None) -> int:
    """`check(*row)` for every row, going on past failures; then one AssertionError listing each failing row
    (by `name(*row)`, else its values) with its error, as one parametrised case per row would have named it.
    Returns how many rows were checked; an empty table fails (pytest would have skipped it)."""
    failures: list[str] = []
    count = 0
    for row in rows:
        count += 1
        try:
            check(*row)
        except Exception as exc:  # any error fails its own row, as it failed its own case before
            label = name(*row) if name is not None else ", ".join(repr(value) for value in row)
            failures.append(f"[{label}] {type(exc).__name__}: {exc}")
    if failures:
        raise AssertionError(f"{len(failures)} of {count} rows fail:\n" + "\n".join(failures))
    assert count, "the table has no rows"
    return count
