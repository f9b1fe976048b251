"""``eventpipe match``: which consumers' patterns match an event.

Matching is asked of EventBridge itself (TestEventPattern on the target endpoint), so
the answer is AWS's, operator semantics included. An emulator that does not implement
TestEventPattern (moto answers with an empty body) falls back to eventpipe's own
pattern checker and matcher (:mod:`eventpipe.patterns`), and the result says which
engine answered.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventpipe.operate.exceptions import OperateError
from eventpipe.stack_output import StackOutputs

ENGINE_AWS = "TestEventPattern"
ENGINE_LOCAL = "local matcher (endpoint lacks TestEventPattern)"
ENGINE_PLUGINS = "eventpipe's matcher, on the installed plugins' patterns"
UNDEPLOYED_ACCOUNT = "123456789012"
"""The envelope's ``account`` when no stack output says which (``match`` without
``--deployed``): AWS's documentation example account; give ``account`` in the event when
a pattern matches on it."""


def complete_event(event: dict[str, Any], outputs: StackOutputs | None, region: str | None) -> dict:
    """Fill the envelope fields TestEventPattern requires (id, account, time, region,
    resources) when the given event lacks them; source and detail-type must be given.
    Without ``outputs`` (nothing deployed) the account is :data:`UNDEPLOYED_ACCOUNT`."""
    missing = [key for key in ("source", "detail-type") if key not in event]
    if missing:
        raise OperateError(
            f"the event needs {' and '.join(missing)}: give an EventBridge event such as "
            '{"source": "ecommerce.orders", "detail-type": "Order Created", "detail": {...}}'
        )
    full = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "account": outputs.bus.account if outputs is not None else UNDEPLOYED_ACCOUNT,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region or (outputs.region if outputs is not None else None) or "us-east-1",
        "resources": [],
        "detail": {},
    }
    full.update(event)
    return full


@dataclass(frozen=True)
class MatchResult:
    consumer: str
    matched: bool
    engine: str
    pattern: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _local_match(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    from eventpipe.patterns import matches

    return matches(pattern, event)


def match_event(
    events: Any, event: dict[str, Any], patterns: dict[str, dict[str, Any]]
) -> list[MatchResult]:
    """Test ``event`` against each consumer's pattern, in name order."""
    from botocore.exceptions import ClientError

    results = []
    event_json = json.dumps(event)
    for name in sorted(patterns):
        pattern = patterns[name]
        try:
            response = events.test_event_pattern(EventPattern=json.dumps(pattern), Event=event_json)
        except ClientError as exc:
            raise OperateError(
                f"TestEventPattern rejected consumer {name}'s check: {exc}"
            ) from None
        if "Result" in response:
            results.append(MatchResult(name, bool(response["Result"]), ENGINE_AWS, pattern))
        else:
            results.append(MatchResult(name, _local_match(pattern, event), ENGINE_LOCAL, pattern))
    return results


def match_with_plugins(
    event: dict[str, Any], patterns: dict[str, dict[str, Any]]
) -> list[MatchResult]:
    """Test ``event`` against each pattern with eventpipe's matcher (aws/event-ruler's
    semantics, :mod:`eventpipe.patterns`), in name order: no AWS call, no stack needed."""
    return [
        MatchResult(name, _local_match(patterns[name], event), ENGINE_PLUGINS, patterns[name])
        for name in sorted(patterns)
    ]


def patterns_from_plugins(project_dir: Path, stack: str) -> dict[str, dict[str, Any]]:
    """Patterns of the stack's enabled consumers, from the installed plugins."""
    from eventpipe.exceptions import ConfigurationError
    from eventpipe.resolve import resolve_from_file

    try:
        resolved = resolve_from_file(project_dir, stack)
    except (ConfigurationError, FileNotFoundError) as exc:
        raise OperateError(f"cannot read the consumers' patterns: {exc}") from None
    return {
        d.consumer.name: d.consumer.pattern
        for d in resolved.enabled
        if d.consumer.pattern is not None
    }


def patterns_from_rules(events: Any, outputs: StackOutputs) -> dict[str, dict[str, Any]]:
    """Patterns of the deployed rules (what AWS routes with right now)."""
    patterns = {}
    for consumer in outputs.select(None):
        if not consumer.rule_name:
            continue
        rule = events.describe_rule(Name=consumer.rule_name, EventBusName=outputs.bus.name)
        patterns[consumer.name] = json.loads(rule["EventPattern"])
    return patterns
