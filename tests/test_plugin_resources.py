"""The ``resources`` hook's checks: one set, the program's and the test kit's.

``components.consumer_pipeline`` calls :func:`eventpipe.plugin_resources.run_plugin_resources`
and ``eventpipe.testing.run_resources`` calls the same checks, so every result the program
rejects is rejected by the kit too (parametrized over the bad results).
"""

from __future__ import annotations

from typing import Any

import pytest

from components import consumer_pipeline
from eventpipe import Consumer, ConsumerResources, ResourceContext, plugin_resources
from eventpipe.exceptions import ConfigurationError
from eventpipe.plugin_resources import lint_statements, run_plugin_resources
from eventpipe.testing import run_resources

BAD_RESULTS: dict[str, Any] = {
    "not ConsumerResources": {"environment": {}},
    "non-string environment key": ConsumerResources(environment={1: "x"}),  # type: ignore[dict-item]
    "not a statement": ConsumerResources(statements=["s3:GetObject"]),  # type: ignore[list-item]
    "wildcard action": ConsumerResources(
        statements=[{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]
    ),
    "wildcard resource": ConsumerResources(
        statements=[{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]
    ),
}


def consumer_returning(result: Any) -> Consumer:
    return Consumer(
        name="orders",
        handler="tests.plugins.handlers:noop",
        pattern={"source": ["shop"]},
        resources=lambda ctx: result,
    )


def test_the_program_calls_the_shared_checks() -> None:
    assert consumer_pipeline.run_plugin_resources is plugin_resources.run_plugin_resources


@pytest.mark.parametrize("case", sorted(BAD_RESULTS))
def test_run_resources_rejects_what_the_program_rejects(case: str) -> None:
    consumer = consumer_returning(BAD_RESULTS[case])
    context = ResourceContext(consumer, "dev", "eventpipe-dev-", {}, None)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as program:
        run_plugin_resources("shop", consumer, context)
    with pytest.raises(ConfigurationError) as kit:
        run_resources(consumer, plugin="shop")
    assert [p.field for p in kit.value.problems] == [p.field for p in program.value.problems]
    assert str(kit.value) == str(program.value)


def test_a_good_result_passes_both() -> None:
    good = ConsumerResources(
        environment={"TABLE": "t"},
        statements=[{"Effect": "Allow", "Action": ["xray:PutTraceSegments"], "Resource": "*"}],
    )
    consumer = consumer_returning(good)
    context = ResourceContext(consumer, "dev", "eventpipe-dev-", {}, None)  # type: ignore[arg-type]
    assert run_plugin_resources("shop", consumer, context) is good
    assert run_resources(consumer, plugin="shop").returned.environment == {"TABLE": "t"}


def test_lint_rejects_non_statements() -> None:
    with pytest.raises(ConfigurationError) as raised:
        lint_statements(["s3:GetObject"], plugin="p", consumer="c")  # type: ignore[list-item]
    assert "resources.statements[0]" in str(raised.value)
    lint_statements(
        [{"Effect": "Allow", "Action": ["xray:PutTraceSegments"], "Resource": "*"}],
        plugin="p",
        consumer="c",
    )
