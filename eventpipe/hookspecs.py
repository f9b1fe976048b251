"""The eventpipe plugin hooks.

A plugin is an installed distribution with an entry point in the ``eventpipe`` group
pointing at a module that implements one or more of these hooks with
``@eventpipe.hookimpl``. Every hook is called once per plugin; results from all plugins
are concatenated (pluggy's default), never merged, so one plugin cannot shadow another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from eventpipe.consumer import Consumer, SampleEvent

PROJECT_NAME = "eventpipe"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def eventpipe_consumers() -> list[Consumer]:  # type: ignore[empty-body]
    """Declare the consumers this plugin provides.

    Called once when the Pulumi program (or ``eventpipe consumers``, or the local engine)
    starts. Return a list of :class:`eventpipe.Consumer`; each one becomes a complete
    pipeline: EventBridge rule and target, SQS queue and DLQ, IAM role, log group, Lambda
    function, event source mapping and alarms.

    Keep it cheap and side-effect free: it runs on every ``pulumi preview``. Declare AWS
    resources of your own in a ``resources`` callable on the consumer instead.
    """


@hookspec
def eventpipe_sample_events() -> list[SampleEvent]:  # type: ignore[empty-body]
    """Offer events that exercise this plugin's consumers, with their expected outcome.

    Used by ``eventpipe demo`` and the end-to-end tests: each
    :class:`eventpipe.SampleEvent` is published to the bus (or sent to a direct queue)
    and the run checks that every consumer named in ``expect`` ends with that outcome
    (``succeeded``, ``retried`` then ``succeeded``, or ``dead-lettered``).
    Optional: a plugin without samples is simply not part of the demo.
    """
