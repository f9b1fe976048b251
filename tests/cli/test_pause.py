"""``eventpipe pause`` / ``resume`` and the paused state in ``status``, against moto's
Lambda event source mappings, at 80 columns."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from tests.cli.stack import Stack
from tests.cli.terminal import TERMINAL_80, plain_lines


@pytest.fixture(autouse=True)
def eighty_columns(stack: Stack) -> None:
    stack.runner = CliRunner(env=TERMINAL_80)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


def deploy_function(stack: Stack, name: str, *, uuid_in_output: bool, enabled: bool = True) -> str:
    """The consumer's function and its SQS event source mapping, as `pulumi up` makes
    them; returns the mapping's UUID."""
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    awslambda = boto3.client("lambda", region_name="us-east-1")
    consumer = stack.consumer(name)
    awslambda.create_function(
        FunctionName=consumer.function_name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": _zip()},
    )
    uuid = str(
        awslambda.create_event_source_mapping(
            EventSourceArn=consumer.queue_arn,
            FunctionName=consumer.function_name,
            BatchSize=10,
            Enabled=enabled,
        )["UUID"]
    )
    if uuid_in_output:
        stack.change_consumer(name, event_source_mapping_uuid=uuid)
    return uuid


def mapping(uuid: str) -> dict[str, Any]:
    return dict(boto3.client("lambda", region_name="us-east-1").get_event_source_mapping(UUID=uuid))


@pytest.mark.parametrize("uuid_in_output", [True, False], ids=["output-uuid", "listed"])
def test_pause_and_resume_switch_the_mapping(stack: Stack, uuid_in_output: bool) -> None:
    uuid = deploy_function(stack, "orders", uuid_in_output=uuid_in_output)
    paused = stack.cli("pause", "orders", "--json")
    assert paused.exit_code == 0, paused.output
    data = json.loads(paused.stdout)
    assert data["uuid"] == uuid and data["paused"] is True
    assert data["state"] in ("Disabling", "Disabled")
    assert mapping(uuid)["State"] in ("Disabling", "Disabled")

    # Paused: messages wait in the queue (the mapping receives none).
    orders = stack.consumer("orders")
    for n in range(3):
        stack.sqs.send_message(QueueUrl=orders.queue_url, MessageBody=f"m{n}")
    status = json.loads(stack.cli("status", "--json", "-c", "orders").stdout)
    [row] = status["consumers"]
    assert row["paused"] is True and row["mappingState"] in ("Disabling", "Disabled")
    assert (row["visible"], row["dlqDepth"]) == (3, 0)
    table = stack.cli("status")
    assert "paused" in table.stdout
    assert "orders is paused" in " ".join(" ".join(plain_lines(table.stdout)).split())
    assert "eventpipe resume orders" in table.stdout

    resumed = stack.cli("resume", "orders")
    assert resumed.exit_code == 0, resumed.output
    assert "Resumed orders" in resumed.stdout
    assert mapping(uuid)["State"] in ("Enabling", "Enabled")
    row = json.loads(stack.cli("status", "--json", "-c", "orders").stdout)["consumers"][0]
    assert row["paused"] is False


def test_pause_text_says_what_happens_and_how_to_resume(stack: Stack) -> None:
    deploy_function(stack, "inventory", uuid_in_output=True)
    result = stack.cli("pause", "inventory")
    assert result.exit_code == 0, result.output
    text = " ".join(" ".join(plain_lines(result.stdout)).split())
    assert "Paused inventory" in text and "Messages wait in the queue" in text
    assert "eventpipe resume inventory --outputs" in text


def test_pause_without_a_mapping_says_how_to_fix(stack: Stack) -> None:
    result = stack.cli("pause", "mailer")  # no function deployed in this moto stack
    assert result.exit_code == 1
    assert "no event source mapping from eventpipe-dev-mailer" in result.stderr
    assert "pulumi up" in result.stderr


def test_pause_unknown_consumer_suggests(stack: Stack) -> None:
    result = stack.cli("pause", "inventroy")
    assert result.exit_code == 1
    assert "Did you mean 'inventory'?" in result.stderr
