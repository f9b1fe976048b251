"""Physical names and tags of everything eventpipe declares.

Names are derived from the stack prefix (``eventpipe-<stack>-`` by default) and the
consumer name, so an operator who knows a consumer finds its queue, function, rule and
alarms in the console without reading stack outputs. AWS limits differ per service; a name
that would exceed its limit is shortened deterministically (a hash suffix keeps two long
names distinct) rather than failing at deploy time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from eventpipe.config import StackSettings

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

TAG_STACK = "eventpipe:stack"
TAG_CONSUMER = "eventpipe:consumer"
TAG_PLUGIN = "eventpipe:plugin"


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


def consumer_name(prefix: str, consumer: str, limit: int, suffix: str = "") -> str:
    """Name of a per-consumer resource (function, role, rule, alarm)."""
    return fit(f"{prefix}{consumer}{suffix}", limit)


def stack_name(prefix: str, what: str, limit: int) -> str:
    """Name of a per-stack resource (archive, topic, table, dashboard, layer)."""
    return fit(f"{prefix}{what}", limit)


def log_group_name(function_name: str) -> str:
    """The log group Lambda writes to; declaring it ourselves sets its retention."""
    return f"/aws/lambda/{function_name}"


def stack_tags(settings: StackSettings) -> dict[str, str]:
    """Tags of per-stack resources: the stack's own tags plus ``eventpipe:stack``."""
    return {**settings.tags, TAG_STACK: settings.stack}


def consumer_tags(
    settings: StackSettings, consumer: str, plugin: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Tags of a pipeline's resources, so cost and ownership reports group by consumer."""
    return {
        **settings.tags,
        **(extra or {}),
        TAG_STACK: settings.stack,
        TAG_CONSUMER: consumer,
        TAG_PLUGIN: plugin,
    }
