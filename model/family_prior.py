"""Published IMR outcome statistics as empirical-Bayes priors for service-family overturn rates.

With ~300 real services a family of ten has a rate that one letter can swing by 30 points; the
DWC and CWCI publish rates over hundreds of thousands of decisions. `published_family_priors`
turns the table (`published_priors.csv`, sources per row) into a prior mean per family;
`FamilyPrior.fit` shrinks the observed family rates toward it with a stated strength. Lives in
`model` because a fitted prior is part of a served model (its rates are a model input).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field

PRIORS_FILE = "published_priors.csv"
FAMILIES_FILE = "family_priors.yaml"
PRIOR_COLUMNS = [
    "category",
    "year",
    "metric",
    "value",
    "n",
    "source_title",
    "source_url",
    "found_via",
    "note",
]
METRICS = {"overturned_share", "upheld_share", "share_of_imrs"}
UNKNOWN_FAMILY = "unknown"


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _expit(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def load_published_priors(path: Path | str | None = None) -> pd.DataFrame:
    """The published figures (packaged CSV unless `path`); a bad row raises naming the file and row."""
    origin = str(path) if path is not None else f"model/{PRIORS_FILE}"
    if path is None:
        with resources.files("model").joinpath(PRIORS_FILE).open(encoding="utf-8") as fh:
            table = pd.read_csv(fh)
    else:
        table = pd.read_csv(path)
    missing = [c for c in PRIOR_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{origin}: missing columns {missing}")
    for i, row in table.iterrows():
        where = f"{origin} row {int(i) + 2}"  # +2: header line, 1-based
        if row["metric"] not in METRICS:
            raise ValueError(f"{where}: metric {row['metric']!r} is not one of {sorted(METRICS)}")
        if not 0.0 < float(row["value"]) < 1.0:
            raise ValueError(f"{where}: value {row['value']} is not a share in (0, 1)")
        if not str(row["source_url"]).startswith("http"):
            raise ValueError(f"{where}: every figure needs its source_url")
    return table


def overturn_rates(table: pd.DataFrame) -> pd.DataFrame:
    """Rows that state an outcome, as (category, year, rate overturned, source_url)."""
    rates = table[table["metric"].isin(["overturned_share", "upheld_share"])].copy()
    rates["rate"] = np.where(rates["metric"] == "upheld_share", 1.0 - rates["value"], rates["value"])
    return rates[["category", "year", "rate", "source_url"]].reset_index(drop=True)


class FamilyPriorSource(BaseModel):
    """One family's prior: its log-odds relative to all IMRs, the strength, and why."""

    model_config = ConfigDict(frozen=True)

    log_odds_ratio: float
    strength: float = Field(ge=0)
    basis: str
    sources: list[str] = Field(default_factory=list, description="source_url of the figures used")


class PublishedFamilyPriors(BaseModel):
    """Prior means per family, derived from the published table (`published_family_priors`)."""

    model_config = ConfigDict(frozen=True)

    reference_years: list[int]
    reference_level: float = Field(description="Published overall overturn rate of the reference years.")
    families: dict[str, FamilyPriorSource]
    default: FamilyPriorSource

    def source(self, family: str) -> FamilyPriorSource:
        return self.families.get(family, self.default)

    def prior_mean(self, family: str, level: float | None = None) -> float:
        """The family's prior overturn rate at `level` (default: the published reference level)."""
        base = self.reference_level if level is None else min(max(level, 1e-4), 1 - 1e-4)
        return _expit(_logit(base) + self.source(family).log_odds_ratio)


def _overall_by_year(rates: pd.DataFrame) -> dict[int, float]:
    overall = rates[rates["category"] == "all"].groupby("year")["rate"].mean()
    if overall.empty:
        raise ValueError(f"{PRIORS_FILE}: no overall (category 'all') outcome rates")
    return {int(y): float(r) for y, r in overall.items()}


def _overall(overall: dict[int, float], year: int) -> float:
    """The overall rate of `year`, or of the nearest year published."""
    nearest = min(overall, key=lambda y: (abs(y - year), y))
    return overall[nearest]


def _relative(
    rates: pd.DataFrame, categories: Iterable[str], overall: dict[int, float]
) -> tuple[float, list[str]]:
    rows = rates[rates["category"].isin(list(categories))]
    if rows.empty:
        raise ValueError(f"{FAMILIES_FILE}: no published outcome rates for categories {list(categories)}")
    lor = [_logit(r.rate) - _logit(_overall(overall, int(r.year))) for r in rows.itertuples()]
    return float(np.mean(lor)), sorted(set(rows["source_url"]))


def _non_drug(
    table: pd.DataFrame, rates: pd.DataFrame, overall: dict[int, float], year: int
) -> tuple[float, list[str]]:
    """Overturn rate of non-drug services implied by the overall rate, the drug rate and the drug share."""
    drug = rates[(rates["category"] == "medication") & (rates["year"] == year)]
    share = table[
        (table["category"] == "medication") & (table["metric"] == "share_of_imrs") & (table["year"] == year)
    ]
    if drug.empty or share.empty or year not in overall:
        raise ValueError(f"{FAMILIES_FILE}: non_drug_year {year} needs overall, drug and drug-share rows")
    s, r_drug, r_all = float(share["value"].mean()), float(drug["rate"].mean()), overall[year]
    r_rest = (r_all - s * r_drug) / (1.0 - s)
    sources = sorted(set(drug["source_url"]) | set(share["source_url"]))
    return _logit(r_rest) - _logit(r_all), sources


