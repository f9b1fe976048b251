"""The live feed: numbered entries, the event id read from the tracker's key, a bound."""

from __future__ import annotations

from eventpipe.local.watch.tracker import LogEntry
from eventpipe.webconsole import Feed


def entry(n: int, key: str) -> LogEntry:
    return LogEntry("orders", f"label {n}", "ok", 1, "", key)


def test_entries_are_numbered_and_named_by_event() -> None:
    feed = Feed()
    feed.add(entry(1, "event:e-1"))
    feed.add(entry(2, "body:0123abcd"))  # a direct-queue message: no event id
    feed.add(entry(3, "event:e-1"))
    assert [e.seq for e in feed.since(0)] == [1, 2, 3]
    assert [e.label for e in feed.since(2)] == ["label 3"]
    assert [e.event_id for e in feed.since(0)] == ["e-1", None, "e-1"]
    assert [e.seq for e in feed.of_event("e-1")] == [1, 3]
    assert feed.since(0)[0].to_dict()["eventId"] == "e-1"


def test_the_oldest_entries_leave_a_full_feed() -> None:
    feed = Feed(capacity=3)
    for n in range(5):
        feed.add(entry(n, f"event:e-{n}"))
    assert [e.seq for e in feed.since(0)] == [3, 4, 5]
    assert feed.of_event("e-0") == []
