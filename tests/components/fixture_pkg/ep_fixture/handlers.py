"""Handlers of the fixture plugin (never run: the Pulumi tests only import them)."""

from __future__ import annotations

from typing import Any


def process(event: Any) -> None:
    """Accept every event."""


def direct(body: Any) -> None:
    """Accept every message of a directly fed queue."""
