"""What a cost estimate cannot know from the stack: event size, handler time, volume...

Each field is an ``eventpipe cost`` option; :meth:`Assumptions.check` names the option of
every value out of range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from eventpipe.cost.exceptions import AssumptionError

CHUNK_KB = 64
"""EventBridge, SQS, Pipes and SNS bill each 64 KB of payload as one request/event."""
ARCHIVER_RUNS_PER_DAY = 24
"""components/dead_letter_archive.py ``SCHEDULE`` (``rate(1 hour)`` on EventBridge
Scheduler; a test keeps the two equal)."""


@dataclass(frozen=True)
class Assumptions:
    """What the estimate cannot know from the stack; each is a ``eventpipe cost`` option."""

    event_kb: float = 1.0
    """Payload size of one event (KB); sets the 64 KB chunk count."""
    duration_ms: float = 50.0
    """Handler time per record (ms); an invocation runs batch x this."""
    failure_rate: float = 0.01
    """Fraction of events that end in the DLQ (one more SendMessage each)."""
    idle_pollers: int = 5
    """Long polls kept on an idle queue by its event source mapping (or pipe)."""
    poll_seconds: int = 20
    """Wait time of each long poll (SQS's maximum is 20 s)."""
    log_kb: float = 2.0
    """CloudWatch Logs ingested per invocation (START/END/REPORT and the runtime's EMF
    metrics document)."""
    events_per_month: int | None = None
    """Events each consumer receives in a month: gives monthly totals."""
    archiver_runs_per_day: int = ARCHIVER_RUNS_PER_DAY
    """Runs a day of the dead-letter archiver (with ``deadLetterArchive``)."""

    def check(self) -> None:
        problems = []
        if not 0 < self.event_kb <= 1024:
            problems.append(f"event size {self.event_kb} KB: give 0 < --event-kb <= 1024")
        if not 0 <= self.duration_ms <= 900_000:
            problems.append(f"duration {self.duration_ms} ms: give 0 <= --duration-ms <= 900000")
        if not 0 <= self.failure_rate <= 1:
            problems.append(f"failure rate {self.failure_rate}: give 0 <= --failure-rate <= 1")
        if self.idle_pollers < 0:
            problems.append(f"idle pollers {self.idle_pollers}: give --idle-pollers >= 0")
        if not 1 <= self.poll_seconds <= 20:
            problems.append(
                f"poll wait {self.poll_seconds} s: SQS long polls wait 1 to 20 s (--poll-seconds)"
            )
        if self.log_kb < 0:
            problems.append(f"log size {self.log_kb} KB: give --log-kb >= 0")
        if self.archiver_runs_per_day < 1:
            problems.append(f"{self.archiver_runs_per_day} archiver runs a day: give at least 1")
        if self.events_per_month is not None and self.events_per_month < 0:
            problems.append(f"{self.events_per_month} events a month: give a count >= 0")
        if problems:
            raise AssumptionError("; ".join(problems))

    @property
    def chunks(self) -> int:
        return math.ceil(self.event_kb / CHUNK_KB)
