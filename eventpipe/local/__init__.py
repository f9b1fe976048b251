"""Local mode: the project's Pulumi program deployed into an AWS emulator, end to end.

No AWS account, no Docker, no Pulumi CLI: the program runs in-process under Pulumi mocks
that create every declared resource in moto (embedded) or any endpoint; Lambda functions
run in worker processes fed by emulated SQS event source mappings.

Names are resolved lazily: the worker processes import :mod:`eventpipe.local.functions.worker`
and must not pay for pulumi and boto3 at their cold start.

Needs the ``local`` extra (moto's server, and ``deploy``'s Pulumi): importing any part
of this package without it raises :class:`~eventpipe.extras.MissingExtraError`, which
names the extra.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from eventpipe.extras import require

# Every module below imports moto or Pulumi: name the extra before one of them fails.
require("local", "the local engine (eventpipe.local: eventpipe dev, eventpipe demo)")

_LAZY = {
    "LocalEngine": "eventpipe.local.engine",
    "LocalDeployError": "eventpipe.local.deploy.program",
    "Deployment": "eventpipe.local.deploy.records",
    "Emulator": "eventpipe.local.emulator.server",
    "start_emulator": "eventpipe.local.emulator.server",
    "deploy_program": "eventpipe.local.deploy.deployer",
    "read_project": "eventpipe.local.deploy.program",
    "Tracker": "eventpipe.local.watch.tracker",
    "LogEntry": "eventpipe.local.watch.tracker",
    "message_key": "eventpipe.local.watch.tracker",
}

__all__ = [
    "Deployment",
    "Emulator",
    "LocalDeployError",
    "LocalEngine",
    "LogEntry",
    "Tracker",
    "deploy_program",
    "message_key",
    "read_project",
    "start_emulator",
]

if TYPE_CHECKING:  # pragma: no cover
    from eventpipe.local.deploy.deployer import deploy_program
    from eventpipe.local.deploy.program import LocalDeployError, read_project
    from eventpipe.local.deploy.records import Deployment
    from eventpipe.local.emulator.server import Emulator, start_emulator
    from eventpipe.local.engine import LocalEngine
    from eventpipe.local.watch.tracker import LogEntry, Tracker, message_key


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eventpipe.local' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
