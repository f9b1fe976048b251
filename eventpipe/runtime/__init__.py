"""The eventpipe Lambda runtime: one function per record, no batch loop.

The function's handler is ``eventpipe.runtime.handler``; it calls the plugin handler
named in ``EVENTPIPE_HANDLER`` once per SQS record::

    from eventpipe.runtime import Event, PermanentError, RetryableError

    def process(event: Event[OrderCreated]) -> None:
        if not event.detail.items:
            raise PermanentError("an order without items cannot be fulfilled")
        save(event.detail)                       # raise RetryableError to retry later

This package imports neither pulumi nor pluggy: it ships inside the function.
"""

from __future__ import annotations

from eventpipe.runtime.entrypoint import handler
from eventpipe.runtime.exceptions import PermanentError, RetryableError
from eventpipe.runtime.models import Event, RecordInfo

__all__ = ["Event", "PermanentError", "RecordInfo", "RetryableError", "handler"]
