"""The public model's breaker and SNS fields (CircuitBreaker, topic, filter_policy) and
the stack keys topics / deadLetterArchive / circuitBreaker, each at its boundary."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

import eventpipe
from eventpipe.config import DLQ_RETENTION_DAYS, parse_settings
from eventpipe.exceptions import EventpipeDeprecationWarning, InvalidConsumerError
from eventpipe.validation import filter_policy_problems
from tests.plugins.declared import HANDLER, consumer, plugin
from tests.test_resolve import problems, run

ARN = "arn:aws:sns:us-east-1:123456789012:payments"


def test_circuit_breaker_is_public_and_positional() -> None:
    breaker = eventpipe.CircuitBreaker(10, 60, 300)
    assert (breaker.failed_records, breaker.period, breaker.cooldown) == (10, 60, 300)
    assert "CircuitBreaker" in eventpipe.__all__
    declared = consumer("orders", circuit_breaker=breaker)
    assert declared.circuit_breaker == breaker
    assert consumer("orders").circuit_breaker is None


@pytest.mark.parametrize(
    ("values", "ok"),
    [
        ({"failed_records": 1, "period": 60, "cooldown": 60}, True),
        ({"failed_records": 0, "period": 60, "cooldown": 60}, False),
        ({"failed_records": 5, "period": 86_400, "cooldown": 86_400}, True),
        ({"failed_records": 5, "period": 86_460, "cooldown": 60}, False),
        ({"failed_records": 5, "period": 90, "cooldown": 60}, False),  # not a multiple of 60
        ({"failed_records": 5, "period": 30, "cooldown": 60}, False),  # high-resolution only
        ({"failed_records": 5, "period": 60, "cooldown": 59}, False),
        ({"failed_records": 5, "period": 120, "cooldown": 86_401}, False),
        ({"failed_records": 5, "period": 120, "cooldown": 119}, False),  # judged on stale failures
        ({"failed_records": 5, "period": 120, "cooldown": 120}, True),
    ],
)
def test_breaker_numbers_at_their_boundaries(values: dict[str, int], ok: bool) -> None:
    if ok:
        assert eventpipe.CircuitBreaker(**values).failed_records == values["failed_records"]
    else:
        with pytest.raises(ValidationError):
            eventpipe.CircuitBreaker(**values)


def test_the_old_name_errors_still_works_with_a_deprecation_warning() -> None:
    with pytest.warns(EventpipeDeprecationWarning, match=r"write CircuitBreaker\(failed_records"):
        breaker = eventpipe.CircuitBreaker(errors=7, period=60, cooldown=60)  # type: ignore[call-arg]
    assert breaker == eventpipe.CircuitBreaker(7, 60, 60)
    with pytest.warns(DeprecationWarning, match="CircuitBreaker.failed_records"):
        assert breaker.errors == 7


def test_the_old_stack_key_errors_still_works_with_a_deprecation_warning() -> None:
    values = {
        "consumers": {"orders": {"circuitBreaker": {"errors": 3, "period": 60, "cooldown": 60}}}
    }
    with pytest.warns(EventpipeDeprecationWarning, match="failedRecords"):
        resolved = run({"shop": plugin(consumer("orders"))}, values)
    [declared] = resolved.enabled
    assert declared.consumer.circuit_breaker == eventpipe.CircuitBreaker(3, 60, 60)


def test_a_bad_breaker_in_a_declaration_names_the_consumer_and_field() -> None:
    with pytest.raises(InvalidConsumerError) as info:
        eventpipe.Consumer(
            name="orders",
            handler=HANDLER,
            circuit_breaker={"failed_records": 1, "period": 61, "cooldown": 60},
        )
    assert info.value.errors[0][0].startswith("circuit_breaker")


def test_source_says_what_feeds_the_queue() -> None:
    assert consumer("a").source == "rule"
    assert consumer("b", pattern=None, topic="orders").source == "topic"
    assert consumer("c", pattern=None).source == "queue"


def test_stack_defaults_and_overrides_set_the_breaker() -> None:
    values = {
        "defaults": {"circuitBreaker": {"failedRecords": 10, "period": 60, "cooldown": 300}},
        "consumers": {
            "mail": {"circuitBreaker": {"failedRecords": 2, "period": 120, "cooldown": 120}}
        },
    }
    resolved = run({"shop": plugin(consumer("orders"), consumer("mail"))}, values)
    by_name = {c.consumer.name: c.consumer.circuit_breaker for c in resolved.enabled}
    assert by_name["orders"] == eventpipe.CircuitBreaker(10, 60, 300)
    assert by_name["mail"] == eventpipe.CircuitBreaker(2, 120, 120)


def test_a_bad_breaker_override_names_the_config_key() -> None:
    values = {"consumers": {"orders": {"circuitBreaker": {"failedRecords": 1, "period": 45}}}}
    found = problems({"shop": plugin(consumer("orders"))}, values)
    assert found and all("eventpipe:consumers.orders.circuitBreaker" in f for f in found), found
    assert all("Fix:" in f for f in found)


@pytest.mark.parametrize(
    ("fields", "values", "ok"),
    [
        ({"pattern": None, "topic": "orders"}, {"topics": ["orders"]}, True),
        ({"pattern": None, "topic": ARN}, {}, True),
        ({"pattern": None, "topic": "orders"}, {}, False),  # not listed
        ({"topic": ARN}, {}, False),  # both pattern and topic
        ({"pattern": None, "topic": "arn:aws:sns:us-east-1:12:x"}, {}, False),
        ({"pattern": None, "topic": ARN, "filter_policy": {"kind": ["a"]}}, {}, True),
        ({"filter_policy": {"kind": ["a"]}}, {}, False),  # no topic
        ({"pattern": None, "topic": ARN, "filter_policy": {"kind": "a"}}, {}, False),
        ({"pattern": None, "topic": ARN, "fifo": True}, {}, False),  # standard topic
        ({"pattern": None, "topic": ARN + ".fifo", "fifo": True}, {}, True),
    ],
)
def test_topic_rules_at_their_boundaries(
    fields: dict[str, Any], values: dict[str, Any], ok: bool
) -> None:
    plugins = {"shop": plugin(consumer("orders", **fields))}
    if ok:
        assert [c.consumer.name for c in run(plugins, values).enabled] == ["orders"]
    else:
        found = problems(plugins, values)
        assert found and all("consumer 'orders'" in f and "Fix:" in f for f in found), found


@pytest.mark.parametrize(
    ("policy", "ok"),
    [
        ({"a": ["x"], "b": ["y"], "c": [1], "d": [True], "e": [None]}, True),
        ({"a": ["x"], "b": ["y"], "c": [1], "d": [True], "e": [None], "f": ["z"]}, False),
        ({"a": list(range(150))}, True),
        ({"a": list(range(151))}, False),
        ({"a": list(range(10)), "b": list(range(15))}, True),  # 150 combinations
        ({"a": list(range(10)), "b": list(range(16))}, False),  # 160
        ({"a": [10**9]}, True),
        ({"a": [10**9 + 1]}, False),
        ({"a": [{"prefix": "ord"}, {"anything-but": ["x"]}, {"exists": True}]}, True),
        ({"a": [{"numeric": [">", 0, "<=", 5]}]}, True),
        ({"a": [{"numeric": ["!", 0]}]}, False),
        ({"a": [{"exists": "yes"}]}, False),
        ({"a": [{"wildcard": "x*"}]}, False),
        ({"a": {"b": ["x"]}}, False),  # nested: only with MessageBody scope
        ({"a": []}, False),
        ({}, False),
        ({"$or": [{"a": ["x"]}, {"b": ["y"]}]}, True),
        ({"$or": "a"}, False),
    ],
)
def test_filter_policy_shape_and_limits(policy: dict[str, Any], ok: bool) -> None:
    assert (filter_policy_problems(policy) == []) is ok, filter_policy_problems(policy)


def test_stack_topics_and_archive_parse() -> None:
    settings, found = parse_settings(
        {
            "topics": ["orders", "prices.fifo"],
            "deadLetterArchive": {"afterDays": 10, "expireDays": 365},
        },
        stack="dev",
    )
    assert found == []
    assert settings.topics == ["orders", "prices.fifo"]
    assert settings.topic_name("orders") == "eventpipe-dev-orders"
    archive = settings.dead_letter_archive
    assert archive is not None and (archive.after_days, archive.expire_days) == (10, 365)
    assert parse_settings({}, stack="dev")[0].dead_letter_archive is None


@pytest.mark.parametrize(
    ("archive", "ok"),
    [
        ({"afterDays": 1, "expireDays": 2}, True),
        ({"afterDays": 0, "expireDays": 2}, False),
        ({"afterDays": DLQ_RETENTION_DAYS - 1, "expireDays": 30}, True),
        ({"afterDays": DLQ_RETENTION_DAYS, "expireDays": 30}, False),  # SQS deletes first
        ({"afterDays": 5, "expireDays": 5}, False),
        ({"afterDays": 5}, True),  # no expireDays: kept until deleted
        ({"afterDays": 5, "expireDays": None}, True),
        ({"afterDays": 5, "expireDays": 30, "bucket": "x"}, False),
    ],
)
def test_dead_letter_archive_at_its_boundaries(archive: dict[str, Any], ok: bool) -> None:
    _, found = parse_settings({"deadLetterArchive": archive}, stack="dev")
    assert (found == []) is ok, found
    assert all(p.field.startswith("eventpipe:deadLetterArchive") for p in found)


@pytest.mark.parametrize(
    ("topics", "ok"),
    [(["a-b_c"], True), (["x" * 256], True), (["x" * 257], False), (["has space"], False),
     (["a", "a"], False), (["t.fifo"], True), (["t.json"], False)],
)  # fmt: skip
def test_topic_names_sns_accepts(topics: list[str], ok: bool) -> None:
    _, found = parse_settings({"topics": topics}, stack="dev")
    assert (found == []) is ok, found


def test_dlq_retention_days_is_the_dlqs_retention() -> None:
    from components.queues import DLQ_RETENTION

    assert DLQ_RETENTION_DAYS * 86_400 == DLQ_RETENTION


def test_a_per_consumer_null_turns_a_default_breaker_off() -> None:
    values = {
        "defaults": {"circuitBreaker": {"failedRecords": 10, "period": 60, "cooldown": 300}},
        "consumers": {"mail": {"circuitBreaker": None}},
    }
    resolved = run({"shop": plugin(consumer("orders"), consumer("mail"))}, values)
    by_name = {c.consumer.name: c.consumer.circuit_breaker for c in resolved.enabled}
    assert by_name == {"orders": eventpipe.CircuitBreaker(10, 60, 300), "mail": None}


def test_a_topic_consumer_runs_with_source_topic() -> None:
    from eventpipe import contract
    from eventpipe.function_env import function_environment

    env = function_environment(
        consumer("payments", pattern=None, topic=ARN), dlq_url="u", idempotency_table=None,
        plugin_env={},
    )  # fmt: skip
    assert env[contract.ENV_SOURCE] == "topic"
