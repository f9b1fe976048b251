"""Finding a deployed stack's resources: queue URLs, ARNs, alarm names.

Every operator command starts here. The resources are read from the one structured
stack output (:data:`eventpipe.contract.STACK_OUTPUT`), from one of three places:

* ``--outputs FILE``: a saved ``pulumi stack output --json`` (or just its ``eventpipe``
  value), for machines without the Pulumi CLI and for tests;
* ``--local``: the announcement file a running ``eventpipe dev`` writes, which also
  gives the emulator's endpoint;
* otherwise ``pulumi stack output --json --stack S``, when the Pulumi CLI is installed.

Reading outputs rather than rebuilding names from the stack config means a renamed
prefix, an imported bus or a consumer disabled in one stack never sends a command to the
wrong queue.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventpipe.contract import LOCAL_ANNOUNCEMENT, LOCAL_STATE_DIR, STACK_OUTPUT
from eventpipe.operate.exceptions import MissingOutputsError, UnknownConsumerError

LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
"""What the embedded emulator accepts; never real credentials."""


@dataclass(frozen=True)
class ConsumerOutputs:
    """One consumer's deployed resources."""

    name: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    plugin: str | None = None
    fifo: bool = False
    source: str = "rule"
    function_name: str | None = None
    function_arn: str | None = None
    rule_name: str | None = None
    rule_arn: str | None = None
    alarm_names: tuple[str, ...] = ()
    message_group: str | None = None
    """The consumer's ``message_group``: a fixed group id, or a JSON path (Pipes)."""
    intake_queue_url: str | None = None
    """Pipe consumers only (FIFO grouped by a JSON path): the standard queue the rule
    targets, which the pipe reads."""
    intake_queue_arn: str | None = None
    intake_dlq_url: str | None = None
    intake_dlq_arn: str | None = None
    pipe_name: str | None = None
    pipe_arn: str | None = None
    pipe_log_group: str | None = None
    log_group_name: str | None = None
    """The function's CloudWatch log group (``/aws/lambda/<function name>``)."""
    event_source_mapping_uuid: str | None = None
    topic_arn: str | None = None
    subscription_arn: str | None = None
    circuit_breaker: Mapping[str, Any] | None = None

    @property
    def queue_name(self) -> str:
        return self.queue_arn.rsplit(":", 1)[-1]

    @property
    def has_intake(self) -> bool:
        """Whether events reach the queue through an intake queue and a pipe."""
        return bool(self.intake_queue_url and self.intake_dlq_url)

    @property
    def log_group(self) -> str | None:
        """The function's log group: the output's, else Lambda's default name
        (``/aws/lambda/<function name>``,
        https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html)."""
        if self.log_group_name:
            return self.log_group_name
        return f"/aws/lambda/{self.function_name}" if self.function_name else None

    @property
    def dlq_name(self) -> str:
        return self.dlq_arn.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class BusOutputs:
    """The stack's bus and what hangs off it."""

    name: str
    arn: str
    archive_name: str | None = None
    archive_arn: str | None = None
    delivery_dlq_url: str | None = None
    delivery_dlq_arn: str | None = None
    alarm_topic_arn: str | None = None

    @property
    def account(self) -> str:
        """Account id, from the ARN (``arn:aws:events:REGION:ACCOUNT:event-bus/NAME``)."""
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else "000000000000"


@dataclass(frozen=True)
class StackOutputs:
    """The parsed ``eventpipe`` stack output."""

    stack: str
    region: str | None
    bus: BusOutputs
    consumers: dict[str, ConsumerOutputs]
    project: str | None = None
    topics: Mapping[str, str] = field(default_factory=dict)
    """Stack topics (``eventpipe:topics``): name -> ARN."""
    breaker: Mapping[str, Any] | None = None
    """The circuit breaker's function and rule (``functionName``, ``ruleName``)."""
    dead_letter_archive: Mapping[str, Any] | None = None
    """The dead-letter archive (``bucketName``, ``archiverFunctionName``, ...)."""

    def consumer(self, name: str) -> ConsumerOutputs:
        """The named consumer, or an error listing the names that exist."""
        try:
            return self.consumers[name]
        except KeyError:
            raise UnknownConsumerError(name, self.consumers, self.stack) from None

    def select(self, names: list[str] | None) -> list[ConsumerOutputs]:
        """The named consumers (all when ``names`` is empty), in a stable order."""
        if not names:
            return [self.consumers[n] for n in sorted(self.consumers)]
        return [self.consumer(n) for n in names]


