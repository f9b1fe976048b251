"""``eventpipe logs`` against moto's CloudWatch Logs, at 80 columns.

The log events are written the way the function writes them: Powertools JSON lines
from the runtime (eventpipe/runtime/observability.py) and Lambda's plain START/REPORT
lines, in the group ``/aws/lambda/<function name>``.
"""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

import pytest
from typer.testing import CliRunner

from eventpipe.operate import logs as logs_ops
from tests.cli.stack import Stack
from tests.cli.terminal import PIPED, TERMINAL_80, broken_words, too_wide

GROUP = "/aws/lambda/eventpipe-dev-orders"
STREAM = "2026/12/02/[$LATEST]0123456789abcdef0123456789abcdef"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/var/task/orders/handler.py", line 12, in handle\n'
    "    charge(order)\n"
    "ValueError: card declined"
)


@pytest.fixture(autouse=True)
def piped(stack: Stack) -> None:
    """Piped, as `eventpipe logs ... | grep` reads it: one log event per line (plus its
    traceback lines), never wrapped; :func:`test_a_terminal_of_80_columns` checks the
    terminal rendering."""
    stack.runner = CliRunner(env=PIPED)


def powertools(level: str, message: str, **extra: Any) -> str:
    """A line as Powertools' Logger(service=..., use_rfc3339=True) writes it."""
    return json.dumps(
        {
            "level": level,
            "location": "_retry:192",
            "message": message,
            "timestamp": "2026-12-02T00:00:00.000+00:00",
            "service": "orders",
            "cold_start": False,
            "function_name": "eventpipe-dev-orders",
            **extra,
        }
    )


def write(stack: Stack, *messages: str, at: int | None = None, group: str = GROUP) -> int:
    """Put log events (in order, 1 ms apart); returns the first timestamp."""
    logs = stack_logs(stack)
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=group)
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_stream(logGroupName=group, logStreamName=STREAM)
    first = at if at is not None else int(time.time() * 1000) - 60_000
    logs.put_log_events(
        logGroupName=group,
        logStreamName=STREAM,
        logEvents=[{"timestamp": first + i, "message": m} for i, m in enumerate(messages)],
    )
    return first


def stack_logs(stack: Stack) -> Any:
    import boto3

    return boto3.client("logs", region_name="us-east-1")


def failing_run(stack: Stack) -> None:
    write(
        stack,
        "START RequestId: 3f1c Version: $LATEST",
        powertools("INFO", "order stored", message_id="m-ok", correlation_id="ev-ok"),
        powertools(
            "WARNING",
            "record failed; SQS delivers it again after the backoff",
            message_id="m-bad",
            correlation_id="ev-bad",
            error_type="ValueError",
            error="card declined",
            receive_count=1,
            exception=TRACEBACK,
            exception_name="ValueError",
        ),
        "END RequestId: 3f1c",
        "REPORT RequestId: 3f1c Duration: 12.00 ms Billed Duration: 13 ms",
    )


def test_logs_show_lines_errors_with_traceback_and_their_record(stack: Stack) -> None:
    failing_run(stack)
    result = stack.cli("logs", "orders", "--since", "1h")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "RequestId" not in out  # Lambda's own lines: --verbose
    assert "INFO    order stored (message m-ok, event ev-ok)" in out
    assert (
        "WARNING record failed; SQS delivers it again after the backoff: ValueError: card "
        "declined (message m-bad, event ev-bad)"
    ) in out
    # The traceback follows its line, indented.
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if "m-bad" in line)
    assert lines[at + 1] == "    Traceback (most recent call last):"
    assert lines[at + 4] == "    ValueError: card declined"
    verbose = stack.cli("logs", "orders", "--since", "1h", "--verbose").stdout
    assert "START RequestId: 3f1c" in verbose and "REPORT RequestId: 3f1c" in verbose
    assert verbose.index("order stored") < verbose.index("m-bad") < verbose.index("END RequestId")


EMF = json.dumps(
    {
        "_aws": {
            "Timestamp": 1764633600000,
            "CloudWatchMetrics": [
                {"Namespace": "eventpipe", "Dimensions": [["service"]], "Metrics": []}
            ],
        },
        "service": "orders",
        "RecordsSucceeded": [1.0],
    }
)


def test_a_planned_retry_is_folded_and_metrics_are_left_to_verbose(stack: Stack) -> None:
    """A RetryableError is a failure the handler planned: its line says why, and where it
    was raised stands in for the traceback; the metrics object is not a handler line."""
    retry = TRACEBACK.replace("ValueError: card declined", "RetryableError: bank busy")
    write(
        stack,
        powertools(
            "WARNING",
            "record failed; SQS delivers it again after the backoff",
            message_id="m-retry",
            error_type="RetryableError",
            error="bank busy",
            exception=retry,
        ),
        EMF,
    )
    out = stack.cli("logs", "orders", "--since", "1h").stdout
    assert "RetryableError: bank busy (message m-retry)" in out
    assert "    raised at /var/task/orders/handler.py:12 in handle (--verbose: traceback)" in out
    assert "Traceback" not in out and "_aws" not in out
    verbose = stack.cli("logs", "orders", "--since", "1h", "--verbose").stdout
    assert "    Traceback (most recent call last):" in verbose and "_aws" in verbose


