"""The name-length limits AWS enforces, and the one way a long name is shortened.

One table for both sides: validation warns about a consumer name that cannot fit before
anything deploys, and ``components.naming`` shortens the physical names it derives. The
queue names are built here (:func:`queue_name`) because the lifecycle rules
(:mod:`eventpipe.lifecycle`) recognise a queue of the stack by them too.
Pulumi-free, so validation and the test kit import it without the deploy side.
"""

from __future__ import annotations

import hashlib

# Name length limits AWS enforces (characters).
LIMIT_QUEUE = 80  # including the ".fifo" suffix
LIMIT_FUNCTION = 64
LIMIT_ROLE = 64
LIMIT_RULE = 64
LIMIT_ARCHIVE = 48
LIMIT_ALARM = 255
LIMIT_REGISTRY = 64
LIMIT_LAYER = 140
LIMIT_TABLE = 255
LIMIT_TOPIC = 256
LIMIT_DASHBOARD = 255
LIMIT_PIPE = 64  # EventBridge Pipes: Name, 1-64 of [.-_A-Za-z0-9]

# Tags eventpipe puts on what it declares: cost and ownership reports group by them, and
# the lifecycle rules (eventpipe.lifecycle) find a stack's queues by them.
TAG_STACK = "eventpipe:stack"
TAG_CONSUMER = "eventpipe:consumer"
TAG_PLUGIN = "eventpipe:plugin"

# Longest suffixes the components add to a consumer's name stem.
QUEUE_SUFFIX = "-dlq.fifo"
NAMED_SUFFIX = "-role"


def fit(name: str, limit: int) -> str:
    """``name`` itself when it fits, else its head plus an 8-character hash of the whole."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9]}-{digest}"


def queue_name(prefix: str, consumer: str, *, dlq: bool, fifo: bool) -> str:
    """SQS name; FIFO queues must end in ``.fifo`` (counted in the 80-character limit)."""
    suffix = ".fifo" if fifo else ""
    stem = f"{prefix}{consumer}-dlq" if dlq else f"{prefix}{consumer}"
    return fit(stem, LIMIT_QUEUE - len(suffix)) + suffix
