"""Both sets of Pulumi mocks answer a program alike: the unit tests' ``AwsMocks`` and the
local engine's ``EmulatorMocks`` give the same provider-function results and the same ids
and ARNs for a resource nobody creates, from :mod:`eventpipe.provider_answers`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import pulumi
import pytest
from moto import mock_aws

from eventpipe import provider_answers as answers
from eventpipe.local.deploy.materializers import REGISTRY
from eventpipe.local.deploy.mocks import EmulatorMocks
from eventpipe.local.deploy.records import DeployState
from eventpipe.local.emulator.server import Emulator
from eventpipe.testing.pulumi_mocks import AwsMocks

REGION, ACCOUNT = "eu-west-1", "210987654321"
POWERTOOLS = f"/aws/service/powertools/python/arm64/python3.13/{version('aws-lambda-powertools')}"


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AwsMocks, EmulatorMocks]]:
    """The two mock sets for one account and region; moto's in-process state (the local
    bus lookup reads it) is fresh and dropped afterwards."""
    monkeypatch.setenv("AWS_REGION", REGION)
    pulumi.runtime.set_all_config({"aws:region": REGION})
    state = DeployState(region=REGION, account=ACCOUNT, time_scale=1.0)
    # The call answers never reach the emulator: an endpoint nothing listens on.
    emulator = Emulator(endpoint_url="http://127.0.0.1:9", region=REGION, embedded=False)
    try:
        with mock_aws():
            yield AwsMocks(REGION, ACCOUNT), EmulatorMocks(emulator, state)
    finally:
        pulumi.runtime.set_all_config({})


CALLS: list[tuple[str, dict[str, Any]]] = [
    (answers.TOKEN_REGION, {}),
    (answers.TOKEN_CALLER_IDENTITY, {}),
    (answers.TOKEN_PARTITION, {}),
    (
        answers.TOKEN_POLICY_DOCUMENT,
        {
            "statements": [
                {
                    "sid": "Read",
                    "actions": ["sqs:ReceiveMessage"],
                    "resources": ["arn:aws:sqs:eu-west-1:210987654321:q"],
                    "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
                    "conditions": [
                        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["1"]}
                    ],
                }
            ]
        },
    ),
    (answers.TOKEN_LAYER_VERSION, {"layerName": "shared-libs"}),
    (answers.TOKEN_SSM_PARAMETER, {"name": POWERTOOLS}),
    (answers.TOKEN_SSM_PARAMETER, {"name": "/team/not-a-powertools-parameter"}),
    (answers.TOKEN_EVENT_BUS, {"name": "default"}),
]


@pytest.mark.parametrize(("token", "args"), CALLS, ids=[f"{t}-{a}"[:60] for t, a in CALLS])
def test_provider_functions_are_answered_alike(
    both: tuple[AwsMocks, EmulatorMocks], token: str, args: dict[str, Any]
) -> None:
    unit, local = both
    call = pulumi.runtime.MockCallArgs(token=token, args=args, provider="")
    unit_answer, local_answer = unit.call(call), local.call(call)
    assert unit_answer == local_answer
    assert unit_answer != {}, "a shared token must be answered"


def test_the_answers_are_what_aws_would_say(both: tuple[AwsMocks, EmulatorMocks]) -> None:
    unit, _ = both

    def call(token: str, args: dict[str, Any]) -> Any:
        return unit.call(pulumi.runtime.MockCallArgs(token=token, args=args, provider=""))

    assert call(answers.TOKEN_CALLER_IDENTITY, {})["accountId"] == ACCOUNT
    assert call(answers.TOKEN_REGION, {})["name"] == REGION
    layer = call(answers.TOKEN_SSM_PARAMETER, {"name": POWERTOOLS})["value"]
    assert layer == (
        f"arn:aws:lambda:{REGION}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:"
        f"{answers.MOCK_LAYER_VERSION}"
    )
    missing, failures = call(answers.TOKEN_SSM_PARAMETER, {"name": "/team/x"})
    assert missing == {} and "ParameterNotFound" in failures[0][1]
    document = json.loads(call(answers.TOKEN_POLICY_DOCUMENT, CALLS[3][1])["json"])
    assert document["Statement"] == [
        {
            "Effect": "Allow",
            "Sid": "Read",
            "Action": ["sqs:ReceiveMessage"],
            "Resource": ["arn:aws:sqs:eu-west-1:210987654321:q"],
            "Principal": {"Service": ["lambda.amazonaws.com"]},
            "Condition": {"StringEquals": {"aws:SourceAccount": ["1"]}},
        }
    ]
    bus = call(answers.TOKEN_EVENT_BUS, {"name": "arn:aws:events:eu-west-1:1:event-bus/shop"})
    assert (bus["name"], bus["arn"]) == (
        "shop",
        f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/shop",
    )


UNCREATED = [
    ("aws:schemas/registry:Registry", "registry", {"name": "shop-schemas"}),
    ("aws:secretsmanager/secret:Secret", "token", {}),
    ("aws:kinesis/stream:Stream", "clicks", {"shardCount": 1}),
]


@pytest.mark.parametrize(("typ", "logical", "inputs"), UNCREATED, ids=[u[0] for u in UNCREATED])
def test_a_resource_nobody_creates_gets_the_same_id_and_arn(
    both: tuple[AwsMocks, EmulatorMocks], typ: str, logical: str, inputs: dict[str, Any]
) -> None:
    assert typ not in REGISTRY, "the local engine creates this type: pick another"
    unit, local = both
    resource = pulumi.runtime.MockResourceArgs(typ=typ, name=logical, inputs=inputs, custom=True)
    unit_id, unit_outputs = unit.new_resource(resource)
    local_id, local_outputs = local.new_resource(resource)
    assert (unit_id, unit_outputs) == (local_id, local_outputs)
    assert unit_outputs["arn"].startswith(f"arn:aws:{typ.split(':')[1].split('/')[0]}:{REGION}:")
    assert local.state.resources[-1].status == "skipped"
