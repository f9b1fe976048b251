"""Stack config ``createBus: false``: the program looks the bus up (``getEventBus``)
instead of declaring it; locally the lookup is answered from the emulator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eventpipe.local import Deployment, deploy_program, read_project, start_emulator
from tests.local.conftest import REAL_PLUGINS, PluginEnv, real_project


def _deploy(tmp_path: Path, bus: str) -> tuple[Deployment, dict[str, Any]]:
    """Deploy the project's program with an existing bus; return it and, for the bus, its
    rules and one event put on it, read back from the queue order-processing's rule targets
    (its intake queue: the consumer is grouped by a path, so a Pipe feeds its FIFO queue,
    and no pipe runs in a bare deploy)."""
    project = real_project(
        tmp_path / "project",
        "dev",
        {
            "aws:region": "us-east-1",
            "eventpipe:busName": bus,
            "eventpipe:createBus": False,
            "eventpipe:publishSchemas": False,
            "eventpipe:dashboard": False,
        },
    )
    emulator = start_emulator()
    try:
        with PluginEnv(REAL_PLUGINS):
            deployment = deploy_program(read_project(project, "dev"), emulator)
        events, sqs = emulator.client("events"), emulator.client("sqs")
        seen = {
            "describe": events.describe_event_bus(Name=bus),
            "rules": [r["Name"] for r in events.list_rules(EventBusName=bus)["Rules"]],
        }
        events.put_events(
            Entries=[
                {
                    "EventBusName": bus,
                    "Source": "ecommerce.orders",
                    "DetailType": "Order Created",
                    "Detail": json.dumps({"orderId": "o-1", "customerId": "c-1", "amount": 5}),
                }
            ]
        )
        outputs = deployment.stack_outputs.consumer("order-processing")
        queue = outputs.intake_queue_url or outputs.queue_url
        seen["delivered"] = [
            json.loads(m["Body"])["detail"]
            for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        ]
    finally:
        emulator.stop()
    return deployment, seen


def _declared_buses(deployment: Deployment) -> list[str]:
    return [r.name for r in deployment.state.resources if r.type.endswith("eventBus:EventBus")]


@pytest.mark.parametrize("bus", ["shared-orders-bus", "default"])
def test_an_existing_bus_is_looked_up_and_wired(tmp_path: Path, bus: str) -> None:
    deployment, seen = _deploy(tmp_path, bus)
    assert _declared_buses(deployment) == []  # looked up, never declared (nor deleted)
    outputs = deployment.stack_outputs.bus
    assert outputs.name == bus
    assert outputs.arn == seen["describe"]["Arn"]
    assert outputs.arn.endswith(f":event-bus/{bus}")
    assert seen["rules"]  # the consumers' rules hang off that bus
    assert seen["delivered"] == [{"orderId": "o-1", "customerId": "c-1", "amount": 5}]
    created = [n for n in deployment.state.notices if "createBus: false" in n]
    if bus == "default":
        assert created == []  # the default bus always exists
    else:
        assert created == [
            f"event bus {bus} (createBus: false) did not exist in the emulator: created it"
        ]
