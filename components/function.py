"""A consumer's function side: role, log group, Lambda function and event source mapping.

Every consumer runs the same entry point (``eventpipe.runtime.handler``) from the shared
runtime layer; the plugin's handler is named in the environment. The mapping always
reports batch item failures and never has a filter: a filter on an SQS mapping deletes
the messages it does not match, so filtering belongs in the rule's pattern.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from eventpipe import contract
from eventpipe.consumer import Consumer
from eventpipe.powertools_layer import installed_version as installed_powertools

ENTRY_POINT = "eventpipe.runtime.handler"
BACKOFF_BASE = 5
"""Seconds of the first retry delay (doubled per receive by the runtime, with jitter)."""
BACKOFF_MAX = 900
"""Longest retry delay in seconds."""


def environment(
    consumer: Consumer,
    *,
    dlq_url: pulumi.Input[str],
    idempotency_table: pulumi.Input[str] | None,
    plugin_env: Mapping[str, Any],
) -> dict[str, Any]:
    """The function's environment: the contract with ``eventpipe.runtime``.

    Order of precedence: eventpipe's own variables win over the plugin's and the
    consumer's, which could otherwise break the runtime by accident.
    """
    own: dict[str, Any] = {
        contract.ENV_HANDLER: consumer.handler,
        contract.ENV_CONSUMER: consumer.name,
        contract.ENV_FIFO: "true" if consumer.fifo else "false",
        contract.ENV_SOURCE: consumer.source,
        contract.ENV_DLQ_URL: dlq_url,
        contract.ENV_MAX_RECEIVE_COUNT: str(consumer.max_receive_count),
        contract.ENV_VISIBILITY_TIMEOUT: str(consumer.effective_visibility_timeout),
        contract.ENV_BACKOFF_BASE: str(BACKOFF_BASE),
        contract.ENV_BACKOFF_MAX: str(BACKOFF_MAX),
        "POWERTOOLS_SERVICE_NAME": consumer.name,
        "POWERTOOLS_METRICS_NAMESPACE": contract.METRICS_NAMESPACE,
        contract.ENV_POWERTOOLS_VERSION: installed_powertools(),
    }
    if consumer.idempotent and idempotency_table is not None:
        own[contract.ENV_IDEMPOTENCY_TABLE] = idempotency_table
        own[contract.ENV_IDEMPOTENCY_TTL] = str(consumer.idempotency_ttl)
    return {**consumer.environment, **plugin_env, **own}


def event_source_mapping(
    name: str,
    consumer: Consumer,
    *,
    queue_arn: pulumi.Input[str],
    function_arn: pulumi.Input[str],
    tags: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.lambda_.EventSourceMapping:
    scaling = (
        aws.lambda_.EventSourceMappingScalingConfigArgs(
            maximum_concurrency=consumer.max_concurrency
        )
        if consumer.max_concurrency is not None
        else None
    )
    return aws.lambda_.EventSourceMapping(
        name,
        event_source_arn=queue_arn,
        function_name=function_arn,
        batch_size=consumer.batch_size,
        maximum_batching_window_in_seconds=consumer.batching_window or None,
        function_response_types=["ReportBatchItemFailures"],
        scaling_config=scaling,
        tags=tags,
        opts=opts,
    )
