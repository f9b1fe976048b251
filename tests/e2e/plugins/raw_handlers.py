"""Plain Lambda handlers (no eventpipe runtime) for the engine-mechanics tests.

Each record body is JSON: ``{"id": ..., "fail": bool, "sleep": seconds, "crash": bool}``.
Every handled id is appended to the file named by ``EFFECTS_FILE``, one line per
delivery, so a test can see exactly what ran, in which order, how many times.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any


def _note(line: str) -> None:
    with open(os.environ["EFFECTS_FILE"], "a") as effects:
        effects.write(line + "\n")


def partial(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Reports failed records in batchItemFailures; sleeps or raises on request."""
    failures = []
    for record in event["Records"]:
        body = json.loads(record["body"])
        payload = body.get("detail", body)
        if payload.get("sleep"):
            time.sleep(float(payload["sleep"]))
        if payload.get("crash"):
            raise RuntimeError(f"crash on {payload['id']}")
        if payload.get("fail"):
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        group = record["attributes"].get("MessageGroupId", "")
        _note(
            f"{group}|{payload['id']}|{record['attributes']['ApproximateReceiveCount']}|{os.environ.get('MARKER', '')}"
        )
    return {"batchItemFailures": failures}
