"""The files of a scaffolded consumer plugin (``string.Template``: ``$name``,
``$package``, ``$distribution``, ``$model``, ``$source``, ``$detail_type``, and
``$handler_imports``, computed because the import order depends on the name)."""

from __future__ import annotations

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "$distribution"
version = "0.1.0"
description = "eventpipe plugin: $name"
requires-python = ">=3.11"
# Each side declares what it imports. handler.py and models.py run in Lambda: eventpipe's
# runtime and pydantic, both already there (the function archive adds only what Lambda
# lacks of these dependencies; extras never go into it).
dependencies = ["eventpipe", "pydantic>=2.7,<3"]

[project.optional-dependencies]
# Code that runs in the Pulumi program (a `resources` module importing pulumi_aws) puts
# its libraries in an extra, so no function ships them:
# deploy = ["pulumi-aws>=7.0,<8"]
# tests/: pytest, and moto, where eventpipe.testing's ConsumerInvoker runs the handler.
test = ["moto>=5.1.20,<6", "pytest>=8"]

# The line that makes this distribution a plugin: eventpipe loads every module
# registered in the "eventpipe" entry point group.
[project.entry-points.eventpipe]
$name = "$package.plugin"

[tool.setuptools.packages.find]
where = ["src"]

[tool.pytest.ini_options]
# Lets `pytest consumers/$name` run before the plugin is installed.
pythonpath = ["src"]
"""

INIT = '''\
"""$name: an eventpipe consumer plugin."""
'''

MODELS = '''\
"""The detail of the events $name consumes.

The runtime parses each event's detail into this model before the handler runs; an
event that does not fit is sent to the DLQ with the validation error as its reason.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class $model(BaseModel):
    """``$detail_type`` from ``$source``. Describe the fields you rely on."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    item_id: str = Field(alias="itemId", min_length=1)
    quantity: int = Field(default=1, gt=0)
'''

PLUGIN = '''\
"""The $name plugin: what eventpipe loads through the ``eventpipe`` entry point.

Runs inside the Pulumi program (and ``eventpipe consumers``): keep it cheap and free of
side effects. Change the pattern to the events you want; see docs/operations.md.
"""

from __future__ import annotations

import eventpipe

CONSUMER = "$name"


@eventpipe.hookimpl
def eventpipe_consumers() -> list[eventpipe.Consumer]:
    return [
        eventpipe.Consumer(
            name=CONSUMER,
            description="TODO: say what $name does with each event",
            pattern={"source": ["$source"], "detail-type": ["$detail_type"]},
            handler="$package.handler:handle",
            batch_size=10,
            timeout=30,
        )
    ]


@eventpipe.hookimpl
def eventpipe_sample_events() -> list[eventpipe.SampleEvent]:
    """Events for `eventpipe demo`: one handled, one dead-lettered for bad input."""
    return [
        eventpipe.SampleEvent(
            description="a valid event: handled",
            source="$source",
            detail_type="$detail_type",
            detail={"itemId": "item-1", "quantity": 2},
            expect={CONSUMER: "succeeded"},
        ),
        eventpipe.SampleEvent(
            description="detail without itemId: dead-lettered with the validation error",
            source="$source",
            detail_type="$detail_type",
            detail={"quantity": 2},
            expect={CONSUMER: "dead-lettered"},
        ),
    ]
'''

HANDLER = '''\
"""Lambda side of $name: called once per event, with the detail already validated.

Return to succeed. Raise ``PermanentError`` for an event that can never succeed (it goes
to the DLQ at once, with your message as the reason); raise ``RetryableError`` (or let
any other exception out) to have it retried with backoff.
"""

from __future__ import annotations

$handler_imports


def handle(event: Event[$model]) -> None:
    detail = event.detail
    if detail.quantity > 1000:
        raise PermanentError(f"quantity {detail.quantity} of {detail.item_id} is above 1000")
    print(f"$name handled {detail.item_id} x {detail.quantity}")
'''

TESTS = '''\
"""Tests of $name: its declaration, and its handler run by the real eventpipe runtime
(in moto, through eventpipe.testing). Run them with `pytest consumers/$name`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from $package import plugin

import eventpipe
from eventpipe.testing import (
    ConsumerInvoker,
    assert_lambda_side_clean,
    check_plugin,
    eventbridge_event,
)

SOURCE, DETAIL_TYPE = "$source", "$detail_type"


@pytest.fixture
def consumer() -> eventpipe.Consumer:
    [declared] = plugin.eventpipe_consumers()
    return declared


@pytest.fixture
def invoke() -> Iterator[ConsumerInvoker]:
    with ConsumerInvoker() as invoker:
        yield invoker


def test_declaration_and_samples_pass_every_check() -> None:
    """What `pulumi up` checks, plus: every sample matches the pattern it claims to."""
    [declared] = check_plugin(plugin, name="$name")
    assert declared.consumer.name == "$name"


def test_handler_side_imports_neither_pulumi_nor_pluggy() -> None:
    """The handler ships in the Lambda function, where pulumi and pluggy are not."""
    assert_lambda_side_clean("$package.handler", "$package.models")


def test_a_valid_event_is_handled(consumer: eventpipe.Consumer, invoke: ConsumerInvoker) -> None:
    event = eventbridge_event(DETAIL_TYPE, SOURCE, {"itemId": "item-1", "quantity": 2})
    result = invoke(consumer, [event])
    assert result.outcomes == ["succeeded"]


def test_an_invalid_detail_is_dead_lettered_with_the_reason(
    consumer: eventpipe.Consumer, invoke: ConsumerInvoker
) -> None:
    result = invoke(consumer, [eventbridge_event(DETAIL_TYPE, SOURCE, {"quantity": 2})])
    assert result.outcomes == ["dead-lettered"]
    assert "itemId" in result.dead_lettered[0].error_message


def test_a_permanent_error_is_dead_lettered_at_once(
    consumer: eventpipe.Consumer, invoke: ConsumerInvoker
) -> None:
    event = eventbridge_event(DETAIL_TYPE, SOURCE, {"itemId": "item-2", "quantity": 5000})
    result = invoke(consumer, [event])
    [dead] = result.dead_lettered
    assert dead.error_type == "PermanentError"
    assert "above 1000" in dead.error_message
'''


FILES: dict[str, str] = {
    "pyproject.toml": PYPROJECT,
    "src/$package/__init__.py": INIT,
    "src/$package/models.py": MODELS,
    "src/$package/plugin.py": PLUGIN,
    "src/$package/handler.py": HANDLER,
    "tests/test_${package}.py": TESTS,
}
"""Relative path (itself a template) -> content template."""
