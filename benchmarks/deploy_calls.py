"""The control-plane calls a stack's first ``pulumi up`` makes, per AWS API, and the least
time each needs at its published rate.

Counted from the resources the program registers (by type token), one create call per
resource plus the calls the provider is known to add:

* every resource is read back once after it is created (terraform-provider-aws's create
  functions end by calling the resource's read, e.g. ``resourceMetricAlarmCreate`` in
  ``internal/service/cloudwatch/metric_alarm.go``);
* a metric alarm is also looked up before it is put ("to prevent silent overwrites",
  ``findMetricAlarmByName`` in the same function), so it costs one PutMetricAlarm and two
  DescribeAlarms;
* a log group with a retention costs a CreateLogGroup and a PutRetentionPolicy
  (CreateLogGroup takes no retention:
  https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html);
* a function with reserved concurrency adds a PutFunctionConcurrency; an event source
  mapping is polled once (GetEventSourceMapping) until it is enabled.

Which terraform-provider-aws version pulumi-aws 7.51 bridges was not checked, so these
counts are the provider's pattern, not a trace. Calls of different rate pools run side
by side (``pulumi up`` runs several operations at once), so the stack's floor is the
slowest pool's; the real time is longer (throttled calls retry and hold their slots).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

CW = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html"
CWL = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html"
LAMBDA = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
EB = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html"
SCHEDULER = "https://docs.aws.amazon.com/scheduler/latest/UserGuide/scheduler-quotas.html"


@dataclass(frozen=True)
class Pool:
    """Calls that share one published rate."""

    name: str
    rate: float | None
    """Calls per second; None where AWS publishes none."""
    source: str


POOLS = {
    "PutMetricAlarm": Pool("CloudWatch PutMetricAlarm", 3, CW),
    "PutCompositeAlarm": Pool("CloudWatch PutCompositeAlarm", 3, CW),
    "DescribeAlarms": Pool("CloudWatch DescribeAlarms", 9, CW),
    "PutDashboard": Pool("CloudWatch PutDashboard", 10, CW),
    "CreateLogGroup": Pool("CloudWatch Logs CreateLogGroup", 10, CWL),
    "PutRetentionPolicy": Pool("CloudWatch Logs PutRetentionPolicy (fixed)", 5, CWL),
    "DescribeLogGroups": Pool("CloudWatch Logs DescribeLogGroups", None, CWL),
    "Lambda": Pool("Lambda control plane, all APIs together (fixed)", 15, LAMBDA),
    "GetFunction": Pool("Lambda GetFunction", 100, LAMBDA),
    "EventBridge": Pool("EventBridge control plane, all APIs together (fixed)", 50, EB),
    "Scheduler": Pool("EventBridge Scheduler CreateSchedule", 5000, SCHEDULER),
    "IAM": Pool("IAM CreateRole, PutRolePolicy, GetRole...", None, ""),
    "SQS": Pool("SQS CreateQueue, SetQueueAttributes, GetQueueAttributes...", None, ""),
    "SNS": Pool("SNS CreateTopic, Subscribe...", None, ""),
    "Pipes": Pool("EventBridge Pipes CreatePipe, DescribePipe", None, ""),
    "Schemas": Pool("EventBridge Schemas", None, ""),
    "S3": Pool("S3 bucket configuration", None, ""),
    "DynamoDB": Pool("DynamoDB CreateTable", None, ""),
}

CALLS: dict[str, dict[str, int]] = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"PutMetricAlarm": 1, "DescribeAlarms": 2},
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": {"PutCompositeAlarm": 1, "DescribeAlarms": 2},
    "aws:cloudwatch/dashboard:Dashboard": {"PutDashboard": 1},
    "aws:cloudwatch/logGroup:LogGroup": {"CreateLogGroup": 1, "DescribeLogGroups": 1},
    "aws:lambda/function:Function": {"Lambda": 1, "GetFunction": 1},
    "aws:lambda/eventSourceMapping:EventSourceMapping": {"Lambda": 3},
    "aws:lambda/permission:Permission": {"Lambda": 2},
    "aws:lambda/layerVersion:LayerVersion": {"Lambda": 2},
    "aws:cloudwatch/eventRule:EventRule": {"EventBridge": 2},
    "aws:cloudwatch/eventTarget:EventTarget": {"EventBridge": 2},
    "aws:cloudwatch/eventBus:EventBus": {"EventBridge": 2},
    "aws:cloudwatch/eventArchive:EventArchive": {"EventBridge": 2},
    "aws:scheduler/schedule:Schedule": {"Scheduler": 2},
    "aws:scheduler/scheduleGroup:ScheduleGroup": {"Scheduler": 2},
    "aws:iam/role:Role": {"IAM": 2},
    "aws:iam/rolePolicy:RolePolicy": {"IAM": 2},
    "aws:sqs/queue:Queue": {"SQS": 2},
    "aws:sqs/queuePolicy:QueuePolicy": {"SQS": 2},
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": {"SQS": 2},
    "aws:sns/topic:Topic": {"SNS": 2},
    "aws:sns/topicSubscription:TopicSubscription": {"SNS": 2},
    "aws:pipes/pipe:Pipe": {"Pipes": 2},
    "aws:schemas/registry:Registry": {"Schemas": 2},
    "aws:schemas/schema:Schema": {"Schemas": 2},
    "aws:dynamodb/table:Table": {"DynamoDB": 2},
}
S3_PREFIX = "aws:s3/"


@dataclass(frozen=True)
class Registered:
    """What the program registered: resources by type, and the few inputs that add calls."""

    types: Counter[str]
    retained_log_groups: int = 0
    reserved_functions: int = 0


def calls(registered: Registered) -> Counter[str]:
    """Calls per pool for a first ``pulumi up``."""
    total: Counter[str] = Counter()
    for typ, count in registered.types.items():
        per = CALLS.get(typ) or ({"S3": 2} if typ.startswith(S3_PREFIX) else {})
        for pool, n in per.items():
            total[pool] += n * count
    total["PutRetentionPolicy"] += registered.retained_log_groups
    total["Lambda"] += registered.reserved_functions
    return total


def table(counted: Mapping[str, int]) -> tuple[list[str], float]:
    """Markdown rows (pool, calls, rate, least time) and the floor in seconds."""
    rows = [
        "| API (rate pool) | calls | published rate | least time |",
        "|---|---:|---|---:|",
    ]
    floor = 0.0
    for key, pool in POOLS.items():
        n = counted.get(key, 0)
        if not n:
            continue
        if pool.rate is None:
            rows.append(f"| {pool.name} | {n} | none published | - |")
            continue
        seconds = n / pool.rate
        floor = max(floor, seconds)
        rows.append(
            f"| {pool.name} | {n} | {pool.rate:g}/s ([source]({pool.source})) | "
            f"{seconds / 60:.1f} min |"
        )
    return rows, floor
