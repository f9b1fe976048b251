"""Names shared by the stack functions and the components that declare them.

The function environment (fixed-size settings) and the events their schedules send are
the channels between ``pulumi up`` and these handlers, as ``eventpipe.contract`` is for
the consumer runtime; kept here, beside the handlers, because nothing else reads them.
"""

from __future__ import annotations

ENV_BREAKER_SCHEDULE_GROUP = "EVENTPIPE_BREAKER_SCHEDULE_GROUP"
"""EventBridge Scheduler group holding the breaker's one-time half-open schedules."""
ENV_BREAKER_SCHEDULER_ROLE = "EVENTPIPE_BREAKER_SCHEDULER_ROLE"
"""ARN of the role EventBridge Scheduler assumes to invoke the breaker function."""
ENV_ARCHIVE_BUCKET = "EVENTPIPE_ARCHIVE_BUCKET"
"""The dead-letter archive bucket."""
ENV_ARCHIVE_AFTER_DAYS = "EVENTPIPE_ARCHIVE_AFTER_DAYS"
"""Age in days (as SQS counts it for expiry) at which a dead letter is archived."""
ARCHIVE_RUN_QUEUES = "queues"
"""Key of the archiver's event (its schedule's input): consumer name (or ``_delivery`` for
the bus's delivery DLQ) -> DLQ name, the DLQs this run archives. In the event, not the
environment: Lambda allows 4 KB of environment variables, and each schedule names at most
a page of DLQs (``components.dead_letter_archive.DLQS_PER_SCHEDULE``)."""
ENV_ARCHIVE_TOPIC = "EVENTPIPE_ARCHIVE_TOPIC"
"""The stack's alarm topic, where the archiver posts its notice."""
ARCHIVE_DELIVERY_KEY = "_delivery"
"""Archive key prefix of the bus's delivery DLQ (no consumer name starts with ``_``)."""
ARCHIVED_METRIC = "DeadLettersArchived"
"""Metric (namespace ``eventpipe.contract.METRICS_NAMESPACE``, dimension ``service`` =
consumer) counting dead letters moved to the archive."""
BREAKER_HANDLER = "eventpipe.stack_functions.breaker.handler"
ARCHIVER_HANDLER = "eventpipe.stack_functions.archiver.handler"
