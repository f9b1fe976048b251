"""Replays reach only the rules the replay names (``Destination.FilterArns``), as on AWS.

moto's ``Replay.replay_events`` sends every archived event to every rule of the bus and
ignores ``Destination.FilterArns``; EventBridge sends them only to the listed rules:
``FilterArns`` is "A list of ARNs for rules to replay events to" (EventBridge API
reference, ``ReplayDestination``:
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ReplayDestination.html;
``StartReplay``: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_StartReplay.html).
Without ``FilterArns`` (or with an empty list) every rule of the bus gets the events, as
before. ``eventpipe replay --consumer X`` always passes the chosen consumers' rule ARNs, so
locally, as on AWS, only those consumers receive the replay.

Everything else stays moto's: each replayed event gets a new ``id`` (one per event, not
one per rule as moto draws it) and a ``replay-name`` field, targets get it without their
input transformer, every archived event is replayed whatever the time window, and the
replay completes before StartReplay returns (docs/local.md lists these differences).
"""

from __future__ import annotations

from typing import Any

from eventpipe.local.emulator.shims.scope import install


def rules_to_replay(destination: dict[str, Any], rules: list[Any]) -> list[Any]:
    """The rules of the destination bus that a replay with ``destination`` reaches."""
    wanted = set(destination.get("FilterArns") or [])
    if not wanted:
        return list(rules)
    return [rule for rule in rules if rule.arn in wanted]


def replay_filter() -> None:
    """Make the embedded server's replays honour ``Destination.FilterArns``."""
    from moto.events import models as events_models
    from moto.moto_api._internal import mock_random

    def replay_events(self: Any, archive: Any) -> None:
        bus_name = self.destination["Arn"].split("/")[-1]
        backend = events_models.events_backends[self.account_id][self.region]
        bus = backend.describe_event_bus(bus_name)
        rules = rules_to_replay(self.destination, list(bus.rules.values()))
        for event in archive.events:
            # One replayed event, one new id, whichever rules it reaches (moto draws a new
            # id per rule).
            replayed = dict(event, **{"id": str(mock_random.uuid4()), "replay-name": self.name})
            for rule in rules:
                rule.send_to_targets(dict(replayed), transform_input=False)
        self.state = events_models.ReplayState.COMPLETED
        self.end_time = events_models.unix_time()

    install(events_models.Replay, "replay_events", replay_events)
