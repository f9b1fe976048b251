"""Pure pieces of local mode: message identity, outcome accounting, sample
checks. No emulator needed."""

from __future__ import annotations

import json

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
