"""Skip duplicate deliveries with Powertools idempotency (DynamoDB persistence).

Only consumers declared ``idempotent`` get ``EVENTPIPE_IDEMPOTENCY_TABLE``; this module
(and boto3's DynamoDB client) is imported only then.

Key: the EventBridge event id for rule-fed consumers (EventBridge delivers at least once
and may deliver an event twice, with the same id); for direct queues the message
deduplication id, else the SHA-256 of the body. Records are scoped per consumer with the
Powertools ``key_prefix`` (``eventpipe#<consumer>``), so consumers sharing one table
never see each other's keys.

In-progress records: Powertools writes one before the handler runs and deletes it if the
handler raises, so a retry runs again. If the function is killed mid-record (timeout),
the in-progress record expires with the invocation's remaining time, which is why the
Lambda context is registered on every invocation; a duplicate arriving while the first
delivery still runs raises ``IdempotencyAlreadyInProgressError`` and is retried later.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from eventpipe.runtime.models import RecordInfo


class IdempotencyGuard:
    """Runs a thunk at most once per key within the TTL; reports whether it ran."""

    def __init__(self, table: str, ttl: int, consumer: str) -> None:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        self.config = IdempotencyConfig(expires_after_seconds=ttl)
        self.persistence = DynamoDBPersistenceLayer(table_name=table, key_attr="id")

        def run_once(key: dict[str, str], thunk: Callable[[], Any]) -> None:
            thunk()

        self._run = idempotent_function(
            run_once,
            data_keyword_argument="key",
            persistence_store=self.persistence,
            config=self.config,
            key_prefix=f"eventpipe#{consumer}",
        )

    def register_context(self, context: Any) -> None:
        """Let Powertools bound in-progress records by the invocation's remaining time."""
        if context is not None and hasattr(context, "get_remaining_time_in_millis"):
            self.config.register_lambda_context(context)

    def run(self, key: str, thunk: Callable[[], Any]) -> bool:
        """Run ``thunk`` unless ``key`` was already processed; True when it ran."""
        ran = False

        def call() -> None:
            nonlocal ran
            ran = True
            thunk()

        self._run(key={"key": key}, thunk=call)
        return ran


def idempotency_key(event_id: str | None, info: RecordInfo) -> str:
    """The deduplication key of a record (see the module docstring)."""
    if event_id:
        return event_id
    if info.deduplication_id:
        return info.deduplication_id
    return hashlib.sha256(info.body.encode()).hexdigest()
