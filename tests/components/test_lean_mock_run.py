"""``eventpipe.mock_run.lean_mock_run``: what it replaces still exists in the pinned Pulumi
SDK, only mock runs get the shortcuts, everything is restored after, and a run inside it
registers the same resources with the same inputs as a run outside."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi.runtime.resource as pulumi_resource
import pytest
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import source_pb2

from eventpipe import contract
from eventpipe.mock_run import (
    REGISTRATIONS,
    lean_mock_run,
    trace_unless_mocked,
    urn_unless_mocked,
)
from eventpipe.testing.pulumi_mocks import AwsMocks
from tests.components.helpers import run_to_completion
from tests.components.test_program import _config, _fixture_only, _run_program


def test_the_pinned_sdk_still_has_what_lean_mock_run_replaces() -> None:
    """Fails when a Pulumi upgrade moves the per-resource stack trace or the unused URN,
    or when the mock monitor starts reading what is skipped (then the shortcut would
    change what mocks see)."""
    assert inspect.signature(pulumi_resource._get_stack_trace).parameters == {}
    assert list(inspect.signature(pulumi_resource.create_urn).parameters)[:3] == [
        "name",
        "type_",
        "parent",
    ]
    # Both registration paths look the functions up by their module-level names, from
    # the coroutines REGISTRATIONS names, and use the URN only without a monitor.
    for path, coroutine in (
        (pulumi_resource.register_resource, "do_register"),
        (pulumi_resource.read_resource, "do_read"),
    ):
        source = inspect.getsource(path)
        assert coroutine in REGISTRATIONS and f"async def {coroutine}(" in source
        assert "_get_stack_trace()" in source
        assert "mock_urn = await create_urn(name, ty, resolver.parent_urn).future()" in source
        assert source.count("mock_urn") == 2
        uses = source[source.index("if monitor is None:") :]
        assert uses.index('mock_urn or ""') < uses.index("return monitor.")
    for method in (MockMonitor.RegisterResource, MockMonitor.ReadResource):
        monitor = inspect.getsource(method)
        assert "request.type" in monitor and "request.name" in monitor  # what it reads
        for skipped in ("stackTrace", "sourcePosition", "alias", "urn="):
            assert skipped not in monitor.replace("urn=urn", ""), (method, skipped)


def test_only_a_mock_monitor_gets_the_empty_trace() -> None:
    real = source_pb2.StackTrace(frames=[source_pb2.StackFrame()])
    trace = trace_unless_mocked(lambda: real)

    def under(monitor: Any) -> Any:
        pulumi_settings.SETTINGS.monitor = monitor
        return trace()

    mocked = contextvars.copy_context().run(under, MockMonitor(AwsMocks()))
    engine = contextvars.copy_context().run(under, object())  # a real engine's stub
    assert mocked == source_pb2.StackTrace() and len(mocked.frames) == 0
    assert engine is real


def test_only_a_mock_registration_skips_the_urn() -> None:
    calls: list[tuple[Any, ...]] = []

    def original(*args: Any) -> str:
        calls.append(args)
        return "urn:pulumi:real"

    create_urn = urn_unless_mocked(original)

    def do_register() -> Any:  # named as Pulumi's registration coroutine, in the same file
        return create_urn("q", "aws:sqs/queue:Queue", None)

    def collapse_alias_to_urn() -> Any:
        return create_urn("q", "aws:sqs/queue:Queue", None)

    async def under(monitor: Any, caller: Callable[[], Any]) -> Any:
        pulumi_settings.SETTINGS.monitor = monitor  # this task's context only
        pulumi_settings.SETTINGS.outputs = set()  # and the Outputs it leaves pending
        return caller()

    mocked = MockMonitor(AwsMocks())
    loop = asyncio.new_event_loop()  # not asyncio.run, which unsets the thread's loop
    try:
        assert isinstance(loop.run_until_complete(under(mocked, do_register)), pulumi.Output)
        assert calls == []
        real_engine = loop.run_until_complete(under(object(), do_register))
        alias = loop.run_until_complete(under(mocked, collapse_alias_to_urn))
    finally:
        loop.close()
    assert real_engine == alias == "urn:pulumi:real" and len(calls) == 2


def test_lean_mock_run_restores_the_sdk_and_the_collector_when_the_last_run_ends() -> None:
    names = ("_get_stack_trace", "create_urn")
    original = {name: getattr(pulumi_resource, name) for name in names}
    enabled = gc.isenabled()
    with lean_mock_run():
        replaced = {name: getattr(pulumi_resource, name) for name in names}
        for name in names:
            assert replaced[name] is not original[name]
            assert replaced[name].__wrapped__ is original[name]
        assert not gc.isenabled()
        with lean_mock_run():  # a second run at the same time (the engine's thread)
            assert {name: getattr(pulumi_resource, name) for name in names} == replaced
        assert {name: getattr(pulumi_resource, name) for name in names} == replaced
        assert not gc.isenabled()
    assert {name: getattr(pulumi_resource, name) for name in names} == original
    assert gc.isenabled() == enabled
    with pytest.raises(RuntimeError), lean_mock_run():
        raise RuntimeError("a failing program")
    assert {name: getattr(pulumi_resource, name) for name in names} == original
    assert gc.isenabled() == enabled


def _comparable(inputs: dict[str, Any]) -> str:
    """Inputs as JSON; an asset or archive (compared by identity) as its class and path;
    a mapping's UUID, which the mocks number in the order registrations reach them from
    Pulumi's worker threads, as ``esm-N``."""

    def asset(value: Any) -> Any:
        return {type(value).__name__: getattr(value, "path", repr(value))}

    return re.sub(r"esm-\d+", "esm-N", json.dumps(inputs, sort_keys=True, default=asset))


def _registered(*, lean: bool) -> tuple[dict, Any]:
    """The fixture program with a topic, a breaker and the archive, run under fresh mocks:
    every recorded resource's inputs by (type, name), and the stack output."""
    pulumi_settings.ROOT.set(None)
    mocks = AwsMocks()
    pulumi.runtime.set_mocks(mocks, project="eventpipe", stack="test", preview=False)
    _config(
        {
            "topics": ["orders"],
            "deadLetterArchive": {"afterDays": 10, "expireDays": 365},
            "consumers": {
                "fixture-direct": {
                    "circuitBreaker": {"failedRecords": 5, "period": 60, "cooldown": 120}
                }
            },
        }
    )
    try:
        if lean:
            with lean_mock_run():
                output = run_to_completion(lambda: _run_program()[contract.STACK_OUTPUT])
        else:
            output = run_to_completion(lambda: _run_program()[contract.STACK_OUTPUT])
    finally:
        pulumi_settings.ROOT.set(None)
        pulumi.runtime.set_all_config({})
    recorded = {(r.typ, r.name): _comparable(r.inputs) for r in mocks.resources}
    assert len(recorded) == len(mocks.resources)  # (type, name) is unique
    return recorded, output


def test_a_lean_run_registers_the_same_resources_with_the_same_inputs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fixture_only(monkeypatch)
    plain, plain_output = _registered(lean=False)
    lean, lean_output = _registered(lean=True)
    types = {typ for typ, _ in plain}
    assert {"aws:lambda/function:Function", "aws:pipes/pipe:Pipe", "aws:s3/bucket:Bucket"} <= types
    assert sorted(lean) == sorted(plain)
    for key, inputs in plain.items():
        assert lean[key] == inputs, key
    assert _comparable(lean_output) == _comparable(plain_output)
