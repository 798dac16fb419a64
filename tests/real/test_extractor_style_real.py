"""Writer style changes no extracted value: on every real letter, naming the worker "patient", "injured
worker", "claimant" or "applicant" instead and swapping he/she leaves every feature of every service
unchanged. (The raw text inputs of the text signal, dtype `text`, change by construction: the score
they feed is guarded in test_style_invariance.py.)

The rewrite here is deliberately simple (whole-word replacement in the clinical summary); a shared
style-rewrite function for the text model can replace it when both exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from features.spec import Dtype, load_spec
from features.table import build_feature_table
from letters.ingest import parse_paths
from letters.records import Case

pytestmark = [pytest.mark.real, pytest.mark.slow]  # every shared letter rewritten: the full suite runs it

_NAMES = {"injured worker": "patient", "patient": "claimant", "claimant": "applicant",
          "applicant": "injured worker", "employee": "patient"}
_WORKER = re.compile(r"\b(" + "|".join(_NAMES) + r")\b", re.IGNORECASE)
_PRONOUNS = {"he": "she", "she": "he", "his": "her", "him": "her", "her": "his", "hers": "his",
             "himself": "herself", "herself": "himself"}
_PRONOUN = re.compile(r"\b(" + "|".join(_PRONOUNS) + r")\b", re.IGNORECASE)


def _keep_case(found: str, new: str) -> str:
    return new[0].upper() + new[1:] if found[0].isupper() else new


def rewrite_style(text: str) -> str:
    """`text` written by another hand: every name of the worker moved one along the ring injured worker
    -> patient -> claimant -> applicant -> injured worker, and he/she (his/her) swapped."""
    text = _WORKER.sub(lambda m: _keep_case(m.group(0), _NAMES[m.group(0).lower()]), text)
    return _PRONOUN.sub(lambda m: _keep_case(m.group(0), _PRONOUNS[m.group(0).lower()]), text)


@pytest.fixture(scope="module")
def real_cases(dwc_letters_dir: Path) -> list[Case]:
    result = parse_paths([dwc_letters_dir / "pdf"])
    assert not result.failures
    return result.cases


def _values(cases: list[Case]) -> pd.DataFrame:
    spec = load_spec()
    facts = [f.name for f in spec.features if f.dtype != Dtype.TEXT]
    return build_feature_table(cases, with_target=False)[spec.id_columns + facts].astype(object)


def test_rewriting_the_writer_style_of_every_real_letter_changes_no_feature(real_cases: list[Case]) -> None:
    rewritten = [c.model_copy(update={"clinical_summary": rewrite_style(c.clinical_summary)})
                 for c in real_cases]
    changed = sum(a.clinical_summary != b.clinical_summary
                  for a, b in zip(real_cases, rewritten, strict=True))
    assert changed >= len(real_cases) - 2  # nearly every letter names the worker or uses he/she
    pd.testing.assert_frame_equal(_values(real_cases), _values(rewritten))
