"""The table check that replaced thousands of parametrised cases: it checks every row and its one failure
names each bad row with its own error, so folding a table into one test loses no row's report."""

from __future__ import annotations

import pytest
from row_checks import check_rows


def _even(n: int, label: str) -> None:
    assert n % 2 == 0, f"{label} is odd"


def test_every_row_is_checked_and_each_bad_row_is_named() -> None:
    rows = [(2, "two"), (3, "three"), (4, "four"), (5, "five")]
    with pytest.raises(AssertionError) as failed:
        check_rows(rows, _even, name=lambda n, label: f"row {label}")
    message = str(failed.value)
    assert message.startswith("2 of 4 rows fail:")
    assert "[row three] AssertionError: three is odd" in message
    assert "[row five] AssertionError: five is odd" in message
    assert "row two" not in message and "row four" not in message
    assert check_rows(rows[::2], _even) == 2


def test_an_error_fails_its_row_without_a_name_and_an_empty_table_fails() -> None:
    with pytest.raises(AssertionError, match=r"1 of 2 rows fail:\n\[0, 'x'\] ZeroDivisionError"):
        check_rows([(1, "y"), (0, "x")], lambda n, _label: 1 / n)
    with pytest.raises(AssertionError, match="the table has no rows"):
        check_rows([], _even)
