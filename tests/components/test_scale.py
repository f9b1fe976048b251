"""A stack of 1,000 consumers with 40-character names, a circuit breaker on every one and
the dead-letter archive on, under mocks: nothing that AWS limits to a fixed size grows
with the consumers.

Limits checked, each fixed (no quota request raises it):

* an inline IAM role policy holds 10,240 characters, whitespace not counted ("IAM does not
  count white space when calculating the size of a policy against these quotas",
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html);
* a function's environment holds 4 KB, "for all environment variables associated with
  the function, in aggregate" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html),
  counted here as the UTF-8 bytes of every key and value;
* a composite alarm's rule names at most 100 alarms
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html);
* a metric-math alarm holds at most 10 metrics
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import pulumi
import pytest

import eventpipe
from eventpipe import pulumi_stack
from eventpipe.consumer import CircuitBreaker, Consumer
from eventpipe.mock_run import lean_mock_run
from eventpipe.testing.pulumi_mocks import AwsMocks
from tests.components.helpers import run_to_completion
from tests.components.test_program import _config, _run_program

COUNT = 1000
PREFIX = "eventpipe-prod-eu1-"  # 19 characters: the longest 40-character names allow
POLICY_LIMIT = 10_240
ENVIRONMENT_LIMIT = 4 * 1024


def consumer_name(i: int) -> str:
    name = f"consumer-{i:04d}-" + "x" * 40
    return name[:40]


class ScalePlugin:
    @eventpipe.hookimpl
    def eventpipe_consumers(self) -> list[Consumer]:
        breaker = CircuitBreaker(failed_records=10, period=60, cooldown=300)
        return [
            Consumer(
                name=consumer_name(i),
                handler="ep_fixture.handlers:direct",
                pattern={"source": ["scale"], "detail-type": [f"T{i}"]},
                fifo=i % 4 == 1,
                message_group="$.detail.key" if i % 4 == 1 else None,
                circuit_breaker=breaker,
            )
            for i in range(COUNT)
        ]


def policy_size(document: str) -> int:
    """Characters IAM counts: whitespace is not counted."""
    return len(re.sub(r"\s", "", document))


def environment_size(variables: dict[str, str]) -> int:
    return sum(len(k.encode()) + len(str(v).encode()) for k, v in variables.items())


@pytest.fixture(scope="module")
def stack() -> tuple[AwsMocks, dict[str, Any]]:
    """The program run once for the module's tests, as lean as mocks allow
    (:func:`eventpipe.mock_run.lean_mock_run`)."""
    from pulumi.runtime import settings

    monkeypatch = pytest.MonkeyPatch()
    original = pulumi_stack.resolve_from_pulumi
    monkeypatch.setattr(
        pulumi_stack,
        "resolve_from_pulumi",
        functools.partial(original, extra_plugins=[("scale", ScalePlugin())], entry_points=False),
    )
    settings.ROOT.set(None)
    mocks = AwsMocks()
    pulumi.runtime.set_mocks(mocks, project="eventpipe", stack="prod", preview=False)
    _config(
        {
            "namePrefix": PREFIX,
            "deadLetterArchive": {"afterDays": 10, "expireDays": 365},
            "quotas": {"rulesPerBus": 2000, "iamRoles": 5000},
        }
    )
    try:
        with lean_mock_run():
            outputs = run_to_completion(lambda: {"usage": _run_program()["quotaUsage"]})
    finally:
        monkeypatch.undo()
        settings.ROOT.set(None)
        pulumi.runtime.set_all_config({})
    return mocks, outputs


def test_every_inline_policy_stays_within_iam_s_limit(stack: tuple[AwsMocks, Any]) -> None:
    mocks, _ = stack
    policies = mocks.of_type("aws:iam/rolePolicy:RolePolicy")
    assert len(policies) >= COUNT + 4
    sizes = {p.name: policy_size(p.inputs["policy"]) for p in policies}
    largest = max(sizes, key=sizes.__getitem__)
    print(f"largest inline policy: {largest}, {sizes[largest]} characters")
    assert sizes[largest] <= POLICY_LIMIT, (largest, sizes[largest])
    breaker = sizes["eventpipe-breaker-policy"]
    archiver = sizes["eventpipe-dead-letter-archive-policy"]
    assert breaker < 2000 and archiver < 2000  # the same size for 1 consumer or 1,000


def test_every_environment_stays_within_lambda_s_limit(stack: tuple[AwsMocks, Any]) -> None:
    mocks, _ = stack
    functions = mocks.of_type("aws:lambda/function:Function")
    assert len(functions) == COUNT + 2
    sizes = {f.name: environment_size(f.inputs["environment"]["variables"]) for f in functions}
    largest = max(sizes, key=sizes.__getitem__)
    print(f"largest environment: {largest}, {sizes[largest]} bytes")
    assert sizes[largest] <= ENVIRONMENT_LIMIT, (largest, sizes[largest])


def test_the_archiver_s_schedules_cover_every_dlq_once(stack: tuple[AwsMocks, Any]) -> None:
    mocks, _ = stack
    schedules = [s for s in mocks.of_type("aws:scheduler/schedule:Schedule") if "archive" in s.name]
    named: list[str] = []
    for schedule in schedules:
        queues = json.loads(schedule.inputs["target"]["input"])["queues"]
        assert len(queues) <= 100
        named += list(queues)
    assert len(schedules) == 11  # 1,000 consumers and the delivery DLQ, 100 a page
    assert sorted(named) == sorted([consumer_name(i) for i in range(COUNT)] + ["_delivery"])


def test_alarms_one_per_consumer_and_a_digest_over_them(stack: tuple[AwsMocks, Any]) -> None:
    mocks, _ = stack
    alarms = mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert len(alarms) == 2 * COUNT  # each consumer's alarm and its breaker's
    for alarm in alarms:
        metrics = [q for q in alarm.inputs.get("metricQueries", []) if "metric" in q]
        assert len(metrics) <= 10
        assert "alarmActions" not in alarm.inputs
    composites = mocks.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
    for composite in composites:
        assert len(re.findall(r'ALARM\("', composite.inputs["alarmRule"])) <= 100
    notifying = [c for c in composites if c.inputs.get("alarmActions")]
    assert [c.inputs["alarmName"] for c in notifying] == [f"{PREFIX}alarms"]


def test_the_stack_exports_what_it_draws_on_the_quotas(stack: tuple[AwsMocks, Any]) -> None:
    _, outputs = stack
    usage = outputs["usage"]
    assert usage["rules"] == {f"{PREFIX}bus": 1250, "default": 1}  # 250 per-key: two each
    assert usage["iamRoles"] == COUNT + 250 + 4 and usage["pipes"] == 250
