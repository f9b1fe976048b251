"""eventpipe.testing.plugin_checks: the checks every plugin's own tests run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

import eventpipe
from eventpipe.patterns import matches
from eventpipe.testing import (
    ConsumerInvoker,
    assert_lambda_side_clean,
    assert_samples_end_as_declared,
    check_plugin,
    run_resources,
    sample_envelope,
)

PATTERN = {"source": ["shop"], "detail-type": ["Order Created"]}


def rule_consumer(**overrides: Any) -> eventpipe.Consumer:
    values: dict[str, Any] = {
        "name": "orders",
        "handler": "tests.runtime.handlers:noop",
        "pattern": PATTERN,
    }
    return eventpipe.Consumer(**{**values, **overrides})


def queue_consumer() -> eventpipe.Consumer:
    return eventpipe.Consumer(name="direct", handler="tests.runtime.handlers:body_any")


def bus_sample(detail_type: str = "Order Created", **expect: Any) -> eventpipe.SampleEvent:
    return eventpipe.SampleEvent(
        description=f"a {detail_type}",
        source="shop",
        detail_type=detail_type,
        detail={"orderId": "o-1"},
        expect=expect or {"orders": "succeeded"},
    )


def plugin(consumers: list[Any], samples: list[Any] | None = None) -> SimpleNamespace:
    """A plugin object with the two hooks (what an entry point module provides)."""
    hooks: dict[str, Any] = {"eventpipe_consumers": eventpipe.hookimpl(lambda: consumers)}
    if samples is not None:
        hooks["eventpipe_sample_events"] = eventpipe.hookimpl(lambda: samples)
    return SimpleNamespace(**hooks)


# -- sample_envelope ---------------------------------------------------------------------


def test_sample_envelope_is_the_published_event() -> None:
    event = sample_envelope(bus_sample())
    assert (event["source"], event["detail-type"], event["detail"]) == (
        "shop",
        "Order Created",
        {"orderId": "o-1"},
    )
    assert {"version", "id", "account", "region", "time", "resources"} <= set(event)
    assert matches(PATTERN, event)


def test_a_direct_queue_sample_has_no_envelope() -> None:
    sample = eventpipe.SampleEvent(description="raw", consumer="direct", body="x")
    with pytest.raises(ValueError, match="'raw' is not a bus event"):
        sample_envelope(sample)


# -- check_plugin ------------------------------------------------------------------------


def test_a_valid_plugin_returns_its_declared_consumers() -> None:
    direct = eventpipe.SampleEvent(consumer="direct", body={"a": 1}, expect={"direct": "succeeded"})
    declared = check_plugin(
        plugin([rule_consumer(), queue_consumer()], [bus_sample(), direct]), name="shop"
    )
    assert [(d.plugin, d.consumer.name, d.enabled) for d in declared] == [
        ("shop", "orders", True),
        ("shop", "direct", True),
    ]
    assert all(callable(d.handler_func) for d in declared)


def test_a_plugin_without_samples_is_checked_on_its_declaration_alone() -> None:
    [declared] = check_plugin(plugin([rule_consumer()]))
    assert declared.consumer.name == "orders"


def test_stack_settings_are_applied_as_a_stack_would() -> None:
    [declared] = check_plugin(
        plugin([rule_consumer()], [bus_sample()]),
        settings={"consumers": {"orders": {"batchSize": 3}}},
    )
    assert declared.consumer.batch_size == 3


def test_a_bad_declaration_is_the_production_configuration_error() -> None:
    bad = plugin([rule_consumer(pattern={"source": "shop"}, handler="tests.runtime.nope:gone")])
    with pytest.raises(eventpipe.ConfigurationError) as caught:
        check_plugin(bad, name="shop")
    fields = {(p.plugin, p.consumer, p.field) for p in caught.value.problems}
    assert ("shop", "orders", "pattern") in fields
    assert ("shop", "orders", "handler") in fields


def test_a_hook_returning_something_else_is_a_configuration_error() -> None:
    with pytest.raises(eventpipe.ConfigurationError, match=r"not an eventpipe\.Consumer"):
        check_plugin(plugin(["orders"]), name="shop")


def test_a_sample_the_pattern_does_not_match_names_sample_and_consumer() -> None:
    samples = [bus_sample(), bus_sample("Order Cancelled")]
    with pytest.raises(AssertionError) as caught:
        check_plugin(plugin([rule_consumer()], samples), name="shop")
    message = str(caught.value)
    assert "sample 'a Order Cancelled'" in message
    assert "consumer 'orders'" in message
    assert "does not match" in message


def test_a_sample_expecting_an_undeclared_consumer_fails() -> None:
    samples = [bus_sample(**{"orders": "succeeded", "billing": "succeeded"})]
    with pytest.raises(AssertionError, match=r"outcome from \['billing'\]"):
        check_plugin(plugin([rule_consumer()], samples), name="shop")


def test_a_bus_sample_for_a_direct_queue_consumer_fails() -> None:
    samples = [bus_sample(direct="succeeded")]
    with pytest.raises(AssertionError, match="consumer 'direct' is fed directly"):
        check_plugin(plugin([rule_consumer(), queue_consumer()], samples))


def test_a_queue_sample_for_a_rule_fed_consumer_fails() -> None:
    sample = eventpipe.SampleEvent(consumer="orders", body="x", expect={"orders": "succeeded"})
    with pytest.raises(AssertionError, match="fed by an EventBridge rule"):
        check_plugin(plugin([rule_consumer()], [sample]))


def test_a_sample_of_neither_form_fails() -> None:
    sample = eventpipe.SampleEvent(description="half", source="shop")
    with pytest.raises(AssertionError, match="'half' needs detail_type \\+ source"):
        check_plugin(plugin([rule_consumer()], [sample]))


def test_samples_of_a_disabled_consumer_are_not_matched() -> None:
    samples = [bus_sample("Order Cancelled")]
    [declared] = check_plugin(
        plugin([rule_consumer()], samples), settings={"consumers": {"orders": {"enabled": False}}}
    )
    assert not declared.enabled


# -- assert_lambda_side_clean ------------------------------------------------------------


@pytest.fixture
def handler_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package not installed anywhere: only the test's sys.path finds it."""
    package = tmp_path / "lambda_side_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "clean.py").write_text("import json\n")
    (package / "infra.py").write_text("import pulumi\n")
    (package / "indirect.py").write_text("from lambda_side_pkg import infra  # noqa\n")
    (package / "broken.py").write_text("raise RuntimeError('boom at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return package


def test_clean_handler_modules_pass(handler_dir: Path) -> None:
    assert_lambda_side_clean("lambda_side_pkg.clean", "tests.runtime.handlers")


def test_a_handler_importing_pulumi_fails_naming_module_and_package(handler_dir: Path) -> None:
    with pytest.raises(AssertionError) as caught:
        assert_lambda_side_clean("lambda_side_pkg.clean", "lambda_side_pkg.indirect")
    assert "importing lambda_side_pkg.indirect also imports pulumi" in str(caught.value)


def test_a_handler_that_does_not_import_fails_with_its_error(handler_dir: Path) -> None:
    with pytest.raises(AssertionError, match="boom at import"):
        assert_lambda_side_clean("lambda_side_pkg.broken")


def test_naming_no_module_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="name the handler-side modules"):
        assert_lambda_side_clean()


