"""Retry delays: full-jitter exponential backoff by receive count, applied to SQS."""

from __future__ import annotations

import random
import time

import pytest
from moto.sqs.models import sqs_backends

from eventpipe import contract
from eventpipe.runtime import backoff as backoff_module
from eventpipe.runtime.backoff import Backoff
from eventpipe.runtime.settings import Settings
from eventpipe.testing import ConsumerInvoker, eventbridge_event


def test_ceiling_doubles_per_receive_and_is_capped() -> None:
    b = Backoff(base=2, maximum=60)
    assert [b.ceiling(n) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]
    assert Backoff(base=2, maximum=10**9).ceiling(10_000) == 43200  # SQS maximum


@pytest.mark.parametrize("receive_count", [1, 2, 5, 12])
def test_delay_is_seeded_full_jitter(receive_count: int) -> None:
    b = Backoff(base=3, maximum=500, rng=random.Random(11))
    ref = random.Random(11)
    cap = min(500, 3 * 2 ** (receive_count - 1))
    expected = [round(ref.uniform(0, cap)) for _ in range(20)]
    got = [b.delay(receive_count) for _ in range(20)]
    assert got == expected
    assert all(0 <= d <= cap for d in got)


def test_time_scale_shrinks_delays() -> None:
    full = Backoff(base=100, maximum=1000, rng=random.Random(5))
    scaled = Backoff(base=100, maximum=1000, scale=0.01, rng=random.Random(5))
    pairs = [(full.delay(4), scaled.delay(4)) for _ in range(10)]
    assert all(s <= 8 for _, s in pairs)
    assert any(f > 100 for f, _ in pairs)


def test_settings_defaults_and_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {contract.ENV_HANDLER: "m:f"}
    s = Settings.from_env(env)
    assert (s.backoff_base, s.backoff_max, s.time_scale) == (2.0, 900.0, 1.0)
    s = Settings.from_env({**env, contract.ENV_BACKOFF_MAX: "999999"})
    assert s.backoff_max == 43200
    with pytest.raises(ValueError, match=contract.ENV_BACKOFF_BASE):
        Settings.from_env({**env, contract.ENV_BACKOFF_BASE: "soon"})


@pytest.mark.parametrize("receive_count", [1, 3, 6])
def test_failed_record_visibility_follows_backoff(
    invoke_consumer: ConsumerInvoker, monkeypatch: pytest.MonkeyPatch, receive_count: int
) -> None:
    monkeypatch.setattr(backoff_module, "new_rng", lambda: random.Random(3))
    expected = round(random.Random(3).uniform(0, min(300, 10 * 2 ** (receive_count - 1))))
    # maxReceiveCount above every receive count here: a failure on the last receive is
    # dead-lettered with its reason instead of retried.
    env = {
        contract.ENV_BACKOFF_BASE: "10",
        contract.ENV_BACKOFF_MAX: "300",
        contract.ENV_MAX_RECEIVE_COUNT: "10",
    }
    event = eventbridge_event("Order Created", "shop", {"orderId": "retry-1"})
    before = time.time() * 1000
    result = invoke_consumer(
        "tests.runtime.handlers:by_order_id", [event], runtime_env=env, receive_count=receive_count
    )
    after = time.time() * 1000
    assert result.outcomes == ["will-retry"]
    queue = sqs_backends["123456789012"]["us-east-1"].queues["test-consumer"]
    [message] = [m for m in queue._messages if m.id == result.message_ids[0]]
    assert before + expected * 1000 <= message.visible_at <= after + expected * 1000


def test_fifo_halted_records_wait_as_long_as_the_failed_one(
    invoke_consumer: ConsumerInvoker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backoff_module, "new_rng", lambda: random.Random(8))
    env = {contract.ENV_BACKOFF_BASE: "100", contract.ENV_BACKOFF_MAX: "100"}
    events = [eventbridge_event("T", "s", {"orderId": i}) for i in ("retry-0", "ok-1", "ok-2")]
    result = invoke_consumer(
        "tests.runtime.handlers:by_order_id", events, fifo=True, group_id="g", runtime_env=env
    )
    assert result.will_retry == result.message_ids
    queue = sqs_backends["123456789012"]["us-east-1"].queues["test-consumer.fifo"]
    visible = {m.id: m.visible_at for m in queue._messages}
    values = [visible[mid] for mid in result.message_ids]
    assert max(values) - min(values) < 1000  # all three come back together
    assert values[0] - time.time() * 1000 > 5_000  # after the backoff, not the queue timeout
