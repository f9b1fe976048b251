"""``eventpipe trace``: follow one event from publish to outcome (docs/operations.md,
"Find an event"). The CLI and the local console call these functions.

* :mod:`.model`: the result types and their JSON;
* :mod:`.insights`: the runtime's outcome lines through CloudWatch Logs Insights;
* :mod:`.endings`: the event in the DLQs and the dead-letter archive;
* :mod:`.build`: :func:`trace_event`, :func:`recent_events`, :func:`follow_trace`.
"""

from __future__ import annotations

from eventpipe.operate.trace.build import ClientFactory, follow_trace, recent_events, trace_event
from eventpipe.operate.trace.model import (
    Attempt,
    ConsumerTrace,
    Ending,
    PipeHop,
    QueryRun,
    RecentEvent,
    RecentEvents,
    Trace,
)

__all__ = [
    "Attempt",
    "ClientFactory",
    "ConsumerTrace",
    "Ending",
    "PipeHop",
    "QueryRun",
    "RecentEvent",
    "RecentEvents",
    "Trace",
    "follow_trace",
    "recent_events",
    "trace_event",
]
