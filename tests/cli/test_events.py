"""``eventpipe publish``, ``match`` and ``replay`` against moto."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from eventpipe.operate import match as match_ops
from eventpipe.operate.aws import Aws
from tests.cli.stack import Stack


def drain(stack: Stack, consumer: str) -> list[dict[str, Any]]:
    """Every event delivered to a consumer's queue (deleted as read)."""
    url = stack.consumer(consumer).queue_url
    bodies: list[dict[str, Any]] = []
    while True:
        messages = stack.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            stack.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


# --- publish --------------------------------------------------------------------------


def test_publish_one_event_from_options(stack: Stack) -> None:
    result = stack.cli(
        "publish",
        "--detail-type",
        "Order Created",
        "--source",
        "ecommerce.orders",
        "--detail",
        '{"orderId": "o-1"}',
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["succeeded"], summary["failed"], summary["calls"]) == (1, 0, 1)
    [delivered] = drain(stack, "orders")
    assert delivered["detail"] == {"orderId": "o-1"}
    assert [e["detail"] for e in drain(stack, "inventory")] == [{"orderId": "o-1"}]


def test_publish_json_lines_file_in_batches(stack: Stack, tmp_path: Path) -> None:
    lines = [json.dumps({"detail-type": "Order Created", "detail": {"n": n}}) for n in range(23)]
    lines.insert(5, "")  # blank lines are fine
    events_file = tmp_path / "events.jsonl"
    events_file.write_text("\n".join(lines))
    result = stack.cli("publish", str(events_file), "--source", "ecommerce.orders")
    assert result.exit_code == 0, result.output
    assert "Published 23 of 23 event(s) to eventpipe-dev-bus in 3 call(s)" in result.stdout
    ids = [line.split()[-1] for line in result.stdout.splitlines() if "event id " in line]
    assert len(ids) == 10 and len(set(ids)) == 10  # the first ten; --json has them all
    assert "... and 13 more event ids (--json lists them all)" in result.stdout
    assert sorted(e["detail"]["n"] for e in drain(stack, "orders")) == list(range(23))


def test_publish_json_array_from_stdin(stack: Stack) -> None:
    events = [
        {"source": "ecommerce.stock", "detail-type": "Stock Changed", "detail": {"sku": "a"}},
        {"source": "ecommerce.stock", "detail-type": "Stock Changed", "detail": {"sku": "b"}},
    ]
    result = stack.cli("publish", "-", input=json.dumps(events))
    assert result.exit_code == 0, result.output
    assert sorted(e["detail"]["sku"] for e in drain(stack, "inventory")) == ["a", "b"]
    assert drain(stack, "orders") == []  # not its detail-type


def test_publish_errors_name_the_event(stack: Stack, tmp_path: Path) -> None:
    no_source = stack.cli("publish", "--detail-type", "X", "--detail", "{}")
    assert no_source.exit_code == 1
    assert "event 0: no source" in no_source.stderr

    bad_line = tmp_path / "bad.jsonl"
    bad_line.write_text('{"detail-type": "A", "source": "s"}\n{oops\n')
    parsed = stack.cli("publish", str(bad_line))
    assert parsed.exit_code == 1 and "line 2: not JSON" in parsed.stderr

    huge = tmp_path / "huge.json"
    huge.write_text(
        json.dumps(
            [
                {"source": "s", "detail-type": "A", "detail": {}},
                {"source": "s", "detail-type": "A", "detail": {"x": "y" * 1_100_000}},
            ]
        )
    )
    too_big = stack.cli("publish", str(huge))
    assert too_big.exit_code == 1
    assert "event 1 is 1,100,0" in too_big.stderr and "at most 1,048,576" in too_big.stderr
    assert drain(stack, "orders") == []  # nothing sent: checked before the first call


