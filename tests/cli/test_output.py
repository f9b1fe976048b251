"""JSON casing of every command's ``--json``, and paste-able command hints."""

from __future__ import annotations

from pathlib import Path

from eventpipe.cli.options import StackOptions, config_stack_flags, suggest_command
from eventpipe.cli.output import camel_keys


def test_json_keys_are_camel_case_except_inside_data() -> None:
    data = {
        "dlq_depth": 1,
        "reason": {"error_type": "PermanentError"},
        "event": {"detail-type": "x", "detail": {"order_id": 1}},
        "items": [{"message_id": "m"}],
        "alreadyCamel": True,
    }
    assert camel_keys(data) == {
        "dlqDepth": 1,
        "reason": {"errorType": "PermanentError"},
        "event": {"detail-type": "x", "detail": {"order_id": 1}},
        "items": [{"messageId": "m"}],
        "alreadyCamel": True,
    }


def test_suggestions_carry_the_target_of_the_invocation() -> None:
    assert StackOptions().suggest("status") == "`eventpipe status`"
    local = StackOptions(local=True, stacks=["qa"])
    assert (
        local.suggest("dlq", "peek", "orders") == "`eventpipe dlq peek orders --local --stack qa`"
    )
    split = StackOptions(stacks=["orders-a", "orders-b"])
    assert split.suggest("resume", "mail") == (
        "`eventpipe resume mail --stack orders-a --stack orders-b`"
    )
    aws = StackOptions(
        stacks=["prod"],
        outputs=Path("prod outputs.json"),
        endpoint_url="http://localhost:4566",
        profile="ops",
        region="eu-west-1",
    )
    assert aws.suggest("dlq", "redrive", "orders") == (
        "`eventpipe dlq redrive orders --stack prod --outputs 'prod outputs.json' "
        "--endpoint-url http://localhost:4566 --profile ops --region eu-west-1`"
    )
    assert suggest_command("consumers", "NAME", flags=config_stack_flags("prod")) == (
        "`eventpipe consumers NAME --stack prod`"
    )
