"""notifications' handler through the real eventpipe runtime, against moto's SES."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from notifications import handler, plugin

from eventpipe.testing import ConsumerInvoker, assert_samples_end_as_declared, eventbridge_event

SENDER = "noreply@example.com"
[CONSUMER] = plugin.eventpipe_consumers()


@pytest.fixture
def ses(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """SES in moto with the sender verified; yields moto's backend (sent messages)."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    handler._ses.cache_clear()
    with mock_aws():
        boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
        yield ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    handler._ses.cache_clear()


def event(detail_type: str, source: str = "ecommerce.payments", **extra: Any) -> dict[str, Any]:
    detail = {
        "orderId": "order-123",
        "customerId": "customer-456",
        "customerEmail": "customer-456@example.com",
        "amount": 99.99,
        **extra,
    }
    return eventbridge_event(detail_type, source, detail)


@pytest.mark.parametrize(
    ("detail_type", "source", "subject"),
    [
        ("Order Created", "ecommerce.orders", "Order confirmation - order-123"),
        ("Payment Processed", "ecommerce.payments", "Payment received - order-123"),
        ("Payment Failed", "ecommerce.payments", "Payment failed - order-123"),
    ],
)
def test_sends_one_email_per_event(
    ses: Any, invoke_consumer: ConsumerInvoker, detail_type: str, source: str, subject: str
) -> None:
    result = invoke_consumer(CONSUMER, [event(detail_type, source, reason="card declined")])
    assert len(result.succeeded) == 1
    [sent] = ses.sent_messages
    assert sent.source == SENDER
    assert sent.destinations["ToAddresses"] == ["customer-456@example.com"]
    assert sent.subject == subject
    assert "99.99 USD" in sent.body
    if detail_type == "Payment Failed":
        assert "card declined" in sent.body


def test_event_without_recipient_is_dead_lettered(
    ses: Any, invoke_consumer: ConsumerInvoker
) -> None:
    bad = eventbridge_event(
        "Payment Processed", "ecommerce.payments", {"orderId": "o", "customerId": "c"}
    )
    result = invoke_consumer(CONSUMER, [bad])
    [dead] = result.dead_lettered
    assert "customerEmail" in dead.error_message
    assert ses.sent_messages == []


def test_unverified_sender_is_permanent(ses: Any, invoke_consumer: ConsumerInvoker) -> None:
    result = invoke_consumer(
        CONSUMER, [event("Payment Processed")], env={"SENDER_EMAIL": "nobody@unverified.example"}
    )
    [dead] = result.dead_lettered
    assert "MessageRejected" in dead.error_message
    assert ses.sent_messages == []


def test_throttling_is_retried(ses: Any, invoke_consumer: ConsumerInvoker) -> None:
    throttled = ClientError(
        {"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}}, "SendEmail"
    )
    with mock.patch.object(handler._ses(), "send_email", side_effect=throttled):
        result = invoke_consumer(CONSUMER, [event("Payment Processed")])
    assert result.will_retry == [result.records[0]["messageId"]]
    assert result.dead_lettered == []


def test_unknown_detail_type_names_the_fix() -> None:
    from notifications.models import NotificationDetail

    from eventpipe.runtime import PermanentError

    detail = NotificationDetail.model_validate(event("Payment Refunded")["detail"])
    with pytest.raises(
        PermanentError, match="no e-mail template for detail-type 'Payment Refunded'"
    ):
        handler.send("Payment Refunded", detail)


def test_samples_end_as_declared(ses: Any, invoke_consumer: ConsumerInvoker) -> None:
    """Every sample the plugin offers to `eventpipe demo`, in order, ends as it says."""
    samples = plugin.eventpipe_sample_events()
    assert_samples_end_as_declared(invoke_consumer, CONSUMER, samples)
