"""Route with AWS's matching inside the embedded moto server: our matcher, not moto's.

moto's ``EventPattern.matches_event`` answers differently from EventBridge (it misses
fields inside arrays of objects and ``exists`` on empty arrays, and matches unknown
operators as true), so a rule could route an event locally that AWS would not, or the
reverse. This shim makes every rule and archive of the embedded server test events with
:func:`eventpipe.patterns.matches`, which follows the EventBridge user guide ("Content
filtering in event patterns",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html)
and aws/event-ruler. (moto's TestEventPattern answers with an empty body; ``eventpipe
match`` then falls back to the same matcher, so it needs no shim.)

Only the embedded server routes this way (:mod:`.scope`): ``mock_aws`` in the same
process keeps moto's own matcher, and so does ``EventPattern.matches_event`` called
outside a request of the embedded server.

A pattern PutRule would refuse matches nothing here (AWS would not have created the rule).
"""

from __future__ import annotations

from typing import Any

from eventpipe.local.emulator.shims.scope import install


def rule_matching() -> None:
    """Make the embedded server's ``EventPattern.matches_event`` call our matcher."""
    from moto.events.models import EventPattern

    from eventpipe.patterns import InvalidPatternError, compile_pattern, to_json

    def matches_event(self: Any, event: dict[str, Any]) -> bool:
        pattern = self._pattern
        if not pattern:
            return True  # no pattern: moto's schedule rules and archives keep everything
        text = self._raw_pattern or to_json(pattern)
        try:
            return bool(compile_pattern(text)(event))  # compiled once per rule text
        except (InvalidPatternError, ValueError, TypeError):
            return False

    install(EventPattern, "matches_event", matches_event)
