"""Lambda side of notifications: one event in, one SES e-mail out.

Error classes, following SES's error codes:

* throttling, sending-rate limits and 5xx are transient: ``RetryableError``, the runtime
  retries with backoff;
* a rejected message, an unverified sender or a paused account will not heal by retrying
  this one message: ``PermanentError``, the message goes to the DLQ with the SES reason
  and can be redriven once the account is fixed.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from eventpipe.runtime import Event, PermanentError, RetryableError
from notifications.models import NotificationDetail
from notifications.templates import TEMPLATES

if TYPE_CHECKING:  # pragma: no cover
    from mypy_boto3_ses.client import SESClient

SENDER_ENV = "SENDER_EMAIL"

PERMANENT_CODES = frozenset(
    {
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "ConfigurationSetDoesNotExistException",
        "AccountSendingPausedException",
        "InvalidParameterValue",
        "AccessDenied",
        "AccessDeniedException",
    }
)


@cache
def _ses() -> SESClient:
    """Created on first use, reused while warm; honours AWS_ENDPOINT_URL (local engine)."""
    return boto3.client("ses")


def notify(event: Event[NotificationDetail]) -> None:
    """E-mail the customer about one order or payment event."""
    send(event.detail_type, event.detail)


def send(detail_type: str, detail: NotificationDetail) -> str:
    """Send the e-mail for ``detail_type``; returns the SES message id."""
    template = TEMPLATES.get(detail_type)
    if template is None:
        raise PermanentError(
            f"no e-mail template for detail-type {detail_type!r} "
            f"(known: {', '.join(sorted(TEMPLATES))}): add one or narrow the pattern"
        )
    sender = os.environ.get(SENDER_ENV)
    if not sender:
        raise PermanentError(f"{SENDER_ENV} is not set: the notifications plugin sets it")
    email = template(detail)
    try:
        response = _ses().send_email(
            Source=sender,
            Destination={"ToAddresses": [detail.customer_email]},
            Message={
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": email.body, "Charset": "UTF-8"}},
            },
        )
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in PERMANENT_CODES:
            raise PermanentError(
                f"SES refused the e-mail for order {detail.order_id}: {code}: {exc}"
            ) from exc
        raise RetryableError(f"SES could not send for order {detail.order_id} yet: {code}") from exc
    except BotoCoreError as exc:  # connection errors, timeouts
        raise RetryableError(f"SES unreachable: {exc}") from exc
    return response["MessageId"]
