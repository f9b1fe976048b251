"""pytest plugin (entry point ``pytest11: eventpipe``): fixtures for consumer tests.

Installed with eventpipe, so any test suite gets them without a ``conftest.py``::

    from eventpipe.testing import eventbridge_event

    def test_created(invoke_consumer):
        result = invoke_consumer(consumer, [eventbridge_event("Order Created", "shop", {...})])
        assert result.outcomes == ["succeeded"]

``invoke_consumer`` runs the real ``eventpipe.runtime.handler`` inside moto (see
:mod:`eventpipe.testing.invoke`). It joins a ``moto.mock_aws()`` your test already runs
(so the handler sees the tables you created), or starts one that lasts until the test ends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from eventpipe.testing.invoke import ConsumerInvoker


@pytest.fixture
def invoke_consumer() -> Iterator[ConsumerInvoker]:
    """A :class:`~eventpipe.testing.invoke.ConsumerInvoker`: ``invoke_consumer(consumer, events)``.

    Returns an :class:`~eventpipe.testing.invoke.InvocationResult` with ``succeeded``,
    ``will_retry`` and ``dead_lettered``. The mock, queues and runtime cache are torn down
    after the test.
    """
    invoker = ConsumerInvoker()
    try:
        yield invoker
    finally:
        invoker.close()
