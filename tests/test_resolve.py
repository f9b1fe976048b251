"""Discovery, stack overrides and validation: what a stack builds, and every way it fails."""

from __future__ import annotations

from typing import Any

import pytest

import eventpipe
from eventpipe.exceptions import ConfigurationError, InvalidConsumerError
from eventpipe.resolve import Resolved, resolve
from tests.plugins.declared import DeclaringPlugin, consumer, plugin


def run(plugins: dict[str, object], values: dict[str, Any] | None = None, **kw: Any) -> Resolved:
    return resolve(
        values or {},
        stack="dev",
        extra_plugins=list(plugins.items()),
        entry_points=False,
        env={},
        **kw,
    )


def problems(plugins: dict[str, object], values: dict[str, Any] | None = None) -> list[str]:
    with pytest.raises(ConfigurationError) as info:
        run(plugins, values)
    return [str(p) for p in info.value.problems]


def test_valid_plugin_resolves_with_handler_imported() -> None:
    resolved = run({"shop": plugin(consumer("orders"), consumer("mail", fifo=True))})
    assert [c.consumer.name for c in resolved.enabled] == ["orders", "mail"]
    assert all(c.plugin == "shop" for c in resolved.consumers)
    from tests.plugins.handlers import noop

    assert resolved.enabled[0].handler_func is noop


def test_duplicate_names_across_plugins() -> None:
    found = problems({"a": plugin(consumer("orders")), "b": plugin(consumer("orders"))})
    assert found == [
        "plugin 'b', consumer 'orders', field 'name': consumer name already declared by "
        "plugin 'a'. Fix: consumer names are unique across plugins: rename one of them"
    ]


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"name": "Orders_Q"}, "name", "should match pattern"),
        ({"name": "x" * 41}, "name", "at most 40"),
        ({"timeout": 0}, "timeout", "greater than or equal to 1"),
        ({"timeout": 901}, "timeout", "less than or equal to 900"),
        ({"max_concurrency": 1}, "max_concurrency", "greater than or equal to 2"),
        ({"max_concurrency": 1001}, "max_concurrency", "less than or equal to 1000"),
        ({"handler": "not a ref"}, "handler", "should match pattern"),
        ({"batchsize": 5}, "batchsize", "Extra inputs are not permitted"),
    ],
)
def test_field_errors_name_plugin_consumer_field_and_fix(
    fields: dict[str, Any], field: str, text: str
) -> None:
    name = fields.pop("name", "orders")

    def factory() -> list[eventpipe.Consumer]:
        return [consumer(name, **fields)]

    (found,) = problems({"shop": DeclaringPlugin(factory)})
    assert found.startswith(f"plugin 'shop', consumer '{name}', field '{field}'")
    assert text in found and "Fix:" in found


def test_consumer_constructor_raises_named_error() -> None:
    with pytest.raises(InvalidConsumerError) as info:
        consumer("orders", timeout=1000)
    assert info.value.consumer == "orders"
    assert info.value.errors[0][0] == "timeout"


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"pattern": {}}, "pattern", ""),
        ({"pattern": {"source": "ecommerce.orders"}}, "pattern", "source"),
        ({"pattern": {"detail": {"amount": [{"numerik": [">", 1]}]}}}, "pattern", "numerik"),
        ({"pattern": {"source": ["x" * 2100]}}, "pattern", "2048"),
        ({"handler": "tests.plugins.missing:noop"}, "handler", "is not found"),
        ({"handler": "tests.plugins.handlers:absent"}, "handler", "no attribute 'absent'"),
        ({"handler": "tests.plugins.handlers:NOT_CALLABLE"}, "handler", "not a function"),
        ({"fifo": True, "batch_size": 11}, "batch_size", "at most 10"),
        ({"fifo": True, "batching_window": 5}, "batching_window", "FIFO"),
        ({"batch_size": 50}, "batch_size", "needs a batching window"),
        ({"timeout": 60, "visibility_timeout": 30}, "visibility_timeout", "below the function"),
        ({"max_concurrency": 10, "reserved_concurrency": 5}, "reserved_concurrency", "below"),
        ({"message_group": "$.detail.customerId"}, "message_group", "FIFO"),
        ({"environment": {"AWS_REGION": "x"}}, "environment", "reserved"),
        ({"resources": "tests.plugins.handlers:nothing"}, "resources", "has no attribute"),
        ({"resources": "tests.plugins.nowhere:f"}, "resources", "is not found"),
        ({"resources": "tests.plugins.unrun_resources:nope"}, "resources", "no attribute 'nope'"),
    ],
)
def test_cross_field_errors(fields: dict[str, Any], field: str, text: str) -> None:
    found = problems({"shop": plugin(consumer("orders", **fields))})
    assert found, "expected a problem"
    assert all(f.startswith(f"plugin 'shop', consumer 'orders', field '{field}'") for f in found)
    assert any(text in f for f in found), found


def test_batch_over_ten_with_window_and_fifo_group_path_are_valid() -> None:
    resolved = run(
        {
            "shop": plugin(
                consumer("bulk", batch_size=100, batching_window=5),
                consumer("fifo", fifo=True, message_group="$.detail.customerId"),
                consumer("direct", pattern=None),
            )
        }
    )
    assert [c.consumer.source for c in resolved.enabled] == ["rule", "rule", "queue"]


