"""Reasons in plain words for nurse reviewers: what the letter says, which way it moves the
likelihood, the guideline criterion it speaks to and where the letter says it.

One implementation for every screen that shows reasons to people (the dashboard's queue and case
page, `imr explain`'s table); the raw feature names, values and log-odds stay in the JSON and behind
the "technical detail" toggle. Within one service the same guideline citation is listed once and
referred to by number, and a guideline phrase already shown is not printed again. Wording per
feature is data: `serving/data/plain_reasons.yaml`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field

WORDING_FILE = "plain_reasons.yaml"
MAX_EVIDENCE = 2
MAX_EVIDENCE_CHARS = 160


class FeatureWording(BaseModel):
    label: str
    unit: str | None = None
    values: dict[str, str] = Field(default_factory=dict)
    true: str | None = None
    false: str | None = None
    percent: bool = False  # a rate in [0, 1] shown as a percentage
    show_value: bool = True  # False: the label alone (a raw score means nothing to a nurse)


class Wording(BaseModel):
    """The wording table (validated, so a typo in the YAML fails loudly at load)."""

    direction: dict[Literal["raises", "lowers"], str]
    not_stated: str
    sections: dict[str, str]
    authors: dict[str, str] = {}  # added to a summary sentence's `where`: whose account it is
    statuses: dict[Literal["met", "unmet", "not_documented", "not_applicable"], str]
    no_effect: str
    not_found: str
    unquoted: str
    not_applicable: str
    what_if: str
    what_if_none: str
    what_if_rest: str
    context_factors: dict[str, FeatureWording]
    value_words: dict[str, str]
    features: dict[str, FeatureWording]


@lru_cache(maxsize=1)
def load_wording() -> Wording:
    text = resources.files("serving").joinpath("data", WORDING_FILE).read_text(encoding="utf-8")
    try:
        return Wording.model_validate(yaml.safe_load(text))
    except ValueError as exc:
        raise ValueError(f"serving/data/{WORDING_FILE}: invalid wording table: {exc}") from exc


@lru_cache(maxsize=1)
def _no_guideline_prefix() -> str:
    from model.guideline_phrases import load_phrase_table

    return load_phrase_table().no_guideline_text


class PlainEvidence(BaseModel):
    where: str = Field(description="The letter section in words, e.g. 'clinical case summary'.")
    text: str


class PlainReason(BaseModel):
    """One reason as a nurse reads it."""

    text: str = Field(description="What the letter says, e.g. 'Highest pain score: 7/10'.")
    direction: Literal["raises", "lowers"] | None = None
    effect: str = Field(description="'makes an overturn more likely' / '... less likely'.")
    points: float | None = Field(
        default=None, description="Change in overturn likelihood in percentage points, when known."
    )
    guideline: str | None = Field(default=None, description="The guideline criterion, first time shown.")
    same_guideline_as: int | None = Field(
        default=None, description="Number (from 1) of the earlier reason with the same criterion."
    )
    citation_refs: list[int] = Field(default_factory=list, description="Numbers into `citations`.")
    no_guideline: str | None = Field(default=None, description="Why no guideline criterion applies.")
    evidence: list[PlainEvidence] = Field(default_factory=list)


class PlainService(BaseModel):
    reasons: list[PlainReason] = Field(default_factory=list)
    citations: list[str] = Field(default_factory=list, description="Each citation once; refs count from 1.")


def value_text(feature: str, value: Any) -> str:
    """A feature's value in words ("7/10", "420 days", "The summary mentions a knee")."""
    w = load_wording()
    fw = w.features.get(feature) or w.context_factors.get(feature)
    if fw is not None and fw.percent and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{fw.label}: {100 * value:.0f}%"
    label = fw.label if fw else feature.replace("_", " ").capitalize()
    if fw is not None and not fw.show_value:
        return label
    if value is None or (isinstance(value, float) and value != value):
        return f"{label}: {w.not_stated}"
    if isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false")):
        truth = value if isinstance(value, bool) else value.lower() == "true"
        sentence = (fw.true if truth else fw.false) if fw else None
        return sentence or f"{label}: {'yes' if truth else 'no'}"
    if isinstance(value, int | float):
        num = f"{value:g}" if float(value).is_integer() else f"{value:.1f}"
        return f"{label}: {fw.unit.format(value=num) if fw and fw.unit else num}"
    key = str(value)
    words = (fw.values.get(key) if fw else None) or w.value_words.get(key) or key.replace("_", " ")
    return f"{label}: {words}"


def value_words(value: Any) -> str | None:
    """A stored categorical value in words ('mtus_odg' -> 'MTUS and ODG', 'Standard' -> 'standard');
    None stays None (the page says 'unknown')."""
    if value is None:
        return None
    key = str(value)
    return load_wording().value_words.get(key.lower()) or key.replace("_", " ").lower()


