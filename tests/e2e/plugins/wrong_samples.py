"""Test plugin whose sample expects the wrong outcome: ``eventpipe demo`` must fail.

The handler rejects every event (PermanentError, dead-lettered at once) while the sample
claims it succeeds.
"""

from __future__ import annotations

import eventpipe

CONSUMER = "e2e-reject"


@eventpipe.hookimpl
def eventpipe_consumers() -> list[eventpipe.Consumer]:
    return [
        eventpipe.Consumer(
            name=CONSUMER,
            pattern={"source": ["e2e.samples"]},
            handler="tests.e2e.plugins.fault_handlers:reject",
            timeout=10,
        )
    ]


@eventpipe.hookimpl
def eventpipe_sample_events() -> list[eventpipe.SampleEvent]:
    return [
        eventpipe.SampleEvent(
            description="claims success, but the handler rejects everything",
            source="e2e.samples",
            detail_type="Sample",
            detail={"n": 1},
            expect={CONSUMER: "succeeded"},
        )
    ]