# -- run_resources -----------------------------------------------------------------------


def table_and_grant(ctx: eventpipe.ResourceContext) -> eventpipe.ConsumerResources:
    table = aws.dynamodb.Table(
        ctx.resource_name("table"), hash_key="pk", tags=dict(ctx.tags), opts=ctx.opts()
    )
    topic = aws.sns.Topic(ctx.resource_name("topic"), opts=ctx.opts())
    region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=ctx.parent)).region
    return eventpipe.ConsumerResources(
        environment={"TABLE": table.name, "TOPIC": topic.arn, "STACK": ctx.stack},
        statements=[
            {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": [table.arn]},
            {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": topic.arn},
        ],
        outputs={"region": region},
    )


def test_run_resources_returns_resolved_values_and_declared_resources() -> None:
    run = run_resources(rule_consumer(resources=table_and_grant), stack="qa", tags={"team": "shop"})
    table = run.one("aws:dynamodb/table:Table")
    topic = run.one("aws:sns/topic:Topic")
    assert [r.typ for r in run.declared] == ["aws:dynamodb/table:Table", "aws:sns/topic:Topic"]
    assert table.name == "eventpipe-qa-orders-table"
    assert table.inputs["tags"] == {"team": "shop"}
    assert table.inputs["hashKey"] == "pk"
    name = table.outputs["name"]
    assert name.startswith("eventpipe-qa-orders-table-")
    assert table.outputs["arn"] == f"arn:aws:dynamodb:us-east-1:123456789012:table/{name}"
    assert topic.outputs["arn"].startswith("arn:aws:sns:us-east-1:123456789012:eventpipe-qa-")
    assert run.returned.environment == {
        "TABLE": name,
        "TOPIC": topic.outputs["arn"],
        "STACK": "qa",
    }
    assert run.returned.statements == [
        {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": [table.outputs["arn"]]},
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": topic.outputs["arn"]},
    ]
    assert run.returned.outputs == {"region": "us-east-1"}
    assert run.calls == ["aws:index/getRegion:getRegion"]


def test_run_resources_imports_a_string_hook_and_uses_the_region() -> None:
    consumer = rule_consumer(resources=f"{__name__}:table_and_grant")
    run = run_resources(consumer, stack="dev", name_prefix="x-", region="eu-west-1")
    assert run.one("aws:dynamodb/table:Table").name == "x-orders-table"
    assert run.returned.outputs == {"region": "eu-west-1"}
    assert ":eu-west-1:" in run.returned.statements[0]["Resource"][0]


def test_runs_do_not_leak_resources_into_each_other() -> None:
    first = run_resources(rule_consumer(resources=table_and_grant))
    second = run_resources(rule_consumer(resources=table_and_grant))
    assert len(first.declared) == len(second.declared) == 2


def test_a_consumer_without_hook_declares_nothing() -> None:
    run = run_resources(rule_consumer())
    assert run.declared == []
    assert run.returned == eventpipe.ConsumerResources()


def test_one_names_what_was_declared_when_the_type_is_missing() -> None:
    run = run_resources(rule_consumer(resources=table_and_grant))
    with pytest.raises(AssertionError, match="expected one aws:s3/bucketV2:BucketV2"):
        run.one("aws:s3/bucketV2:BucketV2")


def test_a_hook_returning_the_wrong_type_fails() -> None:
    consumer = rule_consumer(resources=lambda ctx: {"environment": {}})
    with pytest.raises(AssertionError, match=r"returned dict, not eventpipe\.ConsumerResources"):
        run_resources(consumer)


def test_an_unimportable_string_hook_is_a_configuration_error() -> None:
    consumer = rule_consumer(resources="tests.runtime.nope:hook")
    with pytest.raises(eventpipe.ConfigurationError) as caught:
        run_resources(consumer, plugin="shop")
    [problem] = caught.value.problems
    assert (problem.plugin, problem.consumer, problem.field) == ("shop", "orders", "resources")


def test_importing_the_helpers_does_not_load_pulumi_or_moto() -> None:
    code = (
        "import sys, eventpipe.testing; "
        "print(sorted({'pulumi', 'moto', 'eventpipe.local'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_hook_error_propagates() -> None:
    def failing(ctx: eventpipe.ResourceContext) -> eventpipe.ConsumerResources:
        raise eventpipe.ConfigurationError([])

    with pytest.raises(eventpipe.ConfigurationError):
        run_resources(rule_consumer(resources=failing))
    # and the next run starts clean
    assert len(run_resources(rule_consumer(resources=table_and_grant)).declared) == 2


# -- assert_samples_end_as_declared -------------------------------------------------------

OUTCOMES = eventpipe.Consumer(
    name="outcomes",
    handler="tests.runtime.handlers:by_order_id",
    pattern={"source": ["shop"]},
)


def _sample(order_id: str, outcome: str) -> eventpipe.SampleEvent:
    return eventpipe.SampleEvent(
        description=order_id,
        source="shop",
        detail_type="T",
        detail={"orderId": order_id},
        expect={"outcomes": outcome},  # type: ignore[dict-item]
    )


def test_samples_that_end_as_declared_pass(invoke_consumer: ConsumerInvoker) -> None:
    samples = [_sample("ok-1", "succeeded"), _sample("perm-1", "dead-lettered")]
    assert assert_samples_end_as_declared(invoke_consumer, OUTCOMES, samples) == [
        "succeeded",
        "dead-lettered",
    ]


def test_a_sample_ending_otherwise_names_it(invoke_consumer: ConsumerInvoker) -> None:
    with pytest.raises(AssertionError, match="'perm-2' ended 'dead-lettered', expected"):
        assert_samples_end_as_declared(invoke_consumer, OUTCOMES, [_sample("perm-2", "succeeded")])


def test_a_retried_sample_must_succeed_on_redelivery(invoke_consumer: ConsumerInvoker) -> None:
    with pytest.raises(AssertionError, match="failed again when SQS delivered it"):
        assert_samples_end_as_declared(invoke_consumer, OUTCOMES, [_sample("retry-1", "retried")])


def test_no_sample_for_the_consumer_is_an_error(invoke_consumer: ConsumerInvoker) -> None:
    with pytest.raises(AssertionError, match="no sample expects an outcome"):
        assert_samples_end_as_declared(invoke_consumer, OUTCOMES, [])


def test_the_sample_hook_name_is_the_specs() -> None:
    from eventpipe import hookspecs
    from eventpipe.testing import plugin_checks

    assert hookspecs.eventpipe_sample_events.__name__ == plugin_checks.SAMPLE_HOOK
