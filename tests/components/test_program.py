"""The whole program (``__main__.py``) and the stack-level choices, under mocks."""

from __future__ import annotations

import functools
import json
import runpy
import shutil
import sys
from pathlib import Path
from typing import Any

import ep_fixture.plugin
import pulumi
import pytest
import yaml
from pulumi.runtime import settings as pulumi_settings

from components import schemas
from components.layers import powertools_layer_arn
from eventpipe import contract, pulumi_files, pulumi_stack, resolve
from eventpipe.consumer import Consumer, ConsumerResources
from eventpipe.exceptions import ConfigurationError
from eventpipe.operate.stack_outputs import parse_outputs
from eventpipe.testing.pulumi_mocks import MOCK_LAYER_VERSION, AwsMocks, policy
from tests.components.helpers import build, run_to_completion, settings, settled

PROJECT = Path(__file__).resolve().parents[2]
MAIN = PROJECT / "__main__.py"
FIXTURE = [("fixture", ep_fixture.plugin)]


def _fixture_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the program discover only the fixture plugin (not the installed examples)."""
    original = pulumi_stack.resolve_from_pulumi
    monkeypatch.setattr(
        pulumi_stack,
        "resolve_from_pulumi",
        functools.partial(original, extra_plugins=FIXTURE, entry_points=False),
    )


def _config(values: dict[str, Any]) -> None:
    flat = {"aws:region": "us-east-1"}
    flat.update(
        {f"eventpipe:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    )
    pulumi.runtime.set_all_config(flat)


def _run_program(main: Path = MAIN) -> dict[str, Any]:
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    runpy.run_path(str(main), run_name="__main__")
    root = pulumi_settings.get_root_resource()
    return dict(root.outputs)  # type: ignore[union-attr]


def test_program_exports_structured_output(
    mocks: AwsMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fixture_only(monkeypatch)
    _config({"tags": {"team": "t"}, "consumers": {"fixture-direct": {"batchSize": 7}}})

    def program() -> Any:
        outputs = _run_program()
        assert {"busName", "busArn", contract.STACK_OUTPUT} <= set(outputs)
        return [outputs["busName"], outputs[contract.STACK_OUTPUT]]

    bus_name, stack_output = run_to_completion(program)
    assert bus_name == "eventpipe-test-bus"
    assert stack_output["project"] == "eventpipe" and stack_output["stack"] == "test"
    assert stack_output["region"] == "us-east-1"
    bus = stack_output["bus"]
    assert bus["name"] == bus_name and bus["arn"].endswith(":event-bus/eventpipe-test-bus")
    assert bus["idempotencyTable"] == "eventpipe-test-idempotency"
    assert bus["deliveryDlqUrl"].endswith("/eventpipe-test-delivery-dlq")
    consumers = stack_output["consumers"]
    assert set(consumers) == {"fixture-fifo", "fixture-direct"}
    fifo = consumers["fixture-fifo"]
    assert fifo["plugin"] == "fixture" and fifo["fifo"] is True
    assert fifo["source"] == "rule"
    assert fifo["queueUrl"].endswith("/eventpipe-test-fixture-fifo.fifo")
    assert fifo["dlqArn"].endswith(":eventpipe-test-fixture-fifo-dlq.fifo")
    assert fifo["functionName"] == "eventpipe-test-fixture-fifo"
    assert fifo["ruleName"] == "eventpipe-test-fixture-fifo"
    # one alarm over the five signals and the intake queue's two
    assert fifo["alarmNames"] == ["eventpipe-test-fixture-fifo-alarm"]
    assert fifo["resources"]["bucket"]
    # the per-key FIFO keys (docs/components.md, "Stack output")
    assert fifo["messageGroup"] == "$.detail.thingId"
    assert fifo["intakeQueueUrl"].endswith("/eventpipe-test-fixture-fifo-intake")
    assert fifo["intakeQueueArn"].endswith(":eventpipe-test-fixture-fifo-intake")
    assert fifo["intakeDlqUrl"].endswith("/eventpipe-test-fixture-fifo-intake-dlq")
    assert fifo["intakeDlqArn"].endswith(":eventpipe-test-fixture-fifo-intake-dlq")
    assert fifo["pipeName"] == "eventpipe-test-fixture-fifo"
    assert fifo["pipeArn"].endswith(":pipe/eventpipe-test-fixture-fifo")
    assert fifo["pipeLogGroup"] == "/aws/vendedlogs/pipes/eventpipe-test-fixture-fifo"
    assert fifo["missingGroupRuleName"] == "eventpipe-test-fixture-fifo-nogroup"
    assert fifo["logGroupName"] == "/aws/lambda/eventpipe-test-fixture-fifo"
    fifo_esm = mocks.one("aws:lambda/eventSourceMapping:EventSourceMapping", "fixture-fifo-esm")
    assert fifo["eventSourceMappingUuid"] == fifo_esm.outputs["uuid"]
    direct = consumers["fixture-direct"]
    assert direct["source"] == "queue" and direct["ruleName"] is None
    assert direct["messageGroup"] is None and direct["intakeQueueUrl"] is None
    assert direct["pipeName"] is None and direct["pipeArn"] is None
    assert direct["logGroupName"] == "/aws/lambda/eventpipe-test-fixture-direct"
    mapping = mocks.one("aws:lambda/eventSourceMapping:EventSourceMapping", "fixture-direct-esm")
    assert mapping.inputs["batchSize"] == 7  # the stack override applied
    # what the operator tools read back
    parsed = parse_outputs(stack_output, origin="test", stack="test")
    assert parsed.consumer("fixture-fifo").queue_url == fifo["queueUrl"]
    assert parsed.consumer("fixture-direct").rule_name is None


def test_program_reports_configuration_errors_without_traceback(
    mocks: AwsMocks, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A typo in the stack file fails the program, naming the key and the closest one: the
    program finds the keys Pulumi's config API cannot list in its own stack file."""
    _fixture_only(monkeypatch)
    shutil.copy(MAIN, tmp_path / "__main__.py")
    settings_values = {"busNmae": "typo", "consumers": {"fixture-fifo": {"timeout": 2000}}}
    (tmp_path / "Pulumi.test.yaml").write_text(
        yaml.safe_dump({"config": {f"eventpipe:{k}": v for k, v in settings_values.items()}})
    )
    _config(settings_values)  # what Pulumi hands the program from that file
    with pytest.raises(pulumi.RunError) as raised:
        _run_program(tmp_path / "__main__.py")
    message = str(raised.value)
    assert "eventpipe:busNmae" in message and "busName" in message
    assert "fixture-fifo" in message and "timeout" in message


