"""The feature code of an earlier commit, checked out beside this checkout for before/after benchmarks.

Beside, not inside, so `../shared/data` resolves the same way; removed when the block ends.
(`benchmarks/at_commit.sh` does the same from the shell, running the commit's own copy of a script.)
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def checked_out(commit: str | None) -> Iterator[Path]:
    """This checkout when `commit` is None, else a worktree of `commit` next to it."""
    if commit is None:
        yield ROOT
        return
    tree = ROOT.parent / f"imr-triage-at-{commit}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--force", "--detach", str(tree), commit],
                   check=True, capture_output=True)
    try:
        yield tree
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
