"""An event source mapping's state in the emulator's Lambda backend, which the poller obeys.

On AWS, ``UpdateEventSourceMapping(UUID, Enabled=False)`` makes Lambda stop polling the
queue ("pause invocation and resume later from the same location"); messages wait in the
queue, and ``Enabled=True`` resumes. The mapping's ``State`` is one of ``Creating``,
``Enabling``, ``Enabled``, ``Disabling``, ``Disabled``, ``Updating``, ``Deleting``: after
the call it reads ``Disabling`` (or ``Enabling``) until the pollers have actually stopped
(or started)
(https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html,
https://docs.aws.amazon.com/lambda/latest/api/API_GetEventSourceMapping.html).

The local deploy registers functions with the local invoker, not with moto's Lambda
(which would need Docker to run them), so no mapping exists there. With the embedded
moto, :func:`register` adds one under the deploy's UUID (the ``eventSourceMappingUuid``
the stack output carries), so ``eventpipe pause``/``resume`` and ``status`` use the same
Lambda API calls locally as on AWS. moto itself flips ``State`` straight to
``Disabled``/``Enabled``; the mapping registered here reports ``Disabling``/``Enabling``
until the local poller confirms, as AWS does. It is deliberately *not* attached to the
moto queue (``queue.lambda_event_source_mappings``): moto would then try to invoke the
function itself on every SendMessage.

Against another emulator (``--endpoint-url``) nothing is registered: creating a mapping
there would make that emulator poll and invoke too. There the pollers always run.
"""

from __future__ import annotations

from typing import Any

from eventpipe.local.deploy.records import MappingSpec


class MappingState:
    """What the poller asks before each receive: may I poll?"""

    def __init__(self, record: Any = None, *, enabled: bool = True):
        self._record = record
        self._enabled = enabled

    @property
    def registered(self) -> bool:
        return self._record is not None

    def enabled(self) -> bool:
        """The mapping's ``Enabled`` flag as the Lambda backend holds it now."""
        return self._enabled if self._record is None else bool(self._record.enabled)

    def confirm(self, polling: bool) -> None:
        """The poller's answer: it is polling now, or it has stopped (no batch in flight)."""
        if self._record is not None:
            self._record.polling = polling


def register(account: str, region: str, mapping: MappingSpec, function_arn: str) -> MappingState:
    """Add ``mapping`` to the embedded moto's Lambda backend; return its state handle."""
    from moto.awslambda.models import EventSourceMapping, lambda_backends

    class LocalMapping(EventSourceMapping):  # type: ignore[misc]
        """moto's mapping, with AWS's transitional states while the poller catches up."""

        polling = False

        def get_configuration(self) -> dict[str, Any]:
            configuration: dict[str, Any] = super().get_configuration()
            if self.enabled:
                configuration["State"] = "Enabled" if self.polling else "Enabling"
            else:
                configuration["State"] = "Disabling" if self.polling else "Disabled"
            return configuration

    record = LocalMapping(  # type: ignore[abstract]
        {
            "RegionName": region,
            "AccountId": account,
            "FunctionName": mapping.function_name,
            "FunctionArn": function_arn,
            "EventSourceArn": mapping.queue_arn,
            "BatchSize": mapping.batch_size,
            "Enabled": mapping.enabled,
            "MaximumBatchingWindowInSeconds": mapping.batching_window or None,
            "ScalingConfig": (
                {"MaximumConcurrency": mapping.max_concurrency} if mapping.max_concurrency else None
            ),
            "FunctionResponseTypes": (
                ["ReportBatchItemFailures"] if mapping.report_batch_item_failures else None
            ),
        }
    )
    record.uuid = mapping.uuid
    record.arn = record.arn.rsplit(":", 1)[0] + f":{mapping.uuid}"
    # moto's public CreateEventSourceMapping needs the function in moto's Lambda (the local
    # functions live in the engine's pool) and attaches the mapping to the queue, which
    # makes moto invoke on every send (module docstring): so the record goes straight into
    # the backend's table of mappings, the one place moto's Get/Update/List read it from.
    lambda_backends[account][region]._event_source_mappings[mapping.uuid] = record
    return MappingState(record)
