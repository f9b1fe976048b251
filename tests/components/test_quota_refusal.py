"""The program refuses, in preview, a stack that would exceed a quota during `pulumi up`,
with the use of the stacks it shares its quotas with read through StackReference."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components.quota_refusal import USAGE_OUTPUT
from eventpipe.testing.pulumi_mocks import STACK_REFERENCE, AwsMocks
from tests.components.helpers import run_to_completion
from tests.components.test_program import _config, _fixture_only, _run_program

SIBLING = "acme/eventpipe/orders-b"


def _sibling(**counts: Any) -> dict[str, Any]:
    return {USAGE_OUTPUT: {"stack": "orders-b", "region": "us-east-1", **counts}}


def test_a_stack_over_a_quota_is_refused_before_any_resource(
    mocks: AwsMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fixture_only(monkeypatch)
    _config({"consumers": {"fixture-direct": {"reservedConcurrency": 950}}})
    with pytest.raises(pulumi.RunError) as raised:
        _run_program()
    message = str(raised.value)
    assert "'Concurrent executions'" in message and "needs 950" in message
    assert "AWS allows 900" in message and "fixture-direct 950" in message
    assert mocks.resources == []  # refused before anything was declared


def test_the_stack_exports_its_use_of_the_quotas(
    mocks: AwsMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fixture_only(monkeypatch)
    _config({"consumers": {"fixture-direct": {"reservedConcurrency": 20}}})
    usage = run_to_completion(lambda: _run_program()[USAGE_OUTPUT])
    assert usage["rules"] == {"eventpipe-test-bus": 2}  # the per-key FIFO consumer's two
    assert usage["reservedConcurrency"] == 20 and usage["pipes"] == 1
    assert usage["iamRoles"] == 3 and usage["eventBuses"] == 1


def test_other_stacks_on_the_shared_bus_are_counted(
    mocks: AwsMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fixture_only(monkeypatch)
    mocks.stack_outputs[SIBLING] = _sibling(
        rules={"shared": 290}, reservedConcurrency=890, iamRoles=10
    )
    _config(
        {
            "busName": "shared",
            "createBus": False,
            "sharedQuotas": {"stacks": [SIBLING], "rules": 9},
            "consumers": {"fixture-direct": {"reservedConcurrency": 20}},
        }
    )
    with pytest.raises(pulumi.RunError) as raised:
        run_to_completion(lambda: _run_program()[USAGE_OUTPUT])
    message = str(raised.value)
    assert "found 2 problem(s)" in message
    assert "'Number of rules'" in message and "needs 301" in message  # 2 + 290 + 9
    assert "needs 910" in message  # 20 + 890 reserved
    assert [r.name for r in mocks.of_type(STACK_REFERENCE)] == [SIBLING]


def test_a_listed_stack_without_the_export_is_a_warning(
    mocks: AwsMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fixture_only(monkeypatch)
    warned: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *a, **k: warned.append(message))
    _config({"sharedQuotas": {"stacks": [SIBLING]}})
    usage = run_to_completion(lambda: _run_program()[USAGE_OUTPUT])
    assert usage["stack"] == "test"
    about = [w for w in warned if SIBLING in w]
    assert len(about) == 1 and "not counted" in about[0]