def test_publish_reports_failed_entries_and_exits_nonzero(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = boto3.client("events", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_response(
        "put_events",
        {
            "FailedEntryCount": 1,
            "Entries": [
                {"EventId": "e-1"},
                {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
            ],
        },
    )
    monkeypatch.setattr(Aws, "client", lambda aws, service: client)
    events = [{"source": "s", "detail-type": "A", "detail": {}}] * 2
    with stubber:
        result = stack.cli("publish", "-", input=json.dumps(events))
    assert result.exit_code == 1
    assert "Published 1 of 2 event(s)" in result.stdout
    assert "MalformedDetail" in result.stdout and "Detail is malformed." in result.stdout


# --- match ----------------------------------------------------------------------------

ORDER = {"source": "ecommerce.orders", "detail-type": "Order Created", "detail": {"id": 1}}


def test_match_deployed_rules_with_local_fallback(stack: Stack) -> None:
    # moto does not implement TestEventPattern (empty answer): the local matcher answers.
    result = stack.cli("match", json.dumps(ORDER), "--deployed", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {r["consumer"]: r["matched"] for r in data["results"]} == {
        "inventory": True,
        "orders": True,
    }
    assert all("local matcher" in r["engine"] for r in data["results"])
    # The envelope was completed with what TestEventPattern requires.
    event = data["event"]
    assert event["account"] == "123456789012" and event["region"] == "us-east-1"
    assert event["resources"] == [] and event["id"] and event["time"].endswith("Z")

    stock = dict(ORDER, source="ecommerce.stock")
    table = stack.cli("match", json.dumps(stock), "--deployed")
    assert "1 of 2 consumer(s) match" in table.stdout


def test_match_uses_test_event_pattern_when_the_endpoint_has_it(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    client = boto3.client("events", region_name="us-east-1")
    stubber = Stubber(client)
    for name, pattern in (
        ("inventory", '{"source": ["ecommerce.orders", "ecommerce.stock"]}'),
        ("orders", '{"source": ["ecommerce.orders"], "detail-type": ["Order Created"]}'),
    ):
        stubber.add_response(
            "describe_rule",
            {"Name": f"eventpipe-dev-{name}", "EventPattern": pattern},
            {"Name": f"eventpipe-dev-{name}", "EventBusName": "eventpipe-dev-bus"},
        )
    stubber.add_response(
        "test_event_pattern", {"Result": False}, {"EventPattern": ANY, "Event": ANY}
    )
    stubber.add_response(
        "test_event_pattern", {"Result": True}, {"EventPattern": ANY, "Event": ANY}
    )
    monkeypatch.setattr(Aws, "client", lambda aws, service: client)
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(ORDER))
    with stubber:
        result = stack.cli("match", f"@{event_file}", "--deployed", "--json")
        stubber.assert_no_pending_responses()
    assert result.exit_code == 0, result.output
    results = json.loads(result.stdout)["results"]
    assert [(r["consumer"], r["matched"], r["engine"]) for r in results] == [
        ("inventory", False, "TestEventPattern"),
        ("orders", True, "TestEventPattern"),
    ]


PLUGIN = """
import eventpipe

@eventpipe.hookimpl
def eventpipe_consumers():
    return [
        eventpipe.Consumer(name="orders", handler="matchplug_handler:handle",
                           pattern={"source": ["ecommerce.orders"], "detail": {"id": [{"numeric": [">", 5]}]}}),
        eventpipe.Consumer(name="mailer", handler="matchplug_handler:handle"),
    ]
"""


def test_match_takes_patterns_from_the_installed_plugins(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import eventpipe.resolve as resolve_module

    (tmp_path / "matchplug.py").write_text(PLUGIN)
    (tmp_path / "matchplug_handler.py").write_text("def handle(event):\n    pass\n")
    (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import matchplug  # type: ignore[import-not-found]

    real = resolve_module.resolve

    def only_test_plugin(values: Any, **kwargs: Any) -> Any:
        return real(values, **kwargs, extra_plugins=[("matchplug", matchplug)], entry_points=False)

    monkeypatch.setattr(resolve_module, "resolve", only_test_plugin)
    low = stack.cli("match", json.dumps(ORDER), "--json")
    assert low.exit_code == 0, low.output
    assert [(r["consumer"], r["matched"]) for r in json.loads(low.stdout)["results"]] == [
        ("orders", False)  # id 1 is not > 5; mailer has no pattern
    ]
    high = stack.cli("match", json.dumps(dict(ORDER, detail={"id": 9})), "--json")
    assert [r["matched"] for r in json.loads(high.stdout)["results"]] == [True]
    sys.modules.pop("matchplug", None)


def test_match_rejects_events_without_source(stack: Stack) -> None:
    result = stack.cli("match", '{"detail": {}}', "--deployed")
    assert result.exit_code == 1
    assert "needs source and detail-type" in result.stderr
    not_json = stack.cli("match", "{nope", "--deployed")
    assert not_json.exit_code == 1 and "the argument is not JSON" in not_json.stderr


# --- replay ---------------------------------------------------------------------------


def test_replay_into_one_consumer(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    stack.cli("publish", "--detail-type", "Order Created", "--source", "ecommerce.orders")
    drain(stack, "orders"), drain(stack, "inventory")
    requests: list[dict[str, Any]] = []
    real = Aws.client

    def spying(aws: Aws, service: str) -> Any:
        client = real(aws, service)
        if service == "events":
            client.meta.events.register(
                "provide-client-params.events.StartReplay",
                lambda params, **_: requests.append(params),
            )
        return client

    monkeypatch.setattr(Aws, "client", spying)
    result = stack.cli("replay", "--from", "-1h", "--to", "now", "--consumer", "orders", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["state"] == "COMPLETED" and summary["consumers"] == ["orders"]
    [request] = requests
    assert request["EventSourceArn"] == stack.output.bus.archive_arn
    assert request["Destination"] == {
        "Arn": stack.output.bus.arn,
        "FilterArns": [stack.consumer("orders").rule_arn],
    }
    # moto replays the archived event (it ignores FilterArns; AWS honours them).
    assert [e["detail-type"] for e in drain(stack, "orders")] == ["Order Created"]


def test_replay_without_archive_says_how_to_get_one(stack: Stack) -> None:
    stack.change(bus=dataclasses.replace(stack.output.bus, archive_arn=None, archive_name=None))
    result = stack.cli("replay", "--from", "yesterday", "--to", "today")
    assert result.exit_code == 1
    assert "has no archive" in result.stderr
    assert "eventpipe:archive: true" in result.stderr and "pulumi up --stack dev" in result.stderr


def test_replay_rejects_direct_consumers_and_bad_times(stack: Stack) -> None:
    direct = stack.cli("replay", "--from", "-1h", "--consumer", "mailer")
    assert direct.exit_code == 1 and "fed directly by producers" in direct.stderr
    backwards = stack.cli("replay", "--from", "-1h", "--to", "-2h")
    assert backwards.exit_code == 1 and "must be before --to" in backwards.stderr
    garbage = stack.cli("replay", "--from", "last tuesday")
    assert garbage.exit_code == 1 and "cannot read time 'last tuesday'" in garbage.stderr


def test_publish_refuses_empty_input_and_detail_without_type(stack: Stack) -> None:
    empty = stack.cli("publish", "-", input="\n")
    assert empty.exit_code == 1 and "no events in stdin" in empty.stderr
    orphan = stack.cli("publish", "--detail", "{}")
    assert orphan.exit_code == 1 and "--detail needs --detail-type" in orphan.stderr


def test_replay_names_are_unique_and_valid(stack: Stack) -> None:
    from datetime import UTC, datetime, timedelta

    from eventpipe.operate.replay import plan_replay

    outputs = stack.output
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    plans = [
        plan_replay(outputs, now - timedelta(days=1), now, ["orders"], now=now) for _ in range(5)
    ]
    assert len({p.name for p in plans}) == 5
    assert all(p.name.startswith("dev-orders-20261123T120000-") for p in plans)
    assert plans[0].end == now
    future = plan_replay(outputs, now - timedelta(hours=1), now + timedelta(days=1), now=now)
    assert future.end == now  # EventBridge rejects an end in the future
    assert future.consumers == ["inventory", "orders"]  # rule-fed consumers only


def test_match_needs_no_stack_outputs_credentials_or_pulumi(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The default answers from the installed plugins: nothing deployed, no Pulumi CLI
    on PATH, no AWS credentials, no AWS call."""
    from typer.testing import CliRunner

    from eventpipe.cli import app

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `pulumi` to find
    monkeypatch.setenv("EVENTPIPE_PLUGINS", "orders,priority-orders")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")

    def no_aws(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("match called AWS")

    monkeypatch.setattr(Aws, "client", no_aws)
    big = dict(ORDER, detail={"amount": 1500, "customerId": "c-1"})
    result = CliRunner().invoke(app, ["match", json.dumps(big), "-s", "dev", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {r["consumer"]: r["matched"] for r in data["results"]} == {
        "order-processing": True,
        "priority-orders": True,
    }
    assert {r["engine"] for r in data["results"]} == {match_ops.ENGINE_PLUGINS}
    assert data["event"]["account"] == match_ops.UNDEPLOYED_ACCOUNT
    small = CliRunner().invoke(app, ["match", json.dumps(dict(ORDER, detail={"amount": 5}))])
    assert small.exit_code == 0, small.output
    assert "1 of 2 consumer(s) match" in small.stdout
