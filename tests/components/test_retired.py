"""A consumer that leaves keeps its queues in the stack, under the same URNs' resources."""

from __future__ import annotations

from typing import Any

import pytest

from components.consumer_pipeline import TYPE as PIPELINE_TYPE
from components.retired import TYPE as RETIRED_TYPE
from eventpipe.exceptions import ConfigurationError
from eventpipe.stack_output import StackOutputs
from tests.components.test_retention import RecordingMonitor, _run, monitor  # noqa: F401


def _names(monitor: RecordingMonitor, type_: str) -> set[str]:  # noqa: F811
    return {r.name for r in monitor.of_type(type_)}


def test_a_disabled_consumer_keeps_its_queues_and_loses_its_function(
    monitor: RecordingMonitor,  # noqa: F811
) -> None:
    output = _run({"consumers": {"fixture-fifo": {"enabled": False}}})
    queues = _names(monitor, "aws:sqs/queue:Queue")
    # the logical names its pipeline gave them: Pulumi sees the same resources
    assert {
        "fixture-fifo-queue",
        "fixture-fifo-dlq",
        "fixture-fifo-intake",
        "fixture-fifo-intake-dlq",
    } <= queues
    kept = [r for r in monitor.of_type("aws:sqs/queue:Queue") if r.name.startswith("fixture-fifo")]
    assert all(RETIRED_TYPE in r.parent and r.retain_on_delete for r in kept)
    (component,) = [r for r in monitor.of_type(RETIRED_TYPE) if r.name == "fixture-fifo"]
    assert component.aliases == 1  # the ConsumerPipeline it was
    assert not any(
        n.startswith("fixture-fifo") for n in _names(monitor, "aws:lambda/function:Function")
    )
    assert not any(
        n.startswith("fixture-fifo") for n in _names(monitor, "aws:cloudwatch/eventRule:EventRule")
    )
    parsed = StackOutputs.from_json(output, origin="test")
    assert "fixture-fifo" not in parsed.consumers
    retired = parsed.retired["fixture-fifo"]
    assert retired.fifo and "disabled" in retired.reason
    assert retired.dlq_url and retired.dlq_url.endswith("/eventpipe-test-fixture-fifo-dlq.fifo")
    assert retired.intake_dlq_url and retired.intake_dlq_url.endswith("-fixture-fifo-intake-dlq")
    # the DLQ commands act on it as on a consumer
    queues_of = parsed.queues_of("fixture-fifo")
    assert queues_of.dlq_url == retired.dlq_url and queues_of.fifo
    # every enabled pipeline carries the reverse alias
    pipelines = monitor.of_type(PIPELINE_TYPE)
    assert pipelines and all(p.aliases == 1 for p in pipelines)


def test_a_listed_consumer_no_plugin_declares_keeps_its_queues(
    monitor: RecordingMonitor,  # noqa: F811
) -> None:
    output = _run({"retired": [{"name": "old-orders", "fifo": True, "plugin": "orders"}]})
    assert {"old-orders-queue", "old-orders-dlq"} <= _names(monitor, "aws:sqs/queue:Queue")
    parsed = StackOutputs.from_json(output, origin="test")
    entry = parsed.retired["old-orders"]
    assert entry.plugin == "orders" and entry.queue_url and entry.queue_url.endswith(".fifo")
    assert entry.intake_queue_url is None


def test_retired_and_enabled_at_once_is_refused(monitor: Any) -> None:  # noqa: F811
    with pytest.raises(Exception) as info:
        _run({"retired": [{"name": "fixture-direct"}]})
    assert "eventpipe:retired" in str(info.value) and "fixture-direct" in str(info.value)
    assert not isinstance(info.value, ConfigurationError) or info.value.problems


def test_a_message_group_no_longer_a_path_keeps_and_lists_the_intake_pair(
    monitor: RecordingMonitor,  # noqa: F811
) -> None:
    output = _run(
        {
            "consumers": {"fixture-fifo": {"messageGroup": "all"}},
            "retired": [{"name": "fixture-fifo", "intake": True}],
        }
    )
    kept = {
        r.name: r
        for r in monitor.of_type("aws:sqs/queue:Queue")
        if r.name.startswith("fixture-fifo-intake")
    }
    # the logical names and parent declare_intake gave them: Pulumi sees the same queues
    assert set(kept) == {"fixture-fifo-intake", "fixture-fifo-intake-dlq"}
    assert all(PIPELINE_TYPE in r.parent and r.retain_on_delete for r in kept.values())
    assert not monitor.of_type("aws:pipes/pipe:Pipe")
    assert not [r for r in monitor.of_type(RETIRED_TYPE) if r.name == "fixture-fifo"]
    parsed = StackOutputs.from_json(output, origin="test")
    assert parsed.consumers["fixture-fifo"].intake_queue_url is None  # live, fixed group
    entry = parsed.retired["fixture-fifo-intake"]
    assert entry.consumer == "fixture-fifo" and "message_group" in entry.reason
    assert entry.intake_dlq_url and entry.intake_dlq_url.endswith("-fixture-fifo-intake-dlq")
    # `dlq peek fixture-fifo-intake` reaches the old intake DLQ; the live consumer stays
    reached = parsed.queues_of("fixture-fifo-intake")
    assert reached.dlq_url == entry.intake_dlq_url and not reached.fifo
    assert parsed.queues_of("fixture-fifo").dlq_url.endswith("-fixture-fifo-dlq.fifo")


def test_an_intake_entry_for_a_consumer_still_grouped_by_a_path_is_refused(
    monitor: Any,  # noqa: F811
) -> None:
    with pytest.raises(Exception) as info:
        _run({"retired": [{"name": "fixture-fifo", "intake": True}]})
    assert "eventpipe:retired" in str(info.value) and "intake: true" in str(info.value)
