"""EventBridge Scheduler schedules of the emulator, run by the engine (time-scaled)."""

from __future__ import annotations

from eventpipe.local.schedules.runner import ScheduleRunner, due_at, parse_expression

__all__ = ["ScheduleRunner", "due_at", "parse_expression"]
