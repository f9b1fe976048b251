"""A ``resources`` module validation must find without running.

Importing it raises, so a test that validates a reference into it proves the module was
located and parsed, never executed (as a real one would import ``pulumi_aws``).
"""

from __future__ import annotations

from typing import Any

raise RuntimeError("validation ran tests.plugins.unrun_resources; it must only locate it")


def declare(ctx: Any) -> None:
    """A resources hook (never reached: the module raises first)."""


if True:
    from json import dumps as nested_name  # noqa: F401  (a name bound under an `if`)
