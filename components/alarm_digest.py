"""One email per incident: composite alarms over every alarm of the stack.

The consumers' alarms and the breakers' alarms have no actions; the digest's root, a
CloudWatch composite alarm in ``ALARM`` while any of them is, notifies the stack's alarm
topic when it enters ``ALARM`` and when it returns to ``OK``. An outage across a thousand
consumers is then two emails, not thousands: an SNS email endpoint takes 10 messages a
second and is suspended past that ("Exceeding the limit of 10 messages per second (TPS)
for an email or email-json endpoint will trigger an automatic suspension of the
subscription", https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html).
Which consumers alarm, and on which signals, is in ``eventpipe status`` and in each
alarm's own state.

A composite alarm's rule names at most 100 alarms ("The rule expression of a composite
alarm can include as many as 100 underlying alarms",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html)
and is at most 10,240 characters (``AlarmRule``'s maximum length in AWS's API model for
CloudWatch, as botocore ships it, and terraform-provider-aws's ``alarm_rule`` validator;
the API page's text was not read). More alarms than one rule holds make a tree: pages of
alarms (``<prefix>alarms-1-1``, ``-1-2``...), pages of pages while there are more than one,
and the root ``<prefix>alarms``, the only one with actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import naming
from components.alarms import alarm_name
from components.breaker import CircuitBreaker
from components.breaker import alarm_name as breaker_alarm_name
from components.consumer_pipeline import ConsumerPipeline
from components.event_bus import EventBus

TYPE = "eventpipe:index:AlarmDigest"
MAX_CHILDREN = 100
MAX_RULE_CHARS = 10_240
ROOT = "alarms"


@dataclass(frozen=True)
class DigestNode:
    """One composite alarm of the tree: its name and the alarms its rule names."""

    name: str
    children: tuple[str, ...]
    level: int

    @property
    def rule(self) -> str:
        return alarm_rule(self.children)


def alarm_rule(children: Sequence[str]) -> str:
    """``ALARM("a") OR ALARM("b")``: in ALARM while any child is (composite alarm rule
    syntax, PutCompositeAlarm ``AlarmRule``)."""
    return " OR ".join(f'ALARM("{child}")' for child in children)


def _pages(names: Sequence[str]) -> list[list[str]]:
    """``names`` in order, cut where a page would pass 100 alarms or 10,240 characters."""
    pages: list[list[str]] = [[]]
    for name in names:
        page = pages[-1]
        if page and (len(page) == MAX_CHILDREN or len(alarm_rule([*page, name])) > MAX_RULE_CHARS):
            pages.append(page := [])
        page.append(name)
    return pages


def plan_digest(prefix: str, alarms: Sequence[str]) -> list[DigestNode]:
    """The composite alarms over ``alarms``, children before parents; the last is the root.
    None when there is no alarm."""
    if not alarms:
        return []
    nodes: list[DigestNode] = []
    level, names = 1, list(alarms)
    while True:
        pages = _pages(names)
        if len(pages) == 1:
            root = naming.stack_name(prefix, ROOT, naming.LIMIT_ALARM)
            nodes.append(DigestNode(root, tuple(pages[0]), level))
            return nodes
        page_nodes = [
            DigestNode(
                naming.stack_name(prefix, f"{ROOT}-{level}-{number}", naming.LIMIT_ALARM),
                tuple(page),
                level,
            )
            for number, page in enumerate(pages, start=1)
        ]
        nodes += page_nodes
        level, names = level + 1, [node.name for node in page_nodes]


@dataclass(frozen=True)
class WatchedAlarm:
    """An alarm the digest watches: its physical name and the resource declaring it."""

    name: str
    resource: pulumi.Resource


class AlarmDigest(pulumi.ComponentResource):
    """The composite alarms of :func:`plan_digest`; :attr:`root_name` notifies the topic."""

    def __init__(
        self,
        name: str,
        settings_prefix: str,
        alarms: Sequence[WatchedAlarm],
        topic_arn: pulumi.Input[str],
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        self.resources: dict[str, pulumi.Resource] = {}
        declared: dict[str, pulumi.Resource] = {a.name: a.resource for a in alarms}
        plan = plan_digest(settings_prefix, [a.name for a in alarms])
        for node in plan:
            root = node is plan[-1]
            composite = aws.cloudwatch.CompositeAlarm(
                f"{name}-{node.name.removeprefix(settings_prefix)}",
                alarm_name=node.name,
                alarm_rule=node.rule,
                alarm_actions=[topic_arn] if root else [],
                ok_actions=[topic_arn] if root else [],
                alarm_description=(
                    "eventpipe: some alarm of this stack is in ALARM; which consumers and "
                    "signals: `eventpipe status`"
                    if root
                    else f"eventpipe: page {node.name} of the stack's alarm digest"
                ),
                tags=tags,
                # CloudWatch refuses a rule naming an alarm that does not exist yet.
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[declared[child] for child in node.children]
                ),
            )
            declared[node.name] = composite
            self.resources[node.name] = composite
        self.root_name = plan[-1].name if plan else None
        self.register_outputs({"rootName": self.root_name})


def declare_alarm_digest(
    bus: EventBus, pipelines: Sequence[ConsumerPipeline], breaker: CircuitBreaker | None
) -> AlarmDigest | None:
    """The stack's alarm digest, a child of ``bus`` (``<bus>-alarm-digest``), over every
    consumer's alarm and every breaker alarm; None when the stack has no consumer."""
    settings = bus.settings
    prefix = settings.prefix
    alarms = [WatchedAlarm(alarm_name(prefix, p.consumer.name), p.alarm) for p in pipelines]
    if breaker is not None:
        alarms += [
            WatchedAlarm(breaker_alarm_name(prefix, consumer), alarm)
            for consumer, alarm in breaker.alarms.items()
        ]
    if not alarms:
        return None
    return AlarmDigest(
        f"{bus.pulumi_resource_name}-alarm-digest",
        settings.prefix,
        alarms,
        bus.alarm_topic_arn,
        naming.stack_tags(settings),
        opts=pulumi.ResourceOptions(parent=bus),
    )
