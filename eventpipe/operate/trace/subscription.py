"""Whether a topic-fed consumer's SNS subscription accepts a message, for the trace.

The subscription's filter policy is read from the deployed subscription (SNS
GetSubscriptionAttributes, ``FilterPolicy`` and ``FilterPolicyScope``,
https://docs.aws.amazon.com/sns/latest/api/API_GetSubscriptionAttributes.html) through
the stack output's ``subscriptionArn``, and evaluated on the message's attributes by
:func:`eventpipe.patterns.sns_filter.explain_policy`.

The message attributes are at hand when the trace has the SNS message: a DLQ or archive
copy from an SNS-fed queue is SNS's JSON envelope (raw delivery is off,
``components/topics.py``), which carries ``TopicArn`` and ``MessageAttributes`` ("Amazon
SNS message filtering" example payloads,
https://docs.aws.amazon.com/sns/latest/dg/example-filter-policies.html); or the operator
gives one with ``--event FILE`` (the envelope, or ``{"TopicArn": ..., "MessageAttributes":
{...}}`` in Publish's shape).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from eventpipe.stack_output import ConsumerOutputs

Match = tuple[bool | None, str | None, str | None]
"""(matched, reason, failing field or attribute), as ``build._match`` returns."""

GIVE_MESSAGE = (
    "give the SNS message with --event FILE: the notification SNS delivered, with its "
    "MessageAttributes"
)


def sns_message(event: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The SNS message in ``event`` when it is one (it has ``MessageAttributes``, or is a
    notification envelope); None otherwise (an EventBridge event, say)."""
    if event is None:
        return None
    if isinstance(event.get("MessageAttributes"), Mapping) or event.get("Type") == "Notification":
        return event
    return None


def _subscription(
    sns: Any, consumer: ConsumerOutputs[str]
) -> tuple[dict[str, Any] | None, str | None]:
    """(the subscription's attributes, None), or (None, why they could not be read)."""
    if not consumer.subscription_arn:
        return None, "the stack output names no subscription ARN for it"
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        attributes = sns.get_subscription_attributes(SubscriptionArn=consumer.subscription_arn)
    except (ClientError, BotoCoreError) as error:  # e.g. NotFound, AuthorizationError
        return None, f"its subscription could not be read ({type(error).__name__}: {error})"
    return dict(attributes.get("Attributes") or {}), None


def match_topic(
    sns: Any,
    consumer: ConsumerOutputs[str],
    event: Mapping[str, Any] | None,
    reached: bool,
) -> Match:
    """(matched, reason, failing attribute) for a topic-fed consumer (module docstring)."""
    from eventpipe.patterns import InvalidPatternError
    from eventpipe.patterns.sns_filter import explain_policy

    message = sns_message(event)
    topic = message.get("TopicArn") if message is not None else None
    if topic and consumer.topic_arn and topic != consumer.topic_arn:
        if reached:
            return True, f"reached it, though the message names topic {topic}", None
        return False, f"published to {topic}; its subscription is on {consumer.topic_arn}", None
    attributes, unread = _subscription(sns, consumer)
    if attributes is None:
        return (True, None, None) if reached else (None, unread, None)
    policy_text = attributes.get("FilterPolicy")
    if not policy_text:
        if reached or message is not None:
            return True, "no filter policy: the subscription takes every message of its topic", None
        return (
            None,
            "no filter policy: it takes every message of its topic; whether this one was "
            f"published to it is not known ({GIVE_MESSAGE})",
            None,
        )
    scope = attributes.get("FilterPolicyScope") or "MessageAttributes"
    if scope != "MessageAttributes":
        if reached:
            return True, None, None
        return None, f"its filter policy has scope {scope}, which is not evaluated here", None
    if message is None:
        if reached:
            return True, None, None
        return None, f"its filter policy needs the message's attributes ({GIVE_MESSAGE})", None
    try:
        result = explain_policy(json.loads(policy_text), message.get("MessageAttributes") or {})
    except (ValueError, InvalidPatternError) as error:
        return (True if reached else None), f"its filter policy could not be read: {error}", None
    if result.matched:
        return True, None, None
    if reached:  # its log or DLQ names the message: the policy, or the message given, changed
        return (
            True,
            f"reached it, though the filter policy now fails this message: {result.reason}",
            None,
        )
    if result.matched is None:
        return None, result.reason, None
    return False, f"its filter policy: {result.reason}", result.attribute
