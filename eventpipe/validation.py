"""Every check that needs more than one field, one consumer, or the stack config.

Runs before the program declares any resource. Each check returns problems instead of
raising, so a user fixing a stack sees all of them in one ``pulumi preview``.
"""

from __future__ import annotations

import re

from eventpipe import group_split, names, pipes_paths
from eventpipe.config import NAMESPACE, STACK_CONFIG, StackSettings
from eventpipe.consumer import SQS_MAX_RECEIVE_COUNT, Consumer
from eventpipe.exceptions import Problem
from eventpipe.field_fixes import fix_for
from eventpipe.runtime.refs import explain_import_failure, import_ref, locate_ref

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


def check_consumer(plugin: str, consumer: Consumer, settings: StackSettings) -> list[Problem]:
    """Every problem of one consumer (its handler must import and its ``resources``
    reference must name an existing function, too)."""
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
        add("handler", *explain_import_failure(consumer.handler, exc))
    if isinstance(consumer.resources, str):
        # Located, not imported: a resources module imports pulumi_aws, which neither
        # `eventpipe consumers` nor the test kit should load (runtime/refs.locate_ref).
        try:
            locate_ref(consumer.resources)
        except Exception as exc:
            add("resources", *explain_import_failure(consumer.resources, exc))

    if consumer.fifo:
        if consumer.batch_size > 10:
            add(
                "batch_size",
                f"FIFO queues deliver at most 10 messages per batch, got {consumer.batch_size}",
                "set batch_size to 10 or less",
            )
        if consumer.batch_size * consumer.max_receive_count > SQS_MAX_RECEIVE_COUNT:
            add(
                "max_receive_count",
                f"a FIFO record can wait behind {consumer.batch_size - 1} others of its group, "
                f"each failing up to {consumer.max_receive_count} times: batch_size x "
                f"max_receive_count = {consumer.batch_size * consumer.max_receive_count} "
                f"receives, above SQS's maxReceiveCount limit of {SQS_MAX_RECEIVE_COUNT}",
                "lower max_receive_count or batch_size so their product is at most "
                f"{SQS_MAX_RECEIVE_COUNT}",
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
                for message in group_split.group_pattern_problems(
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

    problems.extend(source_problems(plugin, consumer, settings))

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


# --- SNS topic source ----------------------------------------------------------------------
TOPIC_ARN = re.compile(
    r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]{1,256}|[A-Za-z0-9_-]{1,251}\.fifo)$"
)
"""An SNS topic ARN (``arn:<partition>:sns:<region>:<account>:<topic name>``)."""
FILTER_POLICY_KEYS = 5
FILTER_POLICY_COMBINATIONS = 150
FILTER_POLICY_BYTES = 256 * 1024
FILTER_NUMBER_LIMIT = 10**9
"""SNS filter policy limits ("Filter policy constraints in Amazon SNS",
https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html):
at most five keys, at most 150 combinations of values (the product of the array
lengths), at most 256 KB, numbers between -10^9 and 10^9; with the default scope
(``MessageAttributes``) a policy is not nested."""
_FILTER_OPERATORS = {
    "prefix", "suffix", "anything-but", "numeric", "exists", "equals-ignore-case", "cidr",
}  # fmt: skip
"""Operators of an SNS filter policy value ("Amazon SNS message filtering operators",
https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html)."""
_NUMERIC_OPS = {"=", "<", "<=", ">", ">="}


def source_problems(plugin: str, consumer: Consumer, settings: StackSettings) -> list[Problem]:
    """What feeds the queue: at most one of a rule pattern and an SNS topic, a topic the
    stack knows or an ARN, and a filter policy SNS accepts, only with a topic."""
    problems: list[Problem] = []

    def add(field: str, message: str, fix: str = "") -> None:
        problems.append(Problem(plugin, consumer.name, field, message, fix or fix_for(field)))

    if consumer.topic is not None:
        if consumer.pattern is not None:
            add(
                "topic",
                "a consumer is fed by a rule (pattern) or by an SNS topic (topic), not both",
                "remove pattern to subscribe to the topic, or remove topic",
            )
        if not TOPIC_ARN.match(consumer.topic) and consumer.topic not in settings.topics:
            listed = ", ".join(settings.topics) or "none"
            add(
                "topic",
                f"{consumer.topic!r} is neither an SNS topic ARN nor a topic listed in "
                f"{NAMESPACE}:topics (listed: {listed})",
                f"add {consumer.topic!r} to {NAMESPACE}:topics in Pulumi.<stack>.yaml, or "
                "write the topic's ARN (arn:aws:sns:<region>:<account>:<name>)",
            )
        fifo_topic = consumer.topic.endswith(".fifo")
        if consumer.fifo and not fifo_topic:
            # SNS delivers to an SQS FIFO queue only from a FIFO topic ("Message delivery
            # for FIFO topics", https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html).
            add(
                "topic",
                f"a FIFO queue subscribes only to a FIFO topic; {consumer.topic!r} is standard",
                "use a topic whose name ends in '.fifo', or set fifo=False",
            )
    if consumer.filter_policy is not None:
        if consumer.topic is None:
            add(
                "filter_policy",
                "a filter policy belongs to an SNS subscription: this consumer has no topic",
                "set topic, or remove filter_policy (a rule filters with its pattern)",
            )
        for message in filter_policy_problems(consumer.filter_policy):
            add("filter_policy", message)
    return problems


