"""EventBridge Scheduler reading its own schedules in the embedded emulator: in process.

Scheduler fires a schedule itself when it is due ("Schedule types in EventBridge
Scheduler", https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
finding the due ones is not a call a user makes to the public endpoint. What a user
observes is the invocations and, for a one-time schedule with ``ActionAfterCompletion``
``DELETE``, that it is gone. So the engine's schedule runner
(:mod:`eventpipe.local.schedules.runner`), which reads the schedules four times a second,
calls the embedded moto server's Scheduler backend directly, with what moto's HTTP layer
answers for the same request, instead of a round trip through botocore, werkzeug and
Flask for every read. Every call runs as a request of the embedded server
(:func:`~.in_process.as_request`: the shims' mark, moto's errors as the
:class:`botocore.exceptions.ClientError` a client gets). Against any other endpoint
:meth:`.server.Emulator.internal` gives the ordinary HTTP client. Tests hold each call against
its HTTP twin (``tests/local/emulator/test_internal_scheduler.py``).

moto methods relied on (moto pinned in ``constraints.txt``):
``moto.scheduler.models.scheduler_backends[account][region]`` with
``list_schedules(group_names, state, name_prefix, max_results=, next_token=)`` (paginated:
returns the page and the next token), ``get_schedule(group_name, name)`` and
``delete_schedule(group_name, name)``; a schedule's ``to_dict(short=)``, whose
``CreationDate`` and ``LastModificationDate`` are Unix times (botocore parses them into
datetimes; so does this). The account is the one moto gives the engine's fake
credentials (``moto.core.DEFAULT_ACCOUNT_ID``), as over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from eventpipe.local.emulator.in_process import call_as_request

_T = TypeVar("_T")
_TIMES = ("CreationDate", "LastModificationDate")
SUMMARY = ("Arn", "Name", "GroupName", "State", "CreationDate", "LastModificationDate", "Target")
"""The members of a ListSchedules entry (``ScheduleSummary`` in the service's model): what a
client keeps of moto's answer."""


class InternalScheduler:
    """The embedded emulator's Scheduler for the engine's schedule runner."""

    def __init__(self, region: str):
        self.region = region

    def _run(self, operation: str, work: Callable[[Any], _T]) -> _T:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.scheduler.models import scheduler_backends

        # Looked up on every call: a reset of the emulator replaces the backend.
        return call_as_request(
            operation, lambda: work(scheduler_backends[str(DEFAULT_ACCOUNT_ID)][self.region])
        )

    def list_schedules(self, *, NextToken: str | None = None) -> dict[str, Any]:
        """ListSchedules: every group, every state, one page."""

        def work(backend: Any) -> dict[str, Any]:
            schedules, token = backend.list_schedules(None, None, None, next_token=NextToken)
            page: dict[str, Any] = {
                "Schedules": [_dated(s.to_dict(short=True), SUMMARY) for s in schedules]
            }
            if token:
                page["NextToken"] = token
            return page

        return self._run("ListSchedules", work)

    def get_schedule(self, *, Name: str, GroupName: str | None = None) -> dict[str, Any]:
        """GetSchedule (ResourceNotFoundException when it is gone)."""
        return self._run(
            "GetSchedule", lambda backend: _dated(backend.get_schedule(GroupName, Name).to_dict())
        )

    def delete_schedule(self, *, Name: str, GroupName: str | None = None) -> dict[str, Any]:
        """DeleteSchedule (ResourceNotFoundException when it is gone)."""

        def work(backend: Any) -> dict[str, Any]:
            backend.delete_schedule(GroupName, Name)
            return {}

        return self._run("DeleteSchedule", work)


def _dated(schedule: dict[str, Any], members: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The schedule as a client reads it: only ``members`` (all when None), none that
    the answer leaves out (None), its times as the datetimes botocore gives."""
    dated = {
        key: value
        for key, value in schedule.items()
        if value is not None and (members is None or key in members)
    }
    for key in _TIMES:
        if isinstance(dated.get(key), (int, float)):
            dated[key] = datetime.fromtimestamp(dated[key], UTC)
    return dated
