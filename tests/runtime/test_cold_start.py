"""Loading the plugin handler: once per container, loudly when it cannot be loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eventpipe import contract
from eventpipe.runtime import handler
from eventpipe.runtime.exceptions import HandlerImportError
from eventpipe.runtime.loading import get_runner, load_handler, reset_cache
from eventpipe.testing import eventbridge_event, lambda_context, sqs_event, sqs_record
from tests.runtime import handlers

ROOT = Path(__file__).resolve().parents[2]


def _env(monkeypatch: pytest.MonkeyPatch, ref: str) -> None:
    monkeypatch.setenv(contract.ENV_HANDLER, ref)
    monkeypatch.setenv(contract.ENV_CONSUMER, "cold")
    monkeypatch.setenv(contract.ENV_DLQ_URL, "https://sqs.us-east-1.amazonaws.com/1/cold-dlq")


def _batch() -> dict[str, object]:
    return sqs_event([sqs_record(eventbridge_event("T", "s", {"orderId": "ok-1"}))])


def test_import_error_fails_the_whole_invocation_with_reason_logged(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(monkeypatch, "tests.runtime.broken_handler:process")
    with pytest.raises(HandlerImportError, match="eventpipe_missing_dependency_for_tests"):
        handler(_batch(), lambda_context())
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    [entry] = [e for e in logged if e.get("level") == "ERROR"]
    assert "cold start" in entry["message"]
    assert entry["handler"] == "tests.runtime.broken_handler:process"
    assert "eventpipe_missing_dependency_for_tests" in entry["reason"]
    assert entry["service"] == "cold"


def test_missing_function_and_bad_reference_are_named() -> None:
    with pytest.raises(HandlerImportError, match="has no attribute 'nope'"):
        load_handler("tests.runtime.handlers:nope")
    with pytest.raises(HandlerImportError, match="not 'module:function'"):
        load_handler("tests.runtime.handlers")


def test_missing_handler_variable_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(contract.ENV_HANDLER, raising=False)
    with pytest.raises(HandlerImportError, match=contract.ENV_HANDLER):
        handler(_batch(), lambda_context())


def test_handler_is_loaded_once_per_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    _env(monkeypatch, "tests.runtime.handlers:untyped")
    first = get_runner()
    assert get_runner() is first
    monkeypatch.setenv(contract.ENV_HANDLER, "tests.runtime.handlers:bare_event")
    second = get_runner()
    assert second is not first and second.func is handlers.bare_event
    reset_cache()
    assert get_runner() is not second


def test_runtime_imports_neither_pulumi_nor_pluggy() -> None:
    script = """
import json, sys
from eventpipe.testing.factories import eventbridge_event, lambda_context, sqs_event, sqs_record
import eventpipe.runtime
body = eventbridge_event("T", "s", {"orderId": "ok-1", "amount": 1})
resp = eventpipe.runtime.handler(sqs_event([sqs_record(body)]), lambda_context())
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"pulumi", "pulumi_aws", "pluggy", "boto3", "aws_xray_sdk", "moto"})
print(json.dumps({"resp": resp, "heavy": heavy}))
"""
    env = {
        **os.environ,
        contract.ENV_HANDLER: "tests.runtime.handlers:noop",
        contract.ENV_CONSUMER: "no-deps",
        "POWERTOOLS_METRICS_DISABLED": "false",
        "PYTHONPATH": str(ROOT),
    }
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.splitlines()[-1]
    report = json.loads(out)
    assert report["resp"] == {"batchItemFailures": []}
    # No pulumi/pluggy ever; and the success path needs no boto3 or X-Ray either.
    assert report["heavy"] == []