def _get(reason: Any, name: str) -> Any:
    return reason.get(name) if isinstance(reason, Mapping) else getattr(reason, name, None)


def _citation_texts(reason: Any) -> list[str]:
    """The reason's citations as one-line texts (from the structured list, else the joined line)."""
    from model.guideline_phrases import Citation

    out: list[str] = []
    for c in _get(reason, "citations") or []:
        text = Citation.model_validate(c).text() if isinstance(c, Mapping) else c.text()
        if text not in out:
            out.append(text)
    if not out and _get(reason, "citation"):
        out = list(dict.fromkeys(p.strip() for p in str(_get(reason, "citation")).split(";") if p.strip()))
    return out


def _evidence(reason: Any) -> list[PlainEvidence]:
    w = load_wording()
    out: list[PlainEvidence] = []
    for span in _get(reason, "evidence") or []:
        section, text = _get(span, "section"), " ".join(str(_get(span, "text") or "").split())
        if not text:
            continue
        if len(text) > MAX_EVIDENCE_CHARS:
            text = text[: MAX_EVIDENCE_CHARS - 1].rstrip() + "…"
        where = w.sections.get(str(section), str(section or "letter").replace("_", " "))
        author = w.authors.get(str(_get(span, "author"))) if section == "clinical_summary" else None
        item = PlainEvidence(where=f"{where}, {author}" if author else where, text=text)
        if item not in out:
            out.append(item)
        if len(out) == MAX_EVIDENCE:
            break
    return out


def plain_service(reasons: Sequence[Any]) -> PlainService:
    """A service's reasons (dicts as stored, or `Reason` models) in plain words, each citation once."""
    w = load_wording()
    prefix = _no_guideline_prefix()
    citations: list[str] = []
    shown_phrases: dict[str, int] = {}
    out: list[PlainReason] = []
    for n, r in enumerate(reasons, start=1):
        if not isinstance(r, Mapping) and not hasattr(r, "feature"):
            out.append(PlainReason(text=str(r), direction=None, effect=""))
            continue
        if _get(r, "feature") is None:  # a free-text reason (older rows): shown as written
            text = _get(r, "text") or _get(r, "phrase") or ""
            out.append(PlainReason(text=str(text), direction=None, effect=""))
            continue
        direction = "raises" if _get(r, "direction") == "raises" else "lowers"
        refs = []
        for text in _citation_texts(r):
            if text not in citations:
                citations.append(text)
            refs.append(citations.index(text) + 1)
        phrase, same = _get(r, "phrase"), None
        if phrase and phrase in shown_phrases:
            phrase, same = None, shown_phrases[phrase]
        elif phrase:
            shown_phrases[phrase] = n
        note = None
        if not (phrase or same) and (_get(r, "no_guideline") or _get(r, "note")):
            note = str(_get(r, "note") or "").strip()
            if note.startswith(prefix):
                note = note[len(prefix) :].strip()
            note = note or "No guideline criterion applies to this fact."
        effect = _get(r, "probability_effect")
        out.append(
            PlainReason(
                text=value_text(str(_get(r, "feature")), _get(r, "value")),
                direction=direction,
                effect=w.direction[direction],
                points=round(100 * float(effect), 1) if effect is not None else None,
                guideline=phrase,
                same_guideline_as=same,
                citation_refs=refs,
                no_guideline=note,
                evidence=_evidence(r),
            )
        )
    return PlainService(reasons=out, citations=citations)


# ---- the per-criterion checklist (issue #18) ------------------------------------------------------
EFFECT_EPS = 1e-6  # |log-odds| at or below this is "no effect" (TreeSHAP round-off)
WHAT_IF_MIN_POINTS = 0.1  # a what-if that moves the estimate less (rounded to 0.1 points) is not listed


class PlainCriterion(BaseModel):
    """One criterion of the governing section as a nurse reads it."""

    criterion: str
    status: str = Field(description="met / unmet / not_documented / not_applicable")
    status_words: str
    evidence: list[PlainEvidence] = Field(default_factory=list)
    quote_note: str | None = Field(default=None, description="What to show where no sentence is quoted.")
    direction: Literal["raises", "lowers"] | None = None
    effect: str
    citation: str | None = None


class PlainContext(BaseModel):
    text: str
    direction: Literal["raises", "lowers"] | None = None
    effect: str
    note: str | None = None


class PlainWhatIf(BaseModel):
    criterion: str
    likelihood_if_met: float
    points: float = Field(description="Change in percentage points.")
    text: str


