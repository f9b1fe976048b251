"""The Lambda entry point every consumer function is configured with.

Handler setting: ``eventpipe.runtime.handler``. It reads the plugin handler and the
consumer's settings from the environment (``eventpipe.contract``), builds everything
once per container, and returns the partial batch response the event source mapping
expects (``ReportBatchItemFailures`` is always on).
"""

from __future__ import annotations

from typing import Any

from eventpipe.runtime.loading import get_runner


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Process an SQS batch with the consumer's handler; return ``batchItemFailures``.

    Raises :class:`~eventpipe.runtime.exceptions.HandlerImportError` when the plugin
    handler cannot be loaded, so the whole batch returns to the queue.
    """
    return get_runner().run(event, context)
