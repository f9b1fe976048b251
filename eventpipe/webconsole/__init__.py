"""The local console in the browser: ``eventpipe dev`` serves it on 127.0.0.1.

The stack's picture (:mod:`eventpipe.graph`), a live feed of the engine's outcomes, each
event's trace, every consumer's depths, alarms, breaker and mapping, and a DLQ browser
with peek, redrive and purge. Its endpoints call the operate functions the CLI calls
(:mod:`.api`); it is guarded like a Jupyter server (:mod:`.guard`).
"""

from __future__ import annotations

from eventpipe.webconsole.api import ConsoleApi
from eventpipe.webconsole.feed import Feed
from eventpipe.webconsole.guard import NotLoopbackError
from eventpipe.webconsole.server import RunningConsole, start_console

__all__ = ["ConsoleApi", "Feed", "NotLoopbackError", "RunningConsole", "start_console"]
