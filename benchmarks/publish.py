"""Events per second through ``eventpipe.publish.Publisher``: batched vs one per call.

Runs an embedded moto server (ThreadedMotoServer on a free 127.0.0.1 port), so the
figures include real HTTP round trips, request signing and response parsing: the costs
batching saves. Two buses are measured: one with no rules (PutEvents cost alone) and one
with a rule delivering to an SQS queue (what an eventpipe bus does), first on stock moto,
then on the local engine's embedded server (``EmbeddedServer``: moto with the shims,
routing with eventpipe's own pattern matcher). Each mode runs ROUNDS times, alternating,
and the median is reported. Target: routing one rule to SQS in the embedded engine at
>= 25% of the no-rule publishing rate of the same run.

    .venv/bin/python benchmarks/publish.py [events-per-round] [rounds]
"""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from moto.server import ThreadedMotoServer

from eventpipe.local.emulator.embedded import EmbeddedServer
from eventpipe.publish import OutgoingEvent, Publisher

EVENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 500
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
ROUTED_EVENTS, ROUTED_ROUNDS = 100, 3
"""moto spends ~50 ms routing each event to a target (it builds jsonpath parsers per
event), the same in both modes, so the routed bus gets a smaller sample."""


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def events(n: int) -> list[OutgoingEvent]:
    return [
        OutgoingEvent(
            "Order Created", {"orderId": f"o-{i}", "customerId": f"c-{i % 50}", "amount": i}
        )
        for i in range(n)
    ]


def batched(publisher: Publisher, batch: list[OutgoingEvent]) -> float:
    start = time.perf_counter()
    result = publisher.publish_many(batch)
    elapsed = time.perf_counter() - start
    assert result.ok and result.calls == -(-len(batch) // 10), result.to_dict()
    return len(batch) / elapsed


def one_per_call(publisher: Publisher, batch: list[OutgoingEvent]) -> float:
    start = time.perf_counter()
    for event in batch:
        assert publisher.publish(event.detail_type, event.detail).ok
    return len(batch) / (time.perf_counter() - start)


def measure(client: Any, bus: str, count: int, rounds: int) -> dict[str, float]:
    publisher = Publisher(bus, client=client, source="bench.orders")
    batch = events(count)
    batched(publisher, batch[:20])  # warm up connections and moto's code paths
    one_per_call(publisher, batch[:20])
    runs: dict[str, list[float]] = {"batched": [], "single": []}
    for _ in range(rounds):
        runs["batched"].append(batched(publisher, batch))
        runs["single"].append(one_per_call(publisher, batch))
    return {mode: statistics.median(values) for mode, values in runs.items()}


def routed_buses(url: str) -> Any:
    """An EventBridge client on ``url`` with a bare bus and a bus routing to SQS."""
    session = boto3.Session(region_name="us-east-1")
    client = session.client("events", endpoint_url=url)
    sqs = session.client("sqs", endpoint_url=url)
    client.create_event_bus(Name="bench-bare")
    client.create_event_bus(Name="bench-routed")
    queue = sqs.create_queue(QueueName="bench-sink")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    client.put_rule(
        Name="orders",
        EventBusName="bench-routed",
        EventPattern=json.dumps({"source": ["bench.orders"]}),
    )
    client.put_targets(
        Rule="orders", EventBusName="bench-routed", Targets=[{"Id": "q", "Arn": arn}]
    )
    return client


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    print("# Publisher throughput against an embedded moto server (median of rounds)")
    print(f"machine: {os.cpu_count()} cpu(s), {cpu_model()}, python {platform.python_version()}")
    print()
    print("| bus | events x rounds | batched (10/call) events/s | one per call events/s | ratio |")
    print("|---|---:|---:|---:|---:|")
    rates: dict[str, float] = {}
    servers: dict[str, Any] = {
        "stock moto": ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False),
        "embedded engine (shims)": EmbeddedServer(),
    }
    for engine, server in servers.items():
        server.start()
        host, port = server.get_host_and_port()
        try:
            client = routed_buses(f"http://{host}:{port}")
            cases = (
                ("no rules", "bench-bare", EVENTS, ROUNDS),
                ("rule -> SQS", "bench-routed", ROUTED_EVENTS, ROUTED_ROUNDS),
            )
            for label, bus, count, rounds in cases:
                figures = measure(client, bus, count, rounds)
                rates[f"{engine}: {label}"] = figures["batched"]
                ratio = figures["batched"] / figures["single"]
                print(
                    f"| {engine}: {label} | {count} x {rounds} | {figures['batched']:,.0f} | "
                    f"{figures['single']:,.0f} | {ratio:.1f}x |"
                )
        finally:
            server.stop()
    print()
    for engine in servers:
        share = rates[f"{engine}: rule -> SQS"] / rates[f"{engine}: no rules"]
        print(f"{engine}: routing one rule runs at {share:.0%} of the no-rule rate")


if __name__ == "__main__":
    main()
