"""eventpipe: EventBridge -> SQS -> Lambda pipelines built from consumer plugins.

A plugin needs one import::

    import eventpipe

    @eventpipe.hookimpl
    def eventpipe_consumers():
        return [eventpipe.Consumer(name="order-processing", handler="orders.handler:process",
                                   pattern={"source": ["ecommerce.orders"]})]

Names are resolved lazily (PEP 562) because this package is also imported inside every
Lambda function (``eventpipe.runtime``), where pluggy and pulumi are not shipped and cold
start time is billed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "hookimpl": "eventpipe.hookspecs",
    "hookspec": "eventpipe.hookspecs",
    "CircuitBreaker": "eventpipe.consumer",
    "Consumer": "eventpipe.consumer",
    "ConsumerResources": "eventpipe.consumer",
    "ResourceContext": "eventpipe.consumer",
    "SampleEvent": "eventpipe.consumer",
    "ConfigurationError": "eventpipe.exceptions",
}

__all__ = [
    "CircuitBreaker",
    "ConfigurationError",
    "Consumer",
    "ConsumerResources",
    "ResourceContext",
    "SampleEvent",
    "__version__",
    "hookimpl",
    "hookspec",
]

if TYPE_CHECKING:  # pragma: no cover
    from eventpipe.consumer import (
        CircuitBreaker,
        Consumer,
        ConsumerResources,
        ResourceContext,
        SampleEvent,
    )
    from eventpipe.exceptions import ConfigurationError
    from eventpipe.hookspecs import hookimpl, hookspec


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eventpipe' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
