"""The runtime says at cold start which Powertools runs, and warns (log + metric) when it is
not the version the function was built for."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.shared.version import VERSION

from eventpipe import contract
from eventpipe.runtime import powertools_version
from eventpipe.runtime.observability import Observability
from eventpipe.runtime.powertools_version import MISMATCH_METRIC, check_powertools_version
from eventpipe.testing import ConsumerInvoker, eventbridge_event


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


@pytest.fixture
def loud(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "INFO")


def test_matching_versions_log_the_version_and_emit_nothing(
    loud: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(contract.ENV_POWERTOOLS_VERSION, VERSION)
    assert check_powertools_version(Observability("pt-same")) is True
    lines = _lines(capsys.readouterr().out)
    [start] = [line for line in lines if line.get("message") == "eventpipe runtime cold start"]
    assert start["powertools_version"] == VERSION == start["powertools_built_for"]
    assert not [line for line in lines if line.get("level") == "WARNING" or "_aws" in line]


def test_a_different_version_warns_and_emits_the_metric(
    loud: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(contract.ENV_POWERTOOLS_VERSION, "3.0.0")
    assert check_powertools_version(Observability("pt-other")) is False
    lines = _lines(capsys.readouterr().out)
    [warning] = [line for line in lines if line.get("level") == "WARNING"]
    assert "3.0.0" in warning["message"] and VERSION in warning["message"]
    [emf] = [line for line in lines if "_aws" in line]
    assert emf[MISMATCH_METRIC] in (1.0, [1.0])
    [directive] = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == contract.METRICS_NAMESPACE
    assert {m["Name"] for m in directive["Metrics"]} == {MISMATCH_METRIC}


def test_the_check_runs_once_per_container_at_cold_start(
    loud: None,
    invoke_consumer: ConsumerInvoker,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The kit sets the deployed environment (built for the installed Powertools); make the
    # "layer" hold another version.
    monkeypatch.setattr(powertools_version, "RUNNING", "3.0.0")
    event = eventbridge_event("T", "s", {"orderId": "ok-1"})
    for _ in range(2):
        invoke_consumer("tests.runtime.handlers:by_order_id", [event], name="pt-cold")
    lines = _lines(capsys.readouterr().out)
    warnings = [
        line
        for line in lines
        if line.get("level") == "WARNING" and "built and tested for" in line.get("message", "")
    ]
    assert len(warnings) == 1
    assert warnings[0]["powertools_built_for"] == VERSION
