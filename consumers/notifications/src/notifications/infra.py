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
PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org")
PLACEHOLDER_TLDS = ("example", "invalid", "localhost", "test")
"""Domains reserved for documentation and tests (RFC 2606, RFC 6761): nobody can verify
them as an SES identity, so a sender there can never send outside the demo stacks."""


def is_placeholder(sender: str) -> bool:
    """Whether the sender's domain is reserved for examples and can never be verified."""
    domain = sender.rsplit("@", 1)[-1].lower().rstrip(".")
    if any(domain == d or domain.endswith("." + d) for d in PLACEHOLDER_DOMAINS):
        return True
    return domain.rsplit(".", 1)[-1] in PLACEHOLDER_TLDS


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
    if ctx.stack not in DEMO_STACKS and is_placeholder(sender):
        raise eventpipe.ConfigurationError(
            [
                Problem(
                    PLUGIN,
                    ctx.consumer.name,
                    f"environment.{SENDER_ENV}",
                    f"is {sender!r}, a placeholder address, in stack {ctx.stack!r}: SES sends "
                    "only from an identity verified in your account, and a reserved domain "
                    "(RFC 2606) can never be one",
                    f"set your own sender in Pulumi.{ctx.stack}.yaml: `eventpipe:consumers: "
                    f"{{{ctx.consumer.name}: {{environment: {{{SENDER_ENV}: "
                    "noreply@your-domain}}}}`, and verify the address or its domain in SES "
                    "(see the plugin's README)",
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
