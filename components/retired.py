"""A consumer that left the stack: its queues and DLQs stay, nothing feeds or drains them.

A consumer disabled with ``enabled: false``, or listed in ``eventpipe:retired`` after its
plugin was uninstalled or the consumer renamed, keeps its queue, DLQ (and intake pair) in
the stack under the logical names its pipeline gave them, so ``pulumi up`` shows them
unchanged while the rule, function, mapping, pipe and alarms go. The stack output lists
them under ``retired`` so ``status``, ``dlq peek`` and ``dlq redrive --to OTHER`` reach
their messages until the operator discards them (``eventpipe retired discard``).

Same resources, new component type: a URN encodes the parent's type, so the component
carries an alias to :data:`components.consumer_pipeline.TYPE` ("When you change any of
those ... the URN changes. By default Pulumi will treat the old URN as a delete and the
new URN as a create"; "Aliases are inherited from a parent",
https://www.pulumi.com/docs/iac/operations/stack-management/refactoring-with-aliases/),
and the program gives each ``ConsumerPipeline`` the reverse alias, so re-enabling a
consumer finds its queues again. The queues' attributes are left as they were
(``ignore_changes``): only the name and ``fifo_queue`` identify a queue (both ForceNew in
terraform-provider-aws ``internal/service/sqs/queue.go``), and the retired set must never
be replaced.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import json_doc, naming
from components.consumer_pipeline import TYPE as PIPELINE_TYPE
from components.kept_intake import (
    CREATED_MAX_RECEIVES,
    CREATED_RETENTION,
    KEPT_AS_DEPLOYED,
    keep_intake,
    redrive_allow,
)
from components.queues import DLQ_RETENTION, queue_policy
from eventpipe.config import StackSettings
from eventpipe.retired_outputs import RetiredOutputs

TYPE = "eventpipe:index:RetiredConsumer"
REASON_DISABLED = "disabled in the stack config (enabled: false)"
REASON_LISTED = "listed in eventpipe:retired (plugin uninstalled or consumer renamed)"


@dataclass
class RetiredArgs:
    settings: StackSettings
    fifo: bool
    intake: bool
    """It has an intake queue and DLQ (its ``message_group`` was a JSON path)."""
    reason: str
    plugin: str | None = None


class RetiredConsumer(pulumi.ComponentResource):
    """The kept queues of one consumer that left; :attr:`outputs` is its ``retired`` entry."""

    outputs: RetiredOutputs[pulumi.Input[str]]

    def __init__(
        self, name: str, args: RetiredArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        moved = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=PIPELINE_TYPE)])
        super().__init__(TYPE, name, None, pulumi.ResourceOptions.merge(opts, moved))
        prefix, fifo = args.settings.prefix, args.fifo
        tags = naming.consumer_tags(args.settings, name, args.plugin or "retired")
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, ignore_changes=KEPT_AS_DEPLOYED)
        self.resources: dict[str, pulumi.Resource] = {}

        dlq = aws.sqs.Queue(
            f"{name}-dlq",
            name=naming.queue_name(prefix, name, dlq=True, fifo=fifo),
            message_retention_seconds=DLQ_RETENTION,
            fifo_queue=True if fifo else None,
            content_based_deduplication=True if fifo else None,
            tags=tags,
            opts=kept,
        )
        queue = aws.sqs.Queue(
            f"{name}-queue",
            name=naming.queue_name(prefix, name, dlq=False, fifo=fifo),
            message_retention_seconds=CREATED_RETENTION,
            redrive_policy=json_doc.json_dumps(
                {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": CREATED_MAX_RECEIVES}
            ),
            fifo_queue=True if fifo else None,
            content_based_deduplication=True if fifo else None,
            tags=tags,
            opts=kept,
        )
        self.resources.update(queue=queue, dlq=dlq)
        self.resources["dlq_redrive_allow"] = redrive_allow(
            f"{name}-dlq-redrive-allow", dlq, queue, child
        )
        # TLS-only: the rule that could send is gone; redrive uses the operator's IAM.
        self.resources["dlq_policy"] = queue_policy(f"{name}-dlq-policy", dlq, None, child)
        self.resources["queue_policy"] = queue_policy(f"{name}-queue-policy", queue, None, child)

        intake_queue = intake_dlq = None
        if args.intake:
            intake = keep_intake(name, prefix, tags, self)
            intake_queue, intake_dlq = intake.queue, intake.dlq
            self.resources.update(intake.resources)

        self.outputs = RetiredOutputs(
            name=name,
            consumer=name,
            reason=args.reason,
            fifo=fifo,
            plugin=args.plugin,
            queue_url=queue.url,
            queue_arn=queue.arn,
            dlq_url=dlq.url,
            dlq_arn=dlq.arn,
            intake_queue_url=intake_queue.url if intake_queue else None,
            intake_queue_arn=intake_queue.arn if intake_queue else None,
            intake_dlq_url=intake_dlq.url if intake_dlq else None,
            intake_dlq_arn=intake_dlq.arn if intake_dlq else None,
        )
        self.register_outputs({"queueUrl": queue.url, "dlqUrl": dlq.url})


def retired_consumers(
    settings: StackSettings,
    disabled: dict[str, tuple[str, bool, bool]],
    live: frozenset[str] = frozenset(),
) -> list[RetiredConsumer]:
    """One :class:`RetiredConsumer` per disabled consumer (``name -> (plugin, fifo,
    intake)``) and per ``eventpipe:retired`` entry, by name; none for an entry marked
    ``discard`` (its queues were deleted by ``eventpipe retired discard``), nor for a
    ``live`` consumer listed to keep its old intake pair (its pipeline keeps it:
    ``components/kept_intake.py``)."""
    discarded = {entry.name for entry in settings.retired if entry.discard}
    retired = [
        RetiredConsumer(name, RetiredArgs(settings, fifo, intake, REASON_DISABLED, plugin))
        for name, (plugin, fifo, intake) in sorted(disabled.items())
        if name not in discarded
    ]
    retired += [
        RetiredConsumer(
            entry.name,
            RetiredArgs(settings, entry.fifo, entry.intake, REASON_LISTED, entry.plugin),
        )
        for entry in settings.retired
        if entry.name not in disabled and entry.name not in live and not entry.discard
    ]
    return retired
