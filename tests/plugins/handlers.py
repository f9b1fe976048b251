"""Lambda-side handlers the test plugins point at."""

from __future__ import annotations

from typing import Any

NOT_CALLABLE = 42


def noop(event: Any) -> None:
    """Accept everything."""
