"""The alarm digest: composite alarms over every alarm, one notification per incident."""

from __future__ import annotations

import re
from pathlib import Path

import pulumi

from components.alarm_digest import MAX_CHILDREN, MAX_RULE_CHARS, alarm_rule, plan_digest
from eventpipe.consumer import CircuitBreaker, Consumer
from eventpipe.testing.pulumi_mocks import AwsMocks
from tests.components.helpers import build_program, settings

HANDLER = "ep_fixture.handlers:direct"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"


def children(rule: str) -> list[str]:
    return re.findall(r'ALARM\("([^"]+)"\)', rule)


def test_one_page_is_the_root() -> None:
    [root] = plan_digest("p-", ["p-a-alarm", "p-b-alarm"])
    assert root.name == "p-alarms" and root.rule == 'ALARM("p-a-alarm") OR ALARM("p-b-alarm")'


def test_many_alarms_make_a_tree_within_the_rule_limits() -> None:
    names = [f"eventpipe-prod-{i:04d}-{'x' * 30}-alarm" for i in range(2500)]
    plan = plan_digest("eventpipe-prod-", names)
    root = plan[-1]
    assert root.name == "eventpipe-prod-alarms"
    for node in plan:
        assert 1 <= len(node.children) <= MAX_CHILDREN
        assert len(node.rule) <= MAX_RULE_CHARS
        assert children(node.rule) == list(node.children)
    leaves = [n for n in plan if n.level == 1]
    assert [c for n in leaves for c in n.children] == names  # each alarm once, in order
    reached, frontier = set(), [root]
    by_name = {n.name: n for n in plan}
    while frontier:
        node = frontier.pop()
        for child in node.children:
            reached.add(child)
            if child in by_name:
                frontier.append(by_name[child])
    assert set(names) <= reached  # the root hears every alarm
    assert max(n.level for n in plan) == root.level == 2


def test_long_names_cut_pages_by_rule_length() -> None:
    names = [f"{i:03d}" + "n" * 240 for i in range(100)]
    pages = [n for n in plan_digest("p-", names) if n.level == 1]
    assert len(pages) > 1 and all(len(p.rule) <= MAX_RULE_CHARS for p in pages)
    assert len(alarm_rule(names)) > MAX_RULE_CHARS


def test_the_root_alone_notifies_the_topic(mocks: AwsMocks, build_dir: Path) -> None:
    breaker = CircuitBreaker(failed_records=5, period=60, cooldown=300)
    consumers = [
        ("shop", Consumer(name="orders", handler=HANDLER, pattern={"source": ["s"]},
                          circuit_breaker=breaker)),
        ("shop", Consumer(name="mail", handler=HANDLER)),
    ]  # fmt: skip
    from components.alarm_digest import declare_alarm_digest

    @pulumi.runtime.test
    def run() -> pulumi.Output[None]:
        program = build_program(consumers, settings(), build_dir)
        digest = declare_alarm_digest(program.bus, program.pipelines, program.breaker)
        assert digest is not None

        def check(_: object) -> None:
            [root] = mocks.of_type(COMPOSITE)
            topic = mocks.one("aws:sns/topic:Topic", "eventpipe-alarms").outputs["arn"]
            assert root.inputs["alarmName"] == "eventpipe-test-alarms"
            assert root.inputs["alarmActions"] == [topic] and root.inputs["okActions"] == [topic]
            assert sorted(children(root.inputs["alarmRule"])) == [
                "eventpipe-test-mail-alarm",
                "eventpipe-test-orders-alarm",
                "eventpipe-test-orders-breaker",
            ]
            for alarm in mocks.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"):
                assert "alarmActions" not in alarm.inputs, alarm.name  # no email per alarm

        return pulumi.Output.all(*[r.urn for r in digest.resources.values()]).apply(check)

    run()
