"""The function's configuration, read once per container from its environment.

The deploy side writes these variables (names in :mod:`eventpipe.contract`); reading them
into one frozen object keeps the hot path free of ``os.environ`` parsing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from eventpipe import contract

SQS_MAX_VISIBILITY = 43200
"""ChangeMessageVisibility accepts at most 12 hours."""
DEFAULT_BACKOFF_BASE = 2.0
DEFAULT_BACKOFF_MAX = 900.0

ENV_KEYS = (
    contract.ENV_HANDLER,
    contract.ENV_CONSUMER,
    contract.ENV_FIFO,
    contract.ENV_SOURCE,
    contract.ENV_DLQ_URL,
    contract.ENV_MAX_RECEIVE_COUNT,
    contract.ENV_MAX_ATTEMPTS,
    contract.ENV_ATTEMPTS_TABLE,
    contract.ENV_VISIBILITY_TIMEOUT,
    contract.ENV_BACKOFF_BASE,
    contract.ENV_BACKOFF_MAX,
    contract.ENV_IDEMPOTENCY_TABLE,
    contract.ENV_IDEMPOTENCY_TTL,
    contract.ENV_TIME_SCALE,
)
"""Every variable the runtime reads; their values key the per-container cache."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _number(env: Mapping[str, str], key: str, default: float | None) -> float | None:
    raw = env.get(key)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"environment variable {key}={raw!r} is not a number") from None


@dataclass(frozen=True)
class Settings:
    """Everything the runtime needs to know about its consumer."""

    handler: str
    consumer: str
    fifo: bool
    source: Literal["rule", "queue", "topic"]
    dlq_url: str | None
    max_receive_count: int | None
    visibility_timeout: int | None
    backoff_base: float
    backoff_max: float
    time_scale: float
    idempotency_table: str | None
    idempotency_ttl: int
    max_attempts: int | None = None
    """FIFO: own failed attempts before the runtime dead-letters a record."""
    attempts_table: str | None = None
    """FIFO: the table the own failed attempts are counted in (None: not counted, and
    the receive count decides, as on a standard queue)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and check the environment; raise ``ValueError`` naming the bad variable."""
        env = os.environ if env is None else env
        handler = env.get(contract.ENV_HANDLER, "").strip()
        if not handler:
            raise ValueError(
                f"environment variable {contract.ENV_HANDLER} is not set: it must name the "
                "plugin handler as 'module:function' (the deploy side sets it)"
            )
        source = (env.get(contract.ENV_SOURCE) or "rule").strip().lower()
        if source not in contract.SOURCES:
            raise ValueError(
                f"{contract.ENV_SOURCE}={source!r}: expected one of {', '.join(contract.SOURCES)}"
            )
        base = _number(env, contract.ENV_BACKOFF_BASE, DEFAULT_BACKOFF_BASE) or 0.0
        cap = _number(env, contract.ENV_BACKOFF_MAX, DEFAULT_BACKOFF_MAX) or 0.0
        scale = _number(env, contract.ENV_TIME_SCALE, 1.0) or 0.0
        mrc = _number(env, contract.ENV_MAX_RECEIVE_COUNT, None)
        vis = _number(env, contract.ENV_VISIBILITY_TIMEOUT, None)
        ttl = _number(env, contract.ENV_IDEMPOTENCY_TTL, 3600.0) or 3600.0
        attempts = _number(env, contract.ENV_MAX_ATTEMPTS, None)
        return cls(
            handler=handler,
            consumer=(env.get(contract.ENV_CONSUMER) or handler.split(":", 1)[0]).strip(),
            fifo=_flag(env.get(contract.ENV_FIFO)),
            source=source,  # type: ignore[arg-type]
            dlq_url=(env.get(contract.ENV_DLQ_URL) or "").strip() or None,
            max_receive_count=int(mrc) if mrc is not None else None,
            visibility_timeout=int(vis) if vis is not None else None,
            backoff_base=max(base, 0.0),
            backoff_max=min(max(cap, 0.0), float(SQS_MAX_VISIBILITY)),
            time_scale=max(scale, 0.0),
            idempotency_table=(env.get(contract.ENV_IDEMPOTENCY_TABLE) or "").strip() or None,
            idempotency_ttl=int(ttl),
            max_attempts=int(attempts) if attempts is not None else None,
            attempts_table=(env.get(contract.ENV_ATTEMPTS_TABLE) or "").strip() or None,
        )