def build_family_priors(table: pd.DataFrame, config: dict[str, Any]) -> PublishedFamilyPriors:
    """Family priors from the published table and the family mapping (see family_priors.yaml)."""
    rates = overturn_rates(table)
    overall = _overall_by_year(rates)
    years = [int(y) for y in config["reference_years"]]
    level = float(np.mean([_overall(overall, y) for y in years]))
    families: dict[str, FamilyPriorSource] = {}
    for name, entry in (config.get("families") or {}).items():
        if "categories" in entry:
            lor, sources = _relative(rates, entry["categories"], overall)
        elif "odds_ratio" in entry:
            lor, sources = math.log(float(entry["odds_ratio"])), []
        else:
            raise ValueError(f"{FAMILIES_FILE}: family {name!r} needs `categories` or `odds_ratio`")
        families[name] = FamilyPriorSource(
            log_odds_ratio=lor, strength=float(entry["strength"]), basis=entry["basis"], sources=sources
        )
    d = config["default"]
    lor, sources = _non_drug(table, rates, overall, int(d["non_drug_year"]))
    default = FamilyPriorSource(
        log_odds_ratio=lor, strength=float(d["strength"]), basis=d["basis"], sources=sources
    )
    return PublishedFamilyPriors(
        reference_years=years, reference_level=level, families=families, default=default
    )


@lru_cache(maxsize=1)
def published_family_priors() -> PublishedFamilyPriors:
    """The packaged family priors (parsed once per process)."""
    config = yaml.safe_load(resources.files("model").joinpath(FAMILIES_FILE).read_text(encoding="utf-8"))
    return build_family_priors(load_published_priors(), config)


def family_keys(values: Iterable[Any]) -> list[str]:
    """Family names as the prior looks them up (missing -> 'unknown')."""
    out = []
    for v in values:
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out.append(UNKNOWN_FAMILY)
        else:
            out.append(str(v).strip().lower() or UNKNOWN_FAMILY)
    return out


class FamilyPrior(BaseModel):
    """Empirical-Bayes family overturn rates: observed counts shrunk toward the published prior.

    rate(f) = (overturned_f + k_f * prior_f) / (services_f + k_f), with k_f the published strength
    times `strength_scale`; prior_f is the published relative effect at `level` (the fitted data's
    base rate when recentred). A family never seen in fitting gets its prior."""

    model_config = ConfigDict(frozen=True)

    level: float
    strength_scale: float
    recentre: bool
    rates: dict[str, float]
    prior_means: dict[str, float]
    counts: dict[str, list[int]] = Field(default_factory=dict, description="family -> [overturned, services]")
    default_rate: float

    @classmethod
    def fit(
        cls,
        families: Sequence[Any],
        y: Sequence[int] | np.ndarray,
        *,
        strength_scale: float = 1.0,
        recentre: bool = True,
        use_counts: bool = True,
        priors: PublishedFamilyPriors | None = None,
    ) -> FamilyPrior:
        """`use_counts=False` gives the published prior alone (no family count enters)."""
        pri = priors or published_family_priors()
        keys = family_keys(families)
        y = np.asarray(y, dtype=float)
        if len(keys) != len(y):
            raise ValueError(f"{len(keys)} families for {len(y)} labels")
        level = float(y.mean()) if recentre and len(y) else pri.reference_level
        names = sorted(set(keys) | set(pri.families))
        means = {f: pri.prior_mean(f, level) for f in names}
        counts: dict[str, list[int]] = {}
        rates: dict[str, float] = {}
        frame = pd.DataFrame({"f": keys, "y": y})
        stats = frame.groupby("f")["y"].agg(["sum", "count"])
        for f in names:
            k = pri.source(f).strength * strength_scale
            s, n = (float(stats.at[f, "sum"]), int(stats.at[f, "count"])) if f in stats.index else (0.0, 0)
            if use_counts:
                counts[f] = [int(s), n]
            rates[f] = (s + k * means[f]) / (n + k) if use_counts and n + k > 0 else means[f]
        return cls(
            level=level,
            strength_scale=strength_scale,
            recentre=recentre,
            rates=rates,
            prior_means=means,
            counts=counts,
            default_rate=pri.prior_mean(UNKNOWN_FAMILY, level),
        )

    def rate(self, families: Iterable[Any]) -> np.ndarray:
        return np.array(
            [self.rates.get(f, self.default_rate) for f in family_keys(families)], dtype=np.float64
        )

    def log_odds(self, families: Iterable[Any]) -> np.ndarray:
        p = np.clip(self.rate(families), 1e-6, 1 - 1e-6)
        return np.log(p / (1.0 - p))
