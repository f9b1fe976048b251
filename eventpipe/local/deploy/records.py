"""What a local deploy produced: the records the pollers, the CLI and the tests read."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from eventpipe.stack_output import StackOutputs


@dataclass
class QueueInfo:
    """An SQS queue as materialized (the pollers need its redrive settings)."""

    name: str
    url: str
    arn: str
    fifo: bool
    visibility_timeout: int
    """The queue's visibility timeout in the emulator (after the time scale)."""
    declared_visibility_timeout: int
    max_receive_count: int | None = None
    dlq_arn: str | None = None


@dataclass
class FunctionSpec:
    """A Lambda function the local invoker runs: enough to build its environment."""

    name: str
    arn: str
    handler: str
    """Lambda handler string, ``module.function`` (the generic eventpipe entry point)."""
    environment: dict[str, str]
    timeout: int
    memory: int
    runtime: str | None = None


@dataclass
class MappingSpec:
    """An SQS event source mapping the pollers emulate."""

    uuid: str
    queue_arn: str
    function_name: str
    batch_size: int = 10
    batching_window: float = 0.0
    max_concurrency: int | None = None
    enabled: bool = True
    report_batch_item_failures: bool = False


@dataclass
class PipeSpec:
    """An EventBridge Pipe from an SQS queue to an SQS queue, as the local runner needs it.

    Read from the ``aws:pipes/pipe:Pipe`` inputs (pulumi_aws names, camelCase)."""

    name: str
    arn: str
    source_arn: str
    target_arn: str
    batch_size: int = 10
    """sourceParameters.sqsQueueParameters.batchSize (Pipes' default: 10)."""
    batching_window: float = 0.0
    """sourceParameters.sqsQueueParameters.maximumBatchingWindowInSeconds."""
    input_template: str | None = None
    """targetParameters.inputTemplate (None: the source record, JSON-encoded)."""
    message_group_id: str | None = None
    """targetParameters.sqsQueueParameters.messageGroupId: a literal or a JSON path."""
    message_deduplication_id: str | None = None
    """targetParameters.sqsQueueParameters.messageDeduplicationId."""
    log_group: str | None = None
    """The CloudWatch Logs group of logConfiguration.cloudwatchLogsLogDestination."""
    log_level: str = "OFF"
    """logConfiguration.level: OFF, ERROR, INFO or TRACE."""
    include_execution_data: bool = False
    """logConfiguration.includeExecutionDatas contains ``ALL``."""
    running: bool = True
    """desiredState is RUNNING (the default) rather than STOPPED."""


@dataclass
class Created:
    """One resource the program declared and what the engine did with it."""

    type: str
    name: str
    id: str
    status: str
    """``created`` (in the emulator), ``registered`` (local invoker), ``skipped``."""


@dataclass
class DeployState:
    """Everything materialized by one run of the program, filled in by the mocks."""

    region: str
    account: str
    time_scale: float
    resources: list[Created] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    queues: dict[str, QueueInfo] = field(default_factory=dict)
    """By queue ARN."""
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    """By function name."""
    mappings: list[MappingSpec] = field(default_factory=list)
    pipes: list[PipeSpec] = field(default_factory=list)

    def queue_by_url(self, url: str) -> QueueInfo | None:
        return next((q for q in self.queues.values() if q.url == url), None)


@dataclass
class Deployment:
    """The result of a local deploy: the resources, notices and the program's exports."""

    state: DeployState
    outputs: dict[str, Any]
    """Every export of the program, resolved (``{"busName": ..., "eventpipe": {...}}``)."""
    endpoint_url: str

    @cached_property
    def stack_outputs(self) -> StackOutputs[str]:
        """The structured ``eventpipe`` stack output, read through its contract
        (:mod:`eventpipe.stack_output`); a program without one raises
        :class:`~eventpipe.stack_output.StackOutputError`."""
        return StackOutputs.from_json(self.outputs, origin="the locally deployed program")
