"""What Pulumi may never delete: the stack's stateful resources and what configures them.

Pulumi deletes whatever a program stops declaring, and pulumi-aws replaces a resource
whose physical name the program sets **delete-before-replace**
(pulumi-terraform-bridge ``pkg/tfbridge/provider.go``, ``Diff``: ``deleteBeforeReplace :=
len(replaces) > 0 && (res.Schema.DeleteBeforeReplace ||
nameRequiresDeleteBeforeReplace(news, olds, schema, res.Schema))``; ``pkg/tfbridge/schema.go``,
``nameRequiresDeleteBeforeReplace``). A consumer that is disabled, uninstalled, renamed or
made FIFO would take its queue, its DLQ (and every message in them: "When you delete a
queue, any messages in the queue are no longer available",
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html)
and its plugin's tables with it ("The DeleteTable operation deletes a table and all of its
items", https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html).

So every resource of a kept type gets, on itself (never on a component: the option is
inherited by every child, https://www.pulumi.com/docs/iac/concepts/resources/options/retainondelete/):

* ``retain_on_delete=True``, always: "Pulumi will not call through to the resource
  provider's Delete method when deleting or replacing the resource during pulumi up or
  pulumi destroy. As a result, the resource will not be deleted from the backing cloud
  provider, but will be removed from the Pulumi state" (same page). A replaced queue is
  kept too, beside its replacement (a FIFO flip gives a new name, so both can exist);
* ``protect=True`` when ``eventpipe:protect`` is on: "it will be an error to do a Pulumi
  deployment which tries to delete a protected resource for any reason"
  (https://www.pulumi.com/docs/iac/concepts/resources/options/protect/), checked in
  preview (pulumi ``pkg/resource/deploy/step.go``, ``deleteProtectedError``), so
  ``pulumi destroy`` refuses before deleting anything.

``pulumi destroy --skip-preview`` does not stop at the first protected resource: it deletes
the unprotected ones, dependents first (pulumi ``step_executor.go``: "We special case
deleteProtectedError to always continue past them"). The archive bucket's policy,
public-access block, ownership, encryption and lifecycle settings are therefore kept and
protected exactly like the bucket, so a kept bucket is never left half-configured; the
queues' policies and log groups are protected too (not retained: a log group kept outside
the stack would block re-creating a consumer of the same name).

Applied as a stack transformation (:func:`register`) so resources a plugin declares in its
``resources`` hook (its DynamoDB tables, its buckets) are covered without the plugin
doing anything.
"""

from __future__ import annotations

import pulumi

from eventpipe.config import StackSettings

KEPT_TYPES = frozenset(
    {
        "aws:sqs/queue:Queue",
        "aws:dynamodb/table:Table",
        "aws:cloudwatch/eventArchive:EventArchive",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",  # the deprecated name a plugin may still use
        # what configures a kept bucket is kept with it
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    }
)
"""Types whose resources Pulumi never deletes (``retain_on_delete``)."""

PROTECTED_TYPES = KEPT_TYPES | frozenset(
    {
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
        "aws:cloudwatch/logGroup:LogGroup",
    }
)
"""Types protected when ``eventpipe:protect`` is on."""


def options_for(type_: str, settings: StackSettings) -> pulumi.ResourceOptions | None:
    """The options a resource of ``type_`` gets on top of its own (None: none)."""
    retain = type_ in KEPT_TYPES
    protect = settings.protect and type_ in PROTECTED_TYPES
    if not (retain or protect):
        return None
    return pulumi.ResourceOptions(
        retain_on_delete=True if retain else None, protect=True if protect else None
    )


def transformation(settings: StackSettings) -> pulumi.ResourceTransformation:
    """The stack transformation adding :func:`options_for` to each resource."""

    def keep(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        extra = options_for(args.type_, settings)
        if extra is None:
            return None
        return pulumi.ResourceTransformationResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, extra)
        )

    return keep


def register(settings: StackSettings) -> None:
    """Apply :func:`transformation` to every resource declared after this call."""
    pulumi.runtime.register_stack_transformation(transformation(settings))
