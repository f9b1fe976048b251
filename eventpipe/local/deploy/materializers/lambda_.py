"""Lambda functions and SQS event source mappings: registered with the local invoker.

Nothing is created in the emulator (moto's Lambda would need Docker); the function's
handler, environment and timeout are kept so a worker process can run it, and each
mapping becomes a set of pollers.
"""

from __future__ import annotations

import uuid
from typing import Any

from eventpipe.local.deploy.materializers.base import (
    Context,
    Outputs,
    as_int,
    materializer,
    physical_name,
)
from eventpipe.local.deploy.records import FunctionSpec, MappingSpec


@materializer("aws:lambda/function:Function")
def function(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    function_name = physical_name(name, inputs)
    arn = ctx.arn("lambda", f"function:{function_name}")
    environment = (inputs.get("environment") or {}).get("variables") or {}
    ctx.state.functions[function_name] = FunctionSpec(
        name=function_name,
        arn=arn,
        handler=str(inputs.get("handler") or ""),
        environment={str(k): str(v) for k, v in environment.items()},
        timeout=as_int(inputs.get("timeout"), 3) or 3,
        memory=as_int(inputs.get("memorySize"), 128) or 128,
        runtime=inputs.get("runtime"),
    )
    return function_name, {
        "arn": arn,
        "name": function_name,
        "invokeArn": f"arn:aws:apigateway:{ctx.region}:lambda:path/2015-03-31/functions/{arn}/invocations",
        "qualifiedArn": f"{arn}:$LATEST",
        "version": "$LATEST",
    }


@materializer("aws:lambda/eventSourceMapping:EventSourceMapping")
def event_source_mapping(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    source = str(inputs.get("eventSourceArn") or "")
    mapping_id = str(uuid.uuid4())
    function_name = str(inputs["functionName"]).split(":function:", 1)[-1].split(":", 1)[0]
    if not source.startswith("arn:aws:sqs:"):
        ctx.notice(f"event source mapping {name}: only SQS sources are polled locally ({source})")
        return mapping_id, {
            "uuid": mapping_id,
            "functionArn": ctx.arn("lambda", f"function:{function_name}"),
        }
    if inputs.get("filterCriteria"):
        ctx.notice(f"event source mapping {name}: filter criteria are not applied locally")
    scaling = inputs.get("scalingConfig") or {}
    ctx.state.mappings.append(
        MappingSpec(
            uuid=mapping_id,
            queue_arn=source,
            function_name=function_name,
            batch_size=as_int(inputs.get("batchSize"), 10) or 10,
            batching_window=float(inputs.get("maximumBatchingWindowInSeconds") or 0),
            max_concurrency=as_int(scaling.get("maximumConcurrency")),
            enabled=inputs.get("enabled", True) is not False,
            report_batch_item_failures="ReportBatchItemFailures"
            in (inputs.get("functionResponseTypes") or []),
        )
    )
    _cover_function_timeout(ctx, source, function_name)
    function_arn = ctx.arn("lambda", f"function:{function_name}")
    return mapping_id, {"uuid": mapping_id, "functionArn": function_arn, "state": "Enabled"}


def _cover_function_timeout(ctx: Context, queue_arn: str, function_name: str) -> None:
    """Keep a time-scaled visibility timeout at least the function timeout.

    Lambda requires visibility >= function timeout so a message is never visible again
    while its batch still runs (it would be delivered twice, or moved to the DLQ after
    succeeding). Scaling 6 x timeout by 0.01 would break that; retries stay fast anyway,
    because the runtime sets each failed record's delay itself (scaled backoff). Only an
    invocation that times out or crashes waits for the visibility timeout.
    """
    queue = ctx.state.queues.get(queue_arn)
    function = ctx.state.functions.get(function_name)
    if queue is None or function is None or queue.visibility_timeout >= function.timeout:
        return
    wanted = min(function.timeout, queue.declared_visibility_timeout) or function.timeout
    ctx.client("sqs").set_queue_attributes(
        QueueUrl=queue.url, Attributes={"VisibilityTimeout": str(wanted)}
    )
    queue.visibility_timeout = wanted


@materializer(
    "aws:lambda/permission:Permission",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
)
def accepted(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    """Declarations with no local effect: every caller may invoke a local function."""
    return f"{name}-{uuid.uuid4().hex[:8]}", {}


@materializer("aws:lambda/layerVersion:LayerVersion")
def layer(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    """Layers are not unpacked: the worker runs on this interpreter's installed packages."""
    layer_name = str(inputs.get("layerName") or name)
    arn = ctx.arn("lambda", f"layer:{layer_name}")
    return f"{arn}:1", {"arn": f"{arn}:1", "layerArn": arn, "version": "1"}
