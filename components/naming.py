"""Physical names and tags of everything eventpipe declares.

Names are derived from the stack prefix (``eventpipe-<stack>-`` by default) and the
consumer name, so an operator who knows a consumer finds its queue, function, rule and
alarms in the console without reading stack outputs. AWS limits differ per service; a name
that would exceed its limit (the table in ``eventpipe.names``) is shortened deterministically (a hash suffix keeps two long
names distinct) rather than failing at deploy time.
"""

from __future__ import annotations

from collections.abc import Mapping

from eventpipe.config import StackSettings
from eventpipe.names import (  # noqa: F401 - read through naming (LIMIT_*, TAG_*, queue_name)
    LIMIT_ALARM,
    LIMIT_ARCHIVE,
    LIMIT_DASHBOARD,
    LIMIT_FUNCTION,
    LIMIT_LAYER,
    LIMIT_PIPE,
    LIMIT_QUEUE,
    LIMIT_REGISTRY,
    LIMIT_ROLE,
    LIMIT_RULE,
    LIMIT_TABLE,
    LIMIT_TOPIC,
    TAG_CONSUMER,
    TAG_PLUGIN,
    TAG_STACK,
    fit,
    queue_name,
)


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
