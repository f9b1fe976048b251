"""EventBridge Pipes: recorded for the local Pipe runner and created in moto's backend.

moto (5.2) stores pipes (CreatePipe, DescribePipe, ListPipes answer as on AWS) but moves
no data; :mod:`eventpipe.local.pipes` runs each recorded pipe from its SQS source to its
SQS target. Only SQS -> SQS pipes without enrichment are run; any other pipe is created
and noted as not running locally.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from eventpipe.local.deploy.materializers.base import (
    Context,
    Outputs,
    as_int,
    materializer,
    physical_name,
)
from eventpipe.local.deploy.records import PipeSpec


def _log_group_name(arn: str | None) -> str | None:
    """``arn:aws:logs:<region>:<account>:log-group:<name>[:*]`` -> ``<name>``."""
    if not arn or ":log-group:" not in arn:
        return None
    name = arn.split(":log-group:", 1)[1]
    return name[:-2] if name.endswith(":*") else name


def pipe_spec(name: str, arn: str, inputs: dict[str, Any]) -> PipeSpec:
    """The runner's view of a pipe from its pulumi_aws inputs."""
    source = ((inputs.get("sourceParameters") or {}).get("sqsQueueParameters")) or {}
    target = inputs.get("targetParameters") or {}
    sqs_target = target.get("sqsQueueParameters") or {}
    logging = inputs.get("logConfiguration") or {}
    destination = logging.get("cloudwatchLogsLogDestination") or {}
    return PipeSpec(
        name=name,
        arn=arn,
        source_arn=str(inputs["source"]),
        target_arn=str(inputs["target"]),
        batch_size=as_int(source.get("batchSize"), 10) or 10,
        batching_window=float(source.get("maximumBatchingWindowInSeconds") or 0),
        input_template=target.get("inputTemplate") or None,
        message_group_id=sqs_target.get("messageGroupId") or None,
        message_deduplication_id=sqs_target.get("messageDeduplicationId") or None,
        log_group=_log_group_name(destination.get("logGroupArn")),
        log_level=str(logging.get("level") or "OFF").upper(),
        include_execution_data="ALL" in (logging.get("includeExecutionDatas") or []),
        running=str(inputs.get("desiredState") or "RUNNING").upper() == "RUNNING",
    )


def _api_request(spec: PipeSpec, inputs: dict[str, Any]) -> dict[str, Any]:
    """CreatePipe's request for moto (the Pipes API shape)."""
    request: dict[str, Any] = {
        "Name": spec.name,
        "RoleArn": str(inputs.get("roleArn") or ""),
        "Source": spec.source_arn,
        "Target": spec.target_arn,
        "DesiredState": "RUNNING" if spec.running else "STOPPED",
        "SourceParameters": {
            "SqsQueueParameters": {
                "BatchSize": spec.batch_size,
                "MaximumBatchingWindowInSeconds": int(spec.batching_window),
            }
        },
    }
    target: dict[str, Any] = {}
    if spec.input_template is not None:
        target["InputTemplate"] = spec.input_template
    sqs: dict[str, str] = {}
    if spec.message_group_id:
        sqs["MessageGroupId"] = spec.message_group_id
    if spec.message_deduplication_id:
        sqs["MessageDeduplicationId"] = spec.message_deduplication_id
    if sqs:
        target["SqsQueueParameters"] = sqs
    if target:
        request["TargetParameters"] = target
    if spec.log_level != "OFF" or spec.log_group:
        logging: dict[str, Any] = {"Level": spec.log_level}
        arn = (inputs.get("logConfiguration") or {}).get("cloudwatchLogsLogDestination") or {}
        if arn.get("logGroupArn"):
            logging["CloudwatchLogsLogDestination"] = {"LogGroupArn": arn["logGroupArn"]}
        request["LogConfiguration"] = logging
    if inputs.get("description"):
        request["Description"] = str(inputs["description"])
    tags = {str(k): str(v) for k, v in (inputs.get("tags") or {}).items()}
    if tags:
        request["Tags"] = tags
    return request


@materializer("aws:pipes/pipe:Pipe")
def pipe(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    pipe_name = physical_name(name, inputs)
    arn = ctx.arn("pipes", f"pipe/{pipe_name}")
    spec = pipe_spec(pipe_name, arn, inputs)
    try:
        response = ctx.client("pipes").create_pipe(**_api_request(spec, inputs))
        spec.arn = str(response.get("Arn") or arn)
    except (BotoCoreError, ClientError) as exc:
        # An --endpoint-url emulator without the Pipes API: the engine still runs the
        # pipe; only DescribePipe/ListPipes will not know it.
        ctx.notice(f"pipe {pipe_name}: the emulator refused CreatePipe ({exc}); run locally")
    runnable = (
        spec.source_arn.startswith("arn:aws:sqs:")
        and spec.target_arn.startswith("arn:aws:sqs:")
        and not inputs.get("enrichment")
    )
    if runnable:
        ctx.state.pipes.append(spec)
    else:
        ctx.notice(
            f"pipe {pipe_name}: only SQS -> SQS pipes without enrichment run locally; "
            "created, not run"
        )
    return pipe_name, {"arn": spec.arn, "name": pipe_name, "id": pipe_name}
