"""The shims answer for the embedded server only: a plain ``mock_aws`` in the same process,
beside a running engine, sees moto as released.

A plugin author's own unit tests (``mock_aws``) may share a process with an engine (the
test kit, ``eventpipe dev`` in a notebook); their outcome must not depend on whether an
engine ran first. Each test below asks the same question twice, of the running engine's
embedded server (AWS's answer, which the shim gives) and of ``mock_aws`` (moto's own
answer), and expects the two to differ where moto differs from AWS.

``mock_aws`` resets every moto backend of the process when it starts and stops, the
engine's included (docs/local.md says so); each probe therefore creates what it needs.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from eventpipe.local import LocalEngine
from eventpipe.local.emulator.shims import lambda_targets
from tests.local.conftest import MINI, copy_project

Clients = Callable[[str], Any]
DEADLINE = 60.0


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalEngine]:
    root = tmp_path_factory.mktemp("scope")
    effects = root / "effects.txt"
    project = copy_project(MINI, root / "project", {"eventpipe-mini:effectsFile": str(effects)})
    with LocalEngine(project, "dev", time_scale=0.01) as running:
        yield running


def _plain(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1")


def _name(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def _queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _fifo(sqs: Any, stem: str) -> str:
    return _queue(sqs, _name(stem) + ".fifo", FifoQueue="true", ContentBasedDeduplication="true")[0]


def _bodies(sqs: Any, url: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def _route(clients: Clients, pattern: dict[str, Any], detail: dict[str, Any]) -> list[Any]:
    """Publish one event to a rule with ``pattern`` and an SQS target; what the queue got."""
    events, sqs = clients("events"), clients("sqs")
    rule = _name("rule")
    url, arn = _queue(sqs, _name("routed"))
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn}])
    events.put_events(
        Entries=[{"Source": "probe", "DetailType": "t", "Detail": json.dumps(detail)}]
    )
    return _bodies(sqs, url)


def test_event_patterns_match_inside_arrays_of_objects_only_in_the_engine(
    engine: LocalEngine,
) -> None:
    pattern = {"detail": {"items": {"sku": ["book-1"]}}}
    detail = {"items": [{"sku": "pen-9"}, {"sku": "book-1"}]}
    [routed] = _route(engine.client, pattern, detail)  # as EventBridge matches
    assert routed["detail"] == detail
    with mock_aws():
        assert _route(_plain, pattern, detail) == []  # moto's own matcher misses it


def test_the_whole_event_reaches_a_target_only_in_the_engine(engine: LocalEngine) -> None:
    [delivered] = _route(engine.client, {"source": ["probe"]}, {"n": 1})
    assert delivered["account"] == engine.outputs.bus.account
    with mock_aws():
        [plain] = _route(_plain, {"source": ["probe"]}, {"n": 1})
        assert "account" not in plain  # moto's template leaves it out


def _replay_reaches(clients: Clients) -> dict[str, int]:
    """Two rules on a bus, one archived event replayed to the first rule only: how many
    replayed events each rule's queue got."""
    events, sqs = clients("events"), clients("sqs")
    bus = _name("bus")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    queues = {}
    for rule in ("first", "second"):
        url, arn = _queue(sqs, _name(rule))
        rule_arn = events.put_rule(
            Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": ["probe"]})
        )["RuleArn"]
        events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
        queues[rule] = (rule_arn, url)
    archive = events.create_archive(ArchiveName=_name("archive"), EventSourceArn=bus_arn)
    events.put_events(
        Entries=[{"EventBusName": bus, "Source": "probe", "DetailType": "t", "Detail": "{}"}]
    )
    for _, url in queues.values():
        assert len(_bodies(sqs, url)) == 1  # the original delivery, then gone for 30 s
    now = datetime.now(UTC)
    replay = _name("replay")
    events.start_replay(
        ReplayName=replay,
        EventSourceArn=archive["ArchiveArn"],
        EventStartTime=now - timedelta(hours=1),
        EventEndTime=now + timedelta(minutes=1),
        Destination={"Arn": bus_arn, "FilterArns": [queues["first"][0]]},
    )
    deadline = time.monotonic() + DEADLINE
    while events.describe_replay(ReplayName=replay)["State"] != "COMPLETED":
        assert time.monotonic() < deadline, "the replay never completed"
    return {
        rule: sum(1 for body in _bodies(sqs, url) if "replay-name" in body)
        for rule, (_, url) in queues.items()
    }


