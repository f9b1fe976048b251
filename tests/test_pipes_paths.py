"""eventpipe.pipes_paths: the Pipes JsonPath grammar and how a pipe on SQS evaluates it."""

from __future__ import annotations

import json

import pytest

from eventpipe import pipes_paths
from eventpipe.group_split import field_required, group_pattern_problems, group_patterns
from eventpipe.patterns import matches, pattern_problems
from eventpipe.pipes_paths import (
    MISSING,
    evaluate,
    missing_field_reason,
    path_problems,
    sqs_source_path,
)


def record(body: object) -> dict[str, object]:
    """An SQS source record as the pipe sees it: the EventBridge event is the string body."""
    return {
        "messageId": "m-1",
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {"SenderId": "AIDA"},
    }


EVENT = {
    "id": "e-1",
    "detail-type": "OrderPlaced",
    "detail": {"customerId": "c-7", "items": [{"sku": "a"}, {"sku": "b"}], "n": 3},
}


@pytest.mark.parametrize(
    "path",
    ["$.detail.customerId", "$.detail-type", "$.a_b.c-d.e/f", "$.detail.x9"],
)
def test_accepted_paths(path: str) -> None:
    assert path_problems(path) == []


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("detail.customerId", "does not start with '$'"),
        ("$.detail.customer id", "first character Pipes does not accept: ' '"),
        ("$.detail['customerId']", "not JSON path syntax"),
        ("$..customerId", "not JSON path syntax"),
        ("$.détail", "first character Pipes does not accept: 'é'"),
        ("$.detail.", "not JSON path syntax"),
        ("$", "whole event"),
        ("$.detail.items[*]", "wildcard"),
        ("$.detail.items[0].sku", "array index"),
        ("$." + "a" * 95, "MessageGroupId takes at most 100"),
    ],
)
def test_refused_paths_say_why(path: str, says: str) -> None:
    problems = path_problems(path)
    assert problems, path
    assert any(says in p for p in problems), problems


def test_length_limit_counts_the_pipe_form() -> None:
    # "$.body" adds 5 characters: 95 is the longest user path that fits in 100.
    fits = "$." + "a" * 93
    assert len(fits) == 95 and path_problems(fits) == []
    assert path_problems(fits + "a") != []


def test_sqs_source_path() -> None:
    assert sqs_source_path("$.detail.customerId") == "$.body.detail.customerId"
    assert sqs_source_path("$.id") == "$.body.id"


def test_evaluate_parses_the_json_body() -> None:
    rec = record(EVENT)
    assert evaluate("$.body.detail.customerId", rec) == "c-7"
    assert evaluate("$.body.id", rec) == "e-1"
    assert evaluate("$.body.detail.n", rec) == 3
    assert evaluate("$.attributes.SenderId", rec) == "AIDA"
    assert evaluate("$.body.detail.items[1].sku", rec) == "b"
    assert evaluate("$.body.detail.items[*].sku", rec) == ["a", "b"]
    # the record itself is not changed
    assert isinstance(rec["body"], str)


def test_evaluate_missing() -> None:
    rec = record(EVENT)
    assert evaluate("$.body.detail.nope", rec) is MISSING
    assert evaluate("$.body.detail.customerId.deeper", rec) is MISSING
    assert evaluate("$.body.detail.items[5]", rec) is MISSING
    assert evaluate("$.body.detail[0]", rec) is MISSING
    assert not MISSING and repr(MISSING) == "MISSING"


def test_evaluate_non_json_body_stays_a_string() -> None:
    rec = record("plain text, not JSON")
    assert evaluate("$.body", rec) == "plain text, not JSON"
    assert evaluate("$.body.detail", rec) is MISSING


def test_evaluate_accepts_an_already_parsed_body() -> None:
    assert evaluate("$.body.detail.customerId", {"body": EVENT}) == "c-7"


def test_null_value_is_a_value_not_missing() -> None:
    rec = record({"detail": {"customerId": None}})
    assert evaluate("$.body.detail.customerId", rec) is None


def test_steps_and_required_field() -> None:
    assert pipes_paths.steps("$.a.b[2][*]") == ["a", "b", 2, "*"]
    assert pipes_paths.required_field("$.detail.customerId") == "detail.customerId"
    with pytest.raises(ValueError, match="not a JSON path"):
        pipes_paths.steps("$.a b")


# --- splitting a consumer's pattern on the group field ---

PATH = "$.detail.customerId"
WITH = {"source": "shop", "detail": {"customerId": "c-1", "total": 5}}
WITHOUT = {"source": "shop", "detail": {"total": 5}}


