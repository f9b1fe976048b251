"""Lambda side of priority-orders: publish each high-value order to the priority topic.

Subscribers of the topic (a fulfilment team's queue, an on-call e-mail) fast-track the
order. The SNS message carries ``amount`` as a number attribute so subscriptions can
filter further (e.g. only above 10,000) without parsing the body.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from eventpipe.runtime import Event, PermanentError, RetryableError
from priority_orders.models import HighValueOrder

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_sns.client import SNSClient

TOPIC_ENV = "PRIORITY_TOPIC_ARN"
PERMANENT_CODES = frozenset({"NotFound", "AuthorizationError", "InvalidParameter", "KMSDisabled"})


@cache
def _sns() -> SNSClient:
    """Created on first use, reused while warm; honours AWS_ENDPOINT_URL (local engine)."""
    return boto3.client("sns")


def flag(event: Event[HighValueOrder]) -> None:
    """Publish one high-value order."""
    publish(event.detail, source=event.source, detail_type=event.detail_type, event_id=event.id)


def publish(order: HighValueOrder, *, source: str, detail_type: str, event_id: str) -> str:
    """Publish ``order`` to the topic; returns the SNS message id."""
    topic = os.environ.get(TOPIC_ENV)
    if not topic:
        raise PermanentError(f"{TOPIC_ENV} is not set: the priority_orders.infra hook sets it")
    message = {
        "type": "Priority Order Flagged",
        "orderId": order.order_id,
        "customerId": order.customer_id,
        "amount": str(order.amount),
        "currency": order.currency,
        "source": source,
        "detailType": detail_type,
        "eventId": event_id,
    }
    try:
        response = _sns().publish(
            TopicArn=topic,
            Subject=f"Priority order {order.order_id}"[:100],
            Message=json.dumps(message),
            MessageAttributes={
                "amount": {"DataType": "Number", "StringValue": str(order.amount)},
                "source": {"DataType": "String", "StringValue": source},
            },
        )
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in PERMANENT_CODES:
            raise PermanentError(f"SNS refused order {order.order_id}: {code}: {exc}") from exc
        raise RetryableError(f"SNS could not publish order {order.order_id} yet: {code}") from exc
    except BotoCoreError as exc:
        raise RetryableError(f"SNS unreachable: {exc}") from exc
    return response["MessageId"]