class PlainChecklist(BaseModel):
    """A service's checklist for people: the summary line, the criteria (each once), what would change
    the estimate (largest rise first) and the context factors (never criteria)."""

    summary: str | None = None
    guideline: str | None = Field(default=None, description="The governing section as one citation line.")
    criteria: list[PlainCriterion] = Field(default_factory=list)
    what_if: list[PlainWhatIf] = Field(default_factory=list)
    what_if_note: str | None = Field(
        default=None, description="Said once for the what-ifs too small to list (under 0.1 points), if any."
    )
    context: list[PlainContext] = Field(default_factory=list)


def citation_line(c: Any) -> str | None:
    """'MTUS Low Back Complaints (2004), Special Studies ..., p.303' from a {guideline, edition, chapter,
    section, pages} citation."""
    if not c:
        return None
    g = {k: _get(c, k) for k in ("guideline", "edition", "chapter", "section", "pages")}
    parts = [f"{g['guideline']} {g['chapter']} ({g['edition']})", str(g["section"])]
    if g["pages"]:
        parts.append(f"p.{g['pages']}")
    return ", ".join(parts)


def _effect(log_odds: Any) -> tuple[Literal["raises", "lowers"] | None, str]:
    w = load_wording()
    lo = float(log_odds or 0.0)
    if abs(lo) <= EFFECT_EPS:
        return None, w.no_effect
    direction: Literal["raises", "lowers"] = "raises" if lo > 0 else "lowers"
    return direction, w.direction[direction]


def plain_checklist(
    checklist: Sequence[Any] | None,
    *,
    context: Sequence[Any] | None = None,
    what_if: Sequence[Any] | None = None,
    summary: str | None = None,
    likelihood: float | None = None,
    max_context: int = 6,
) -> PlainChecklist | None:
    """The checklist of one explained service in plain words (None when the service has none).
    `what_if` as in the API; stored rows carry `likelihood_if_met` on the checklist items instead."""
    if checklist is None:
        return None
    w = load_wording()
    criteria = []
    for item in checklist:
        direction, effect = _effect(_get(item, "log_odds"))
        status = str(_get(item, "status") or "")
        quotes = _evidence(item)
        notes = {"met": w.unquoted, "unmet": w.unquoted, "not_applicable": w.not_applicable}
        unquoted = notes.get(status, w.not_found)
        criteria.append(PlainCriterion(
            criterion=str(_get(item, "criterion") or ""),
            status=status,
            status_words=w.statuses.get(status, status.replace("_", " ")),  # type: ignore[call-overload]
            evidence=quotes,
            quote_note=None if quotes else unquoted,
            direction=direction,
            effect=effect,
            citation=citation_line(_get(item, "citation")),
        ))
    whatifs = []
    pending = list(what_if or [])
    if not pending and likelihood is not None:
        pending = [
            {"criterion": _get(i, "criterion"), "likelihood_if_met": _get(i, "likelihood_if_met"),
             "change": float(_get(i, "likelihood_if_met")) - likelihood}
            for i in checklist if _get(i, "likelihood_if_met") is not None
        ]  # fmt: skip
    small = 0
    for x in sorted(pending, key=lambda x: -float(_get(x, "change"))):
        p, points = float(_get(x, "likelihood_if_met")), round(100 * float(_get(x, "change")), 1)
        if abs(points) < WHAT_IF_MIN_POINTS:  # "+0.0 points" tells a nurse nothing, once per criterion
            small += 1
            continue
        text = w.what_if.format(likelihood=f"{100 * p:.1f}%", points=f"{points:+.1f} points")
        whatifs.append(PlainWhatIf(criterion=str(_get(x, "criterion")), likelihood_if_met=p, points=points,
                                   text=text))  # fmt: skip
    what_if_note = None
    if small:
        what_if_note = w.what_if_rest if whatifs else w.what_if_none
    factors = []
    for c in sorted(context or [], key=lambda c: -abs(float(_get(c, "log_odds") or 0.0)))[:max_context]:
        direction, effect = _effect(_get(c, "log_odds"))
        factors.append(PlainContext(text=value_text(str(_get(c, "feature")), _get(c, "value")),
                                    direction=direction, effect=effect, note=_get(c, "note")))  # fmt: skip
    guideline = citation_line(_get(checklist[0], "citation")) if checklist else None
    return PlainChecklist(summary=summary, guideline=guideline, criteria=criteria, what_if=whatifs,
                          what_if_note=what_if_note, context=factors)  # fmt: skip


def band_ranges(edges: Sequence[float], labels: Sequence[str]) -> dict[str, str]:
    """Each band's likelihood range in words, e.g. {'low': 'under 25%', 'medium': '25% to under 50%'}."""
    pct = [f"{100 * e:g}%" for e in edges]
    out: dict[str, str] = {}
    for i, label in enumerate(labels):
        if i == 0:
            out[label] = f"under {pct[0]}" if pct else "any likelihood"
        elif i == len(labels) - 1:
            out[label] = f"{pct[-1]} or more"
        else:
            out[label] = f"{pct[i - 1]} to under {pct[i]}"
    return out
