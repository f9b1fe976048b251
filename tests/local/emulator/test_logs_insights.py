"""The Logs Insights subset the embedded server answers (shims/logs_insights.py), as AWS
documents it: filters on JSON fields, ``@log`` and ``@timestamp`` as AWS writes them,
sort and limit, and AWS's error for anything outside the subset."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from eventpipe.local.emulator.server import Emulator, start_emulator
from eventpipe.local.emulator.shims import apply_moto_shims

GROUP = "/aws/lambda/insights-shim"
OTHER = "/aws/lambda/insights-shim-other"
BASE = 1_796_000_000_000  # 2026-11-30 00:53:20 UTC


@pytest.fixture(scope="module")
def logs() -> Iterator[Any]:
    apply_moto_shims()
    running: Emulator = start_emulator()
    client = running.client("logs")
    for group, lines in (
        (
            GROUP,
            [
                json.dumps({"event_id": "e-1", "outcome": "processed", "n": {"deep": 1}}),
                json.dumps({"event_id": "e-2", "outcome": "retry"}),
                "START RequestId: 1 Version: $LATEST",
                json.dumps({"message_id": "e-1", "outcome": "dead-lettered"}),
            ],
        ),
        (OTHER, [json.dumps({"event_id": "e-1", "outcome": "held"})]),
    ):
        client.create_log_group(logGroupName=group)
        client.create_log_stream(logGroupName=group, logStreamName="s")
        client.put_log_events(
            logGroupName=group,
            logStreamName="s",
            logEvents=[{"timestamp": BASE + i * 10, "message": m} for i, m in enumerate(lines)],
        )
    yield client
    running.stop()


def query(logs: Any, text: str, groups: list[str] | None = None) -> list[dict[str, str]]:
    query_id = logs.start_query(
        logGroupNames=groups or [GROUP, OTHER],
        startTime=BASE // 1000 - 60,
        endTime=BASE // 1000 + 60,
        queryString=text,
    )["queryId"]
    deadline = time.monotonic() + 60
    while True:
        response = logs.get_query_results(queryId=query_id)
        if response["status"] == "Complete" or time.monotonic() > deadline:
            break
    assert response["status"] == "Complete"
    return [{cell["field"]: cell["value"] for cell in row} for row in response["results"]]


def test_filters_on_json_fields_with_or(logs: Any) -> None:
    rows = query(
        logs,
        'fields @timestamp, @log, @message | filter event_id = "e-1" or message_id = "e-1" '
        "| sort @timestamp asc",
    )
    outcomes = [json.loads(r["@message"])["outcome"] for r in rows]
    assert outcomes == ["processed", "held", "dead-lettered"]  # time order, both groups
    assert rows[0]["@timestamp"] == "2026-11-30 00:53:20.000"
    assert rows[1]["@log"].endswith(f":{OTHER}") and rows[1]["@log"].split(":")[0].isdigit()
    assert set(rows[0]) == {"@timestamp", "@log", "@message", "@ptr"}


def test_in_and_ispresent_sort_descending_and_limit(logs: Any) -> None:
    rows = query(
        logs,
        'fields outcome | filter ispresent(outcome) and outcome in ["retry", "processed"] '
        "| sort @timestamp desc | limit 1",
    )
    assert [r["outcome"] for r in rows] == ["retry"]
    nested = query(logs, 'fields n.deep | filter event_id = "e-1"', [GROUP])
    assert [r.get("n.deep") for r in nested] == ["1"]


def test_a_query_outside_the_subset_is_refused_as_aws_refuses_a_malformed_one(
    logs: Any,
) -> None:
    with pytest.raises(ClientError) as raised:
        query(logs, "fields @message | stats count(*) by outcome")
    assert raised.value.response["Error"]["Code"] == "MalformedQueryException"
