"""Pulumi side of notifications: permission to send as exactly one sender.

SES authorises ``ses:SendEmail`` on the *identity* that sends: the address itself, or
its domain when the domain is the verified identity. The statement names both ARNs
(built from the stack's partition, region and account) and pins ``ses:FromAddress`` to
the sender, so the function cannot send as anyone else even from a verified domain.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

import eventpipe
from eventpipe.exceptions import Problem

PLUGIN = "notifications"
"""The entry point name (pyproject.toml), used in error reports."""
SENDER_ENV = "SENDER_EMAIL"
DEMO_STACKS = frozenset({"dev", "local", "demo", "test"})
"""Stacks where the sender address is declared as an SES identity, so a fresh account
(or the local emulator) can send at once. Real stacks verify their domain outside
eventpipe: an identity is account-wide and must outlive any one stack."""


def sender_identity_arns(ctx: eventpipe.ResourceContext, sender: str) -> pulumi.Output[list[str]]:
    """ARNs of the address identity and of its domain identity."""
    invoke = pulumi.InvokeOutputOptions(parent=ctx.parent)
    partition = aws.get_partition_output(opts=invoke).partition
    region = aws.get_region_output(opts=invoke).region
    account = aws.get_caller_identity_output(opts=invoke).account_id
    domain = sender.rsplit("@", 1)[-1]
    return pulumi.Output.all(partition, region, account).apply(
        lambda parts: [
            f"arn:{parts[0]}:ses:{parts[1]}:{parts[2]}:identity/{name}" for name in (sender, domain)
        ]
    )


def ses_sender(ctx: eventpipe.ResourceContext) -> eventpipe.ConsumerResources:
    """Grant ``ses:SendEmail`` for the consumer's ``SENDER_EMAIL`` only."""
    sender = ctx.consumer.environment.get(SENDER_ENV)
    if not sender or "@" not in sender:
        # A ConfigurationError is reported like every other declaration problem: the
        # program stops before `pulumi up` creates anything, naming plugin and field.
        raise eventpipe.ConfigurationError(
            [
                Problem(
                    PLUGIN,
                    ctx.consumer.name,
                    f"environment.{SENDER_ENV}",
                    f"must be the sender's e-mail address, got {sender!r}",
                    f"set it with `eventpipe:consumers: {{{ctx.consumer.name}: "
                    f"{{environment: {{{SENDER_ENV}: noreply@your-domain}}}}}}`",
                )
            ]
        )
    outputs: dict[str, object] = {"sender": sender}
    if ctx.stack in DEMO_STACKS:
        identity = aws.ses.EmailIdentity(ctx.resource_name("sender"), email=sender, opts=ctx.opts())
        outputs["senderIdentityArn"] = identity.arn
    return eventpipe.ConsumerResources(
        statements=[
            {
                "Effect": "Allow",
                "Action": ["ses:SendEmail"],
                "Resource": sender_identity_arns(ctx, sender),
                "Condition": {"StringEquals": {"ses:FromAddress": sender}},
            }
        ],
        outputs=outputs,
    )