@dataclass(frozen=True)
class StackTarget:
    """Where a command acts: the stack's resources plus how to reach them."""

    outputs: StackOutputs
    origin: str
    """Where the outputs came from, for messages (a file, the Pulumi CLI, eventpipe dev)."""
    endpoint_url: str | None = None
    region: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict)
    """Fixed credentials (only for the local emulator); empty = boto3's usual chain."""

    @property
    def local(self) -> bool:
        return bool(self.credentials)


def _require(data: Mapping[str, Any], key: str, where: str, origin: str) -> Any:
    value = data.get(key)
    if value in (None, ""):
        raise MissingOutputsError(
            f"{origin}: the eventpipe output has no {where}{key!r}; it was written by an "
            "incompatible eventpipe version: run `pulumi up` again with this version"
        )
    return value


def parse_outputs(data: Any, *, origin: str, stack: str) -> StackOutputs:
    """Parse either a whole ``pulumi stack output --json`` object (holding the
    ``eventpipe`` key) or the structured value itself."""
    if isinstance(data, Mapping) and STACK_OUTPUT in data and "bus" not in data:
        data = data[STACK_OUTPUT]
    if not isinstance(data, Mapping) or "bus" not in data:
        raise MissingOutputsError(
            f"{origin} holds no {STACK_OUTPUT!r} stack output: deploy the stack with "
            f"`pulumi up --stack {stack}` (or start `eventpipe dev --stack {stack}`), then "
            f"save it with `pulumi stack output --json --stack {stack} > outputs.json`"
        )
    bus_data = data["bus"]
    bus = BusOutputs(
        name=_require(bus_data, "name", "bus.", origin),
        arn=_require(bus_data, "arn", "bus.", origin),
        archive_name=bus_data.get("archiveName"),
        archive_arn=bus_data.get("archiveArn"),
        delivery_dlq_url=bus_data.get("deliveryDlqUrl"),
        delivery_dlq_arn=bus_data.get("deliveryDlqArn"),
        alarm_topic_arn=bus_data.get("alarmTopicArn"),
    )
    consumers = {}
    for name, item in (data.get("consumers") or {}).items():
        where = f"consumers.{name}."
        consumers[name] = ConsumerOutputs(
            name=name,
            queue_url=_require(item, "queueUrl", where, origin),
            queue_arn=_require(item, "queueArn", where, origin),
            dlq_url=_require(item, "dlqUrl", where, origin),
            dlq_arn=_require(item, "dlqArn", where, origin),
            plugin=item.get("plugin"),
            fifo=bool(item.get("fifo", False)),
            source=item.get("source") or ("rule" if item.get("ruleArn") else "queue"),
            function_name=item.get("functionName"),
            function_arn=item.get("functionArn"),
            rule_name=item.get("ruleName"),
            rule_arn=item.get("ruleArn"),
            alarm_names=tuple(item.get("alarmNames") or ()),
            message_group=item.get("messageGroup"),
            intake_queue_url=item.get("intakeQueueUrl"),
            intake_queue_arn=item.get("intakeQueueArn"),
            intake_dlq_url=item.get("intakeDlqUrl"),
            intake_dlq_arn=item.get("intakeDlqArn"),
            pipe_name=item.get("pipeName"),
            pipe_arn=item.get("pipeArn"),
            pipe_log_group=item.get("pipeLogGroup"),
            log_group_name=item.get("logGroupName"),
            event_source_mapping_uuid=item.get("eventSourceMappingUuid"),
            topic_arn=item.get("topicArn"),
            subscription_arn=item.get("subscriptionArn"),
            circuit_breaker=item.get("circuitBreaker"),
        )
    return StackOutputs(
        stack=data.get("stack") or stack,
        region=data.get("region"),
        bus=bus,
        consumers=consumers,
        project=data.get("project"),
        topics=dict(data.get("topics") or {}),
        breaker=data.get("breaker"),
        dead_letter_archive=data.get("deadLetterArchive"),
    )


