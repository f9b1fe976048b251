"""What the emulated event source mapping hands a function and reads back from its log.

:func:`to_record` is an SQS message in the ``Records[]`` shape Lambda gives a function
("Using Lambda with Amazon SQS", example event:
https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html); :func:`record_reasons` reads
each failed record's reason from the runtime's JSON log lines, for the live log.
"""

from __future__ import annotations

import json
from typing import Any

from eventpipe.local.deploy.records import QueueInfo


def record_reasons(lines: list[str]) -> dict[str, str]:
    """Each record's failure reason from the runtime's JSON log lines: message id ->
    ``ErrorType: message`` (the last one logged wins)."""
    reasons: dict[str, str] = {}
    for line in lines:
        if not line.startswith("{"):
            continue
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if not isinstance(data, dict) or not data.get("message_id"):
            continue
        error_type = data.get("error_type") or data.get("exception_name")
        error = data.get("error")
        if error_type or error:
            reasons[str(data["message_id"])] = f"{error_type or 'Error'}: {error or ''}".rstrip(
                ": "
            )
    return reasons


def to_record(message: dict[str, Any], queue: QueueInfo, region: str) -> dict[str, Any]:
    """An SQS message as Lambda hands it to a function (the ``Records[]`` shape)."""
    attributes = {
        k: v for k, v in (message.get("Attributes") or {}).items() if k != "AWSTraceHeader" or v
    }
    message_attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": value.get("BinaryListValues", []),
            "dataType": value.get("DataType"),
        }
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue.arn,
        "awsRegion": region,
    }