def test_all_problems_reported_together() -> None:
    found = problems(
        {
            "a": plugin(consumer("one", fifo=True, batch_size=20), consumer("two")),
            "b": plugin(consumer("two"), consumer("three", handler="nope.nope:x")),
            "c": DeclaringPlugin(lambda: [consumer("four", timeout=5000)]),
        },
        {"busNme": "x", "consumers": {"one": {"batchSise": 3}, "fiv": {"enabled": False}}},
    )
    joined = "\n".join(found)
    for expected in (
        "field 'eventpipe:busNme'",
        "did you mean 'busName'",
        "consumer 'one', field 'eventpipe:consumers.one.batchSise'",
        "did you mean 'batchSize'",
        "consumer 'one', field 'batch_size'",
        "plugin 'b', consumer 'two', field 'name'",
        "consumer 'three', field 'handler'",
        "plugin 'c', consumer 'four', field 'timeout'",
        "consumer 'fiv', field 'eventpipe:consumers.fiv'",
        "no plugin declares this consumer",
    ):
        assert expected in joined, expected
    assert len(found) == 7


def test_hook_that_raises_or_returns_junk_names_the_plugin() -> None:
    def boom() -> list[eventpipe.Consumer]:
        raise RuntimeError("table missing")

    found = problems(
        {
            "bad": DeclaringPlugin(boom),
            "junk": DeclaringPlugin(lambda: ["x"]),
            "scalar": DeclaringPlugin(lambda: 3),
        }
    )
    assert any("plugin 'bad'" in f and "RuntimeError: table missing" in f for f in found)
    assert any("plugin 'junk'" in f and "not an eventpipe.Consumer" in f for f in found)
    assert any("plugin 'scalar'" in f and "not a list" in f for f in found)


def test_overrides_defaults_and_disable() -> None:
    resolved = run(
        {"shop": plugin(consumer("orders", timeout=50), consumer("mail"), consumer("off"))},
        {
            "defaults": {"timeout": 20, "memory": 512},
            "consumers": {
                "orders": {"batchSize": 5, "maxConcurrency": 4},
                "off": {"enabled": False},
            },
        },
    )
    by_name = {c.consumer.name: c for c in resolved.consumers}
    orders = by_name["orders"].consumer
    assert (orders.timeout, orders.memory, orders.batch_size, orders.max_concurrency) == (
        50,
        512,
        5,
        4,
    )  # plugin's explicit timeout wins over a stack default
    assert by_name["mail"].consumer.timeout == 20
    assert by_name["off"].enabled is False
    assert [c.consumer.name for c in resolved.enabled] == ["orders", "mail"]


def test_override_values_are_validated_against_the_config_key() -> None:
    found = problems(
        {"shop": plugin(consumer("orders"))},
        {"consumers": {"orders": {"timeout": 1200, "enabled": "no"}}},
    )
    assert any("field 'eventpipe:consumers.orders.timeout'" in f and "900" in f for f in found)
    assert any("field 'eventpipe:consumers.orders.enabled'" in f for f in found)


def test_config_type_errors() -> None:
    found = problems({}, {"archiveRetentionDays": "a week", "architecture": "sparc"})
    assert any("eventpipe:archiveRetentionDays" in f for f in found)
    assert any("eventpipe:architecture" in f for f in found)


def test_name_too_long_with_prefix() -> None:
    found = problems({"shop": plugin(consumer("a" * 40))}, {"namePrefix": "x" * 24})
    assert any("field 'name'" in f and "namePrefix" in f for f in found)


# -- one test per hook (tests/test_hookspecs.py requires a test_hook_<name>) -------------


class SamplingPlugin:
    """A plugin with both hooks, as an entry point module would provide them."""

    @eventpipe.hookimpl
    def eventpipe_consumers(self) -> list[eventpipe.Consumer]:
        return [consumer("orders")]

    @eventpipe.hookimpl
    def eventpipe_sample_events(self) -> list[eventpipe.SampleEvent]:
        return [
            eventpipe.SampleEvent(source="shop", detail_type="T", expect={"orders": "succeeded"})
        ]


class BrokenSamples:
    @eventpipe.hookimpl
    def eventpipe_sample_events(self) -> object:
        raise RuntimeError("no samples today")


class Wrapper:
    """A hook wrapper: called through pluggy's machinery, it sees each plugin's call."""

    seen: list[object] = []

    @eventpipe.hookimpl(wrapper=True)
    def eventpipe_consumers(self) -> Any:
        result = yield
        Wrapper.seen.append(result)
        return result


def test_hook_eventpipe_consumers() -> None:
    Wrapper.seen.clear()
    resolved = run({"shop": SamplingPlugin(), "wrap": Wrapper()})
    assert [(c.plugin, c.consumer.name) for c in resolved.consumers] == [("shop", "orders")]
    assert len(Wrapper.seen) == 1  # the wrapper ran around the one implementation


def test_hook_eventpipe_sample_events() -> None:
    from eventpipe.resolve import resolve_samples

    resolved = run({"shop": SamplingPlugin()})
    [declared] = resolve_samples(resolved)
    assert (declared.plugin, declared.index) == ("shop", 0)
    assert isinstance(declared.sample, eventpipe.SampleEvent)
    assert resolve_samples(resolved, plugin="other") == []


def test_a_sample_hook_that_raises_names_its_plugin() -> None:
    from eventpipe.resolve import resolve_samples

    resolved = run({"shop": SamplingPlugin(), "broken": BrokenSamples()})
    with pytest.raises(ConfigurationError) as info:
        resolve_samples(resolved)
    [problem] = info.value.problems
    assert problem.plugin == "broken" and "no samples today" in problem.message


def test_a_resources_reference_is_validated_without_running_its_module() -> None:
    import sys

    sys.modules.pop("tests.plugins.unrun_resources", None)
    resolved = run(
        {"shop": plugin(consumer("orders", resources="tests.plugins.unrun_resources:declare"))}
    )
    assert [c.consumer.resources for c in resolved.consumers] == [
        "tests.plugins.unrun_resources:declare"
    ]
    assert "tests.plugins.unrun_resources" not in sys.modules
