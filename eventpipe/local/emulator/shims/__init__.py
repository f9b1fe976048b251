"""Small fixes to the embedded moto server where it differs from AWS on our path.

Each shim applies to the embedded server's requests only (:mod:`.scope`): ``mock_aws``,
or another moto server, in the same process sees moto as released. Installing them is
idempotent; each is listed in docs/local.md. One module per shim, each docstring stating
the AWS behaviour it reproduces and citing AWS:

* :mod:`~eventpipe.local.emulator.shims.events`: the whole event, ``account`` included,
  delivered to a target without an input transformer (as AWS does). A rule target's
  MessageGroupId stays literal, as on AWS (JSON-path groups go through a Pipe).
* :mod:`~eventpipe.local.emulator.shims.replay`: a replay reaches only the rules in its
  ``Destination.FilterArns``, as on AWS.
* :mod:`~eventpipe.local.emulator.shims.event_patterns`: rules and archives match events
  with eventpipe's own matcher, which follows EventBridge (moto misses fields inside
  arrays of objects and ``exists`` on empty arrays).
* :mod:`~eventpipe.local.emulator.shims.fifo`: FIFO groups after a retry resume with their
  oldest message, a receive fills up from one group first, and sequence numbers grow
  within a group, as on AWS.
* :mod:`~eventpipe.local.emulator.shims.queue_cost`: moto's SQS cost per message stays flat as a
  queue grows, as on AWS.
* :mod:`~eventpipe.local.emulator.shims.move_tasks`: DLQ redrive (SQS message move tasks) on the
  embedded server.
* :mod:`~eventpipe.local.emulator.shims.bucket_policy`: a bucket policy statement applies
  only when its conditions hold, and requests count as TLS (``aws:SecureTransport``).
* :mod:`~eventpipe.local.emulator.shims.lambda_targets`: a rule whose target is a Lambda
  function invokes it (asynchronously, in the local function pool), as on AWS.
* :mod:`~eventpipe.local.emulator.shims.logs_insights`: StartQuery answers the Logs
  Insights subset ``eventpipe trace`` uses (filters, JSON fields), as AWS documents it.
* :mod:`~eventpipe.local.emulator.shims.composite_alarms`: ``PutCompositeAlarm`` creates a
  composite alarm, as on AWS (moto stores and describes them but routes no such action).

:func:`apply_moto_shims` installs them all (the embedded server does, when it starts).
"""

from __future__ import annotations

from eventpipe.local.emulator.shims.bucket_policy import bucket_policy_conditions
from eventpipe.local.emulator.shims.composite_alarms import composite_alarm_api
from eventpipe.local.emulator.shims.event_patterns import rule_matching
from eventpipe.local.emulator.shims.events import whole_event
from eventpipe.local.emulator.shims.fifo import (
    fifo_group_batches,
    fifo_release,
    fifo_sequence_numbers,
)
from eventpipe.local.emulator.shims.lambda_targets import lambda_delivery
from eventpipe.local.emulator.shims.logs_insights import logs_insights_queries
from eventpipe.local.emulator.shims.move_tasks import (
    MOVE_HIDE_SECONDS,
    MOVE_TASK_HISTORY,
    NOT_A_DLQ_ERROR,
    RUNNING_ERROR,
    MoveTask,
    cancel_move_task,
    list_move_tasks,
    message_origin,
    move_task_api,
    start_move_task,
)
from eventpipe.local.emulator.shims.queue_cost import flat_queue_cost
from eventpipe.local.emulator.shims.replay import replay_filter, rules_to_replay

_APPLIED = False


def apply_moto_shims() -> None:
    """Install every shim for the embedded server's requests (once per process)."""
    global _APPLIED
    if _APPLIED:
        return
    whole_event()
    replay_filter()
    rule_matching()
    flat_queue_cost()
    fifo_release()
    fifo_sequence_numbers()
    fifo_group_batches()
    message_origin()
    move_task_api()
    lambda_delivery()
    bucket_policy_conditions()
    logs_insights_queries()
    composite_alarm_api()
    _APPLIED = True


__all__ = [
    "MOVE_HIDE_SECONDS",
    "MOVE_TASK_HISTORY",
    "NOT_A_DLQ_ERROR",
    "RUNNING_ERROR",
    "MoveTask",
    "apply_moto_shims",
    "cancel_move_task",
    "list_move_tasks",
    "replay_filter",
    "rules_to_replay",
    "start_move_task",
]
