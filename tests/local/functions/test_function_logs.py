"""Function logs: Lambda's stream names, one event per line, the runtime's reasons."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import boto3
from moto import mock_aws

from eventpipe.local.functions.function_logs import LogShipper, LogStream, _batches, stream_name
from eventpipe.local.functions.pollers import record_reasons
from eventpipe.local.functions.worker import runtime_error_line


def test_stream_names_are_lambdas() -> None:
    name = stream_name(now=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))
    assert re.fullmatch(r"2026/12/02/\[\$LATEST\][0-9a-f]{32}", name)
    assert stream_name() != stream_name()


def test_lines_are_read_once_and_a_partial_line_waits(tmp_path: Path) -> None:
    stream = LogStream(None, "/aws/lambda/fn", tmp_path / "w.log")
    with stream.path.open("a") as handle:
        handle.write('{"level": "INFO"}\nsecond\npart')
    assert stream.read_new() == ['{"level": "INFO"}', "second"]
    with stream.path.open("a") as handle:
        handle.write("ial\n")
    assert stream.read_new() == ["partial"]
    assert stream.read_new() == []


def test_an_unhandled_error_is_one_event_with_its_traceback(tmp_path: Path) -> None:
    line = runtime_error_line(
        {"errorType": "KeyError", "errorMessage": "'x'", "stackTrace": "Traceback\n  File a\n"}
    )
    assert "\n" not in line
    stream = LogStream(None, "/aws/lambda/fn", tmp_path / "w.log")
    stream.path.write_text(line + "\n")
    [event] = stream.read_new()
    assert event == "[ERROR] KeyError: 'x'\nTraceback\n  File a"


def test_batches_stay_within_put_log_events_limits() -> None:
    events = [{"timestamp": 1, "message": "x" * 1000} for _ in range(2500)]
    batches = _batches(events)
    assert sum(len(b) for b in batches) == 2500
    assert all(len(b) <= 1000 for b in batches)
    assert all(sum(len(e["message"]) + 26 for e in b) <= 1_048_576 for b in batches)


def test_record_reasons_come_from_the_runtimes_log_lines() -> None:
    lines = [
        "START RequestId: r Version: $LATEST",
        json.dumps(
            {
                "level": "WARNING",
                "message_id": "m1",
                "error_type": "ValueError",
                "error": "bad amount",
            }
        ),
        json.dumps({"level": "INFO", "message_id": "m2"}),
        "not json {",
    ]
    assert record_reasons(lines) == {"m1": "ValueError: bad amount"}


def test_the_shipper_sends_every_streams_lines_in_order(tmp_path: Path) -> None:
    """Two environments' streams share one shipper: each stream gets its own lines, in the
    order they were read, and every line reaches ``on_put`` (the EMF publisher)."""
    put: list[str] = []
    shipper = LogShipper()
    with mock_aws():
        logs = boto3.client("logs", region_name="us-east-1")
        streams = [
            LogStream(
                lambda: logs,
                "/aws/lambda/fn",
                tmp_path / f"{n}.log",
                shipper=shipper,
                on_put=put.extend,
            )
            for n in range(2)
        ]
        for n in range(5):
            for index, stream in enumerate(streams):
                with stream.path.open("a") as handle:
                    handle.write(f"line {n} of {index}\n")
                assert stream.ship(before=[f"START {n}"]) == [f"line {n} of {index}"]
        shipper.flush()
        assert shipper.pending == 0
        for index, stream in enumerate(streams):
            events = logs.get_log_events(logGroupName=stream.group, logStreamName=stream.name)
            expected = [line for n in range(5) for line in (f"START {n}", f"line {n} of {index}")]
            assert [e["message"] for e in events["events"]] == expected
        shipper.close()
    assert sorted(put) == sorted(
        [f"START {n}" for n in range(5) for _ in range(2)]
        + [f"line {n} of {i}" for n in range(5) for i in range(2)]
    )
