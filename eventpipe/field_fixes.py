"""How to fix each consumer field: the ``fix`` line of every problem that names one.

Kept apart from :mod:`eventpipe.config` and :mod:`eventpipe.validation` because both
report field problems (stack overrides that break a field, cross-field checks) and
neither may import the other: validation reads the parsed stack settings from config.
"""

from __future__ import annotations

FIELD_FIXES: dict[str, str] = {
    "name": "use 1-40 lower-case letters, digits and inner hyphens, e.g. 'order-processing'",
    "handler": "write 'package.module:function', e.g. 'orders.handler:process'",
    "resources": "write 'package.module:function' or pass the callable itself",
    "batch_size": "use 1-10 (FIFO) or 1-10000 with a batching window above 10",
    "batching_window": "use 0-300 seconds",
    "timeout": "use 1-900 seconds (Lambda's limit)",
    "memory": "use 128-10240 MB",
    "max_concurrency": "use 2-1000, or leave it unset for no limit",
    "max_receive_count": "use 1-1000; AWS advises at least 5",
    "visibility_timeout": "use 0-43200 seconds, at least the function timeout, or leave it "
    "unset for 6 x timeout + batching window",
    "retention": "use 60-1209600 seconds (1 minute to 14 days)",
    "reserved_concurrency": "use 0 or more, at least max_concurrency",
    "environment": "use a mapping of string names to string values",
    "idempotency_ttl": "use 60 seconds to 1 year",
    "description": "keep it under 256 characters",
    "alarm_oldest_message_age": "use 60 seconds or more",
    "alarm_queue_depth": "use 1 or more",
    "circuit_breaker": "write CircuitBreaker(failed_records=1.., period=60..86400 in steps of "
    "60, cooldown=60..86400) or, in stack config, `circuitBreaker: {failedRecords: 10, period: 60, "
    "cooldown: 300}` (docs/circuit-breaker.md)",
    "topic": "write an SNS topic ARN or a name listed in eventpipe:topics (docs/sns.md)",
    "filter_policy": "write an SNS filter policy: attribute names mapped to lists of values "
    "(docs/sns.md)",
}


def fix_for(field: str) -> str:
    """The fix for a field path (``circuit_breaker.period`` -> ``circuit_breaker``'s)."""
    return FIELD_FIXES.get(field.split(".", 1)[0], "see docs/configuration.md")
