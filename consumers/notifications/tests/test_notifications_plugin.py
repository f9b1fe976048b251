"""The notifications plugin's declaration, samples and Pulumi resources (mocks, no AWS)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pulumi
import pytest
from notifications import plugin

import eventpipe
from eventpipe.config import StackSettings
from eventpipe.patterns import matches, pattern_problems
from eventpipe.validation import check_consumer

ACCOUNT = "123456789012"


def envelope(sample: eventpipe.SampleEvent) -> dict[str, Any]:
    """The event EventBridge would match the sample as."""
    return {
        "version": "0",
        "id": "11111111-2222-3333-4444-555555555555",
        "source": sample.source,
        "detail-type": sample.detail_type,
        "account": ACCOUNT,
        "region": "us-east-1",
        "time": "2026-01-01T10:00:00Z",
        "resources": [],
        "detail": sample.detail,
    }


def test_declares_notifications_for_orders_and_payments() -> None:
    [consumer] = plugin.eventpipe_consumers()
    assert consumer.pattern is not None
    assert set(consumer.pattern["detail-type"]) == {
        "Order Created",
        "Payment Processed",
        "Payment Failed",
    }
    assert consumer.environment["SENDER_EMAIL"] == plugin.DEFAULT_SENDER


def test_every_routed_detail_type_has_a_template() -> None:
    from notifications.templates import TEMPLATES

    [consumer] = plugin.eventpipe_consumers()
    assert consumer.pattern is not None
    assert set(consumer.pattern["detail-type"]) == set(TEMPLATES)


def test_declaration_passes_every_check() -> None:
    [consumer] = plugin.eventpipe_consumers()
    assert pattern_problems(consumer.pattern) == []
    problems, handler = check_consumer("notifications", consumer, StackSettings())
    assert problems == []
    assert callable(handler)


def test_samples_for_this_consumer_match_its_pattern() -> None:
    [consumer] = plugin.eventpipe_consumers()
    for sample in plugin.eventpipe_sample_events():
        if plugin.CONSUMER in sample.expect:
            assert matches(consumer.pattern, envelope(sample)), sample.description


def test_handler_side_imports_neither_pulumi_nor_pluggy() -> None:
    """The handler ships in the Lambda function, where pulumi and pluggy are not."""
    code = (
        "import sys, notifications.handler, notifications.models; "
        "print(sorted({'pulumi', 'pulumi_aws', 'pluggy'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class Mocks(pulumi.runtime.Mocks):
    """Records every declared resource; ARNs derived from the logical name."""

    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(args)
        outputs = {"name": f"{args.name}-physical", **args.inputs}
        outputs["arn"] = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{outputs['name']}"
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws"}
        if args.token == "aws:index/getRegion:getRegion":
            return {"region": "eu-west-1", "name": "eu-west-1"}
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci", "userId": "ci"}
        return {}


@pytest.fixture
def mocks() -> Mocks:
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    return mocks


def context(stack: str, sender: str | None = "shop@mail.example.com") -> eventpipe.ResourceContext:
    [consumer] = plugin.eventpipe_consumers()
    if sender is not None:
        consumer = consumer.model_copy(update={"environment": {"SENDER_EMAIL": sender}})
    parent = pulumi.ComponentResource("test:index:Pipeline", f"pipeline-{stack}")
    return eventpipe.ResourceContext(
        consumer=consumer, stack=stack, name_prefix=f"eventpipe-{stack}-", tags={}, parent=parent
    )


def declare(stack: str) -> list[dict[str, Any]]:
    """Run the resources hook under mocks; return the resolved IAM statements.

    Assertions on recorded resources come after ``run()``: only then has Pulumi
    registered every resource the hook declared.
    """
    from notifications.infra import ses_sender

    resolved: list[dict[str, Any]] = []

    @pulumi.runtime.test
    def run() -> Any:
        resources = ses_sender(context(stack))
        return pulumi.Output.from_input(resources.statements).apply(resolved.extend)

    run()
    return resolved


def identities(mocks: Mocks) -> list[Any]:
    return [r for r in mocks.resources if r.typ == "aws:ses/emailIdentity:EmailIdentity"]


def test_send_only_as_the_sender_identity(mocks: Mocks) -> None:
    assert declare("prod") == [
        {
            "Effect": "Allow",
            "Action": ["ses:SendEmail"],
            "Resource": [
                f"arn:aws:ses:eu-west-1:{ACCOUNT}:identity/shop@mail.example.com",
                f"arn:aws:ses:eu-west-1:{ACCOUNT}:identity/mail.example.com",
            ],
            "Condition": {"StringEquals": {"ses:FromAddress": "shop@mail.example.com"}},
        }
    ]
    assert identities(mocks) == []  # real stacks verify their domain outside eventpipe


def test_demo_stack_declares_the_sender_identity(mocks: Mocks) -> None:
    declare("dev")
    [identity] = identities(mocks)
    assert identity.inputs["email"] == "shop@mail.example.com"


def test_missing_sender_is_a_clear_error(mocks: Mocks) -> None:
    from notifications.infra import ses_sender

    ctx = context("prod", sender="")
    with pytest.raises(eventpipe.ConfigurationError) as caught:
        ses_sender(ctx)
    [problem] = caught.value.problems
    assert (problem.plugin, problem.consumer, problem.field) == (
        "notifications",
        "notifications",
        "environment.SENDER_EMAIL",
    )
    assert "SENDER_EMAIL: noreply@your-domain" in problem.fix