def test_a_replay_honours_filter_arns_only_in_the_engine(engine: LocalEngine) -> None:
    assert _replay_reaches(engine.client) == {"first": 1, "second": 0}
    with mock_aws():
        assert _replay_reaches(_plain) == {"first": 1, "second": 1}  # moto: every rule


def _interleaved_receive(sqs: Any) -> tuple[list[str], list[str | None]]:
    """Six messages sent a, b, a, b, a, b; one receive of 10: bodies and sequence numbers."""
    url = _fifo(sqs, "groups")
    for n in range(6):
        sqs.send_message(QueueUrl=url, MessageBody=f"{'ab'[n % 2]}{n}", MessageGroupId="ab"[n % 2])
    got = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    )["Messages"]
    return [m["Body"] for m in got], [m["Attributes"].get("SequenceNumber") for m in got]


def test_fifo_receives_group_by_group_with_sequence_numbers_only_in_the_engine(
    engine: LocalEngine,
) -> None:
    bodies, sequence = _interleaved_receive(engine.client("sqs"))
    assert bodies == ["a0", "a2", "a4", "b1", "b3", "b5"]  # one group fills the receive first
    for group in (sequence[:3], sequence[3:]):  # growing within each group
        assert all(group) and group == sorted(group, key=int)
    with mock_aws():
        bodies, sequence = _interleaved_receive(_plain("sqs"))
        assert bodies == ["a0", "b1", "a2", "b3", "a4", "b5"]  # moto: queue order, mixed
        assert sequence == [None] * 6  # moto: none with content-based deduplication


def _resume_after_timeout(sqs: Any) -> list[str]:
    """A group of four received with a 1 s visibility timeout that runs out: what the next
    receive returns (waiting on the queue's own count of messages in flight)."""
    url = _fifo(sqs, "resume")
    for n in range(4):
        sqs.send_message(QueueUrl=url, MessageBody=f"a{n}", MessageGroupId="a")
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=4, VisibilityTimeout=1)[
        "Messages"
    ]) == 4  # fmt: skip
    deadline = time.monotonic() + DEADLINE
    while (
        sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]["ApproximateNumberOfMessagesNotVisible"]
        != "0"
    ):
        assert time.monotonic() < deadline, "the visibility timeout never ran out"
        time.sleep(0.05)
    return [
        m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    ]


def test_a_fifo_group_resumes_with_its_oldest_message_only_in_the_engine(
    engine: LocalEngine,
) -> None:
    assert _resume_after_timeout(engine.client("sqs")) == ["a0", "a1", "a2", "a3"]
    with mock_aws():
        assert _resume_after_timeout(_plain("sqs")) == ["a3"]  # moto skips the older ones


