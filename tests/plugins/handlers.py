"""Lambda-side handlers the test plugins point at."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

NOT_CALLABLE = 42


def noop(event: Any) -> None:
    """Accept everything."""


class Thing(BaseModel):
    id: str


def typed(event: Thing) -> None:
    """Declares a detail model, so a schema is published for it."""
