"""aws/event-ruler's own test cases, run against our validator, matcher and complexity port.

The cases live in ``tests/patterns/corpus/*.json``; each names its source file and test
method in https://github.com/aws/event-ruler. Where the EventBridge user guide and
event-ruler disagree, a case follows the guide and keeps event-ruler's answer beside it
(``ruler_valid``) with a note citing the guide.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from eventpipe.patterns import matches, pattern_problems
from eventpipe.patterns.complexity import (
    COMPLEXITY_LIMIT,
    machine_complexity,
    rule_complexity,
)

CORPUS = Path(__file__).parent / "corpus"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    return data


MATCHING = _load("ruler_matching.json")["cases"]
VALIDATION = _load("ruler_validation.json")["cases"]
COMPLEXITY = _load("ruler_complexity.json")


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [f"{i}-{c['source'].rsplit('/', 1)[-1][:70]}" for i, c in enumerate(cases)]


@pytest.mark.parametrize("case", MATCHING, ids=_ids(MATCHING))
def test_ruler_pattern_event_pair(case: dict[str, Any]) -> None:
    assert pattern_problems(case["pattern"]) == []
    assert matches(case["pattern"], case["event"]) is case["matches"]


@pytest.mark.parametrize("case", VALIDATION, ids=_ids(VALIDATION))
def test_ruler_pattern_acceptance(case: dict[str, Any]) -> None:
    problems = pattern_problems(case["pattern"])
    assert (problems == []) is case["valid"], problems


@pytest.mark.parametrize("case", COMPLEXITY["machines"], ids=_ids(COMPLEXITY["machines"]))
def test_ruler_machine_complexity(case: dict[str, Any]) -> None:
    patterns = [
        (kind, value)
        for kind, value in case["patterns"]
        if kind in ("wildcard", "anything-but-wildcard")
    ]
    orders = itertools.permutations(patterns) if case["all_orders"] else [patterns]
    for order in orders:
        assert machine_complexity(list(order)) == case["complexity"], order


@pytest.mark.parametrize("case", COMPLEXITY["rules"], ids=_ids(COMPLEXITY["rules"]))
def test_ruler_rule_complexity(case: dict[str, Any]) -> None:
    assert rule_complexity(case["pattern"]) == case["complexity"]
    if "valid" in case:
        assert (pattern_problems(case["pattern"]) == []) is case["valid"]
        assert (case["complexity"] <= COMPLEXITY_LIMIT) is case["valid"]


def test_corpus_is_broad() -> None:
    """The corpus keeps its breadth: hundreds of cases, from several event-ruler files."""
    cases = MATCHING + VALIDATION + COMPLEXITY["machines"] + COMPLEXITY["rules"]
    files = {c["source"].split("#")[0] for c in cases if "event-ruler" not in c["source"]}
    assert len(cases) >= 300
    assert len({f for f in files if f.startswith("src/")}) >= 6
    assert {c["matches"] for c in MATCHING} == {True, False}
    assert {c["valid"] for c in VALIDATION} == {True, False}


def test_disagreements_follow_the_guide_and_cite_it() -> None:
    disagreements = [c for c in VALIDATION if "ruler_valid" in c]
    assert disagreements
    for case in disagreements:
        assert case["ruler_valid"] is not case["valid"]
        assert "docs.aws.amazon.com/eventbridge" in case["note"]