def filter_policy_problems(policy: object) -> list[str]:
    """Why ``policy`` is not an SNS filter policy with the default ``MessageAttributes``
    scope (empty list = SNS accepts it). ``$or`` combines sub-policies."""
    import json

    if not isinstance(policy, dict) or not policy:
        return ["a filter policy is a non-empty mapping of attribute names to lists of values"]
    problems: list[str] = []
    try:
        size = len(json.dumps(policy).encode())
    except (TypeError, ValueError) as exc:
        return [f"is not JSON: {exc}"]
    if size > FILTER_POLICY_BYTES:
        problems.append(f"is {size} bytes; SNS takes at most {FILTER_POLICY_BYTES}")
    branches = _filter_branches(policy, problems)
    for branch in branches:
        if len(branch) > FILTER_POLICY_KEYS:
            problems.append(
                f"has {len(branch)} keys ({', '.join(sorted(branch))}); SNS allows at most "
                f"{FILTER_POLICY_KEYS}"
            )
    combinations = 0
    for branch in branches:
        product = 1
        for key, values in branch.items():
            problems.extend(_filter_value_problems(key, values))
            product *= len(values) if isinstance(values, list) else 1
        combinations += product
    if combinations > FILTER_POLICY_COMBINATIONS:
        problems.append(
            f"has {combinations} combinations of values; SNS allows at most "
            f"{FILTER_POLICY_COMBINATIONS} (the product of the lengths of its lists)"
        )
    return problems


def _filter_branches(policy: dict[str, object], problems: list[str]) -> list[dict[str, object]]:
    """The policy's alternatives, ``$or`` expanded (each a flat key -> values mapping)."""
    base = {k: v for k, v in policy.items() if k != "$or"}
    alternatives = policy.get("$or")
    if alternatives is None:
        return [base]
    if not isinstance(alternatives, list) or not all(
        isinstance(a, dict) and a for a in alternatives
    ):
        problems.append("'$or' takes a list of non-empty filter policies")
        return [base]
    branches = []
    for alternative in alternatives:
        for branch in _filter_branches(alternative, problems):
            branches.append({**base, **branch})
    return branches


def _filter_value_problems(key: str, values: object) -> list[str]:
    if isinstance(values, dict):
        return [
            f"{key!r} holds an object: a policy on message attributes is not nested "
            "(write a list of values)"
        ]
    if not isinstance(values, list) or not values:
        return [f"{key!r} must map to a non-empty list of values, got {values!r}"]
    problems = []
    for value in values:
        if value is None or isinstance(value, (str, bool)):
            continue
        if isinstance(value, (int, float)):
            if abs(value) > FILTER_NUMBER_LIMIT:
                problems.append(f"{key!r}: {value} is outside -10^9..10^9")
            continue
        if isinstance(value, dict) and len(value) == 1:
            operator, operand = next(iter(value.items()))
            if operator not in _FILTER_OPERATORS:
                problems.append(
                    f"{key!r}: unknown operator {operator!r} (SNS has "
                    f"{', '.join(sorted(_FILTER_OPERATORS))})"
                )
            elif operator == "numeric" and not _numeric_ok(operand):
                problems.append(
                    f"{key!r}: numeric takes [op, number] or [op, number, op, number] "
                    f"with op in {' '.join(sorted(_NUMERIC_OPS))}, got {operand!r}"
                )
            elif operator == "exists" and not isinstance(operand, bool):
                problems.append(f"{key!r}: exists takes true or false, got {operand!r}")
            elif operator in {"prefix", "suffix", "equals-ignore-case", "cidr"} and not (
                isinstance(operand, str) and operand
            ):
                problems.append(f"{key!r}: {operator} takes a non-empty string")
            continue
        problems.append(
            f"{key!r}: {value!r} is not a string, number, true/false/null or a one-operator object"
        )
    return problems


def _numeric_ok(operand: object) -> bool:
    if not isinstance(operand, list) or len(operand) not in (2, 4):
        return False
    pairs = [operand[i : i + 2] for i in range(0, len(operand), 2)]
    return all(
        op in _NUMERIC_OPS
        and isinstance(n, (int, float))
        and not isinstance(n, bool)
        and abs(n) <= FILTER_NUMBER_LIMIT
        for op, n in pairs
    )