def test_lines_of_several_streams_come_in_time_order(stack: Stack) -> None:
    """One stream per execution environment: their lines are merged by time."""
    now = int(time.time() * 1000) - 60_000
    logs = stack_logs(stack)
    logs.create_log_group(logGroupName=GROUP)
    for stream, offsets in (("env-b", (1, 3)), ("env-a", (0, 2))):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=stream,
            logEvents=[{"timestamp": now + o, "message": f"line {o}"} for o in offsets],
        )
    out = stack.cli("logs", "orders", "--since", "1h").stdout
    assert [line.split()[-1] for line in out.splitlines()] == ["0", "1", "2", "3"]


def test_errors_only_and_filter(stack: Stack) -> None:
    failing_run(stack)
    write(stack, powertools("ERROR", "record sent to the DLQ", message_id="m-dead"))
    errors = stack.cli("logs", "orders", "--since", "1h", "--errors")
    assert errors.exit_code == 0, errors.output
    assert "record sent to the DLQ" in errors.stdout
    assert "m-bad" in errors.stdout  # a line with a traceback counts as an error
    assert "order stored" not in errors.stdout and "START" not in errors.stdout

    filtered = stack.cli(
        "logs", "orders", "--since", "1h", "--filter", "Billed Duration", "--verbose"
    )
    assert filtered.exit_code == 0, filtered.output
    assert filtered.stdout.count("\n") == 1 and "REPORT RequestId" in filtered.stdout

    none = stack.cli("logs", "orders", "--since", "1h", "--filter", "no such text")
    assert none.exit_code == 0
    assert f"No log lines matching 'no such text' in {GROUP}" in none.stderr


def test_since_leaves_out_older_lines(stack: Stack) -> None:
    now = int(time.time() * 1000)
    write(stack, "old line", at=now - 3 * 3600_000)
    write(stack, "new line", at=now - 60_000)
    result = stack.cli("logs", "orders", "--since", "2h")
    assert "new line" in result.stdout and "old line" not in result.stdout


