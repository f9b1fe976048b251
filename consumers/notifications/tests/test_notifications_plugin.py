"""The notifications plugin's declaration, samples and Pulumi resources (mocks, no AWS)."""

from __future__ import annotations

import pytest
from notifications import plugin

import eventpipe
from eventpipe.testing import ResourcesRun, assert_lambda_side_clean, check_plugin, run_resources

IDENTITY = "aws:ses/emailIdentity:EmailIdentity"


def declared(sender: str | None = None) -> eventpipe.Consumer:
    [consumer] = plugin.eventpipe_consumers()
    if sender is not None:
        consumer = consumer.model_copy(update={"environment": {"SENDER_EMAIL": sender}})
    return consumer


def declare(stack: str, sender: str = "shop@mail.acme-commerce.com") -> ResourcesRun:
    return run_resources(declared(sender), stack=stack, region="eu-west-1")


def test_declares_notifications_for_orders_and_payments() -> None:
    consumer = declared()
    assert consumer.pattern is not None
    assert set(consumer.pattern["detail-type"]) == {
        "Order Created",
        "Payment Processed",
        "Payment Failed",
    }
    assert consumer.environment["SENDER_EMAIL"] == plugin.DEFAULT_SENDER


def test_every_routed_detail_type_has_a_template() -> None:
    from notifications.templates import TEMPLATES

    consumer = declared()
    assert consumer.pattern is not None
    assert set(consumer.pattern["detail-type"]) == set(TEMPLATES)


def test_declaration_and_samples_pass_every_check() -> None:
    [checked] = check_plugin(plugin, name="notifications")
    assert checked.consumer.name == plugin.CONSUMER
    assert callable(checked.handler_func)


def test_handler_side_imports_neither_pulumi_nor_pluggy() -> None:
    """The handler ships in the Lambda function, where pulumi and pluggy are not."""
    assert_lambda_side_clean("notifications.handler", "notifications.models")


def test_send_only_as_the_sender_identity() -> None:
    run = declare("prod")
    assert run.returned.statements == [
        {
            "Effect": "Allow",
            "Action": ["ses:SendEmail"],
            "Resource": [
                "arn:aws:ses:eu-west-1:123456789012:identity/shop@mail.acme-commerce.com",
                "arn:aws:ses:eu-west-1:123456789012:identity/mail.acme-commerce.com",
            ],
            "Condition": {"StringEquals": {"ses:FromAddress": "shop@mail.acme-commerce.com"}},
        }
    ]
    assert run.of_type(IDENTITY) == []  # real stacks verify their domain outside eventpipe


def test_demo_stack_declares_the_sender_identity() -> None:
    run = declare("dev")
    identity = run.one(IDENTITY)
    assert identity.inputs["email"] == "shop@mail.acme-commerce.com"
    assert run.returned.outputs["senderIdentityArn"] == identity.outputs["arn"]


def test_missing_sender_is_a_clear_error() -> None:
    with pytest.raises(eventpipe.ConfigurationError) as caught:
        declare("prod", sender="")
    [problem] = caught.value.problems
    assert (problem.plugin, problem.consumer, problem.field) == (
        "notifications",
        "notifications",
        "environment.SENDER_EMAIL",
    )
    assert "SENDER_EMAIL: noreply@your-domain" in problem.fix


@pytest.mark.parametrize(
    "sender", [plugin.DEFAULT_SENDER, "x@mail.example.org", "x@shop.test", "x@EXAMPLE.NET"]
)
def test_a_placeholder_sender_fails_outside_the_demo_stacks(sender: str) -> None:
    with pytest.raises(eventpipe.ConfigurationError) as caught:
        declare("prod", sender=sender)
    [problem] = caught.value.problems
    assert problem.field == "environment.SENDER_EMAIL"
    assert "placeholder" in problem.message and "Pulumi.prod.yaml" in problem.fix


def test_the_plugin_default_sender_still_works_in_a_demo_stack() -> None:
    run = declare("dev", sender=plugin.DEFAULT_SENDER)
    assert run.one(IDENTITY).inputs["email"] == plugin.DEFAULT_SENDER


def test_the_example_prod_stack_sets_a_real_sender() -> None:
    from pathlib import Path

    import yaml
    from notifications.infra import is_placeholder

    root = Path(__file__).resolve().parents[3]
    config = yaml.safe_load((root / "Pulumi.prod.yaml").read_text())["config"]
    sender = config["eventpipe:consumers"]["notifications"]["environment"]["SENDER_EMAIL"]
    assert "@" in sender and not is_placeholder(sender)