def test_overrides_and_disabled_consumer(mocks: AwsMocks, build_dir: Path) -> None:
    resolved = resolve.resolve(
        {"defaults": {"memory": 512}, "consumers": {"fixture-fifo": {"timeout": 40},
                                                     "fixture-direct": {"enabled": False}}},
        stack="test", region="us-east-1", extra_plugins=FIXTURE, entry_points=False,
    )  # fmt: skip
    assert [d.consumer.name for d in resolved.enabled] == ["fixture-fifo"]

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        bus, pipelines = build(
            [(d.plugin, d.consumer) for d in resolved.enabled], resolved.settings, build_dir
        )

        def check(_: object) -> None:
            function = mocks.one("aws:lambda/function:Function", "fixture-fifo-function")
            assert function.inputs["timeout"] == 40 and function.inputs["memorySize"] == 512
            queue = mocks.one("aws:sqs/queue:Queue", "fixture-fifo-queue")
            assert queue.inputs["visibilityTimeoutSeconds"] == 240
            assert not [r for r in mocks.resources if "fixture-direct" in r.name]
            body = mocks.one("aws:cloudwatch/dashboard:Dashboard", "eventpipe-dashboard")
            assert "fixture-direct" not in body.inputs["dashboardBody"]

        return settled([bus, *pipelines]).apply(check)

    run()


def test_direct_queue_consumer_has_no_rule_and_tls_only_policy(
    mocks: AwsMocks, build_dir: Path
) -> None:
    direct = ep_fixture.plugin.consumers()[1]

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        bus, pipelines = build([("fixture", direct)], settings(), build_dir)

        def check(_: object) -> None:
            assert not mocks.of_type("aws:cloudwatch/eventRule:EventRule")
            assert not mocks.of_type("aws:cloudwatch/eventTarget:EventTarget")
            statements = policy(
                mocks.one("aws:sqs/queuePolicy:QueuePolicy", "fixture-direct-queue-policy")
            )["Statement"]
            assert [s["Effect"] for s in statements] == ["Deny"]
            function = mocks.one("aws:lambda/function:Function", "fixture-direct-function")
            assert function.inputs["environment"]["variables"][contract.ENV_SOURCE] == "queue"
            assert not mocks.of_type("aws:dynamodb/table:Table"), "no idempotent consumer"
            assert pipelines[0].rule_arn is None

        return settled([bus, *pipelines]).apply(check)

    run()


