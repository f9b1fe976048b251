"""Program synthesis time under Pulumi mocks: eventpipe vs a plain pulumi_aws loop; and
the control-plane calls a first ``pulumi up`` of the program makes, per AWS API.

For N generated consumers, runs (1) the real program (``__main__.py``: resolve, validate,
EventBus, one ConsumerPipeline per consumer, exports) and (2) a hand-written loop of
pulumi_aws resources declaring the same resources per consumer, in the same process, on
the same mocks. Each run gets a fresh thread, event loop and Pulumi runtime state, like
a new ``pulumi preview``. Prints medians (as a Markdown table, for benchmarks/README.md),
then, for 1,000 consumers, the calls per API and the least time each needs at its
published rate (``benchmarks/deploy_calls.py``), for the benchmark's mix and for the
same stack with a circuit breaker on every consumer and the dead-letter archive on.

    .venv/bin/python benchmarks/synth.py [--quick] [--deploy-only | --synth-only]

Targets: eventpipe <= 1.25 x plain; time(300) / time(100) <= 3.3; time(1000) / time(100)
<= 11 (still linear). Each size also runs the program inside
``eventpipe.mock_run.lean_mock_run`` (as the tests and the local engine run it), reported
beside the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import os
import platform
import runpy
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
    os.environ.setdefault(key, "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import pulumi  # noqa: E402
import pulumi_aws as aws  # noqa: E402

import eventpipe  # noqa: E402
from eventpipe import powertools_layer, pulumi_stack  # noqa: E402
from eventpipe.consumer import CircuitBreaker, Consumer  # noqa: E402
from eventpipe.mock_run import lean_mock_run  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import deploy_calls  # noqa: E402

ACCOUNT, REGION = "123456789012", "us-east-1"
SIZES = (1, 10, 100, 300, 1000)
HANDLER = "orders.handler:process"  # an installed example plugin's handler


class FastMocks(pulumi.runtime.Mocks):
    """Minimal AWS-shaped answers; identical for both programs."""

    def __init__(self) -> None:
        self.count = 0
        self.types: deploy_calls.Counter[str] = deploy_calls.Counter()
        self.retained_log_groups = self.reserved_functions = 0

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        self.count += 1
        self.types[args.typ] += 1
        if args.typ == "aws:cloudwatch/logGroup:LogGroup" and args.inputs.get("retentionInDays"):
            self.retained_log_groups += 1
        reserved = args.inputs.get("reservedConcurrentExecutions")
        if args.typ == "aws:lambda/function:Function" and reserved not in (None, -1):
            self.reserved_functions += 1
        name = args.inputs.get("name") or args.name
        service = args.typ.split(":")[1].split("/")[0]
        arn = f"arn:aws:{service}:{REGION}:{ACCOUNT}:{name}"
        extra: dict[str, Any] = {"arn": arn, "name": name}
        if args.typ == "aws:sqs/queue:Queue":
            extra["url"] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
        return f"{name}-id", {**args.inputs, **extra}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        if args.token == "aws:ssm/getParameter:getParameter":  # the Powertools layer lookup
            arn = powertools_layer.layer_arn(REGION, "arm64", "python3.13", 1)
            return {"name": args.args["name"], "value": arn, "id": args.args["name"]}
        return {"name": REGION, "accountId": ACCOUNT, "partition": "aws"}


def generated(n: int, *, breakers: bool = False) -> list[Consumer]:
    """A mix like real stacks: a quarter FIFO, a third idempotent, some direct queues
    (with ``breakers``, a circuit breaker on every consumer)."""
    breaker = CircuitBreaker(failed_records=10, period=60, cooldown=300) if breakers else None
    consumers = []
    for i in range(n):
        fifo = i % 4 == 1
        direct = i % 10 == 9
        consumers.append(
            Consumer(
                name=f"bench-{i:03d}",
                pattern=None if direct else {"source": ["bench"], "detail-type": [f"T{i}"]},
                handler=HANDLER,
                fifo=fifo,
                message_group="$.detail.key" if fifo and not direct else None,
                idempotent=i % 3 == 0,
                timeout=30,
                max_concurrency=10,
                circuit_breaker=breaker,
            )
        )
    return consumers


class BenchPlugin:
    def __init__(self, consumers: list[Consumer]) -> None:
        self.consumers = consumers

    @eventpipe.hookimpl
    def eventpipe_consumers(self) -> list[Consumer]:
        return self.consumers


def eventpipe_program(consumers: list[Consumer]) -> Callable[[], None]:
    plugin = BenchPlugin(consumers)

    def program() -> None:
        original = pulumi_stack.resolve_from_pulumi
        pulumi_stack.resolve_from_pulumi = functools.partial(  # type: ignore[assignment]
            original, extra_plugins=[("bench", plugin)], entry_points=False
        )
        try:
            runpy.run_path(str(PROJECT / "__main__.py"), run_name="__main__")
        finally:
            pulumi_stack.resolve_from_pulumi = original  # type: ignore[assignment]

    return program


def keyed(consumer: Consumer) -> bool:
    """A per-key FIFO consumer (its message group is a JSON path): it gets a pipe."""
    return bool(consumer.fifo and consumer.message_group and consumer.message_group.startswith("$"))


def _doc(statements: list[dict[str, Any]]) -> pulumi.Output[str]:
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


def plain_program(consumers: list[Consumer]) -> Callable[[], None]:
    """What one would write by hand with pulumi_aws: the same resources, no components."""
    code = pulumi.FileArchive(str(PROJECT / "build" / "bench-code.zip"))

    def program() -> None:
        prefix = "eventpipe-bench-"
        bus = aws.cloudwatch.EventBus("bus", name=f"{prefix}bus")
        aws.cloudwatch.EventArchive(
            "archive", name=f"{prefix}archive", event_source_arn=bus.arn, retention_days=7
        )
        delivery = aws.sqs.Queue(
            "delivery-dlq",
            name=f"{prefix}delivery-dlq",
            message_retention_seconds=1209600,
            sqs_managed_sse_enabled=True,
        )
        aws.sqs.QueuePolicy(
            "delivery-dlq-policy",
            queue_url=delivery.url,
            policy=_doc(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": delivery.arn,
                    }
                ]
            ),
        )
        topic = aws.sns.Topic("alarms", name=f"{prefix}alarms")
        table = aws.dynamodb.Table(
            "idempotency",
            name=f"{prefix}idempotency",
            hash_key="id",
            billing_mode="PAY_PER_REQUEST",
            attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
        )
        aws.cloudwatch.Dashboard(
            "dashboard",
            dashboard_name=f"{prefix}pipelines",
            dashboard_body=json.dumps({"widgets": []}),
        )
        layer = aws.lambda_.LayerVersion("runtime", layer_name=f"{prefix}runtime", code=code)
        alarms: list[aws.cloudwatch.MetricAlarm] = []
        for c in consumers:
            n = c.name
            suffix = ".fifo" if c.fifo else ""
            fifo = {"fifo_queue": True, "content_based_deduplication": True} if c.fifo else {}
            dlq = aws.sqs.Queue(
                f"{n}-dlq",
                name=f"{prefix}{n}-dlq{suffix}",
                message_retention_seconds=1209600,
                sqs_managed_sse_enabled=True,
                **fifo,
            )  # type: ignore[arg-type]
            queue = aws.sqs.Queue(
                f"{n}-queue",
                name=f"{prefix}{n}{suffix}",
                visibility_timeout_seconds=180,
                receive_wait_time_seconds=20,
                sqs_managed_sse_enabled=True,
                redrive_policy=pulumi.Output.json_dumps(
                    {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 5}
                ),
                **fifo,
            )  # type: ignore[arg-type]
            aws.sqs.RedriveAllowPolicy(
                f"{n}-allow",
                queue_url=dlq.url,
                redrive_allow_policy=pulumi.Output.json_dumps(
                    {"redrivePermission": "byQueue", "sourceQueueArns": [queue.arn]}
                ),
            )
            deny = {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
            aws.sqs.QueuePolicy(
                f"{n}-dlq-policy", queue_url=dlq.url, policy=_doc([{**deny, "Resource": dlq.arn}])
            )
            if c.pattern is not None and keyed(c):
                # per-key FIFO: rule -> intake queue -> pipe -> FIFO queue, as eventpipe does
                intake_dlq = aws.sqs.Queue(
                    f"{n}-intake-dlq",
                    name=f"{prefix}{n}-intake-dlq",
                    message_retention_seconds=1209600,
                    sqs_managed_sse_enabled=True,
                )
                intake = aws.sqs.Queue(
                    f"{n}-intake",
                    name=f"{prefix}{n}-intake",
                    sqs_managed_sse_enabled=True,
                    redrive_policy=pulumi.Output.json_dumps(
                        {"deadLetterTargetArn": intake_dlq.arn, "maxReceiveCount": 5}
                    ),
                )
                aws.sqs.RedriveAllowPolicy(
                    f"{n}-intake-allow",
                    queue_url=intake_dlq.url,
                    redrive_allow_policy=pulumi.Output.json_dumps(
                        {"redrivePermission": "byQueue", "sourceQueueArns": [intake.arn]}
                    ),
                )
                pipe_logs = aws.cloudwatch.LogGroup(
                    f"{n}-pipe-logs",
                    name=f"/aws/vendedlogs/pipes/{prefix}{n}",
                    retention_in_days=30,
                )
                pipe_role = aws.iam.Role(
                    f"{n}-pipe-role",
                    name=f"{prefix}{n}-pipe",
                    assume_role_policy=json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": "sts:AssumeRole",
                                    "Principal": {"Service": "pipes.amazonaws.com"},
                                }
                            ],
                        }
                    ),
                )
                aws.iam.RolePolicy(
                    f"{n}-pipe-policy",
                    role=pipe_role.id,
                    policy=_doc(
                        [
                            {
                                "Effect": "Allow",
                                "Action": ["sqs:ReceiveMessage"],
                                "Resource": intake.arn,
                            },
                            {
                                "Effect": "Allow",
                                "Action": ["sqs:SendMessage"],
                                "Resource": queue.arn,
                            },
                        ]
                    ),
                )
                aws.pipes.Pipe(
                    f"{n}-pipe",
                    name=f"{prefix}{n}",
                    role_arn=pipe_role.arn,
                    source=intake.arn,
                    target=queue.arn,
                    target_parameters=aws.pipes.PipeTargetParametersArgs(
                        sqs_queue_parameters=aws.pipes.PipeTargetParametersSqsQueueParametersArgs(
                            message_group_id="$.body.detail.key"
                        )
                    ),
                    log_configuration=aws.pipes.PipeLogConfigurationArgs(
                        level="ERROR",
                        cloudwatch_logs_log_destination=aws.pipes.PipeLogConfigurationCloudwatchLogsLogDestinationArgs(
                            log_group_arn=pipe_logs.arn
                        ),
                    ),
                )
                for suffix, target_queue, pattern in (
                    ("", intake, c.pattern),
                    ("-nogroup", intake_dlq, {**c.pattern, "detail": {"key": [{"exists": False}]}}),
                ):
                    rule = aws.cloudwatch.EventRule(
                        f"{n}-rule{suffix}",
                        name=f"{prefix}{n}{suffix}",
                        event_bus_name=bus.name,
                        event_pattern=json.dumps(pattern),
                    )
                    aws.sqs.QueuePolicy(
                        f"{n}-queue-policy{suffix}",
                        queue_url=target_queue.url,
                        policy=_doc(
                            [
                                {
                                    "Effect": "Allow",
                                    "Principal": {"Service": "events.amazonaws.com"},
                                    "Action": "sqs:SendMessage",
                                    "Resource": target_queue.arn,
                                    "Condition": {"ArnEquals": {"aws:SourceArn": rule.arn}},
                                },
                                {**deny, "Resource": target_queue.arn},
                            ]
                        ),
                    )
                    aws.cloudwatch.EventTarget(
                        f"{n}-target{suffix}",
                        rule=rule.name,
                        event_bus_name=bus.name,
                        arn=target_queue.arn,
                        dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(
                            arn=delivery.arn
                        ),
                        retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                            maximum_event_age_in_seconds=86400, maximum_retry_attempts=185
                        ),
                    )
                aws.sqs.QueuePolicy(
                    f"{n}-fifo-policy",
                    queue_url=queue.url,
                    policy=_doc([{**deny, "Resource": queue.arn}]),
                )
            elif c.pattern is not None:
                rule = aws.cloudwatch.EventRule(
                    f"{n}-rule",
                    name=f"{prefix}{n}",
                    event_bus_name=bus.name,
                    event_pattern=json.dumps(c.pattern),
                )
                aws.sqs.QueuePolicy(
                    f"{n}-queue-policy",
                    queue_url=queue.url,
                    policy=_doc(
                        [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "events.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Resource": queue.arn,
                                "Condition": {"ArnEquals": {"aws:SourceArn": rule.arn}},
                            },
                            {**deny, "Resource": queue.arn},
                        ]
                    ),
                )
                aws.cloudwatch.EventTarget(
                    f"{n}-target",
                    rule=rule.name,
                    event_bus_name=bus.name,
                    arn=queue.arn,
                    dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(
                        arn=delivery.arn
                    ),
                    retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                        maximum_event_age_in_seconds=86400, maximum_retry_attempts=185
                    ),
                    sqs_target=aws.cloudwatch.EventTargetSqsTargetArgs(message_group_id="g")
                    if c.fifo
                    else None,
                )
            else:
                aws.sqs.QueuePolicy(
                    f"{n}-queue-policy",
                    queue_url=queue.url,
                    policy=_doc([{**deny, "Resource": queue.arn}]),
                )
            logs = aws.cloudwatch.LogGroup(
                f"{n}-logs", name=f"/aws/lambda/{prefix}{n}", retention_in_days=30
            )
            role = aws.iam.Role(
                f"{n}-role",
                name=f"{prefix}{n}",
                assume_role_policy=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "sts:AssumeRole",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                            }
                        ],
                    }
                ),
            )
            statements = [
                {"Effect": "Allow", "Action": ["sqs:ReceiveMessage"], "Resource": queue.arn},
                {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": dlq.arn},
                {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": logs.arn},
            ]
            if c.idempotent:
                statements.append(
                    {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": table.arn}
                )
            policy = aws.iam.RolePolicy(f"{n}-policy", role=role.id, policy=_doc(statements))
            function = aws.lambda_.Function(
                f"{n}-function",
                name=f"{prefix}{n}",
                role=role.arn,
                runtime="python3.13",
                handler="eventpipe.runtime.handler",
                code=code,
                timeout=30,
                memory_size=256,
                architectures=["arm64"],
                layers=[layer.arn],
                environment=aws.lambda_.FunctionEnvironmentArgs(
                    variables={"EVENTPIPE_HANDLER": c.handler, "EVENTPIPE_DLQ_URL": dlq.url}
                ),
                tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
                opts=pulumi.ResourceOptions(depends_on=[logs, policy]),
            )
            aws.lambda_.EventSourceMapping(
                f"{n}-esm",
                event_source_arn=queue.arn,
                function_name=function.arn,
                batch_size=10,
                function_response_types=["ReportBatchItemFailures"],
                scaling_config=aws.lambda_.EventSourceMappingScalingConfigArgs(
                    maximum_concurrency=10
                ),
                opts=pulumi.ResourceOptions(depends_on=[policy]),
            )
            signals = [
                ("dlq", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", dlq.name),
                ("age", "AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", queue.name),
                ("depth", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue.name),
                ("errors", "AWS/Lambda", "Errors", "FunctionName", function.name),
                ("throttles", "AWS/Lambda", "Throttles", "FunctionName", function.name),
            ]
            alarms.append(
                aws.cloudwatch.MetricAlarm(
                    f"{n}-alarm",
                    name=f"{prefix}{n}-alarm",
                    metric_queries=[
                        aws.cloudwatch.MetricAlarmMetricQueryArgs(
                            id=key,
                            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                                namespace=namespace,
                                metric_name=metric,
                                period=60,
                                stat="Maximum",
                                dimensions={dimension: target},
                            ),
                        )
                        for key, namespace, metric, dimension, target in signals
                    ]
                    + [
                        aws.cloudwatch.MetricAlarmMetricQueryArgs(
                            id="e",
                            return_data=True,
                            expression=" + ".join(
                                f"IF({key} > 0, {2**i}, 0)" for i, (key, *_) in enumerate(signals)
                            ),
                        )
                    ],
                    evaluation_periods=1,
                    threshold=1,
                    comparison_operator="GreaterThanOrEqualToThreshold",
                    treat_missing_data="notBreaching",
                )
            )
        names = [f"{prefix}{c.name}-alarm" for c in consumers]
        pages = [names[i : i + 100] for i in range(0, len(names), 100)]
        page_alarms = [
            aws.cloudwatch.CompositeAlarm(
                f"alarms-{number}",
                alarm_name=f"{prefix}alarms-{number}",
                alarm_rule=" OR ".join(f'ALARM("{name}")' for name in page),
                opts=pulumi.ResourceOptions(depends_on=alarms),
            )
            for number, page in enumerate(pages, start=1)
        ]
        if pages:
            aws.cloudwatch.CompositeAlarm(
                "alarms",
                alarm_name=f"{prefix}alarms",
                alarm_rule=" OR ".join(
                    f'ALARM("{prefix}alarms-{i}")' for i in range(1, len(pages) + 1)
                ),
                alarm_actions=[topic.arn],
                ok_actions=[topic.arn],
                opts=pulumi.ResourceOptions(depends_on=page_alarms),
            )
        pulumi.export("busName", bus.name)

    return program  # fmt: skip


def run_once(
    program: Callable[[], None],
    config: dict[str, str],
    record: list[FastMocks] | None = None,
    *,
    lean: bool = False,
) -> tuple[float, int]:
    """CPU seconds of one program run under fresh mocks, and the resources it registered
    (the mocks themselves appended to ``record`` when given). ``lean``: inside
    ``eventpipe.mock_run.lean_mock_run``, as the tests and the local engine run it.

    Process CPU time (all threads: the mock monitor answers on executor threads), not wall
    time, so other processes competing for the machine do not distort the comparison.
    """
    result: dict[str, Any] = {}
    gc.collect()

    def target() -> None:
        from pulumi.runtime.stack import run_pulumi_func

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        mocks = FastMocks()
        try:
            pulumi.runtime.set_all_config(config)
            pulumi.runtime.set_mocks(mocks, project="eventpipe", stack="bench", preview=True)

            async def main() -> None:
                program()

            start = time.process_time()
            with lean_mock_run() if lean else contextlib.nullcontext():
                loop.run_until_complete(run_pulumi_func(main))
            gc.collect()  # what the run left in cycles: the lean run defers it to here
            result["seconds"] = time.process_time() - start
            result["count"] = mocks.count
            if record is not None:
                record.append(mocks)
        except BaseException as exc:
            result["error"] = exc
        finally:
            loop.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["seconds"], result["count"]


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}"


CONFIG = {
    "aws:region": REGION,
    "eventpipe:namePrefix": "eventpipe-bench-",
    "eventpipe:publishSchemas": "false",
    # 1,000 consumers need more than AWS's defaults (docs/components.md, "Quotas").
    "eventpipe:quotas": json.dumps({"rulesPerBus": 2000, "iamRoles": 5000}),
}
"""Schemas off: the plain loop has no registry; everything else is declared by both."""
DEPLOY_SIZE = 1000


def deploy_estimate(consumers: list[Consumer], config: dict[str, str], title: str) -> list[str]:
    """The calls per API of a first ``pulumi up`` of the program, and their least time."""
    record: list[FastMocks] = []
    run_once(eventpipe_program(consumers), config, record)
    mocks = record[0]
    registered = deploy_calls.Registered(
        mocks.types, mocks.retained_log_groups, mocks.reserved_functions
    )
    rows, floor = deploy_calls.table(deploy_calls.calls(registered))
    return [
        f"### {title}: {len(consumers)} consumers, {mocks.count} resources",
        "",
        *rows,
        "",
        f"Least time of the slowest pool: {floor / 60:.1f} min.",
        "",
    ]


def deploy_report() -> list[str]:
    with_everything = {**CONFIG, "eventpipe:deadLetterArchive": json.dumps(
        {"afterDays": 10, "expireDays": 365})}  # fmt: skip
    return [
        "## Control-plane calls of a first `pulumi up` (benchmarks/deploy_calls.py)",
        "",
        *deploy_estimate(generated(DEPLOY_SIZE), CONFIG, "the benchmark's mix"),
        *deploy_estimate(
            generated(DEPLOY_SIZE, breakers=True),
            with_everything,
            "a breaker on every consumer, the dead-letter archive on",
        ),
    ]


def main() -> None:
    quick = "--quick" in sys.argv
    (PROJECT / "build").mkdir(exist_ok=True)
    (PROJECT / "build" / "bench-code.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    if "--deploy-only" in sys.argv:
        print("\n".join(deploy_report()))
        return
    sizes = (1, 10, 100) if quick else SIZES
    config = CONFIG
    run_once(plain_program(generated(2)), config)  # warm imports in both paths
    run_once(eventpipe_program(generated(2)), config)
    rows = []
    for n in sizes:
        consumers = generated(n)
        repeats = 1 if n >= 1000 else 3 if n >= 100 else 5
        ep_times, plain_times, lean_times = [], [], []
        counts = set()
        for _ in range(repeats):  # interleaved, so drift hits all alike
            seconds, ep_count = run_once(eventpipe_program(consumers), config)
            ep_times.append(seconds)
            seconds, plain_count = run_once(plain_program(consumers), config)
            plain_times.append(seconds)
            seconds, lean_count = run_once(eventpipe_program(consumers), config, lean=True)
            lean_times.append(seconds)
            assert lean_count == ep_count, (lean_count, ep_count)
            counts.add((ep_count, plain_count))
        ep, plain = statistics.median(ep_times), statistics.median(plain_times)
        lean = statistics.median(lean_times)
        rows.append((n, ep, plain, ep / plain, lean, sorted(counts)[0]))
        print(f"N={n:>3}  eventpipe {ep:7.3f}s  plain {plain:7.3f}s  ratio {ep / plain:5.2f}  "
              f"lean {lean:7.3f}s  resources {sorted(counts)[0]}", flush=True)  # fmt: skip
    by_n = {n: ep for n, ep, *_ in rows}
    scale = by_n[300] / by_n[100] if 300 in by_n else float("nan")
    scale_1000 = by_n[1000] / by_n[100] if 1000 in by_n else float("nan")
    lines = [
        "# benchmarks/synth.py: program run time under Pulumi mocks",
        "",
        f"Machine: {machine()}. Process CPU seconds, medians of 5 runs (3 at N>=100, 1 at N=1000), interleaved, same process.",
        "",
        "| consumers | eventpipe (CPU s) | plain pulumi_aws loop (CPU s) | ratio | eventpipe in lean_mock_run (CPU s) | speed-up | resources (eventpipe / plain) |",
        "|---:|---:|---:|---:|---:|---:|---|",
        *[f"| {n} | {ep:.3f} | {plain:.3f} | {ratio:.2f} | {lean:.3f} | {ep / lean:.2f}x | {c[0]} / {c[1]} |"
          for n, ep, plain, ratio, lean, c in rows],
        "",
        f"time(300) / time(100) for eventpipe: {scale:.2f} (target <= 3.3); "
        f"time(1000) / time(100): {scale_1000:.2f} (linear: 10; target <= 11); "
        "ratio target <= 1.25.",
        "",
        "Both declare the same AWS resources per consumer (queue, DLQ, policies, rule and "
        "target, role, policy, log group, function, mapping, one metric-math alarm) and "
        "composite alarms over them; eventpipe also declares a per-key FIFO consumer's pipe "
        "and intake queues, and registers its component resources, and runs config "
        "resolution, validation, the quota check and packaging. Schema publishing is off "
        "in both (publishSchemas: false).",
        "",
        "The lean column runs the same program inside eventpipe.mock_run.lean_mock_run, as "
        "the Pulumi tests and the local engine's deploy do: no stack trace and no unused URN "
        "per resource, the garbage collector paused until the run ends. Every run ends with "
        "a gc.collect() inside its time, so what the lean run defers is counted.",
        "",
        "Timing is process CPU time (all threads), not wall time: on a shared machine other "
        "processes distort wall time.",
        "",
    ]  # fmt: skip
    if not quick and "--synth-only" not in sys.argv:
        lines += deploy_report()
    text = "\n".join(lines) + "\n"
    print(text)


if __name__ == "__main__":
    main()