def from_file(path: Path, stack: str) -> StackOutputs:
    """Outputs saved with ``pulumi stack output --json --stack S > FILE``."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise MissingOutputsError(
            f"no outputs file {path}: create it with "
            f"`pulumi stack output --json --stack {stack} > {path}`"
        ) from None
    except ValueError as exc:
        raise MissingOutputsError(
            f"{path} is not JSON ({exc}): save it again with "
            f"`pulumi stack output --json --stack {stack} > {path}`"
        ) from None
    return parse_outputs(data, origin=str(path), stack=stack)


Runner = Callable[..., "subprocess.CompletedProcess[str]"]


def from_pulumi(stack: str, project_dir: Path, *, run: Runner | None = None) -> StackOutputs:
    """``pulumi stack output --json --stack S`` run in the project directory."""
    if shutil.which("pulumi") is None:
        raise MissingOutputsError(
            "the Pulumi CLI is not on PATH, so the stack outputs cannot be read. Either "
            "install it (https://www.pulumi.com/docs/install/), or pass --outputs FILE "
            f"(saved with `pulumi stack output --json --stack {stack} > FILE` where Pulumi "
            "runs), or use --local with `eventpipe dev` running"
        )
    proc = (run or subprocess.run)(
        ["pulumi", "stack", "output", "--json", "--stack", stack],
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise MissingOutputsError(
            f"`pulumi stack output --stack {stack}` failed: {proc.stderr.strip()}. "
            f"Create the stack and its outputs with `pulumi up --stack {stack}`"
        )
    try:
        data = json.loads(proc.stdout or "{}")
    except ValueError as exc:
        raise MissingOutputsError(f"pulumi printed something that is not JSON: {exc}") from None
    return parse_outputs(data, origin=f"stack {stack!r}", stack=stack)


def announcement_path(project_dir: Path, stack: str) -> Path:
    """Where a running ``eventpipe dev --stack S`` announces itself."""
    return project_dir / LOCAL_STATE_DIR / LOCAL_ANNOUNCEMENT.format(stack=stack)


def write_announcement(
    project_dir: Path, stack: str, *, endpoint_url: str, region: str, outputs: Any
) -> Path:
    """Announce a running ``eventpipe dev``: the file :func:`from_local` reads.

    Writer and reader sit together so the file's shape
    (:data:`eventpipe.contract.LOCAL_ANNOUNCEMENT`) is defined in one place.
    """
    path = announcement_path(project_dir, stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"endpointUrl": endpoint_url, "region": region, "outputs": outputs, "pid": os.getpid()}
    path.write_text(json.dumps(body, indent=2))
    return path


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 checks without signalling)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def from_local(project_dir: Path, stack: str) -> StackTarget:
    """The running local engine's outputs, endpoint and region."""
    path = announcement_path(project_dir, stack)
    start = f"start it with `eventpipe dev --stack {stack}` in {project_dir}"
    if not path.exists():
        raise MissingOutputsError(
            f"no running `eventpipe dev` for stack {stack!r} ({path} does not exist): {start}"
        )
    try:
        data = json.loads(path.read_text())
        pid = int(data["pid"])
        endpoint = str(data["endpointUrl"])
    except (ValueError, KeyError, TypeError) as exc:
        raise MissingOutputsError(
            f"{path} is unreadable ({exc!r}): restart `eventpipe dev`"
        ) from None
    if not pid_alive(pid):
        raise MissingOutputsError(
            f"`eventpipe dev` for stack {stack!r} is no longer running (pid {pid} in {path} "
            f"has exited): {start}"
        )
    outputs = parse_outputs(data.get("outputs"), origin=str(path), stack=stack)
    return StackTarget(
        outputs=outputs,
        origin=f"eventpipe dev (pid {pid})",
        endpoint_url=endpoint,
        region=data.get("region") or outputs.region,
        credentials=LOCAL_CREDENTIALS,
    )


def find_target(
    stack: str,
    *,
    project_dir: Path,
    outputs_file: Path | None = None,
    local: bool = False,
    endpoint_url: str | None = None,
    region: str | None = None,
    run: Runner | None = None,
) -> StackTarget:
    """Resolve where a command acts. Explicit ``endpoint_url``/``region`` win over what
    the outputs or the announcement say."""
    if local and outputs_file is not None:
        raise MissingOutputsError("give either --local or --outputs, not both")
    if local:
        target = from_local(project_dir, stack)
        return StackTarget(
            outputs=target.outputs,
            origin=target.origin,
            endpoint_url=endpoint_url or target.endpoint_url,
            region=region or target.region,
            credentials=target.credentials,
        )
    if outputs_file is not None:
        outputs, origin = from_file(outputs_file, stack), str(outputs_file)
    else:
        outputs, origin = from_pulumi(stack, project_dir, run=run), f"stack {stack!r}"
    return StackTarget(
        outputs=outputs,
        origin=origin,
        endpoint_url=endpoint_url,
        region=region or outputs.region,
    )