def test_json_is_camel_case(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    failing_run(stack)
    handler_lines = json.loads(stack.cli("logs", "orders", "--since", "1h", "--json").stdout)
    assert [r["messageId"] for r in handler_lines["lines"]] == ["m-ok", "m-bad"]
    result = stack.cli("logs", "orders", "--since", "1h", "--json", "--verbose")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["consumer"], data["logGroup"]) == ("orders", GROUP)
    rows = data["lines"]
    assert len(rows) == 5
    bad = next(r for r in rows if r["messageId"] == "m-bad")
    assert bad["level"] == "WARNING" and bad["correlationId"] == "ev-bad"
    assert bad["error"] == "ValueError: card declined"
    assert bad["exception"] == TRACEBACK
    assert bad["stream"] == STREAM and bad["eventId"]
    assert rows[0]["record"] is None and rows[0]["message"].startswith("START")
    assert bad["record"]["message_id"] == "m-bad"  # the log record itself, as written

    def stop(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(logs_ops, "_pause", stop)
    followed = stack.cli("logs", "orders", "--since", "1h", "--json", "--follow", "--verbose")
    assert followed.exit_code == 0, followed.output
    streamed = [json.loads(line) for line in followed.stdout.splitlines()]  # JSON lines
    assert [r["eventId"] for r in streamed] == [r["eventId"] for r in rows]


def test_follow_prints_new_lines_once(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Follow polls FilterLogEvents; lines written between polls appear once, even one
    sharing the newest timestamp already shown."""
    first = write(stack, "line one")
    polls: list[int] = []

    def pause(seconds: float) -> None:
        polls.append(1)
        if len(polls) == 1:
            write(stack, "line two (same millisecond)", at=first)
            write(stack, "line three", at=first + 5)
        elif len(polls) == 2:
            write(stack, "line four", at=first + 9)
        else:
            raise KeyboardInterrupt  # the operator's Ctrl-C

    monkeypatch.setattr(logs_ops, "_pause", pause)
    result = stack.cli("logs", "orders", "--follow", "--since", "1h")
    assert result.exit_code == 0, result.output
    for text in ("line one", "line two", "line three", "line four"):
        assert result.stdout.count(text) == 1, result.stdout
    assert len(polls) == 3
    assert f"Following {GROUP}" in result.stderr


def test_log_group_from_output_and_missing_group(stack: Stack) -> None:
    stack.change_consumer("orders", log_group_name="/custom/orders")
    write(stack, "custom group line", group="/custom/orders")
    assert "custom group line" in stack.cli("logs", "orders", "--since", "1h").stdout

    missing = stack.cli("logs", "inventory")
    assert missing.exit_code == 1
    assert "log group /aws/lambda/eventpipe-dev-inventory does not exist" in missing.stderr


def test_filter_pattern_quotes_plain_text() -> None:
    assert logs_ops.filter_pattern("card declined") == '"card declined"'
    assert logs_ops.filter_pattern('say "hi"') == '"say \\"hi\\""'
    assert logs_ops.filter_pattern('{ $.level = "ERROR" }') == '{ $.level = "ERROR" }'
    assert logs_ops.filter_pattern("  ") is None


def test_read_follows_next_tokens() -> None:
    class Pages:
        def __init__(self) -> None:
            self.calls: list[dict[str, Any]] = []

        def filter_log_events(self, **params: Any) -> dict[str, Any]:
            self.calls.append(params)
            pages = [
                {"events": [{"eventId": "1", "timestamp": 1, "message": "a"}], "nextToken": "t1"},
                {"events": [], "nextToken": "t2"},  # empty page, more to come
                {"events": [{"eventId": "2", "timestamp": 2, "message": "b"}]},
            ]
            return pages[len(self.calls) - 1]

    client = Pages()
    lines = list(logs_ops.read(client, "g", start_ms=0, pattern='"x"'))
    assert [line.raw for line in lines] == ["a", "b"]
    assert [c.get("nextToken") for c in client.calls] == [None, "t1", "t2"]
    assert all(c["filterPattern"] == '"x"' and c["startTime"] == 0 for c in client.calls)


def test_pipe_log_of_a_per_key_fifo_consumer(stack: Stack) -> None:
    from tests.cli.test_dlq import add_fifo_consumer

    ledger = add_fifo_consumer(stack)
    record = json.dumps({"messageType": "ExecutionFailed", "executionId": "e-1"})
    write(stack, record, group=ledger.pipe_log_group)
    result = stack.cli("logs", "ledger", "--pipe", "--since", "1h")
    assert result.exit_code == 0, result.output
    assert "ExecutionFailed" in result.stdout
    refused = stack.cli("logs", "orders", "--pipe")
    assert refused.exit_code == 1 and "orders has no pipe" in refused.stderr


def test_a_terminal_of_80_columns(stack: Stack) -> None:
    """Each line fits, wrapped between words (the same words as piped, none cut in two);
    a traceback row too long is cut with an ellipsis, never wrapped."""
    failing_run(stack)
    write(
        stack,
        powertools(
            "ERROR",
            "record sent to the DLQ after its last allowed attempt with the reason below",
            message_id="0c6e6a2b-1f7e-4d0e-9a43-6f1b8f0a2d11",
            correlation_id="5f2b1c9e-8a7d-4e3f-b2a1-0c9d8e7f6a5b",
            error_type="PermanentError",
            error="refund amount must be positive for every customer",
        ),
    )
    args = ["logs", "orders", "--since", "1h", "--outputs", str(stack.outputs_file)]
    terminal = stack.runner.invoke(stack_app(), args, env=TERMINAL_80)
    piped = stack.runner.invoke(stack_app(), args, env=PIPED)
    assert terminal.exit_code == 0, terminal.output
    assert too_wide(terminal.stdout) == []
    assert "card declined" in terminal.stdout
    assert broken_words(terminal.stdout, piped.stdout) == []
    assert len(terminal.stdout.splitlines()) > len(piped.stdout.splitlines())  # it wrapped


def stack_app() -> Any:
    from eventpipe.cli import app

    return app


def test_each_line_names_its_own_records_event_id(stack: Stack) -> None:
    """The runtime names each record's event in ``event_id``; a record whose body did not
    decode has none, and its line must not borrow one (``correlation_id`` is Powertools'
    key for a plugin's own lines, and names no other record here)."""
    write(
        stack,
        powertools(
            "INFO", "record processed", message_id="m-good", event_id="ev-good",
            correlation_id="ev-good", outcome="processed",
        ),
        powertools(
            "ERROR", "record sent to the DLQ", message_id="m-bad", outcome="dead-lettered",
            error_type="InvalidEventError", error="body is not JSON",
        ),
        powertools("INFO", "plugin line", correlation_id="ev-plugin"),
    )  # fmt: skip
    out = stack.cli("logs", "orders", "--since", "1h").stdout
    assert "record processed (message m-good, event ev-good)" in out
    [bad] = [line for line in out.splitlines() if "m-bad" in line]
    assert "(message m-bad)" in bad and "event" not in bad.split("(")[-1]
    assert "plugin line (event ev-plugin)" in out
    found = stack.cli("logs", "orders", "--since", "1h", "--filter", "ev-good").stdout
    assert "m-good" in found and "m-bad" not in found
