"""Content hash and row counts of a feature table, so every model names the exact data it saw."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd


def table_fingerprint(
    df: pd.DataFrame, target: str = "overturned", group_col: str = "letter_id"
) -> dict[str, Any]:
    """sha256 over column names and a per-row hash of values (order-sensitive), plus counts."""
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, df.columns)).encode())
    if len(df):
        row_hashes = pd.util.hash_pandas_object(df.astype("object").where(df.notna(), None), index=False)
        h.update(np.ascontiguousarray(row_hashes.to_numpy()).tobytes())
    y = pd.to_numeric(df[target], errors="coerce") if target in df else pd.Series(dtype=float)
    out: dict[str, Any] = {
        "sha256": h.hexdigest(),
        "n_services": int(len(df)),
        "n_letters": int(df[group_col].nunique()) if group_col in df else None,
        "n_positive": int((y == 1).sum()),
        "n_columns": int(df.shape[1]),
    }
    dates = pd.to_datetime(df["ur_denial_date"], errors="coerce").dropna() if "ur_denial_date" in df else None
    if dates is not None and len(dates):
        out["ur_denial_dates"] = [dates.min().date().isoformat(), dates.max().date().isoformat()]
    return out
