"""Pure pieces of local mode: message identity, outcome accounting, sample
checks. No emulator needed."""

from __future__ import annotations

import json
import threading

import eventpipe
from eventpipe.local.watch.demo_checks import Published, Sample, check
from eventpipe.local.watch.tracker import Delivery, Tracker, message_key

ENVELOPE = json.dumps({"id": "e-1", "detail-type": "Order Created", "source": "s", "detail": {}})


def test_an_event_is_known_by_its_id_wherever_its_copy_is() -> None:
    copy = json.dumps({**json.loads(ENVELOPE), "detail": {"changed": True}})
    assert message_key(ENVELOPE) == message_key(copy) == "event:e-1"
    assert message_key("plain body") == message_key("plain body") != message_key("other")


def test_outcomes_are_exclusive_and_add_up() -> None:
    tracker = Tracker()
    ok, flaky, poison, waiting = (Delivery(k, k, 1) for k in ("ok", "flaky", "poison", "waiting"))
    tracker.batch("c", [ok, flaky, poison, waiting], {"flaky", "waiting"}, None, 3)
    tracker.batch("c", [Delivery("flaky", "flaky", 2)], set(), None, 3)
    tracker.dead_lettered("c", "poison", "poison", "sent by the runtime")
    assert not tracker.dead_lettered("c", "poison", "poison", "again")  # reported once
    counts = tracker.summary()["c"]
    assert (
        counts.received,
        counts.succeeded,
        counts.retried,
        counts.dead_lettered,
        counts.pending,
    ) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert tracker.outcome("c", "flaky") == "retried"
    assert tracker.outcome("c", "nothing") is None
    assert tracker.consumers_of("ok") == {"c"}


def test_the_log_says_when_the_last_attempt_failed() -> None:
    lines = []
    tracker = Tracker(on_log=lines.append)
    tracker.batch("c", [Delivery("k", "label", 3)], {"k"}, "boom", 3)
    assert lines[0].outcome == "retry"
    assert "maxReceiveCount reached" in lines[0].detail
    assert lines[0].key == "k"


def _published(expect: dict[str, str], key: str) -> Published:
    sample = eventpipe.SampleEvent(source="s", detail_type="d", detail={}, expect=expect)
    return Published(Sample("plugin", sample), key)


def test_sample_check_reports_each_mismatch_and_skips_undeployed_consumers() -> None:
    tracker = Tracker()
    tracker.batch("std", [Delivery("a", "a", 1)], {"a"}, None, 5)
    tracker.batch("std", [Delivery("a", "a", 2)], set(), None, 5)
    tracker.batch("fifo", [Delivery("a", "a", 1)], {"a"}, None, 5)
    tracker.batch("fifo", [Delivery("a", "a", 2)], set(), None, 5)
    published = [
        _published({"std": "succeeded", "fifo": "succeeded", "gone": "succeeded"}, "a"),
        _published({"std": "dead-lettered"}, "never-sent"),
    ]
    mismatches, notes = check(published, tracker, {"std", "fifo"}, fifo={"fifo"})
    assert [(m.consumer, m.expected, m.actual) for m in mismatches] == [
        ("std", "succeeded", "retried"),  # a standard queue has no excuse for a retry
        ("std", "dead-lettered", "not received"),
    ]
    assert notes == ["'gone' is not deployed in this stack; its expectation is skipped"]


def test_a_record_the_runtime_dead_lettered_is_logged_once_as_dead_lettered() -> None:
    lines: list = []
    tracker = Tracker(on_log=lines.append)
    tracker.begin("c", ["k", "fine"])
    # While the batch is in flight the DLQ watcher leaves the record to the poller.
    assert not tracker.dead_lettered("c", "k", "label", "sent by the runtime: X", "copy-1")
    tracker.batch(
        "c",
        [Delivery("k", "label", 1), Delivery("fine", "fine", 1)],
        set(),
        None,
        3,
        dead_letters={"k": ("copy-1", "sent by the runtime: PermanentError: bad")},
        log="/aws/lambda/fn 2026/12/02/[$LATEST]ab",
    )
    assert [(e.key, e.outcome) for e in lines] == [("k", "dead-letter"), ("fine", "ok")]
    assert "PermanentError: bad" in lines[0].detail
    assert lines[0].log == "/aws/lambda/fn 2026/12/02/[$LATEST]ab"
    # The watcher sees the same copy later: not logged again.
    assert not tracker.dead_lettered("c", "k", "label", "sent by the runtime: X", "copy-1")
    assert tracker.outcome("c", "k") == "dead-lettered"
    assert len(lines) == 2


def test_a_redriven_record_that_fails_again_is_dead_lettered_again() -> None:
    lines: list = []
    tracker = Tracker(on_log=lines.append)
    assert tracker.dead_lettered("c", "k", "label", "moved by SQS", "copy-1")
    tracker.begin("c", ["k"])
    tracker.batch(
        "c",
        [Delivery("k", "label", 1)],
        set(),
        None,
        3,
        dead_letters={"k": ("copy-2", "sent by the runtime: PermanentError: still bad")},
    )
    assert [e.outcome for e in lines] == ["dead-letter", "dead-letter"]
    assert "still bad" in lines[-1].detail
    assert tracker.records[("c", "k")].redriven == 1
    # Redriven again, it now succeeds: ok, and the outcome is no longer dead-lettered.
    tracker.begin("c", ["k"])
    tracker.batch("c", [Delivery("k", "label", 1)], set(), None, 3)
    assert lines[-1].outcome == "ok"
    assert tracker.outcome("c", "k") == "retried"


def test_a_retry_shows_the_reason_the_function_logged() -> None:
    lines: list = []
    tracker = Tracker(on_log=lines.append)
    tracker.batch("c", [Delivery("k", "label", 1, reason="ValueError: no")], {"k"}, None, 3)
    assert lines[0].outcome == "retry" and lines[0].detail == "ValueError: no"


def test_an_abandoned_batch_leaves_its_records_to_the_watcher_again() -> None:
    tracker = Tracker()
    tracker.begin("c", ["k"])
    assert not tracker.dead_lettered("c", "k", "label", "moved by SQS", "copy-1")
    tracker.abandon("c", ["k"])
    assert tracker.dead_lettered("c", "k", "label", "moved by SQS", "copy-1")


def test_a_later_delivery_that_finishes_first_is_recorded_after_the_earlier_one() -> None:
    """The first delivery failed and its record came straight back; the second delivery
    (another worker) finished before the first batch recorded: the book still reads
    retry, then ok."""
    lines: list = []
    tracker = Tracker(on_log=lines.append)
    first = tracker.begin("c", ["k"])
    second = tracker.begin("c", ["k"])
    later = threading.Thread(
        target=tracker.batch,
        args=("c", [Delivery("k", "label", 2)], set(), None, 3),
        kwargs={"turn": second},
    )
    later.start()
    # The later batch waits for the earlier one's turn: nothing is recorded yet.
    assert not tracker.wait_for(lambda: bool(lines), 0.2)
    tracker.batch("c", [Delivery("k", "label", 1)], {"k"}, "ValueError: x", 3, turn=first)
    later.join(30)
    assert not later.is_alive()
    assert [(e.outcome, e.attempt) for e in lines] == [("retry", 1), ("ok", 2)]
    assert tracker.outcome("c", "k") == "retried"
