"""The ``retired`` entries of the stack output: queues of a consumer that left the stack.

A consumer that is disabled, uninstalled or renamed keeps its queues and DLQs (Pulumi never
deletes them: ``components/retention.py``); the program lists them here so the operator
commands reach them (``eventpipe.stack_output.StackOutputs.queues_of``). Pulumi-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from eventpipe.output_json import mapping as _mapping
from eventpipe.output_json import read_fields as _read
from eventpipe.output_json import to_json as _to_json

V = TypeVar("V")


@dataclass(frozen=True)
class RetiredOutputs(Generic[V]):
    """Queues of a consumer that left the stack (``retired.NAME``). Written by
    ``components.retired.RetiredConsumer``; read by ``status``, ``dlq`` and
    ``retired discard``."""

    name: str
    """The consumer's name: the key of the entry, not a field of it."""
    consumer: str
    reason: str
    """Why it is retired (disabled, or listed in ``eventpipe:retired``)."""
    fifo: bool = False
    plugin: str | None = None
    queue_url: V | None = None
    queue_arn: V | None = None
    dlq_url: V | None = None
    dlq_arn: V | None = None
    intake_queue_url: V | None = None
    intake_queue_arn: V | None = None
    intake_dlq_url: V | None = None
    intake_dlq_arn: V | None = None

    def to_json(self) -> dict[str, Any]:
        return _to_json(self, leave_out=("name",))

    @classmethod
    def from_json(cls, name: str, data: Any, *, origin: str) -> RetiredOutputs[str]:
        data = _mapping(data, f"retired.{name}", origin)
        return RetiredOutputs(
            name=name, **_read(cls, data, where=f"retired.{name}.", origin=origin, taken=("name",))
        )

    @property
    def urls(self) -> dict[str, V]:
        """Every queue it holds, by role (``queue``, ``dlq``, ``intake``, ``intake-dlq``)."""
        pairs = {
            "queue": self.queue_url,
            "dlq": self.dlq_url,
            "intake": self.intake_queue_url,
            "intake-dlq": self.intake_dlq_url,
        }
        return {role: url for role, url in pairs.items() if url}
