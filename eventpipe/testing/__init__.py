"""Test helpers for consumer plugins: real-shaped events and a consumer invoker.

Factories build payloads the way AWS sends them; the ``invoke_consumer`` pytest fixture
(registered automatically through the ``pytest11`` entry point) runs a consumer's real
Lambda runtime on them against moto and reports what succeeded, what SQS will deliver
again (``will_retry``) and what went to the DLQ::

    from eventpipe.testing import eventbridge_event

    def test_order_created(invoke_consumer):
        result = invoke_consumer(consumer, [eventbridge_event("Order Created", "shop", {...})])
        assert result.outcomes == ["succeeded"]

Importing this package does not import moto or pytest: the invoker loads them on use.
"""

from __future__ import annotations

from eventpipe.testing.factories import (
    LambdaContext,
    eventbridge_event,
    lambda_context,
    message_attribute,
    sqs_event,
    sqs_record,
)
from eventpipe.testing.invoke import ConsumerInvoker
from eventpipe.testing.plugin_checks import (
    assert_lambda_side_clean,
    assert_samples_end_as_declared,
    check_plugin,
    check_samples,
    sample_envelope,
)
from eventpipe.testing.pulumi_mocks import AwsMocks, MockResource
from eventpipe.testing.resources import ResourcesRejectedError, ResourcesRun, run_resources
from eventpipe.testing.results import DeadLetter, InvocationResult


def reset_runtime() -> None:
    """Forget the runtime's per-container cache (loaded handler, clients, processors).

    Call it between tests that change a handler module or the function environment
    outside ``invoke_consumer`` (which resets it itself).
    """
    from eventpipe.runtime.loading import reset_cache

    reset_cache()


__all__ = [
    "AwsMocks",
    "ConsumerInvoker",
    "DeadLetter",
    "InvocationResult",
    "LambdaContext",
    "MockResource",
    "ResourcesRejectedError",
    "ResourcesRun",
    "assert_lambda_side_clean",
    "assert_samples_end_as_declared",
    "check_plugin",
    "check_samples",
    "eventbridge_event",
    "lambda_context",
    "message_attribute",
    "reset_runtime",
    "run_resources",
    "sample_envelope",
    "sqs_event",
    "sqs_record",
]
