"""The feature code of an earlier commit, checked out beside this checkout for before/after benchmarks.

Beside, not inside, so `../shared/data` resolves the same way; removed when the block ends. A commit
with the optional C extension (`setup.py`) gets it built in place, as `pip install -e .` would; if that
fails its pure-Python word search runs (the benchmarks say which ran).
(`benchmarks/at_commit.sh` does the same from the shell, running the commit's own copy of a script.)
"""

from __future__ import annotations

import subprocess
import sys
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
    if (tree / "setup.py").is_file():
        built = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=tree,
                               capture_output=True, text=True)
        if built.returncode != 0:
            print(f"{commit}: C extension not built, its pure-Python path runs:\n{built.stderr[-1500:]}")
    try:
        yield tree
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
