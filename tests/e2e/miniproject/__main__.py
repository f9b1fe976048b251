"""A small program declaring the resource types the local engine materializes."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
settings = config.require_object("settings")
effects_file = config.require("effectsFile")

bus = aws.cloudwatch.EventBus("bus", name="mini-bus")
archive = aws.cloudwatch.EventArchive("archive", event_source_arn=bus.arn, retention_days=3)
dlq = aws.sqs.Queue("dlq", name="mini-dlq", message_retention_seconds=1209600)


def redrive(arn: str) -> str:
    return json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 2})


queue = aws.sqs.Queue(
    "queue",
    name="mini-queue",
    visibility_timeout_seconds=300,
    message_retention_seconds=86400,
    receive_wait_time_seconds=20,
    sqs_managed_sse_enabled=True,
    redrive_policy=dlq.arn.apply(redrive),
)
aws.sqs.RedriveAllowPolicy(
    "dlq-allow",
    queue_url=dlq.url,
    redrive_allow_policy=queue.arn.apply(
        lambda arn: json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn]})
    ),
)
fifo_dlq = aws.sqs.Queue("fifo-dlq", fifo_queue=True)
fifo = aws.sqs.Queue(
    "fifo",
    fifo_queue=True,
    content_based_deduplication=True,
    visibility_timeout_seconds=60,
    redrive_policy=fifo_dlq.arn.apply(
        lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})
    ),
)
rule = aws.cloudwatch.EventRule(
    "rule", event_bus_name=bus.name, event_pattern=json.dumps({"detail-type": ["mini"]})
)
aws.cloudwatch.EventTarget(
    "target",
    rule=rule.name,
    event_bus_name=bus.name,
    arn=queue.arn,
    retry_policy={"maximum_retry_attempts": 2, "maximum_event_age_in_seconds": 600},
)
fifo_rule = aws.cloudwatch.EventRule(
    "fifo-rule", event_bus_name=bus.name, event_pattern=json.dumps({"detail-type": ["mini-fifo"]})
)
aws.cloudwatch.EventTarget(
    "fifo-target",
    rule=fifo_rule.name,
    event_bus_name=bus.name,
    arn=fifo.arn,
    sqs_target={"message_group_id": "$.detail.group"},
)
aws.sqs.QueuePolicy(
    "policy",
    queue_url=queue.url,
    policy=queue.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": arn,
                    }
                ],
            }
        )
    ),
)
table = aws.dynamodb.Table(
    "table",
    hash_key="pk",
    attributes=[{"name": "pk", "type": "S"}],
    billing_mode="PAY_PER_REQUEST",
    ttl={"attribute_name": "expires", "enabled": True},
)
topic = aws.sns.Topic("topic")
aws.sns.TopicSubscription("sub", topic=topic.arn, protocol="sqs", endpoint=dlq.arn)
role = aws.iam.Role(
    "role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "role-policy",
    role=role.name,
    policy=queue.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": arn}],
            }
        )
    ),
)
aws.cloudwatch.LogGroup("logs", name="/aws/lambda/mini", retention_in_days=7)
aws.cloudwatch.MetricAlarm(
    "alarm",
    comparison_operator="GreaterThanThreshold",
    evaluation_periods=1,
    metric_name="ApproximateNumberOfMessagesVisible",
    namespace="AWS/SQS",
    period=60,
    statistic="Maximum",
    threshold=0,
    dimensions={"QueueName": dlq.name},
    alarm_actions=[topic.arn],
)
aws.s3.Bucket("bucket")
aws.schemas.Registry("unsupported", name="mini-registry")

environment = {"EFFECTS_FILE": effects_file, "MARKER": config.require("marker")}
for name, source, concurrency in (("mini", queue, 2), ("mini-fifo", fifo, 2)):
    function = aws.lambda_.Function(
        name,
        name=name,
        runtime="python3.12",
        role=role.arn,
        handler="tests.e2e.plugins.raw_handlers.partial",
        timeout=settings["timeout"],
        environment={"variables": {**environment, "EVENTPIPE_CONSUMER": name}},
    )
    aws.lambda_.EventSourceMapping(
        f"{name}-mapping",
        event_source_arn=source.arn,
        function_name=function.arn,
        batch_size=settings["batchSize"],
        function_response_types=["ReportBatchItemFailures"],
        scaling_config={"maximum_concurrency": concurrency},
    )

region = aws.get_region()
identity = aws.get_caller_identity()
pulumi.export(
    "eventpipe",
    {
        "region": region.region,
        "account": identity.account_id,
        "bus": {"name": bus.name, "arn": bus.arn, "archiveArn": archive.arn},
        "consumers": {
            "mini": {"queueUrl": queue.url, "queueArn": queue.arn, "dlqUrl": dlq.url},
            "mini-fifo": {"queueUrl": fifo.url, "queueArn": fifo.arn, "dlqUrl": fifo_dlq.url},
        },
        "tableName": table.name,
    },
)
