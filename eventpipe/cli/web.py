"""The browser console of ``eventpipe dev``: started beside the engine, its address
printed (:mod:`eventpipe.webconsole`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventpipe.aws_clients import FAKE_CREDENTIALS
from eventpipe.graph import topology
from eventpipe.operate.stack_outputs import StackTarget
from eventpipe.webconsole import ConsoleApi, Feed, RunningConsole, start_console


def engine_target(engine: Any) -> StackTarget:
    """What ``--local`` finds for this engine: its outputs, endpoint and fixed credentials."""
    return StackTarget(
        outputs=engine.outputs,
        origin="eventpipe dev",
        endpoint_url=engine.emulator.endpoint_url,
        region=engine.emulator.region,
        credentials=FAKE_CREDENTIALS,
    )


def start_web_console(
    engine: Any, project: Path, stack: str, feed: Feed, *, port: int = 0
) -> RunningConsole:
    """Serve the console for a started engine on 127.0.0.1 (``port`` 0: a free one)."""
    from eventpipe.resolve import resolve_from_file  # a command's own import

    resolved = resolve_from_file(project, stack)
    topo = topology(resolved.settings, [(d.plugin, d.consumer) for d in resolved.enabled])
    return start_console(ConsoleApi(engine_target(engine), topo, feed), port=port)