def split(pattern: dict[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    intake, missing = group_patterns(pattern, PATH)
    assert missing is not None
    assert pattern_problems(intake) == [] and pattern_problems(missing) == []
    return intake, missing


def test_a_plain_pattern_is_split_by_presence_of_the_field() -> None:
    pattern = {"source": ["shop"], "detail": {"total": [{"numeric": [">", 0]}]}}
    intake, missing = split(pattern)
    assert intake["detail"] == {"total": [{"numeric": [">", 0]}], "customerId": [{"exists": True}]}
    assert missing["detail"] == {
        "total": [{"numeric": [">", 0]}],
        "customerId": [{"exists": False}],
    }
    assert matches(intake, WITH) and not matches(missing, WITH)
    assert matches(missing, WITHOUT) and not matches(intake, WITHOUT)
    assert pattern == {"source": ["shop"], "detail": {"total": [{"numeric": [">", 0]}]}}


def test_a_pattern_without_detail_gets_one() -> None:
    intake, missing = split({"source": ["shop"]})
    assert intake == {"source": ["shop"], "detail": {"customerId": [{"exists": True}]}}
    assert missing == {"source": ["shop"], "detail": {"customerId": [{"exists": False}]}}


def test_or_branches_keep_their_meaning() -> None:
    pattern = {"$or": [{"source": ["shop"]}, {"detail": {"total": [5]}}]}
    intake, missing = split(pattern)
    assert intake["$or"] == pattern["$or"]
    other = {"source": "other", "detail": {"total": 5}}
    for event in (WITH, {**other, "detail": {"total": 5, "customerId": "c"}}):
        assert matches(intake, event) and not matches(missing, event)
    for event in (WITHOUT, other):
        assert matches(missing, event) and not matches(intake, event)
    assert not matches(intake, {"source": "x", "detail": {"customerId": "c"}})


def test_a_pattern_that_requires_the_field_is_kept_as_it_is() -> None:
    for pattern in (
        {"detail": {"customerId": [{"prefix": "c-"}]}},
        {"detail": {"customerId": [{"exists": True}]}},
        {"detail": {"customerId": [{"anything-but": "x"}]}},
        {"$or": [{"detail": {"customerId": ["a"]}}, {"detail": {"customerId": ["b"]}}]},
    ):
        assert field_required(pattern, PATH), pattern
        assert group_patterns(pattern, PATH) == (pattern, None)


def test_an_or_that_requires_it_in_one_branch_only_is_split() -> None:
    pattern = {"$or": [{"detail": {"customerId": ["a"]}}, {"source": ["shop"]}]}
    assert not field_required(pattern, PATH)
    intake, missing = split(pattern)
    assert matches(missing, WITHOUT) and not matches(intake, WITHOUT)


def test_a_pattern_that_lets_the_field_be_absent_is_a_problem() -> None:
    pattern = {"detail": {"customerId": [{"exists": False}, "a"]}}
    [problem] = group_pattern_problems(pattern, PATH)
    assert "already sets conditions on $.detail.customerId" in problem
    assert group_pattern_problems({"detail": ["x"]}, PATH) != []
    assert group_pattern_problems({"source": ["shop"]}, PATH) == []


def test_the_reason_names_the_path_and_has_no_quote_marks() -> None:
    reason = missing_field_reason(PATH)
    assert reason.startswith("no message group: ") and PATH in reason
    assert '"' not in reason


# --- no generated pattern names a field twice in one alternative ---

SPLIT_CASES = [
    {"source": ["shop"]},
    {"$or": [{"source": ["shop"]}, {"detail": {"total": [5]}}]},
    {"$or": [{"detail": {"customerId": ["a"]}}, {"source": ["shop"]}]},
    {"$or": [{"detail": {"customerId": [{"prefix": "c-"}]}}, {"detail": {"total": [5]}}]},
    {"source": ["shop"], "detail": {"$or": [{"customerId": ["c-1"]}, {"total": [5]}]}},
    {"$or": [{"detail.customerId": ["c-1"]}, {"source": ["shop"]}, {"detail": {"total": [5]}}]},
    {
        "$or": [
            {"source": ["shop"], "$or": [{"detail": {"customerId": ["c-1"]}}, {"id": ["e-1"]}]},
            {"detail": {"total": [5]}},
        ]
    },
]
SPLIT_EVENTS = [
    {"source": source, "id": event_id, "detail": detail}
    for source in ("shop", "other")
    for event_id in ("e-1", "e-2")
    for detail in (
        {"customerId": "c-1", "total": 5},
        {"customerId": "c-2", "total": 5},
        {"customerId": "c-1"},
        {"total": 5},
        {"total": 6},
        {},
    )
]


def named_twice(pattern: dict[str, object]) -> list[str]:
    """Field names any one alternative of ``pattern`` names more than once."""
    from eventpipe.patterns.flatten import sub_rules

    twice: list[str] = []
    for rule in sub_rules(pattern):
        names = [name for name, _ in rule]
        twice += sorted({name for name in names if names.count(name) > 1})
    return twice


@pytest.mark.parametrize("pattern", SPLIT_CASES, ids=range(len(SPLIT_CASES)))
def test_the_split_names_no_field_twice_and_routes_each_event_once(
    pattern: dict[str, object],
) -> None:
    intake, missing = group_patterns(pattern, PATH)
    assert named_twice(intake) == []
    assert missing is None or named_twice(missing) == []
    assert pattern_problems(intake) == []
    assert missing is None or pattern_problems(missing) == []
    for event in SPLIT_EVENTS:
        has_field = "customerId" in event["detail"]  # type: ignore[operator]
        to_intake = matches(intake, event)
        to_missing = missing is not None and matches(missing, event)
        # Exactly the consumer's events, each to one rule, chosen by the field alone.
        assert (to_intake or to_missing) == matches(pattern, event), event
        assert not (to_intake and to_missing), event
        assert to_intake == (matches(pattern, event) and has_field), event


def test_an_alternative_that_requires_the_field_gets_no_exists_and_leaves_the_missing_rule() -> (
    None
):
    pattern = {"$or": [{"detail": {"customerId": ["a"]}}, {"source": ["shop"]}]}
    intake, missing = split(pattern)
    assert intake == {
        "$or": [
            {"detail": {"customerId": ["a"]}},
            {"source": ["shop"], "detail": {"customerId": [{"exists": True}]}},
        ]
    }
    # One alternative is left, and "$or" needs two: it joins the top level.
    assert missing == {"source": ["shop"], "detail": {"customerId": [{"exists": False}]}}


def test_alternatives_differing_in_two_places_are_a_problem() -> None:
    pattern = {
        "$or": [{"detail": {"customerId": ["a"]}}, {"source": ["shop"]}],
        "detail": {"$or": [{"customerId": ["b"]}, {"total": [5]}]},
    }
    [problem] = group_pattern_problems(pattern, PATH)
    assert "differ on $.detail.customerId in more than one place" in problem
