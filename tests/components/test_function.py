"""The function's environment is one contract: deployed, and under the test kit.

For the same consumer, the environment a handler sees under ``ConsumerInvoker`` holds
every variable of the deployed function (from the Pulumi-mock run) with the same value;
only the addresses of queues and tables (which differ between AWS and moto) are aside.
"""

from __future__ import annotations

from typing import Any

import pulumi

from eventpipe import contract
from eventpipe.consumer import Consumer
from eventpipe.testing import ConsumerInvoker, eventbridge_event, run_resources
from eventpipe.testing.pulumi_mocks import AwsMocks
from tests.components.helpers import build, settings, settled
from tests.runtime import handlers

ADDRESSES = {contract.ENV_DLQ_URL, contract.ENV_IDEMPOTENCY_TABLE}

CONSUMER = Consumer(
    name="env-parity",
    handler="tests.runtime.handlers:capture_environment",
    pattern={"source": ["shop"]},
    idempotent=True,
    environment={"CONSUMER_VAR": "from-the-consumer"},
    resources="tests.runtime.handlers:declare_plugin_env",
)


def deployed_environment(mocks: AwsMocks, build_dir: Any) -> dict[str, str]:
    found: dict[str, str] = {}

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        bus, pipelines = build([("parity", CONSUMER)], settings(), build_dir)

        def read(_: object) -> None:
            function = mocks.one("aws:lambda/function:Function", f"{CONSUMER.name}-function")
            found.update(function.inputs["environment"]["variables"])

        return settled([bus, *pipelines]).apply(read)

    run()
    return found


def test_the_kit_runs_a_handler_with_the_deployed_environment(
    mocks: AwsMocks, build_dir: Any
) -> None:
    deployed = deployed_environment(mocks, build_dir)
    assert deployed["PLUGIN_VAR"] == "from-the-plugin"
    assert contract.ENV_BACKOFF_BASE in deployed and "POWERTOOLS_METRICS_NAMESPACE" in deployed

    plugin_env = run_resources(CONSUMER).returned.environment
    handlers.CALLS.clear()
    with ConsumerInvoker() as invoke:
        result = invoke(
            CONSUMER, [eventbridge_event("T", "shop", {"orderId": "1"})], env=plugin_env
        )
    assert result.outcomes == ["succeeded"]
    [seen] = handlers.CALLS
    missing = {k: v for k, v in deployed.items() if k not in ADDRESSES and seen.get(k) != v}
    assert missing == {}
    assert set(ADDRESSES) <= set(seen)


def test_eventpipe_variables_win_over_the_plugins_in_the_kit() -> None:
    handlers.CALLS.clear()
    with ConsumerInvoker() as invoke:
        invoke(
            CONSUMER,
            [eventbridge_event("T", "shop", {"orderId": "1"})],
            env={contract.ENV_CONSUMER: "hijacked", contract.ENV_BACKOFF_BASE: "1"},
        )
    [seen] = handlers.CALLS
    assert seen[contract.ENV_CONSUMER] == CONSUMER.name
    assert seen[contract.ENV_BACKOFF_BASE] != "1"


def test_pulumi_up_leaves_a_paused_or_tripped_mapping_disabled(monkeypatch: Any) -> None:
    """`eventpipe pause` and the breaker set Enabled=false out of band; the mapping is
    declared with ignore_changes on `enabled`, so the next `pulumi up` keeps it off."""
    from components import function

    seen: dict[str, Any] = {}

    def record(name: str, **kwargs: Any) -> str:
        seen.update(kwargs, name=name)
        return "mapping"

    monkeypatch.setattr(function.aws.lambda_, "EventSourceMapping", record)
    function.event_source_mapping(
        "orders-mapping",
        Consumer(name="orders", handler="tests.runtime.handlers:untyped"),
        queue_arn="arn:aws:sqs:us-east-1:123456789012:q",
        function_arn="arn:aws:lambda:us-east-1:123456789012:function:f",
        tags={},
        opts=pulumi.ResourceOptions(),
    )
    assert seen["name"] == "orders-mapping"
    assert seen["opts"].ignore_changes == ["enabled"] == function.OPERATOR_OWNED_MAPPING_FIELDS
    assert "enabled" not in seen  # never declared: the operator's state stays the operator's