def test_existing_bus_is_looked_up_not_created(mocks: AwsMocks, build_dir: Path) -> None:
    direct = ep_fixture.plugin.consumers()[1]

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        bus, pipelines = build(
            [("fixture", direct)],
            settings(createBus=False, busName="default", archive=False),
            build_dir,
        )

        def check(values: list[Any]) -> None:
            name, arn = values[-2:]
            assert name == "default" and arn.endswith(":event-bus/default")
            assert not mocks.of_type("aws:cloudwatch/eventBus:EventBus")
            assert not mocks.of_type("aws:cloudwatch/eventArchive:EventArchive")
            assert "aws:cloudwatch/getEventBus:getEventBus" in mocks.calls
            statements = policy(
                mocks.one("aws:sqs/queuePolicy:QueuePolicy", "eventpipe-delivery-dlq-policy")
            )["Statement"]
            source = statements[0]["Condition"]["ArnLike"]["aws:SourceArn"]
            assert source == "arn:aws:events:us-east-1:123456789012:rule/eventpipe-test-*"

        urns = [r.urn for c in [bus, *pipelines] for r in c.resources.values()]
        return pulumi.Output.all(*urns, bus.bus_name, bus.bus_arn).apply(check)

    run()


def test_plugin_wildcard_statements_are_rejected(mocks: AwsMocks, build_dir: Path) -> None:
    def greedy(ctx: Any) -> ConsumerResources:
        return ConsumerResources(
            statements=[{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}]
        )

    consumer = Consumer(name="greedy", handler="ep_fixture.handlers:direct", resources=greedy)

    @pulumi.runtime.test
    def run() -> None:
        with pytest.raises(ConfigurationError) as raised:
            build([("fixture", consumer)], settings(), build_dir)
        text = str(raised.value)
        assert "'greedy'" in text and "wildcard action" in text and "wildcard resource" in text

    run()


def test_powertools_layer_is_looked_up_by_the_installed_version(mocks: AwsMocks) -> None:
    from importlib.metadata import version

    installed = version("aws-lambda-powertools")
    arm = powertools_layer_arn(settings(), "us-east-1")
    assert mocks.parameters_asked == [
        f"/aws/service/powertools/python/arm64/python3.13/{installed}"
    ]
    assert arm == (
        "arn:aws:lambda:us-east-1:017000801446:layer:"
        f"AWSLambdaPowertoolsPythonV3-python313-arm64:{MOCK_LAYER_VERSION}"
    )
    powertools_layer_arn(settings(architecture="x86_64", pythonRuntime="python3.12"), "us-east-1")
    assert mocks.parameters_asked[-1].endswith(f"/x86_64/python3.12/{installed}")


def test_powertools_layer_overrides_skip_the_lookup(mocks: AwsMocks) -> None:
    x86 = powertools_layer_arn(
        settings(architecture="x86_64", pythonRuntime="python3.12", powertoolsLayerVersion=9),
        "us-west-2",
    )
    assert x86.endswith(":layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:9")
    pinned = "arn:aws:lambda:us-east-1:111111111111:layer:mine:3"
    assert powertools_layer_arn(settings(powertoolsLayerArn=pinned), "cn-north-1") == pinned
    assert mocks.parameters_asked == []
    with pytest.raises(ConfigurationError, match="powertoolsLayerArn"):
        powertools_layer_arn(settings(), "cn-north-1")
    with pytest.raises(ConfigurationError, match="us-gov-west-1"):
        powertools_layer_arn(settings(), "us-gov-west-1")


def test_a_missing_powertools_parameter_fails_naming_it_and_the_override(
    mocks: AwsMocks, build_dir: Path
) -> None:
    from importlib.metadata import version

    name = f"/aws/service/powertools/python/arm64/python3.13/{version('aws-lambda-powertools')}"
    mocks.missing_parameters.add(name)
    with pytest.raises(ConfigurationError) as raised:
        powertools_layer_arn(settings(), "us-east-1")
    [problem] = raised.value.problems
    assert problem.field == "eventpipe:powertoolsLayerArn"
    assert name in problem.message and "powertoolsLayerArn" in problem.fix

    @pulumi.runtime.test
    def run() -> None:  # the program's shape fails the same way: nothing half-declared
        with pytest.raises(ConfigurationError, match="was not found"):
            build(
                [("fixture", Consumer(name="c", handler="ep_fixture.handlers:direct"))],
                settings(),
                build_dir,
            )

    run()


