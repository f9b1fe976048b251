"""Build throwaway plugins around consumer declarations, as an installed plugin would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import eventpipe

HANDLER = "tests.plugins.handlers:noop"


class DeclaringPlugin:
    """A plugin object whose hook returns what ``factory`` builds (run at hook time)."""

    def __init__(self, factory: Callable[[], Any]):
        self.factory = factory

    @eventpipe.hookimpl
    def eventpipe_consumers(self) -> Any:
        return self.factory()


def plugin(*consumers: eventpipe.Consumer) -> DeclaringPlugin:
    return DeclaringPlugin(lambda: list(consumers))


def consumer(name: str = "orders", **fields: Any) -> eventpipe.Consumer:
    fields.setdefault("handler", HANDLER)
    fields.setdefault("pattern", {"source": ["ecommerce.orders"]})
    return eventpipe.Consumer(name=name, **fields)
