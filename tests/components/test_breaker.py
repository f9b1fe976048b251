"""The circuit breaker under mocks: one alarm per consumer with a breaker, the rule on the
default bus, the function and its least-privilege policy, the scheduler role, outputs."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.breaker import SCHEDULE_ACTIONS
from eventpipe import contract
from eventpipe.consumer import CircuitBreaker, Consumer
from eventpipe.patterns import matches
from eventpipe.quota_check import uses_wildcard
from eventpipe.stack_functions.breaker import parse_description
from eventpipe.stack_functions.settings import (
    BREAKER_HANDLER,
    ENV_BREAKER_SCHEDULE_GROUP,
    ENV_BREAKER_SCHEDULER_ROLE,
)
from eventpipe.testing.pulumi_mocks import AwsMocks, policy
from tests.components.helpers import (
    allow_actions,
    build_program,
    resolved_json,
    run_to_completion,
    settings,
)

HANDLER = "ep_fixture.handlers:direct"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"


def consumers() -> list[tuple[str, Consumer]]:
    pattern = {"source": ["shop"]}
    return [
        ("shop", Consumer(name="orders", handler=HANDLER, pattern=pattern, max_concurrency=8,
                          circuit_breaker=CircuitBreaker(failed_records=10, period=60, cooldown=300))),
        ("shop", Consumer(name="mail", handler=HANDLER, pattern=pattern,
                          circuit_breaker=CircuitBreaker(failed_records=3, period=120, cooldown=600))),
        ("shop", Consumer(name="audit", handler=HANDLER, pattern=pattern)),
    ]  # fmt: skip


def test_each_breaker_consumer_gets_a_breaker_alarm(mocks: AwsMocks, build_dir: Path) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program(consumers(), settings(), build_dir)

        def check(entries: dict[str, Any]) -> None:
            alarms = {
                a.inputs["name"]: a
                for a in mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
                if a.inputs["name"].endswith("-breaker")
            }
            assert set(alarms) == {"eventpipe-test-orders-breaker", "eventpipe-test-mail-breaker"}
            orders = alarms["eventpipe-test-orders-breaker"].inputs
            assert orders["namespace"] == "eventpipe" and orders["metricName"] == "RecordsRetried"
            assert orders["dimensions"] == {"service": "orders"}
            assert orders["statistic"] == "Sum" and orders["period"] == 60
            assert orders["evaluationPeriods"] == 1 and orders["threshold"] == 10
            assert orders["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
            assert orders["treatMissingData"] == "ignore"  # a disabled mapping stays ALARM
            # no actions of its own: the stack's alarm digest notifies the topic
            assert "alarmActions" not in orders and "okActions" not in orders
            mapping = mocks.one(ESM, "orders-esm").outputs["uuid"]
            described = parse_description(
                "eventpipe-test-orders-breaker", orders["alarmDescription"]
            )
            assert described is not None
            assert (described.consumer, described.mapping) == ("orders", mapping)
            assert (described.max_concurrency, described.cooldown) == (8, 300)
            mail = parse_description(
                "x", alarms["eventpipe-test-mail-breaker"].inputs["alarmDescription"]
            )
            assert mail is not None and mail.max_concurrency is None and mail.cooldown == 600
            assert entries == {  # each consumer's circuitBreaker entry; none for audit
                "orders": {"failedRecords": 10, "period": 60, "cooldown": 300,
                           "alarmName": "eventpipe-test-orders-breaker"},
                "mail": {"failedRecords": 3, "period": 120, "cooldown": 600,
                         "alarmName": "eventpipe-test-mail-breaker"},
            }  # fmt: skip

        assert program.breaker is not None
        entries = {n: resolved_json(e) for n, e in program.breaker.consumer_outputs.items()}
        return pulumi.Output.all(program.settled(), pulumi.Output.all(**entries)).apply(
            lambda values: check(values[1])
        )

    run()


def test_the_rule_hears_only_this_stacks_breaker_alarms(mocks: AwsMocks, build_dir: Path) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program(consumers(), settings(), build_dir)

        def check(_: object) -> None:
            rule = mocks.one("aws:cloudwatch/eventRule:EventRule", "eventpipe-breaker-rule")
            assert rule.inputs["eventBusName"] == "default"  # where CloudWatch sends them
            assert rule.inputs["name"] == "eventpipe-test-breaker"
            pattern = json.loads(rule.inputs["eventPattern"])

            def event(alarm: str) -> dict[str, Any]:
                return {"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change",
                        "resources": [f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{alarm}"],
                        "detail": {"alarmName": alarm}}  # fmt: skip

            assert matches(pattern, event("eventpipe-test-orders-breaker"))
            assert not matches(pattern, event("eventpipe-test-orders-alarms"))
            assert not matches(pattern, event("eventpipe-prod-orders-breaker"))
            assert not uses_wildcard(pattern)  # 30 wildcard rules per bus, fixed
            target = mocks.one("aws:cloudwatch/eventTarget:EventTarget", "eventpipe-breaker-target")
            function = mocks.one("aws:lambda/function:Function", "eventpipe-breaker-function")
            assert target.inputs["arn"] == function.outputs["arn"]
            permission = mocks.one(
                "aws:lambda/permission:Permission", "eventpipe-breaker-permission"
            )
            assert permission.inputs["principal"] == "events.amazonaws.com"
            assert permission.inputs["sourceArn"] == rule.outputs["arn"]

        return program.settled().apply(check)

    run()


def test_the_breaker_function_has_least_privilege(mocks: AwsMocks, build_dir: Path) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program(consumers(), settings(), build_dir)

        def check(entry: dict[str, Any]) -> None:
            function = mocks.one("aws:lambda/function:Function", "eventpipe-breaker-function")
            assert function.inputs["name"] == "eventpipe-test-breaker"
            assert function.inputs["handler"] == BREAKER_HANDLER
            group = mocks.one(
                "aws:scheduler/scheduleGroup:ScheduleGroup", "eventpipe-breaker-schedules"
            )
            scheduler_role = mocks.one("aws:iam/role:Role", "eventpipe-breaker-scheduler-role")
            env = function.inputs["environment"]["variables"]
            assert (
                env[ENV_BREAKER_SCHEDULE_GROUP] == group.inputs["name"] == "eventpipe-test-breaker"
            )
            assert env[ENV_BREAKER_SCHEDULER_ROLE] == scheduler_role.outputs["arn"]
            document = policy(
                mocks.one("aws:iam/rolePolicy:RolePolicy", "eventpipe-breaker-policy")
            )
            by_sid = {s["Sid"]: s for s in document["Statement"]}
            assert all(s["Effect"] == "Allow" for s in by_sid.values())
            assert all("*" not in a for a in allow_actions(document)), "no wildcard action"
            switch = by_sid["SwitchMappings"]
            assert switch["Action"] == ["lambda:UpdateEventSourceMapping"]
            assert switch["Resource"] == (
                "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:*"
            )  # a mapping's ARN holds a UUID: matched by its function and tag instead
            feeds = switch["Condition"]["ArnLike"]["lambda:FunctionArn"]
            for name in ("orders", "mail"):
                mapping = mocks.one(ESM, f"{name}-esm")
                fed = mocks.one("aws:lambda/function:Function", f"{name}-function")
                assert mapping.inputs["functionName"] == fed.outputs["arn"]
                assert fnmatchcase(fed.outputs["arn"], feeds)
                assert mapping.inputs["tags"]["eventpipe:stack"] == "test"
            assert not fnmatchcase(
                "arn:aws:lambda:us-east-1:123456789012:function:shop-orders", feeds
            )
            assert switch["Condition"]["StringEquals"] == {
                "aws:ResourceTag/eventpipe:stack": "test"
            }
            assert by_sid["HalfOpenSchedules"]["Action"] == SCHEDULE_ACTIONS
            assert by_sid["HalfOpenSchedules"]["Resource"] == (
                "arn:aws:scheduler:us-east-1:123456789012:schedule/eventpipe-test-breaker/*"
            )
            assert by_sid["PassSchedulerRole"]["Action"] == ["iam:PassRole"]
            assert by_sid["PassSchedulerRole"]["Resource"] == scheduler_role.outputs["arn"]
            assert by_sid["PassSchedulerRole"]["Condition"] == {
                "StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}
            }
            reset = by_sid["ResetBreakerAlarms"]
            for alarm in mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
                breaker_alarm = alarm.inputs["name"].endswith("-breaker")
                assert fnmatchcase(alarm.outputs["arn"], reset["Resource"]) is breaker_alarm
                assert alarm.inputs["tags"]["eventpipe:stack"] == "test"
            assert reset["Condition"] == {
                "StringEquals": {"aws:ResourceTag/eventpipe:stack": "test"}
            }
            assert set(by_sid) == {"SwitchMappings", "HalfOpenSchedules", "PassSchedulerRole",
                                   "ResetBreakerAlarms", "WriteOwnLogs"}  # fmt: skip
            trust = json.loads(scheduler_role.inputs["assumeRolePolicy"])["Statement"][0]
            assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
            assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
            invoke = policy(
                mocks.one("aws:iam/rolePolicy:RolePolicy", "eventpipe-breaker-scheduler-policy")
            )["Statement"]
            assert invoke == [{"Sid": "InvokeBreaker", "Effect": "Allow",
                               "Action": ["lambda:InvokeFunction"],
                               "Resource": function.outputs["arn"]}]  # fmt: skip
            assert entry == {  # the stack output's top-level breaker entry
                "functionName": "eventpipe-test-breaker",
                "ruleName": "eventpipe-test-breaker",
                "scheduleGroup": "eventpipe-test-breaker",
            }

        assert program.breaker is not None
        return pulumi.Output.all(program.settled(), resolved_json(program.breaker.outputs)).apply(
            lambda values: check(values[1])
        )

    run()


def test_no_breaker_no_breaker_resources(mocks: AwsMocks, build_dir: Path) -> None:
    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program(consumers()[2:], settings(), build_dir)

        def check(_: object) -> None:
            assert not [r for r in mocks.resources if "breaker" in r.name]
            assert program.breaker is None

        return program.settled().apply(check)

    run()


def test_the_program_exports_topics_breaker_and_archive(
    mocks: AwsMocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.components.test_program import _config, _fixture_only, _run_program

    _fixture_only(monkeypatch)
    _config(
        {
            "topics": ["orders"],
            "deadLetterArchive": {"afterDays": 7, "expireDays": 90},
            "consumers": {
                "fixture-direct": {
                    "circuitBreaker": {"failedRecords": 5, "period": 60, "cooldown": 120}
                }
            },
        }
    )

    stack_output = run_to_completion(lambda: _run_program()[contract.STACK_OUTPUT])
    assert set(stack_output["topics"]) == {"orders"}
    assert stack_output["topics"]["orders"].endswith(":eventpipe-test-orders")
    assert stack_output["breaker"] == {
        "functionName": "eventpipe-test-breaker",
        "ruleName": "eventpipe-test-breaker",
        "scheduleGroup": "eventpipe-test-breaker",
    }
    archive = stack_output["deadLetterArchive"]
    assert archive["afterDays"] == 7 and archive["expireDays"] == 90
    assert archive["archiverFunctionName"] == "eventpipe-test-dlq-archiver"
    assert archive["scheduleName"] == "eventpipe-test-dlq-archiver"
    direct = stack_output["consumers"]["fixture-direct"]
    assert direct["circuitBreaker"] == {
        "failedRecords": 5, "period": 60, "cooldown": 120,
        "alarmName": "eventpipe-test-fixture-direct-breaker",
    }  # fmt: skip
    assert direct["topicArn"] is None and direct["subscriptionArn"] is None
    assert stack_output["consumers"]["fixture-fifo"]["circuitBreaker"] is None
