"""``eventpipe pause`` / ``resume``: a consumer's event source mapping, off and on.

A disabled mapping stops Lambda polling the queue: messages wait there (their retention
still runs) and none is received, so none counts a receive towards ``maxReceiveCount``
and nothing is dead-lettered while a downstream is down. ``UpdateEventSourceMapping``
with ``Enabled=False``/``True``
(https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html)
answers at once with the mapping's ``State``, which passes through ``Disabling`` /
``Enabling`` before ``Disabled`` / ``Enabled``; the states are ``Creating``, ``Enabling``,
``Enabled``, ``Disabling``, ``Disabled``, ``Updating`` and ``Deleting``
(https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html).
Batches already received when the mapping is disabled still run to their end.

The mapping's UUID comes from the stack output (``eventSourceMappingUuid``); outputs of
older deploys lack it, so the mapping is then found with ``ListEventSourceMappings`` by
function and queue ARN. The local engine's pollers read the same state from the
emulator's Lambda backend, so pausing works there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventpipe.operate.aws import error_code
from eventpipe.operate.exceptions import OperateError
from eventpipe.stack_output import ConsumerOutputs

PAUSED_STATES = frozenset({"Disabled", "Disabling"})
RUNNING_STATES = frozenset({"Enabled", "Enabling"})


class NoMappingError(OperateError):
    """Raised when a consumer's event source mapping cannot be found."""


@dataclass(frozen=True)
class MappingState:
    """A consumer's event source mapping, as Lambda reports it."""

    consumer: str
    uuid: str
    state: str
    reason: str | None = None
    """``StateTransitionReason`` ("USER_INITIATED", ...), when Lambda gives one."""

    @property
    def paused(self) -> bool:
        return self.state in PAUSED_STATES

    def to_dict(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "uuid": self.uuid,
            "state": self.state,
            "paused": self.paused,
            "stateTransitionReason": self.reason,
        }


def mapping_uuid(lambda_client: Any, consumer: ConsumerOutputs) -> str:
    """The UUID of the mapping from the consumer's queue to its function."""
    if consumer.event_source_mapping_uuid:
        return consumer.event_source_mapping_uuid
    if not consumer.function_name:
        raise NoMappingError(
            f"the stack output names no function for {consumer.name!r}, so its event source "
            "mapping cannot be found: deploy again with this eventpipe version (`pulumi up`)"
        )
    paginator = lambda_client.get_paginator("list_event_source_mappings")
    pages = paginator.paginate(
        FunctionName=consumer.function_name, EventSourceArn=consumer.queue_arn
    )
    for page in pages:
        for mapping in page.get("EventSourceMappings", []):
            if mapping.get("EventSourceArn") == consumer.queue_arn:
                return str(mapping["UUID"])
    raise NoMappingError(
        f"no event source mapping from {consumer.queue_name} to {consumer.function_name}: "
        "the stack declares one; run `pulumi up` to create it again"
    )


def _state(consumer: ConsumerOutputs, mapping: dict[str, Any]) -> MappingState:
    return MappingState(
        consumer=consumer.name,
        uuid=str(mapping["UUID"]),
        state=str(mapping.get("State", "Unknown")),
        reason=mapping.get("StateTransitionReason"),
    )


def set_enabled(lambda_client: Any, consumer: ConsumerOutputs, enabled: bool) -> MappingState:
    """Enable or disable the consumer's mapping; returns the state Lambda answers."""
    uuid = mapping_uuid(lambda_client, consumer)
    return _state(consumer, lambda_client.update_event_source_mapping(UUID=uuid, Enabled=enabled))


def current(lambda_client: Any, consumer: ConsumerOutputs) -> MappingState:
    """The mapping's state now."""
    uuid = mapping_uuid(lambda_client, consumer)
    return _state(consumer, lambda_client.get_event_source_mapping(UUID=uuid))


def state_or_none(lambda_client: Any, consumer: ConsumerOutputs) -> MappingState | None:
    """:func:`current`, or None when the mapping cannot be read (no function in the
    output, no mapping, an endpoint without Lambda): ``status`` then shows ``n/a``
    rather than failing. Access errors still raise: they need the operator."""
    from botocore.exceptions import ClientError

    try:
        return current(lambda_client, consumer)
    except NoMappingError:
        return None
    except ClientError as exc:
        if error_code(exc) in ("AccessDeniedException", "AccessDenied"):
            raise
        return None