def test_handler_detail_model_is_published_as_schema(
    mocks: AwsMocks, build_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import BaseModel

    class Line(BaseModel):
        sku: str

    class ThingHappened(BaseModel):
        thingId: str
        lines: list[Line]

    monkeypatch.setattr(schemas, "detail_model", lambda handler: ThingHappened if handler else None)
    fifo, direct = ep_fixture.plugin.consumers()

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        from components import EventBus, EventBusArgs

        bus = EventBus("eventpipe", EventBusArgs(
            settings(), consumers=[fifo, direct],
            handlers={"fifo": None, fifo.name: object(), direct.name: object()},
            build_dir=build_dir,
        ))  # fmt: skip

        def check(_: object) -> None:
            registry = mocks.one("aws:schemas/registry:Registry", "eventpipe-schemas")
            (schema,) = mocks.of_type("aws:schemas/schema:Schema")  # direct queue: none
            assert schema.inputs["registryName"] == registry.outputs["name"]
            assert schema.inputs["type"] == "JSONSchemaDraft4"
            assert schema.inputs["name"] == "fixture-fifo@ThingHappened"
            content = json.loads(schema.inputs["content"])
            assert content["$schema"] == schemas.DRAFT4
            assert content["properties"]["detail-type"]["enum"] == ["Thing Happened"]
            detail = content["definitions"]["ThingHappened"]
            assert detail["required"] == ["thingId", "lines"]
            assert detail["properties"]["lines"]["items"] == {"$ref": "#/definitions/Line"}

        return settled([bus]).apply(check)

    run()


def _stack_file_config(stack: str) -> dict[str, str]:
    """``Pulumi.<stack>.yaml`` flattened the way the Pulumi engine hands it to a program."""
    return pulumi_files.program_config(PROJECT, stack).config


def test_dev_stack_with_installed_example_plugins(
    mocks: AwsMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real program, the real dev stack file and the four example plugins (pinned:
    a consumer the user adds with `eventpipe new` is installed too, and is not this
    test's business)."""
    monkeypatch.setenv("EVENTPIPE_PLUGINS", "orders,inventory,notifications,priority-orders")
    pulumi.runtime.set_all_config(_stack_file_config("dev"))
    pulumi_settings._set_stack("dev")

    stack_output = run_to_completion(lambda: _run_program()[contract.STACK_OUTPUT])
    consumers = stack_output["consumers"]
    assert set(consumers) == {
        "order-processing",
        "inventory-reservation",
        "notifications",
        "priority-orders",
    }
    assert consumers["order-processing"]["fifo"] is True
    assert stack_output["bus"]["name"] == "eventpipe-dev-bus"
    mapping = mocks.one("aws:lambda/eventSourceMapping:EventSourceMapping", "priority-orders-esm")
    assert mapping.inputs["batchSize"] == 5  # consumers.priority-orders.batchSize
    queue = mocks.one("aws:sqs/queue:Queue", "inventory-reservation-queue")
    redrive = json.loads(queue.inputs["redrivePolicy"])
    assert redrive["maxReceiveCount"] == 5  # defaults.maxReceiveCount
    logs = mocks.one("aws:cloudwatch/logGroup:LogGroup", "order-processing-logs")
    assert logs.inputs["retentionInDays"] == 14
    function = mocks.one("aws:lambda/function:Function", "notifications-function")
    assert function.inputs["tags"]["team"] == "commerce"
    # handlers declaring a detail model have it published for producers
    published = {s.inputs["name"].split("@")[0] for s in mocks.of_type("aws:schemas/schema:Schema")}
    assert "order-processing" in published
    assert mocks.of_type("aws:schemas/discoverer:Discoverer")
    # every published schema is valid for the type it is published as
    from jsonschema import Draft4Validator

    for schema in mocks.of_type("aws:schemas/schema:Schema"):
        assert schema.inputs["type"] == "JSONSchemaDraft4"
        Draft4Validator.check_schema(json.loads(schema.inputs["content"]))


def test_region_follows_the_provider(mocks: AwsMocks, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without aws:region the provider uses AWS_REGION, and so must the layer ARN."""
    from components.layers import deploy_region

    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    assert deploy_region(settings(region="us-east-1")) == "us-east-1"  # aws:region is set
    pulumi.runtime.set_all_config({})
    assert deploy_region(settings()) == "eu-central-1"
    assert ":eu-central-1:017000801446:" in powertools_layer_arn(settings(), "eu-central-1")
