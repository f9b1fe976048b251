"""Every check that needs more than one field, one consumer, or the stack config.

Runs before the program declares any resource. Each check returns problems instead of
raising, so a user fixing a stack sees all of them in one ``pulumi preview``.
"""

from __future__ import annotations

import re

from eventpipe import names, pipes_paths
from eventpipe.config import NAMESPACE, STACK_CONFIG, StackSettings
from eventpipe.consumer import Consumer
from eventpipe.exceptions import Problem
from eventpipe.runtime.refs import import_ref

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
}

# Lambda refuses these as user environment variables; EVENTPIPE_ ones are ours.
_RESERVED_ENV = re.compile(
    r"^(_HANDLER|_X_AMZN_TRACE_ID|AWS_REGION|AWS_EXECUTION_ENV|AWS_LAMBDA_\w+|"
    r"AWS_ACCESS_KEY(_ID)?|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|LAMBDA_TASK_ROOT|"
    r"LAMBDA_RUNTIME_DIR|EVENTPIPE_\w+)$"
)
_ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_GROUP_ID = re.compile(r"^[\x21-\x7e]{1,100}$")
"""A rule target's fixed MessageGroupId: at most 100 characters (EventBridge API reference,
``SqsParameters``: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_SqsParameters.html),
printable ASCII as SQS requires of a group id."""

_QUEUE_SUFFIX = len(names.QUEUE_SUFFIX)
_NAMED_SUFFIX = len(names.NAMED_SUFFIX)
NAME_LIMIT = min(names.LIMIT_FUNCTION, names.LIMIT_ROLE, names.LIMIT_RULE)


def fix_for(field: str) -> str:
    return FIELD_FIXES.get(field.split(".", 1)[0], "see docs/configuration.md")


def check_consumer(plugin: str, consumer: Consumer, settings: StackSettings) -> list[Problem]:
    """Every problem of one consumer (its handler and resources must import, too)."""
    from eventpipe.patterns import pattern_problems

    problems: list[Problem] = []

    def add(field: str, message: str, fix: str = "") -> None:
        problems.append(Problem(plugin, consumer.name, field, message, fix or fix_for(field)))

    if consumer.pattern is not None:
        for message in pattern_problems(consumer.pattern):
            add("pattern", message, "see docs/patterns.md for the pattern grammar")

    try:
        import_ref(consumer.handler)
    except Exception as exc:
        add(
            "handler",
            f"cannot import {consumer.handler!r}: {type(exc).__name__}: {exc}",
            "check the module is in the plugin's package and the plugin is installed "
            "(`make install`)",
        )
    if isinstance(consumer.resources, str):
        try:
            import_ref(consumer.resources)
        except Exception as exc:
            add("resources", f"cannot import {consumer.resources!r}: {type(exc).__name__}: {exc}")

    if consumer.fifo:
        if consumer.batch_size > 10:
            add(
                "batch_size",
                f"FIFO queues deliver at most 10 messages per batch, got {consumer.batch_size}",
                "set batch_size to 10 or less",
            )
        if consumer.batching_window:
            add(
                "batching_window",
                "FIFO event source mappings do not support a batching window",
                "set batching_window to 0",
            )
    elif consumer.batch_size > 10 and not consumer.batching_window:
        add(
            "batch_size",
            f"a batch size of {consumer.batch_size} (over 10) needs a batching window",
            "set batching_window to at least 1 second, or batch_size to 10",
        )
    if consumer.message_group is not None:
        if not consumer.fifo or consumer.pattern is None:
            add(
                "message_group",
                "only a FIFO queue fed by a rule takes a message group",
                "remove message_group, or set fifo=True with a pattern",
            )
        elif pipes_paths.is_json_path(consumer.message_group):
            # A path is evaluated by the EventBridge Pipe that feeds the FIFO queue (a
            # rule target's MessageGroupId is literal): it must be one Pipes accepts.
            path_problems = pipes_paths.path_problems(consumer.message_group)
            for message in path_problems:
                add(
                    "message_group",
                    f"message group path: {message}",
                    "write a path like '$.detail.customerId' (see docs/components.md, "
                    "'Per-key FIFO through EventBridge Pipes')",
                )
            if not path_problems and not pattern_problems(consumer.pattern):
                # Events without the group field go to the DLQ by a rule of their own.
                for message in pipes_paths.group_pattern_problems(
                    consumer.pattern, consumer.message_group
                ):
                    add("pattern", message)
        elif not _GROUP_ID.match(consumer.message_group):
            add(
                "message_group",
                f"{consumer.message_group!r} is neither a message group id "
                "(1-100 printable characters, the most a rule target takes) nor a JSON path",
                "write a fixed id or a path like '$.detail.customerId'",
            )

    if consumer.visibility_timeout is not None and consumer.visibility_timeout < consumer.timeout:
        add(
            "visibility_timeout",
            f"{consumer.visibility_timeout}s is below the function "
            f"timeout ({consumer.timeout}s): Lambda rejects the mapping",
            f"set it to at least {consumer.timeout}, or unset it for "
            f"{6 * consumer.timeout + consumer.batching_window}",
        )
    if (
        consumer.reserved_concurrency is not None
        and consumer.max_concurrency is not None
        and consumer.reserved_concurrency < consumer.max_concurrency
    ):
        add(
            "reserved_concurrency",
            f"{consumer.reserved_concurrency} is below "
            f"max_concurrency ({consumer.max_concurrency}): the poller would be throttled",
            f"raise it to at least {consumer.max_concurrency} or lower max_concurrency",
        )

    for key in consumer.environment:
        if not _ENV_NAME.match(key):
            add(
                "environment",
                f"{key!r} is not a valid variable name",
                "use letters, digits and underscores, starting with a letter",
            )
        elif _RESERVED_ENV.match(key):
            add("environment", f"{key!r} is reserved by Lambda or eventpipe", "choose another name")

    stem = settings.prefix + consumer.name
    if len(stem) + _QUEUE_SUFFIX > names.LIMIT_QUEUE or len(stem) + _NAMED_SUFFIX > NAME_LIMIT:
        add(
            "name",
            f"{stem!r} makes AWS names longer than {NAME_LIMIT} characters",
            f"shorten the consumer name to {NAME_LIMIT - _NAMED_SUFFIX - len(settings.prefix)}"
            " characters or set a shorter eventpipe:namePrefix",
        )
    return problems


def unknown_override_problems(settings: StackSettings, names: set[str]) -> list[Problem]:
    """Overrides naming a consumer no plugin declares (usually a typo)."""
    import difflib

    problems = []
    for name in settings.consumers:
        if name not in names:
            close = difflib.get_close_matches(name, sorted(names), n=1)
            fix = (
                f"did you mean {close[0]!r}?"
                if close
                else f"declared consumers: {', '.join(sorted(names)) or 'none'}"
            )
            problems.append(
                Problem(
                    STACK_CONFIG,
                    name,
                    f"{NAMESPACE}:consumers.{name}",
                    "no plugin declares this consumer",
                    fix,
                )
            )
    return problems
