#!/usr/bin/env bash
# Run a benchmark script as of an earlier commit, with this checkout's venv, for before/after tables:
#   benchmarks/at_commit.sh 2e973f2 benchmarks/featurize.py [ARGS...]
# The commit is checked out in a git worktree beside this checkout (so ../shared/data resolves the same
# way) and removed afterwards; its results JSON is written inside that worktree and printed paths say so.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
commit=$1; shift
script=$1; shift
tree="$root/../imr-triage-at-$commit"
git -C "$root" worktree add --force --detach "$tree" "$commit" >/dev/null
trap 'git -C "$root" worktree remove --force "$tree"' EXIT
cd "$tree"
PYTHONPATH="$tree" "$root/.venv/bin/python" "$script" "$@"
