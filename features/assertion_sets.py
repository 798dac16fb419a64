"""The assertion readings the fact readers share: which categories leave a mention not told as done, and
which hypothetical or possible mentions are only a condition or only a suspicion (context_rules.yaml)."""

from __future__ import annotations

from functools import lru_cache

from features.analysis import Mention
from features.assertion_categories import NOT_DONE as NOT_DONE  # its readers import it from here
from features.assertion_categories import Category
from features.assertions import load_rules, packaged_rules_file


@lru_cache(maxsize=8)
def _category_triggers(category: Category) -> frozenset[str]:
    """The literals of the ConText rules of one category."""
    return frozenset(r.literal for r in load_rules() if r.category == category)


@lru_cache(maxsize=8)
def _trigger_subset(key: str, category: Category) -> frozenset[str]:
    """A named subset of one category's rules in context_rules.yaml (`request_triggers`: hypothetical rules
    that request or plan care; `suspicion_triggers`: possible rules that state a clinician's suspicion),
    refused when it names a literal that is no rule of that category."""
    names = frozenset(packaged_rules_file().get(key, []))
    unknown = sorted(names - _category_triggers(category))
    if unknown:
        raise ValueError(f"context_rules.yaml {key}: not {category.value} rules: {', '.join(unknown)}")
    return names


def _request_triggers() -> frozenset[str]:
    return _trigger_subset("request_triggers", Category.HYPOTHETICAL)


def _grant_triggers() -> frozenset[str]:
    return _trigger_subset("grant_triggers", Category.HYPOTHETICAL)


def _suspicion_triggers() -> frozenset[str]:
    return _trigger_subset("suspicion_triggers", Category.POSSIBLE)


def suspected(m: Mention) -> bool:
    """Possible only by a clinician's suspicion ("concern for", "suspected"), not by a test's purpose ("to
    rule out", "evaluate for")."""
    possible = {t for t in m.assertion.triggers if t in _category_triggers(Category.POSSIBLE)}
    return bool(possible) and possible <= _suspicion_triggers()


def conditional(m: Mention) -> bool:
    """Hypothetical by a condition or requirement ("if", "would", "requires"), not only by a request or
    plan of care (`_request_triggers`)."""
    if Category.HYPOTHETICAL not in m.assertion.categories:
        return False
    requests = _request_triggers()
    hypothetical = _category_triggers(Category.HYPOTHETICAL)
    return any(t in hypothetical and t not in requests for t in m.assertion.triggers)


def asked_for(m: Mention) -> bool:
    """Hypothetical by a request or plan of care that asks for it (`_request_triggers` less `_grant_triggers`:
    "requested 8 sessions", not "8 sessions were authorized"), and by no condition or requirement
    (`conditional`)."""
    if Category.HYPOTHETICAL not in m.assertion.categories or conditional(m):
        return False
    return any(t in _request_triggers() and t not in _grant_triggers() for t in m.assertion.triggers)
