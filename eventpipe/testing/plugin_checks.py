"""Checks every consumer plugin's own tests need, written once.

A plugin's tests all ask the same questions: does ``pulumi up`` accept the declaration,
do its sample events reach the consumers they claim to, does the code shipped to Lambda
stay free of Pulumi and pluggy, and what does the ``resources`` hook declare and grant?
These helpers answer them with the production code paths (``eventpipe.resolve``, the
EventBridge matcher, a fresh interpreter, Pulumi's own mock engine), so a passing plugin
test means the same thing as a passing deploy::

    from eventpipe.testing import assert_lambda_side_clean, check_plugin, run_resources
    from orders import plugin

    def test_plugin_passes_every_check() -> None:
        check_plugin(plugin, name="orders")

    def test_handler_side_is_clean() -> None:
        assert_lambda_side_clean("orders.handler", "orders.models")

    def test_table_and_grant() -> None:
        [declared] = check_plugin(plugin, name="orders")
        run = run_resources(declared.consumer)
        table = run.one("aws:dynamodb/table:Table")
        assert run.returned.statements[0]["Resource"] == [table.outputs["arn"]]

The ``resources`` hook is run under Pulumi mocks by :mod:`eventpipe.testing.resources`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from eventpipe.consumer import Consumer, SampleEvent
from eventpipe.testing.factories import eventbridge_event

if TYPE_CHECKING:  # pragma: no cover
    from eventpipe.resolve import DeclaredConsumer
    from eventpipe.testing.invoke import ConsumerInvoker

SAMPLE_HOOK = "eventpipe_sample_events"
"""For messages; spelled out because importing ``eventpipe.hookspecs`` loads pluggy,
which the test kit keeps out of handler tests (a test checks it is the spec's name)."""
LAMBDA_FORBIDDEN = ("pulumi", "pulumi_aws", "pluggy")
"""Packages the function artifact does not ship: importing them in Lambda fails."""


# -- declaration and samples ----------------------------------------------------------


def sample_envelope(sample: SampleEvent) -> dict[str, Any]:
    """The EventBridge event a bus sample becomes once published (what rules match).

    Direct-queue samples (``consumer`` + ``body``) never cross the bus: they have no
    envelope, and asking for one is a ValueError.
    """
    if sample.source is None or sample.detail_type is None:
        raise ValueError(
            f"sample {_label(sample)!r} is not a bus event (it needs source and detail_type)"
        )
    return eventbridge_event(sample.detail_type, sample.source, sample.detail or {})


def check_plugin(
    plugin: object,
    *,
    name: str = "plugin",
    settings: Mapping[str, Any] | None = None,
    stack: str = "test",
) -> list[DeclaredConsumer]:
    """Validate a plugin as ``pulumi up`` would, then check its samples against it.

    ``plugin`` is the module (or object) registered under the ``eventpipe`` entry point;
    ``settings`` are the stack's ``eventpipe:*`` config values (keys without the
    namespace, as in ``Pulumi.<stack>.yaml``). Runs :func:`eventpipe.resolve.resolve` with
    only this plugin, so it raises :class:`~eventpipe.ConfigurationError` listing every
    problem the real program would report. Then every sample of the plugin's
    ``eventpipe_sample_events()`` hook (if it has one) must name consumers the plugin
    declares, bus samples must match the pattern of every rule-fed consumer they expect
    an outcome from, and direct-queue samples must go to a direct-queue consumer; the
    first that does not raises AssertionError naming the sample and the consumer.

    Returns the declared consumers, stack overrides applied.
    """
    from eventpipe.resolve import resolve, resolve_samples

    resolved = resolve(
        dict(settings or {}),
        stack=stack,
        extra_plugins=[(name, plugin)],
        entry_points=False,
        env={},
    )
    samples = [s.sample for s in resolve_samples(resolved, plugin=name)]
    check_samples(samples, resolved.consumers, plugin=name)
    return resolved.consumers


def check_samples(
    samples: Iterable[object], consumers: Iterable[DeclaredConsumer], *, plugin: str = "plugin"
) -> None:
    """Check sample events against the consumers that will receive them (see check_plugin)."""
    declared = {d.consumer.name: d for d in consumers}
    for index, sample in enumerate(samples):
        where = f"plugin {plugin!r}, {SAMPLE_HOOK}()[{index}]"
        if not isinstance(sample, SampleEvent):
            raise AssertionError(
                f"{where} is a {type(sample).__name__}: return eventpipe.SampleEvent objects"
            )
        where = f"plugin {plugin!r}, sample {_label(sample, index)!r}"
        unknown = sorted(set(sample.expect) - set(declared))
        if unknown:
            raise AssertionError(
                f"{where} expects an outcome from {unknown}, which the plugin does not "
                f"declare (declared: {sorted(declared)}): fix the consumer names in expect"
            )
        if sample.consumer is not None and sample.body is not None:
            _check_queue_sample(sample, declared, where)
        elif sample.source and sample.detail_type:
            _check_bus_sample(sample, declared, where)
        else:
            raise AssertionError(
                f"{where} needs detail_type + source (a bus event) or consumer + body "
                "(a message sent straight to a direct-queue consumer): fill one of the two"
            )


def _check_bus_sample(
    sample: SampleEvent, declared: Mapping[str, DeclaredConsumer], where: str
) -> None:
    from eventpipe.patterns import matches

    event = sample_envelope(sample)
    for name in sample.expect:
        target = declared[name]
        if not target.enabled:
            continue
        pattern = target.consumer.pattern
        if pattern is None:
            raise AssertionError(
                f"{where} is a bus event but consumer {name!r} is fed directly by its queue "
                "(pattern=None), so it never receives it: send it with consumer= and body="
            )
        if not matches(pattern, event):
            raise AssertionError(
                f"{where} does not match the pattern of consumer {name!r}, so that consumer "
                f"never receives it: pattern {json.dumps(pattern)}, event source "
                f"{sample.source!r}, detail-type {sample.detail_type!r}, "
                f"detail {json.dumps(sample.detail)}"
            )


def _check_queue_sample(
    sample: SampleEvent, declared: Mapping[str, DeclaredConsumer], where: str
) -> None:
    name = sample.consumer
    target = declared.get(name or "")
    if target is None:
        raise AssertionError(
            f"{where} is sent to consumer {name!r}, which the plugin does not declare "
            f"(declared: {sorted(declared)})"
        )
    if target.consumer.pattern is not None:
        raise AssertionError(
            f"{where} is sent straight to the queue of consumer {name!r}, which is fed by an "
            "EventBridge rule: publish it on the bus with source, detail_type and detail"
        )
    others = sorted(set(sample.expect) - {name})
    if others:
        raise AssertionError(
            f"{where} goes only to consumer {name!r}'s queue, yet expects outcomes from {others}"
        )


def _label(sample: SampleEvent, index: int | None = None) -> str:
    if sample.description:
        return sample.description
    return f"#{index}" if index is not None else sample.detail_type or sample.consumer or "?"


def assert_samples_end_as_declared(
    invoke: ConsumerInvoker,
    consumer: Consumer,
    samples: Iterable[SampleEvent],
    *,
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """Run each sample meant for ``consumer`` through the real runtime; check its outcome.

    This is what ``eventpipe demo`` will expect of the plugin, checked in its own tests
    first. A sample's final outcome is ``succeeded``, ``dead-lettered``, or ``retried``:
    its first delivery fails (the invocation's ``will-retry``) and it succeeds when SQS
    delivers it again (receive count 2). Each sample gets its own FIFO message group, so
    one still in flight never blocks the next. Returns the final outcomes.
    """
    outcomes: list[str] = []
    mine = [s for s in samples if consumer.name in s.expect]
    assert mine, f"no sample expects an outcome from consumer {consumer.name!r}"
    for n, sample in enumerate(mine):
        event = sample.body if sample.consumer is not None else sample_envelope(sample)
        result = invoke(consumer, [event], env=env, group_id=f"sample-{n}")
        [first] = result.outcomes
        outcome: str = first
        if first == "will-retry":
            again = invoke(consumer, [event], env=env, receive_count=2, group_id=f"sample-{n}-2")
            assert again.outcomes == ["succeeded"], (
                f"sample {_label(sample, n)!r} failed again when SQS delivered it a second time"
            )
            outcome = "retried"
        expected = sample.expect[consumer.name]
        assert outcome == expected, (
            f"sample {_label(sample, n)!r} ended {outcome!r}, expected {expected!r}"
        )
        outcomes.append(outcome)
    return outcomes


# -- Lambda side ----------------------------------------------------------------------

_PROBE = """\
import importlib, json, sys
for name in sys.argv[2:]:
    importlib.import_module(name)
    found = sorted(set(json.loads(sys.argv[1])) & set(sys.modules))
    if found:
        print(json.dumps([name, found]))
        break
"""


def assert_lambda_side_clean(*modules: str, forbidden: Iterable[str] = LAMBDA_FORBIDDEN) -> None:
    """Import ``modules`` in a fresh interpreter; fail if any imports pulumi or pluggy.

    The handler and what it imports ship in the Lambda function, where Pulumi and pluggy
    are not installed: an import of them there fails every invocation. A fresh process
    is the only honest check, since the test process has them all loaded already. It
    sees the test's ``sys.path``, so a plugin not yet installed is checked too.
    """
    if not modules:
        raise ValueError("name the handler-side modules to check, e.g. 'orders.handler'")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(sorted(forbidden)), *modules],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if run.returncode != 0:
        raise AssertionError(f"importing {', '.join(modules)} failed:\n{run.stderr.strip()}")
    if run.stdout.strip():
        module, found = json.loads(run.stdout)
        raise AssertionError(
            f"importing {module} also imports {', '.join(found)}, which the Lambda function "
            "does not ship: keep those imports in the plugin's Pulumi-side modules (the "
            "plugin module and its resources hook)"
        )
