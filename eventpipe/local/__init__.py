"""Local mode: the project's Pulumi program deployed into an AWS emulator, end to end.

No AWS account, no Docker, no Pulumi CLI: the program runs in-process under Pulumi mocks
that create every declared resource in moto (embedded) or any endpoint; Lambda functions
run in worker processes fed by emulated SQS event source mappings.

Names are resolved lazily: the worker processes import :mod:`eventpipe.local.worker`
and must not pay for pulumi and boto3 at their cold start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_LAZY = {
    "LocalEngine": "eventpipe.local.engine",
    "LocalDeployError": "eventpipe.local.program",
    "Deployment": "eventpipe.local.model",
    "Emulator": "eventpipe.local.emulator",
    "start_emulator": "eventpipe.local.emulator",
    "deploy": "eventpipe.local.stack",
    "read_project": "eventpipe.local.program",
    "Tracker": "eventpipe.local.outcomes",
    "LogEntry": "eventpipe.local.outcomes",
    "message_key": "eventpipe.local.outcomes",
}

__all__ = [
    "Deployment",
    "Emulator",
    "LocalDeployError",
    "LocalEngine",
    "LogEntry",
    "Tracker",
    "deploy",
    "message_key",
    "read_project",
    "start_emulator",
]

if TYPE_CHECKING:  # pragma: no cover
    from eventpipe.local.emulator import Emulator, start_emulator
    from eventpipe.local.engine import LocalEngine
    from eventpipe.local.model import Deployment
    from eventpipe.local.outcomes import LogEntry, Tracker, message_key
    from eventpipe.local.program import LocalDeployError, read_project
    from eventpipe.local.stack import deploy


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eventpipe.local' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
