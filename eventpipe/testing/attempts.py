"""Earlier failed attempts of FIFO records, stored as the runtime would have counted them.

A FIFO record's last attempt is decided by its own failed attempts, counted in the stack's
table (``eventpipe.runtime.attempts``), not by its receive count; a test that wants a
record on its last attempt stores the earlier ones first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventpipe.runtime.attempts import attempts_key


def seed_attempts(
    ddb: Any, table: str, consumer: str, records: Sequence[dict[str, Any]], count: int
) -> None:
    """Store ``count`` failed attempts of each record, the latest on the receive before its
    current one (so the current receive counts as one more)."""
    for record in records:
        receive = int(record["attributes"].get("ApproximateReceiveCount", "1"))
        ddb.put_item(
            TableName=table,
            Item={
                "id": {"S": attempts_key(consumer, record["messageId"])},
                "attempts": {"N": str(count)},
                "lastReceive": {"N": str(receive - 1)},
            },
        )
