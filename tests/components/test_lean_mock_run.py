"""``eventpipe.mock_run.lean_mock_run``: what it replaces still exists in the pinned Pulumi
SDK, only mock runs get the shortcut, everything is restored after, and a run inside it
registers the same resources with the same inputs as a run outside."""

from __future__ import annotations

import contextvars
import gc
import inspect
import json
import re
from typing import Any

import pulumi
import pulumi.runtime.resource as pulumi_resource
import pytest
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.proto import source_pb2

from eventpipe import contract
from eventpipe.mock_run import lean_mock_run, trace_unless_mocked
from eventpipe.testing.pulumi_mocks import AwsMocks
from tests.components.helpers import run_to_completion
from tests.components.test_program import _config, _fixture_only, _run_program


def test_the_pinned_sdk_still_has_what_lean_mock_run_replaces() -> None:
    """Fails when a Pulumi upgrade moves the per-resource stack trace, or when the mock
    monitor starts reading it (then the shortcut would change what mocks see)."""
    assert inspect.signature(pulumi_resource._get_stack_trace).parameters == {}
    # Both registration paths look the function up by its module-level name.
    assert "_get_stack_trace()" in inspect.getsource(pulumi_resource.register_resource)
    assert "_get_stack_trace()" in inspect.getsource(pulumi_resource.read_resource)
    monitor = inspect.getsource(MockMonitor.RegisterResource)
    assert "request.type" in monitor and "request.object" in monitor  # the fields it reads
    assert "stackTrace" not in monitor and "sourcePosition" not in monitor
    assert "stackTrace" not in inspect.getsource(MockMonitor.ReadResource)


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


def test_lean_mock_run_restores_the_sdk_and_the_collector_when_the_last_run_ends() -> None:
    original = pulumi_resource._get_stack_trace
    enabled = gc.isenabled()
    with lean_mock_run():
        replaced = pulumi_resource._get_stack_trace
        assert replaced is not original and replaced.__wrapped__ is original  # type: ignore[attr-defined]
        assert not gc.isenabled()
        with lean_mock_run():  # a second run at the same time (the engine's thread)
            assert pulumi_resource._get_stack_trace is replaced
        assert pulumi_resource._get_stack_trace is replaced and not gc.isenabled()
    assert pulumi_resource._get_stack_trace is original
    assert gc.isenabled() == enabled
    with pytest.raises(RuntimeError), lean_mock_run():
        raise RuntimeError("a failing program")
    assert pulumi_resource._get_stack_trace is original and gc.isenabled() == enabled


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
