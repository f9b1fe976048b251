"""Route with AWS's matching inside the embedded moto server: our matcher, not moto's.

moto's ``EventPattern.matches_event`` answers differently from EventBridge (it misses
fields inside arrays of objects and ``exists`` on empty arrays, and matches unknown
operators as true), so a rule could route an event locally that AWS would not, or the
reverse. This shim makes every moto rule and archive test events with
:func:`eventpipe.patterns.matches`, which follows the EventBridge user guide ("Content
filtering in event patterns",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html)
and aws/event-ruler. It also answers TestEventPattern (moto returns an empty body), as
the API reference says: ``{"Result": true|false}``
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html).

A pattern PutRule would refuse matches nothing here (AWS would not have created the rule).
"""

from __future__ import annotations

import json
from typing import Any

_APPLIED = False


def rule_matching() -> None:
    """Make moto's ``EventPattern.matches_event`` call our compiled matcher."""
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

    EventPattern.matches_event = matches_event  # type: ignore[assignment,method-assign]


def test_event_pattern_api() -> None:
    """Answer TestEventPattern with ``{"Result": bool}`` from our matcher."""
    from moto.events.responses import EventsHandler

    from eventpipe.patterns import InvalidPatternError, matches

    def test_event_pattern(self: Any) -> str:
        from moto.events.exceptions import InvalidEventPatternException

        try:
            pattern = json.loads(self._get_param("EventPattern"))
            event = json.loads(self._get_param("Event"))
            return json.dumps({"Result": matches(pattern, event)})
        except (InvalidPatternError, ValueError, TypeError) as exc:
            raise InvalidEventPatternException(reason=str(exc)) from None

    EventsHandler.test_event_pattern = test_event_pattern  # type: ignore[assignment,method-assign]


def apply() -> None:
    """Apply both patches, once per process."""
    global _APPLIED
    if _APPLIED:
        return
    rule_matching()
    test_event_pattern_api()
    _APPLIED = True
