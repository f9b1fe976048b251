"""``components.json_doc.json_dumps`` gives what ``pulumi.Output.json_dumps`` gives: the same
text, dependencies, secrecy and unknowns."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi
import pulumi_aws as aws

from components import json_doc
from eventpipe.testing.pulumi_mocks import AwsMocks
from tests.components.helpers import run_to_completion


def _facts(output: pulumi.Output[str]) -> pulumi.Output[dict[str, Any]]:
    """What a resource taking ``output`` as an input would get from it."""

    async def read() -> dict[str, Any]:
        return {
            "text": await output.future(with_unknowns=True),
            "known": await output.is_known(),
            "secret": await output.is_secret(),
            "depends_on": sorted(r._name for r in await output.resources()),  # type: ignore[attr-defined]
        }

    return pulumi.Output.from_input(asyncio.ensure_future(read()))


def _unknown() -> pulumi.Output[str]:
    """An Output not known yet, as a preview has for a resource that does not exist."""
    loop = asyncio.get_event_loop()
    value, known = loop.create_future(), loop.create_future()
    value.set_result(None)
    known.set_result(False)
    return pulumi.Output(set(), value, known)


def _both(document: Any) -> Any:
    return run_to_completion(
        lambda: [_facts(json_doc.json_dumps(document)), _facts(pulumi.Output.json_dumps(document))]
    )


def test_the_text_and_dependencies_are_pulumi_s(mocks: AwsMocks) -> None:
    def document() -> Any:
        queue = aws.sqs.Queue("q")
        logs = aws.cloudwatch.LogGroup("logs")
        return {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ("sqs:A", "sqs:B"), "Resource": queue.arn},
                {
                    "Resource": [logs.arn, pulumi.Output.concat(logs.arn, ":*")],
                    "Condition": {"n": 1, "on": True, "none": None, "nested": [queue.url]},
                },
            ],
        }

    ours, pulumi_s = run_to_completion(
        lambda: [
            _facts(json_doc.json_dumps(doc := document())),
            _facts(pulumi.Output.json_dumps(doc)),
        ]
    )
    assert ours == pulumi_s
    assert ours["known"] and not ours["secret"] and ours["depends_on"] == ["logs", "q"]
    assert '"Action": ["sqs:A", "sqs:B"]' in ours["text"]
    assert (
        ':log-group:logs-98f38f1:*"], "Condition": {"n": 1, "on": true, "none": null'
        in ours["text"]
    )


def test_a_document_of_plain_values_or_one_output(mocks: AwsMocks) -> None:
    plain = {"redrivePermission": "byQueue", "n": [1, 2.5, None]}
    ours, pulumi_s = _both(plain)
    assert (
        ours == pulumi_s and ours["text"] == '{"redrivePermission": "byQueue", "n": [1, 2.5, null]}'
    )
    ours, pulumi_s = _both(pulumi.Output.from_input({"a": ["b"]}))
    assert ours == pulumi_s and ours["text"] == '{"a": ["b"]}'


def test_secrecy_and_unknowns_carry_over(mocks: AwsMocks) -> None:
    ours, pulumi_s = _both({"a": pulumi.Output.secret("s"), "b": "c"})
    assert ours == pulumi_s and ours["secret"] and ours["text"] == '{"a": "s", "b": "c"}'
    ours, pulumi_s = run_to_completion(
        lambda: [
            _facts(json_doc.json_dumps({"a": (unknown := _unknown()), "b": "c"})),
            _facts(pulumi.Output.json_dumps({"a": unknown, "b": "c"})),
        ]
    )
    assert not ours["known"] and not pulumi_s["known"]
