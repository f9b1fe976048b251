"""The DLQ copy never fails because of the record itself.

Against moto where SQS's answer matters (the copy lands), against the recording fake
where every call and log line must be seen.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from eventpipe import contract
from eventpipe.runtime import dead_letters
from eventpipe.runtime.dead_letters import (
    DLQ_ATTR_ORIGINAL_ATTRIBUTES,
    SQS_MAX_ATTRIBUTES,
    SQS_MAX_MESSAGE_BYTES,
    CopyDoesNotFitError,
    Reason,
    build_message,
    message_size,
)
from eventpipe.runtime.decoding import record_info
from eventpipe.testing import ConsumerInvoker, eventbridge_event, sqs_event, sqs_record
from tests.runtime import handlers
from tests.runtime.fakes import FIFO_DLQ_URL, FakeSqs, make_runner

PERMANENT = "tests.runtime.handlers:always_permanent"
RETRY = "tests.runtime.handlers:always_retry"


def powertools_sample_records() -> list[dict[str, Any]]:
    """The two records of AWS Powertools' own sample SQS event
    (aws-powertools/powertools-lambda-python, tests/events/sqsEvent.json), values as
    given there: the first is plain text with a ``Number`` attribute that also carries a
    ``binaryValue`` which is not base64 (``"base64Str"``)."""
    common = {
        "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-2:123456789012:my-queue",
        "awsRegion": "us-east-2",
    }
    return [
        {
            "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
            "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
            "body": "Test message.",
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1545082649183",
                "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                "ApproximateFirstReceiveTimestamp": "1545082649185",
            },
            "messageAttributes": {
                "testAttr": {"stringValue": "100", "binaryValue": "base64Str", "dataType": "Number"}
            },
            **common,
        },
        {
            "messageId": "2e1424d4-f796-459a-8184-9c92662be6da",
            "receiptHandle": "AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq...",
            "body": '{"message": "foo1"}',
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1545082650636",
                "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                "ApproximateFirstReceiveTimestamp": "1545082650649",
            },
            "messageAttributes": {},
            **common,
        },
    ]


def lambda_attr(data_type: str, string: str | None = None, binary: str | None = None) -> Any:
    return {
        "stringValue": string,
        "binaryValue": binary,
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": data_type,
    }


UNCOPYABLE = {
    "AWS.traceId": lambda_attr("String", "reserved prefix"),
    "amazon.x": lambda_attr("String", "reserved prefix, any case"),
    "bad..name": lambda_attr("String", "two periods"),
    ".lead": lambda_attr("String", "leading period"),
    "empty": lambda_attr("String", ""),
    "notb64": lambda_attr("Binary", None, "base64Str"),
    "custom": lambda_attr("Custom", "unknown data type"),
    "nan": lambda_attr("Number", "not-a-number"),
    "listonly": {"stringListValues": ["a"], "binaryListValues": [], "dataType": "String"},
}


# --- against moto: the copy lands -------------------------------------------------------
def test_powertools_sample_event_is_dead_lettered_with_its_reason(
    invoke_consumer: ConsumerInvoker,
) -> None:
    result = invoke_consumer(PERMANENT, powertools_sample_records(), source="queue")
    assert result.response == {"batchItemFailures": []}
    first, second = result.dead_lettered
    assert first.body == "Test message."
    assert first.error_type == "PermanentError"
    assert first.attributes["testAttr"] == "100"  # a Number is copied by its StringValue
    assert second.json() == {"message": "foo1"}
    assert handlers.CALLS == ["Test message.", {"message": "foo1"}]


def test_attributes_sqs_rejects_as_given_travel_as_json(invoke_consumer: ConsumerInvoker) -> None:
    good_bytes = b"\x00\x01binary\xff"
    attrs = {
        **UNCOPYABLE,
        "bin": lambda_attr("Binary.gzip", None, base64.b64encode(good_bytes).decode()),
    }
    record = sqs_record("plain text", message_attributes=attrs)
    result = invoke_consumer(PERMANENT, [record], source="queue")
    [dead] = result.dead_lettered
    assert dead.error_type == "PermanentError"
    assert "bin" in dead.attributes  # copied as an attribute
    spilled = json.loads(dead.attributes[DLQ_ATTR_ORIGINAL_ATTRIBUTES])
    assert set(spilled) == set(UNCOPYABLE)
    assert spilled["notb64"]["binaryValue"] == "base64Str"
    assert spilled["listonly"]["stringListValues"] == ["a"]


def test_more_attributes_than_sqs_allows(invoke_consumer: ConsumerInvoker) -> None:
    attrs = {f"attr{i:02d}": f"value {i}" for i in range(12)}
    record = sqs_record("plain", message_attributes=attrs)
    result = invoke_consumer(PERMANENT, [record], source="queue")
    [dead] = result.dead_lettered
    assert len(dead.attributes) <= SQS_MAX_ATTRIBUTES
    spilled = json.loads(dead.attributes[DLQ_ATTR_ORIGINAL_ATTRIBUTES])
    kept = {k for k in dead.attributes if k.startswith("attr")}
    assert kept and spilled
    assert kept | set(spilled) == set(attrs)
    assert not kept & set(spilled)
    assert all(dead.attributes[k] == attrs[k] for k in kept)
    assert all(spilled[k]["stringValue"] == attrs[k] for k in spilled)


def test_last_receive_failure_lands_in_the_dlq_with_attempts(
    invoke_consumer: ConsumerInvoker,
) -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "boom-1"})
    result = invoke_consumer("tests.runtime.handlers:by_order_id", [event], receive_count=5)
    assert result.outcomes == ["dead-lettered"]
    [dead] = result.dead_lettered
    assert dead.error_type == "KeyError"
    assert dead.receive_count == 5
    assert "boom-1" in dead.error_message


def test_earlier_failures_are_still_retried(invoke_consumer: ConsumerInvoker) -> None:
    event = eventbridge_event("Order Created", "shop", {"orderId": "boom-1"})
    result = invoke_consumer("tests.runtime.handlers:by_order_id", [event], receive_count=4)
    assert result.outcomes == ["will-retry"]
    assert result.dead_lettered == []


# The invoker's DLQ has SQS's default MaximumMessageSize, 1 MiB as on AWS (CreateQueue,
# https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html:
# "Default: 1,048,576 bytes (1 MiB)"); moto's default is the same.


def test_body_near_the_size_limit_lands_with_a_trimmed_reason(
    invoke_consumer: ConsumerInvoker,
) -> None:
    body = "x" * (SQS_MAX_MESSAGE_BYTES - 400)
    record = sqs_record(body, message_attributes={"trace": "t-1"})
    result = invoke_consumer("tests.runtime.handlers:long_permanent", [record], source="queue")
    [dead] = result.dead_lettered
    assert dead.body == body
    assert dead.error_type == "PermanentError"
    assert dead.error_message.startswith("why why")
    assert dead.error_message.endswith(dead_letters.TRUNCATED)
    assert len(dead.error_message) < 400


def test_body_at_the_size_limit_is_left_for_sqs_redrive(invoke_consumer: ConsumerInvoker) -> None:
    record = sqs_record("y" * SQS_MAX_MESSAGE_BYTES)
    result = invoke_consumer(PERMANENT, [record], source="queue")
    assert result.outcomes == ["will-retry"]  # original untouched, SQS's redrive moves it
    assert result.dead_lettered == []


# --- against the recording fake: every call and log line ----------------------------
def test_copy_that_cannot_fit_is_logged_with_its_reason_and_message_id() -> None:
    runner, sqs, logger = make_runner(PERMANENT, source="queue")
    record = sqs_record("z" * SQS_MAX_MESSAGE_BYTES)
    response = runner.run(sqs_event([record]), None)
    assert response["batchItemFailures"] == [{"itemIdentifier": record["messageId"]}]
    assert sqs.attempts == []  # nothing SQS would refuse is sent
    [line] = logger.about(record["messageId"])
    assert line[0] == "warning"
    assert line[2]["error_type"] == "CopyDoesNotFitError"
    assert "this record can never be processed" in line[2]["error"]
    assert "redrive" in line[2]["error"]
    assert sqs.visibility()[record["receiptHandle"]] >= 0


def test_rejected_copy_is_retried_compact_and_logged() -> None:
    def reject_first(params: dict[str, Any]) -> Exception | None:
        if DLQ_ATTR_ORIGINAL_ATTRIBUTES not in params["MessageAttributes"]:
            return ValueError("InvalidParameterValue: attribute rejected")
        return None

    runner, sqs, logger = make_runner(PERMANENT, source="queue", sqs=FakeSqs(reject_first))
    record = sqs_record("text", message_attributes={"keep": "me", "n": 3})
    response = runner.run(sqs_event([record]), None)
    assert response == {"batchItemFailures": []}
    assert len(sqs.attempts) == 2
    [sent] = sqs.sent
    spilled = json.loads(sent["MessageAttributes"][DLQ_ATTR_ORIGINAL_ATTRIBUTES]["StringValue"])
    assert set(spilled) == {"keep", "n"}  # the compact copy carries every original as JSON
    assert "keep" not in sent["MessageAttributes"]
    lines = logger.about(record["messageId"])
    assert ("warning", "DLQ copy rejected; trying a compact copy") in [(x[0], x[1]) for x in lines]
    assert any("InvalidParameterValue" in x[2].get("error", "") for x in lines)


def test_failed_copy_is_retried_with_backoff_and_logged() -> None:
    runner, sqs, logger = make_runner(
        PERMANENT, source="queue", sqs=FakeSqs(lambda p: RuntimeError("AccessDenied"))
    )
    record = sqs_record("text")
    response = runner.run(sqs_event([record]), None)
    assert response["batchItemFailures"] == [{"itemIdentifier": record["messageId"]}]
    assert len(sqs.attempts) == 2
    assert record["receiptHandle"] in sqs.visibility()  # it got its backoff
    warnings = [x for x in logger.about(record["messageId"]) if x[1].startswith("record failed")]
    assert len(warnings) == 1
    assert warnings[0][2]["error_type"] == "DeadLetterError"
    assert "AccessDenied" in warnings[0][2]["error"]


def test_missing_dlq_url_is_refused_before_any_send() -> None:
    runner, sqs, logger = make_runner(PERMANENT, source="queue", dlq_url="")
    record = sqs_record("text")
    response = runner.run(sqs_event([record]), None)
    assert response["batchItemFailures"] == [{"itemIdentifier": record["messageId"]}]
    assert sqs.attempts == []
    [warning] = [x for x in logger.about(record["messageId"]) if x[0] == "warning"]
    assert contract.ENV_DLQ_URL in warning[2]["error"]


def test_long_reason_is_truncated() -> None:
    runner, sqs, _ = make_runner("tests.runtime.handlers:long_permanent", source="queue")
    runner.run(sqs_event([sqs_record("text")]), None)
    [sent] = sqs.sent
    text = sent["MessageAttributes"][contract.DLQ_ATTR_ERROR_MESSAGE]["StringValue"]
    assert len("why " * 2000) > dead_letters.MAX_ERROR_MESSAGE
    assert len(text) == dead_letters.MAX_ERROR_MESSAGE
    assert text.endswith(dead_letters.TRUNCATED)


def test_binary_attributes_are_copied_as_bytes() -> None:
    runner, sqs, _ = make_runner(PERMANENT, source="queue")
    payload = b"\x89PNG\r\n\x1a\n\x00"
    record = sqs_record("text", message_attributes={"image": payload})
    runner.run(sqs_event([record]), None)
    [sent] = sqs.sent
    assert sent["MessageAttributes"]["image"] == {"DataType": "Binary", "BinaryValue": payload}
    assert DLQ_ATTR_ORIGINAL_ATTRIBUTES not in sent["MessageAttributes"]


# --- build_message itself ------------------------------------------------------------
def _info(body: str = "b", **attrs: Any) -> Any:
    return record_info(sqs_record(body, message_attributes=attrs), 5)


def test_copy_fits_the_size_limit_exactly() -> None:
    info = _info("q" * (SQS_MAX_MESSAGE_BYTES - 500), a="1")
    params = build_message(info, RuntimeError("e" * 5000), "c", fifo_dlq=False)
    size = message_size(params["MessageBody"], params["MessageAttributes"])
    assert size <= SQS_MAX_MESSAGE_BYTES
    assert size > SQS_MAX_MESSAGE_BYTES - 40  # the reason took the room that was left


def test_a_smaller_limit_is_honoured() -> None:
    info = _info("q" * 1000)
    with pytest.raises(CopyDoesNotFitError, match=info.message_id):
        build_message(info, RuntimeError("x"), "c", fifo_dlq=False, limit=1100)


def test_previous_reason_is_replaced_and_previous_spill_kept() -> None:
    spill = json.dumps({"old": lambda_attr("String", "kept")})
    info = _info(
        "b",
        **{
            contract.DLQ_ATTR_ERROR_TYPE: "OldError",
            contract.DLQ_ATTR_HELD_BEHIND: "m-0",
            DLQ_ATTR_ORIGINAL_ATTRIBUTES: spill,
            "fresh": "f",
        },
    )
    params = build_message(info, Reason("NewError", "now"), "c", fifo_dlq=False)
    sent = params["MessageAttributes"]
    assert sent[contract.DLQ_ATTR_ERROR_TYPE]["StringValue"] == "NewError"
    assert contract.DLQ_ATTR_HELD_BEHIND not in sent  # stale: this failure held nothing
    assert json.loads(sent[DLQ_ATTR_ORIGINAL_ATTRIBUTES]["StringValue"])["old"]["stringValue"] == (
        "kept"
    )
    assert sent["fresh"]["StringValue"] == "f"


def test_characters_sqs_rejects_are_replaced_in_the_reason() -> None:
    params = build_message(_info(), RuntimeError("bad \x00 char \ud800"), "c", fifo_dlq=False)
    text = params["MessageAttributes"][contract.DLQ_ATTR_ERROR_MESSAGE]["StringValue"]
    assert text == "bad \ufffd char \ufffd"
    text.encode()  # sendable: no lone surrogate left


NUMBERS = [
    ("100", True),
    ("-1.5e3", True),
    ("0", True),
    ("1" * 38, True),
    ("1" * 39, False),
    ("1e127", False),
    ("1e-129", False),
    ("abc", False),
    ("1_000", False),
    ("", False),
]


@pytest.mark.parametrize(("value", "ok"), NUMBERS)
def test_number_attributes_follow_sqs_rules(value: str, ok: bool) -> None:
    shaped = dead_letters.send_shape("n", lambda_attr("Number", value))
    assert (shaped is not None) is ok


NAMES = [
    ("a.b-c_9", True),
    ("x" * 256, True),
    ("x" * 257, False),
    ("a.", False),
    (".a", False),
    ("a..b", False),
    ("Amazon.x", False),
    ("aws.X", False),
    ("awsome", True),
    ("sp ace", False),
    ("", False),
]


@pytest.mark.parametrize(("name", "ok"), NAMES)
def test_attribute_names_follow_sqs_rules(name: str, ok: bool) -> None:
    assert dead_letters.valid_name(name) is ok
    shaped = dead_letters.send_shape(name, lambda_attr("String", "v"))
    assert (shaped is not None) is ok


TYPES = [
    ("String", "v", True),
    ("String.custom", "v", True),
    ("Number.int", "5", True),
    ("String." + "x" * 249, "v", True),  # 256 characters
    ("String." + "x" * 250, "v", False),  # 257
    ("String.", "v", False),
    ("Strin", "v", False),
    ("string", "v", False),
    ("Number.", "5", False),
    ("String.\x00", "v", False),
    (None, "v", False),
]


@pytest.mark.parametrize(("data_type", "value", "ok"), TYPES)
def test_data_types_follow_sqs_rules(data_type: Any, value: str, ok: bool) -> None:
    shaped = dead_letters.send_shape("n", lambda_attr(data_type, value))
    assert (shaped is not None) is ok
    if ok:
        assert shaped == {"DataType": data_type, "StringValue": value}


BOUNDARY_NUMBERS = [
    ("1e126", True),
    ("9.99e126", True),
    ("1e-128", True),
    ("1e127", False),
    ("1e-129", False),
    ("-0", True),
    ("1" + "0" * 60, True),  # trailing zeros are not significant digits
    ("0." + "0" * 60 + "1", True),
    ("1.5", True),
    ("1.", True),
    (".5", True),
]


@pytest.mark.parametrize(("value", "ok"), BOUNDARY_NUMBERS)
def test_number_boundaries(value: str, ok: bool) -> None:
    shaped = dead_letters.send_shape("n", lambda_attr("Number", value))
    assert (shaped is not None) is ok


def test_binary_values() -> None:
    good = base64.b64encode(b"\x01\x02").decode()
    assert dead_letters.send_shape("b", lambda_attr("Binary", None, good)) == {
        "DataType": "Binary",
        "BinaryValue": b"\x01\x02",
    }
    assert dead_letters.send_shape("b", lambda_attr("Binary", None, "")) is None
    assert dead_letters.send_shape("b", lambda_attr("Binary", None, None)) is None
    assert dead_letters.send_shape("b", lambda_attr("Binary", "text", "!!")) is None
    # Not base64 as SQS takes it: a lenient decoder would drop the "!" and accept it.
    assert dead_letters.send_shape("b", lambda_attr("Binary", None, "QUJD!")) is None
    # A String is copied by its stringValue, whatever binaryValue says.
    assert dead_letters.send_shape("s", lambda_attr("String", "t", "!!")) == {
        "DataType": "String",
        "StringValue": "t",
    }
    assert dead_letters.send_shape("s", lambda_attr("String", "bad\x00")) is None
    assert dead_letters.send_shape("s", "not a mapping") is None  # type: ignore[arg-type]


def test_raw_bytes_in_an_odd_record_travel_as_base64_json() -> None:
    info = record_info(
        sqs_record(
            "b",
            message_attributes={"odd": {"dataType": "Binary", "binaryValue": b"raw", "x": [b"y"]}},
        ),
        5,
    )
    params = build_message(info, RuntimeError("e"), "c", fifo_dlq=False)
    spilled = json.loads(params["MessageAttributes"][DLQ_ATTR_ORIGINAL_ATTRIBUTES]["StringValue"])
    assert spilled["odd"]["binaryValue"] == base64.b64encode(b"raw").decode()
    assert spilled["odd"]["x"] == [base64.b64encode(b"y").decode()]


def test_reason_attributes_of_a_copy() -> None:
    info = _info("body")
    params = build_message(info, KeyError("k"), "orders", fifo_dlq=False)
    sent = params["MessageAttributes"]
    assert set(sent) == {
        contract.DLQ_ATTR_ERROR_TYPE,
        contract.DLQ_ATTR_ERROR_MESSAGE,
        contract.DLQ_ATTR_CONSUMER,
        contract.DLQ_ATTR_RECEIVE_COUNT,
        contract.DLQ_ATTR_FAILED_AT,
        contract.DLQ_ATTR_MESSAGE_ID,
    }
    assert sent[contract.DLQ_ATTR_ERROR_TYPE] == {"DataType": "String", "StringValue": "KeyError"}
    assert sent[contract.DLQ_ATTR_ERROR_MESSAGE]["StringValue"] == "'k'"
    assert sent[contract.DLQ_ATTR_CONSUMER]["StringValue"] == "orders"
    assert sent[contract.DLQ_ATTR_RECEIVE_COUNT] == {"DataType": "Number", "StringValue": "1"}
    assert sent[contract.DLQ_ATTR_MESSAGE_ID]["StringValue"] == info.message_id
    assert params["MessageBody"] == "body"
    assert "MessageGroupId" not in params and "MessageDeduplicationId" not in params
    empty = build_message(info, RuntimeError(), "orders", fifo_dlq=False)
    assert empty["MessageAttributes"][contract.DLQ_ATTR_ERROR_MESSAGE]["StringValue"] == (
        "RuntimeError"
    )


def test_fifo_copy_without_a_group_uses_the_consumer() -> None:
    params = build_message(_info(), RuntimeError("e"), "orders", fifo_dlq=True)
    assert params["MessageGroupId"] == "orders"


def test_four_originals_fit_beside_the_reason_and_a_fifth_spills() -> None:
    four = build_message(_info(**{f"a{i}": "v" for i in range(4)}), RuntimeError(), "c", False)
    assert DLQ_ATTR_ORIGINAL_ATTRIBUTES not in four["MessageAttributes"]
    assert len(four["MessageAttributes"]) == SQS_MAX_ATTRIBUTES
    five = build_message(_info(**{f"a{i}": "v" for i in range(5)}), RuntimeError(), "c", False)
    attrs = five["MessageAttributes"]
    assert len(attrs) == SQS_MAX_ATTRIBUTES
    assert sorted(json.loads(attrs[DLQ_ATTR_ORIGINAL_ATTRIBUTES]["StringValue"])) == ["a3", "a4"]


def test_a_held_copy_makes_room_for_its_two_attributes() -> None:
    info = _info(**{f"a{i}": "v" for i in range(4)})
    params = build_message(info, Reason("BatchHaltedError", "m", "m-0", "G"), "c", False)
    attrs = params["MessageAttributes"]
    assert len(attrs) == SQS_MAX_ATTRIBUTES
    assert attrs[contract.DLQ_ATTR_HELD_BEHIND]["StringValue"] == "m-0"
    assert attrs[contract.DLQ_ATTR_MESSAGE_GROUP]["StringValue"] == "G"
    assert sorted(json.loads(attrs[DLQ_ATTR_ORIGINAL_ATTRIBUTES]["StringValue"])) == [
        "a1",
        "a2",
        "a3",
    ]


def test_trimming_helpers() -> None:
    assert dead_letters.truncate("abc", 3) == "abc"
    cut = dead_letters.truncate("a" * 50, 20)
    assert len(cut) == 20 and cut.endswith(dead_letters.TRUNCATED)
    assert dead_letters._trim_to_bytes("é" * 10, 20) == "é" * 10
    trimmed = dead_letters._trim_to_bytes("é" * 100, 30)
    assert len(trimmed.encode()) <= 30 and trimmed.endswith(dead_letters.TRUNCATED)
    assert trimmed.startswith("é")


def test_compact_copy_to_a_fifo_dlq_keeps_group_reason_and_queue() -> None:
    def reject_first(params: dict[str, Any]) -> Exception | None:
        if DLQ_ATTR_ORIGINAL_ATTRIBUTES not in params["MessageAttributes"]:
            return RuntimeError("InvalidParameterValue")
        return None

    runner, sqs, logger = make_runner(
        PERMANENT, source="queue", fifo=True, sqs=FakeSqs(reject_first)
    )
    record = sqs_record("text", fifo=True, group_id="G1", message_attributes={"k": "v"})
    runner.run(sqs_event([record]), None)
    assert [a["QueueUrl"] for a in sqs.attempts] == [FIFO_DLQ_URL, FIFO_DLQ_URL]
    [sent] = sqs.sent
    assert sent["MessageGroupId"] == "G1"
    assert sent["MessageDeduplicationId"] == record["messageId"]
    attrs = sent["MessageAttributes"]
    assert attrs[contract.DLQ_ATTR_ERROR_TYPE]["StringValue"] == "PermanentError"
    [rejected] = [x for x in logger.lines if x[1].startswith("DLQ copy rejected")]
    assert rejected[2]["error"] == "RuntimeError: InvalidParameterValue"


def test_both_causes_are_named_when_every_copy_fails() -> None:
    runner, _, logger = make_runner(
        PERMANENT, source="queue", sqs=FakeSqs(lambda p: RuntimeError("AccessDenied"))
    )
    record = sqs_record("text")
    runner.run(sqs_event([record]), None)
    [warning] = [x for x in logger.about(record["messageId"]) if x[1].startswith("record failed")]
    assert (
        "(RuntimeError: AccessDenied; compact copy: RuntimeError: AccessDenied)"
        in warning[2]["error"]
    )


def test_message_size_counts_name_type_and_value() -> None:
    attrs = {
        "ab": {"DataType": "String", "StringValue": "xyz"},
        "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }
    assert message_size("body", attrs) == 4 + (2 + 6 + 3) + (1 + 6 + 2)
    assert message_size("é", {}) == 2


def test_a_long_error_type_is_cut_to_256() -> None:
    params = build_message(_info(), Reason("E" * 300, "m"), "c", fifo_dlq=False)
    assert len(params["MessageAttributes"][contract.DLQ_ATTR_ERROR_TYPE]["StringValue"]) == 256


def test_compact_copy_cuts_the_reason_to_200() -> None:
    params = build_message(_info(a="1"), RuntimeError("r" * 500), "c", fifo_dlq=False, compact=True)
    attrs = params["MessageAttributes"]
    assert len(attrs[contract.DLQ_ATTR_ERROR_MESSAGE]["StringValue"]) == 200
    assert "a" not in attrs
    spill = json.loads(attrs[DLQ_ATTR_ORIGINAL_ATTRIBUTES]["StringValue"])
    assert spill == {"a": lambda_attr("String", "1")}
    assert " " not in attrs[DLQ_ATTR_ORIGINAL_ATTRIBUTES]["StringValue"]  # compact JSON


def test_an_unparsable_previous_spill_is_kept_as_it_was() -> None:
    info = _info(**{DLQ_ATTR_ORIGINAL_ATTRIBUTES: "not json"})
    params = build_message(info, RuntimeError("e"), "c", fifo_dlq=False)
    spill = json.loads(params["MessageAttributes"][DLQ_ATTR_ORIGINAL_ATTRIBUTES]["StringValue"])
    assert spill[DLQ_ATTR_ORIGINAL_ATTRIBUTES]["stringValue"] == "not json"
    info = _info(**{DLQ_ATTR_ORIGINAL_ATTRIBUTES: "[1]"})
    params = build_message(info, RuntimeError("e"), "c", fifo_dlq=False)
    spill = json.loads(params["MessageAttributes"][DLQ_ATTR_ORIGINAL_ATTRIBUTES]["StringValue"])
    assert spill[DLQ_ATTR_ORIGINAL_ATTRIBUTES]["stringValue"] == "[1]"


def test_a_copy_that_cannot_fit_names_the_reason() -> None:
    info = _info("q" * 2000)
    with pytest.raises(CopyDoesNotFitError) as caught:
        build_message(info, RuntimeError("z" * 400), "c", fifo_dlq=False, limit=2100)
    text = str(caught.value)
    assert "(reason: RuntimeError: " in text
    assert "z" * 285 + dead_letters.TRUNCATED + ")" in text
