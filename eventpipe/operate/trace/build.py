"""``eventpipe trace``: one event from publish to outcome, from what the stack writes.

For each consumer of the stack the trace puts together:

* whether its rule matched the event, and if not the pattern field that failed
  (:func:`eventpipe.patterns.explain` on the deployed rule's pattern, DescribeRule), when
  the event is at hand (given, or found in a DLQ or the archive); for a topic-fed
  consumer, whether its subscription's filter policy accepts the SNS message, and if not
  the attribute that failed (:mod:`.subscription`); a consumer whose log names the event
  was reached, whatever its pattern or policy;
* the queue its copy reached, and for per-key FIFO the pipe hop;
* every attempt, from the runtime's outcome lines (:mod:`.insights`);
* where it ended: the last outcome, checked against the DLQs and the archive
  (:mod:`.endings`).

The same code serves AWS and the local engine: both answer StartQuery (the local
emulator through ``eventpipe/local/emulator/shims/logs_insights.py``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from eventpipe.contract import SOURCE_QUEUE, SOURCE_TOPIC
from eventpipe.operate.trace import endings, insights, subscription
from eventpipe.operate.trace.model import (
    OUTCOME_FAILED,
    Attempt,
    ConsumerTrace,
    Ending,
    PipeHop,
    RecentEvent,
    RecentEvents,
    Trace,
)
from eventpipe.stack_output import ConsumerOutputs, StackOutputs

ClientFactory = Callable[[str], Any]
"""Service name -> boto3 client (``Aws.client`` on the CLI, ``Emulator.client`` locally)."""

TRACE_WINDOW = timedelta(hours=24)
RECENT_WINDOW = timedelta(hours=1)


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _attempt(row: insights.LogRow) -> Attempt:
    return Attempt(
        time=row.time,
        receive_count=_int(row.number("receive_count")),
        outcome=row.text("outcome") or "",
        duration_ms=row.number("duration_ms"),
        error_type=row.text("error_type"),
        error_message=row.text("error"),
        message_id=row.text("message_id"),
        retry_in_seconds=_int(row.number("retry_in_seconds")),
        dlq_message_id=row.text("dlq_message_id"),
        log_stream=row.stream,
    )


def _queue_name(url: str | None) -> str | None:
    return url.rstrip("/").rsplit("/", 1)[-1] if url else None


def _pattern(events: Any, outputs: StackOutputs[str], consumer: ConsumerOutputs[str]) -> Any:
    if not consumer.rule_name:
        return None
    rule = events.describe_rule(Name=consumer.rule_name, EventBusName=outputs.bus.name)
    return json.loads(rule["EventPattern"]) if rule.get("EventPattern") else None


def _match(
    events: Any,
    sns: Any,
    outputs: StackOutputs[str],
    consumer: ConsumerOutputs[str],
    event: Mapping[str, Any] | None,
    reached: bool,
) -> tuple[bool | None, str | None, str | None]:
    """(matched, reason, field) for one consumer."""
    if consumer.source == SOURCE_TOPIC:
        return subscription.match_topic(sns, consumer, event, reached)
    if consumer.source == SOURCE_QUEUE:
        if reached:
            return True, None, None
        return None, "fed directly by producers (no rule)", None
    pattern = _pattern(events, outputs, consumer)
    if pattern is None:
        return (True, None, None) if reached else (None, "the stack names no rule", None)
    if event is None:
        if reached:
            return True, None, None
        return None, "the event itself is not at hand (give it with --event FILE)", None
    from eventpipe.patterns import explain

    result = explain(pattern, dict(event))
    if result.matched:
        return True, None, None
    if reached:  # its log or DLQ names the event: the rule, or the event given, changed
        return True, f"reached it, though the rule now fails this event: {result.reason}", None
    if result.mismatch is None:
        return None, result.reason, None
    return False, result.reason, result.mismatch.field


def _ending(
    matched: bool | None,
    attempts: list[Attempt],
    letters: list[endings.DeadLetter],
    max_receive: int | None,
    dlq_checked: bool = True,
    filtered_by: str = "its rule",
) -> Ending:
    in_dlq = [d for d in letters if d.archive_key is None]
    archived = [d for d in letters if d.archive_key is not None]
    last = attempts[-1] if attempts else None
    if last is not None and last.outcome in ("processed", "duplicate"):
        return Ending("processed", f"processed at {last.time:%H:%M:%S} UTC")
    if in_dlq or archived or (last is not None and last.outcome == "dead-lettered"):
        letter = (in_dlq or archived)[0] if (in_dlq or archived) else None
        reason = letter.message.summary if letter else None
        if reason is None and last is not None and last.error_type:
            reason = f"{last.error_type}: {last.error_message or ''}".strip()
        dlq_id = letter.message.message_id if letter else (last.dlq_message_id if last else None)
        if letter is not None and letter.archive_key:
            return Ending(
                "archived",
                f"moved from the DLQ to the archive, s3 key {letter.archive_key}",
                reason,
                dlq_id,
                False,
                letter.archive_key,
            )
        where = "the intake DLQ" if letter is not None and letter.intake else "the DLQ"
        if letter is None and not dlq_checked:
            return Ending("dead-lettered", "the DLQ was not checked", reason, dlq_id, None)
        if letter is None:
            return Ending(
                "dead-lettered",
                "no longer in the DLQ (redriven, purged, or past the messages scanned)",
                reason,
                dlq_id,
                False,
            )
        return Ending("dead-lettered", f"in {where}", reason, dlq_id, True)
    if last is not None:
        if last.outcome == "retry":
            final = max_receive is not None and (last.receive_count or 0) >= max_receive
            detail = (
                "failed its last allowed receive: SQS's redrive moves it to the DLQ"
                if final
                else f"in flight: retried in {last.retry_in_seconds} s"
            )
            return Ending("in-flight", detail, f"{last.error_type}: {last.error_message}")
        return Ending("in-flight", f"in flight: {last.outcome}")
    if matched is False:
        return Ending("not-delivered", f"{filtered_by} did not match")
    if matched is True:
        return Ending("in-flight", "matched; no attempt logged yet (queued, or logs not in yet)")
    return Ending("unknown", "nothing in its log, DLQ or archive names the event")


def trace_event(
    clients: ClientFactory,
    outputs: StackOutputs[str],
    event_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    event: Mapping[str, Any] | None = None,
    dlq_scan: int = 100,
) -> Trace:
    """Trace ``event_id`` (an EventBridge event id, SNS message id or SQS message id)."""
    until = until or datetime.now(UTC)
    since = since or until - TRACE_WINDOW
    consumers = outputs.select(None)
    groups = {c.log_group: c for c in consumers if c.log_group}
    rows, run = insights.run(
        clients("logs"), list(groups), insights.trace_query(event_id), since, until
    )
    by_consumer: dict[str, list[insights.LogRow]] = {}
    for row in rows:
        # The query filters already; checked again so an endpoint that ignores
        # `filter` (plain moto) cannot lend another event's lines to this one.
        named = {row.text("event_id"), row.text("message_id"), row.text("correlation_id")}
        if row.text("outcome") and row.group in groups and event_id in named:
            by_consumer.setdefault(groups[row.group].name, []).append(row)
    notes: list[str] = []
    sqs, events = clients("sqs"), clients("events")
    sns = clients("sns") if any(c.source == SOURCE_TOPIC for c in consumers) else None
    letters: dict[str, list[endings.DeadLetter]] = {}
    event_from = "given" if event is not None else None
    for consumer in consumers:
        own = by_consumer.get(consumer.name, [])
        message_ids = {m for r in own if (m := r.text("message_id"))}
        found = endings.find_in_dlqs(sqs, consumer, event_id, message_ids, dlq_scan)
        dlq_ids = {m for r in own if (m := r.text("dlq_message_id"))}
        if dlq_ids and not found:
            found = endings.find_archived(
                clients("s3"),
                outputs,
                consumer.name,
                event_id,
                dlq_ids,
                dlq_scan,
            )
        letters[consumer.name] = found
        if event is None:
            for letter in found:
                if letter.message.event is not None:
                    event, event_from = letter.message.event, f"the DLQ of {consumer.name}"
                    break
    traces = []
    for consumer in consumers:
        own = by_consumer.get(consumer.name, [])
        attempts = [_attempt(r) for r in own]
        reached = bool(attempts or letters[consumer.name])
        matched, reason, failed_field = _match(events, sns, outputs, consumer, event, reached)
        filtered_by = (
            "its subscription's filter policy" if consumer.source == SOURCE_TOPIC else "its rule"
        )
        max_receive = next(
            (
                _int(r.number("max_receive_count"))
                for r in reversed(own)
                if r.number("max_receive_count")
            ),
            None,
        )
        pipe = None
        if consumer.pipe_name:
            group = next((r.text("message_group") for r in own if r.text("message_group")), None)
            pipe = PipeHop(
                _queue_name(consumer.intake_queue_url) or "",
                str(consumer.pipe_name),
                consumer.queue_name,
                group,
            )
        traces.append(
            ConsumerTrace(
                consumer=consumer.name,
                source=consumer.source,
                matched=matched,
                reason=reason,
                field=failed_field,
                queue=consumer.queue_name if matched or reached else None,
                pipe=pipe if matched or reached else None,
                attempts=attempts,
                ending=_ending(
                    matched,
                    attempts,
                    letters[consumer.name],
                    max_receive,
                    dlq_scan > 0,
                    filtered_by,
                ),
            )
        )
    if not rows:
        notes.append(
            "no runtime line names this id between "
            f"{since:%Y-%m-%d %H:%M} and {until:%Y-%m-%d %H:%M} UTC (widen --since; "
            "a function's lines reach CloudWatch Logs when its invocation ends)"
        )
    state, summary = _overall(traces)
    return Trace(
        event_id, outputs.stack, since, until, state, summary,
        dict(event) if event is not None else None, event_from, traces, run, notes,
    )  # fmt: skip


def _overall(traces: Sequence[ConsumerTrace]) -> tuple[str, str]:
    touched = [t for t in traces if t.attempts or t.ending.state in ("dead-lettered", "archived")]
    if not touched:
        return "not-found", "no consumer's log, DLQ or archive names this event"
    failed = [t.consumer for t in traces if t.ending.state in ("dead-lettered", "archived")]
    flying = [t.consumer for t in traces if t.ending.state == "in-flight"]
    done = [t.consumer for t in traces if t.ending.state == "processed"]
    parts = []
    if done:
        parts.append(f"processed by {', '.join(done)}")
    if failed:
        parts.append(f"dead-lettered in {', '.join(failed)}")
    if flying:
        parts.append(f"in flight in {', '.join(flying)}")
    state = "failed" if failed else "in-flight" if flying else "processed"
    return state, "; ".join(parts)


def recent_events(
    clients: ClientFactory,
    outputs: StackOutputs[str],
    *,
    last: int = 10,
    consumers: Sequence[str] = (),
    failed: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> RecentEvents:
    """The ``last`` newest events (one row per event and consumer, its latest outcome)."""
    until = until or datetime.now(UTC)
    since = since or until - RECENT_WINDOW
    chosen = outputs.select(list(consumers))
    groups = {c.log_group: c.name for c in chosen if c.log_group}
    outcomes = (
        OUTCOME_FAILED if failed else ("processed", "duplicate", "retry", "dead-lettered", "held")
    )
    rows, run = insights.run(
        clients("logs"), list(groups), insights.recent_query(outcomes), since, until
    )
    latest: dict[tuple[str, str], RecentEvent] = {}
    for row in sorted(rows, key=lambda r: r.time, reverse=True):
        name = groups.get(row.group)
        key = row.text("event_id") or row.text("message_id")
        if (
            name is None
            or key is None
            or (key, name) in latest
            or row.text("outcome") not in outcomes
        ):
            continue
        latest[(key, name)] = RecentEvent(
            row.text("event_id"), row.text("message_id"), name, row.time,
            row.text("outcome") or "", row.text("error_type"), row.text("error"),
        )  # fmt: skip
    return RecentEvents(list(latest.values())[:last], run)


def follow_trace(
    clients: ClientFactory,
    outputs: StackOutputs[str],
    event_id: str,
    *,
    since: datetime | None = None,
    event: Mapping[str, Any] | None = None,
    dlq_scan: int = 100,
    interval: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Trace]:
    """A trace now, then each time it changes, until nothing is in flight."""
    shown: str | None = None
    while True:
        trace = trace_event(clients, outputs, event_id, since=since, event=event, dlq_scan=dlq_scan)
        view = json.dumps([c.to_dict() for c in trace.consumers], sort_keys=True)
        if view != shown:
            shown = view
            yield trace
        if trace.settled and trace.state != "not-found":
            return
        sleep(interval)