def test_sqs_keeps_its_own_clock_under_mock_aws(
    engine: LocalEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue-cost shim reads ``time.time()``; moto reads its own datetime clock. With
    ``time.time`` three days behind, moto's timestamps under ``mock_aws`` stay on moto's
    clock: the shim is not in the way."""
    assert engine.emulator is not None and engine.emulator.embedded
    real_time = time.time
    with mock_aws():
        sqs = _plain("sqs")
        url = sqs.create_queue(QueueName=_name("clock"))["QueueUrl"]
        monkeypatch.setattr(time, "time", lambda: real_time() - 3 * 86400)
        sqs.send_message(QueueUrl=url, MessageBody="x")
        monkeypatch.undo()
        [message] = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])[
            "Messages"
        ]
    sent = int(message["Attributes"]["SentTimestamp"]) / 1000
    assert abs(sent - real_time()) < 3600


def _moves(sqs: Any) -> list[dict[str, Any]]:
    _, dlq_arn = _queue(sqs, _name("dlq"))
    _queue(
        sqs,
        _name("source"),
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
    )
    return list(sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"])


def test_message_move_tasks_exist_only_in_the_engine(engine: LocalEngine) -> None:
    assert _moves(engine.client("sqs")) == []
    with mock_aws(), pytest.raises(NotImplementedError):
        _moves(_plain("sqs"))


def _tls_only_put(s3: Any) -> bool:
    """PutObject (over TLS, as the SDKs call AWS) into a bucket whose policy denies plain
    HTTP: True when it is stored."""
    bucket = _name("tls-only")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    try:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    except ClientError:
        return False
    return True


def test_a_tls_only_bucket_policy_lets_tls_requests_in_only_in_the_engine(
    engine: LocalEngine,
) -> None:
    assert _tls_only_put(engine.client("s3"))
    with mock_aws():
        assert not _tls_only_put(_plain("s3"))  # moto denies on the unmet condition


def test_a_rule_invokes_a_local_function_only_in_the_engine(engine: LocalEngine) -> None:
    received: list[dict[str, Any]] = []
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{_name('probe')}"
    lambda_targets.register(arn, received.append)  # as the engine does for its functions
    try:
        _rule_to_function(engine.client, arn)
        with mock_aws(), pytest.raises(NotImplementedError):
            _rule_to_function(_plain, arn)  # moto has no Lambda target: PutEvents fails
    finally:
        lambda_targets.unregister(arn)
    assert [event["source"] for event in received] == ["probe"]  # the engine's event only


def _rule_to_function(clients: Clients, arn: str) -> None:
    events = clients("events")
    rule = _name("to-function")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["probe"]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "f", "Arn": arn}])
    events.put_events(Entries=[{"Source": "probe", "DetailType": "t", "Detail": "{}"}])


def _insights_filter_keeps(logs: Any) -> int:
    """Rows a Logs Insights query filtering on a JSON field returns, of two lines of
    which one matches."""
    group = f"/aws/lambda/{_name('scope-insights')}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now, "message": json.dumps({"event_id": "wanted"})},
            {"timestamp": now + 1, "message": json.dumps({"event_id": "other"})},
        ],
    )
    query_id = logs.start_query(
        logGroupNames=[group],
        startTime=now // 1000 - 60,
        endTime=now // 1000 + 60,
        queryString='fields @message | filter event_id = "wanted"',
    )["queryId"]
    return len(logs.get_query_results(queryId=query_id)["results"])


def test_logs_insights_filters_only_in_the_engine(engine: LocalEngine) -> None:
    assert _insights_filter_keeps(engine.client("logs")) == 1
    with mock_aws():
        assert _insights_filter_keeps(_plain("logs")) == 2  # moto ignores `filter`


def _composite(cloudwatch: Any) -> list[str]:
    """A composite alarm over one metric alarm: the composites DescribeAlarms lists."""
    leaf, root = _name("leaf"), _name("root")
    cloudwatch.put_metric_alarm(
        AlarmName=leaf, Namespace="probe", MetricName="m", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip
    cloudwatch.put_composite_alarm(AlarmName=root, AlarmRule=f'ALARM("{leaf}")')
    described = cloudwatch.describe_alarms(AlarmNames=[root], AlarmTypes=["CompositeAlarm"])
    return [a["AlarmRule"] for a in described["CompositeAlarms"]]


def test_composite_alarms_exist_only_in_the_engine(engine: LocalEngine) -> None:
    [rule] = _composite(engine.client("cloudwatch"))  # PutCompositeAlarm, as on AWS
    assert rule.startswith('ALARM("leaf-')
    with mock_aws(), pytest.raises(NotImplementedError):
        _composite(_plain("cloudwatch"))  # moto 5.2 routes no PutCompositeAlarm


def _counts(sqs: Any) -> tuple[dict[str, str], str]:
    """Three visible, two in flight, one delayed; a content-deduplicated FIFO send twice."""
    url = _queue(sqs, _name("counts"))[0]
    for n in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=str(n))
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=300)
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]) == 2
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    fifo = _fifo(sqs, "dedup")
    for _ in range(2):
        sqs.send_message(QueueUrl=fifo, MessageBody="same", MessageGroupId="g")
    deduplicated = sqs.get_queue_attributes(
        QueueUrl=fifo, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    return counts, deduplicated


def test_queue_counts_in_one_scan_answer_as_moto_does(engine: LocalEngine) -> None:
    """The queue-cost shim counts a queue's messages in one scan (and none for a send):
    the answers are moto's own, and a content-deduplicated send is still deduplicated."""
    expected = (
        {
            "ApproximateNumberOfMessages": "3",
            "ApproximateNumberOfMessagesNotVisible": "2",
            "ApproximateNumberOfMessagesDelayed": "1",
        },
        "1",
    )
    assert _counts(engine.client("sqs")) == expected
    with mock_aws():
        assert _counts(_plain("sqs")) == expected
