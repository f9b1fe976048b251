"""A handler module that cannot be imported (a missing dependency), for cold-start tests."""

from __future__ import annotations

import eventpipe_missing_dependency_for_tests  # type: ignore[import-not-found]  # noqa: F401


def process(event: object) -> None:  # pragma: no cover - never importable
    return None
