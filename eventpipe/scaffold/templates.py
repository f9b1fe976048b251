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

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1)
    amount: float
'''

PLUGIN = '''\
"""The $name plugin: what eventpipe loads through the ``eventpipe`` entry point.

Runs inside the Pulumi program (and ``eventpipe consumers``): keep it cheap and free of
side effects. Change the pattern to the events you want; see docs/patterns.md.
"""

from __future__ import annotations

import eventpipe


@eventpipe.hookimpl
def eventpipe_consumers():
    return [
        eventpipe.Consumer(
            name="$name",
            pattern={"source": ["$source"], "detail-type": ["$detail_type"]},
            handler="$package.handler:process",
            timeout=30,
            max_concurrency=10,
        )
    ]


@eventpipe.hookimpl
def eventpipe_sample_events():
    """Events for `eventpipe demo`: one handled, one dead-lettered for bad input."""
    return [
        eventpipe.SampleEvent(
            description="a valid event: handled",
            source="$source",
            detail_type="$detail_type",
            detail={"id": "$name-1", "amount": 20},
            expect={"$name": "succeeded"},
        ),
        eventpipe.SampleEvent(
            description="an amount of 0: dead-lettered by the handler's PermanentError",
            source="$source",
            detail_type="$detail_type",
            detail={"id": "$name-2", "amount": 0},
            expect={"$name": "dead-lettered"},
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


def process(event: Event[$model]) -> None:
    if event.detail.amount <= 0:
        raise PermanentError("amount must be positive")  # straight to the DLQ
    print(f"$name: {event.detail.id} for {event.detail.amount}")  # any error: retried
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


@pytest.fixture
def consumer() -> eventpipe.Consumer:
    [declared] = plugin.eventpipe_consumers()
    return declared


@pytest.fixture
def invoke() -> Iterator[ConsumerInvoker]:
    with ConsumerInvoker() as invoker:
        yield invoker


def _event(consumer: eventpipe.Consumer, detail: dict[str, object]) -> dict[str, object]:
    """An event the consumer's pattern matches (its first source and detail type)."""
    assert consumer.pattern is not None
    source, detail_type = consumer.pattern["source"][0], consumer.pattern["detail-type"][0]
    return eventbridge_event(detail_type, source, detail)


def test_declaration_and_samples_pass_every_check() -> None:
    """What `pulumi up` checks, plus: every sample matches the pattern it claims to."""
    [declared] = check_plugin(plugin, name="$name")
    assert declared.consumer.name == "$name"


def test_handler_side_imports_neither_pulumi_nor_pluggy() -> None:
    """The handler ships in the Lambda function, where pulumi and pluggy are not."""
    assert_lambda_side_clean("$package.handler", "$package.models")


def test_a_valid_event_is_handled(consumer: eventpipe.Consumer, invoke: ConsumerInvoker) -> None:
    result = invoke(consumer, [_event(consumer, {"id": "$name-1", "amount": 20})])
    assert result.outcomes == ["succeeded"]


def test_an_invalid_detail_is_dead_lettered_with_the_reason(
    consumer: eventpipe.Consumer, invoke: ConsumerInvoker
) -> None:
    result = invoke(consumer, [_event(consumer, {"amount": 20})])  # no id
    assert result.outcomes == ["dead-lettered"]
    assert "id" in result.dead_lettered[0].error_message


def test_a_permanent_error_is_dead_lettered_at_once(
    consumer: eventpipe.Consumer, invoke: ConsumerInvoker
) -> None:
    result = invoke(consumer, [_event(consumer, {"id": "$name-2", "amount": 0})])
    [dead] = result.dead_lettered
    assert dead.error_type == "PermanentError"
    assert "must be positive" in dead.error_message
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
