"""The deployed function's environment: the whole contract with ``eventpipe.runtime``.

Computed once, here, from a consumer's settings and the addresses the deploy side (or the
test kit) created: ``components.function`` puts the result on the Lambda function and
``eventpipe.testing.ConsumerInvoker`` sets it around the handler call, so a passing plugin
test ran with what the deployed function runs with. Pulumi-free: address values may be
``pulumi.Output`` on the deploy side and plain strings in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from eventpipe import contract
from eventpipe.powertools_layer import installed_version as installed_powertools

BACKOFF_BASE = 5
"""Seconds of the first retry delay (doubled per receive by the runtime, with jitter)."""
BACKOFF_MAX = 900
"""Longest retry delay in seconds."""


class FunctionSettings(Protocol):
    """What the environment is computed from: an ``eventpipe.Consumer`` has all of it."""

    @property
    def name(self) -> str: ...
    @property
    def handler(self) -> str: ...
    @property
    def fifo(self) -> bool: ...
    @property
    def source(self) -> str:
        """``rule``, ``topic`` (an SNS subscription: the body is SNS's envelope, raw
        delivery off, see docs/sns.md) or ``queue``; the runtime decodes by it."""
        ...

    @property
    def idempotent(self) -> bool: ...
    @property
    def idempotency_ttl(self) -> int: ...
    @property
    def max_receive_count(self) -> int: ...
    @property
    def queue_max_receive_count(self) -> int:
        """The queue's redrive maxReceiveCount (``eventpipe.consumer.queue_receive_limit``)."""
        ...

    @property
    def effective_visibility_timeout(self) -> int: ...
    @property
    def environment(self) -> Mapping[str, str]: ...


def function_environment(
    consumer: FunctionSettings,
    *,
    dlq_url: Any,
    idempotency_table: Any | None,
    plugin_env: Mapping[str, Any],
    attempts_table: Any | None = None,
) -> dict[str, Any]:
    """The function's environment variables.

    Order of precedence: eventpipe's own variables win over the plugin's (``resources``
    hook) and the consumer's, which could otherwise break the runtime by accident. The
    idempotency variables are set only for an idempotent consumer given a table. A FIFO
    consumer's ``max_receive_count`` counts its records' own failed attempts in
    ``attempts_table``, and the receive limit it is given is the queue's higher safety net.
    """
    own: dict[str, Any] = {
        contract.ENV_HANDLER: consumer.handler,
        contract.ENV_CONSUMER: consumer.name,
        contract.ENV_FIFO: "true" if consumer.fifo else "false",
        contract.ENV_SOURCE: consumer.source,
        contract.ENV_DLQ_URL: dlq_url,
        contract.ENV_MAX_RECEIVE_COUNT: str(consumer.queue_max_receive_count),
        contract.ENV_VISIBILITY_TIMEOUT: str(consumer.effective_visibility_timeout),
        contract.ENV_BACKOFF_BASE: str(BACKOFF_BASE),
        contract.ENV_BACKOFF_MAX: str(BACKOFF_MAX),
        "POWERTOOLS_SERVICE_NAME": consumer.name,
        "POWERTOOLS_METRICS_NAMESPACE": contract.METRICS_NAMESPACE,
        contract.ENV_POWERTOOLS_VERSION: installed_powertools(),
    }
    if consumer.fifo:
        own[contract.ENV_MAX_ATTEMPTS] = str(consumer.max_receive_count)
        if attempts_table is not None:
            own[contract.ENV_ATTEMPTS_TABLE] = attempts_table
    if consumer.idempotent and idempotency_table is not None:
        own[contract.ENV_IDEMPOTENCY_TABLE] = idempotency_table
        own[contract.ENV_IDEMPOTENCY_TTL] = str(consumer.idempotency_ttl)
    return {**consumer.environment, **plugin_env, **own}
