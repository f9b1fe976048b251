"""InvocationResult: one invocation's outcome per record, and the old ``retried`` name."""

from __future__ import annotations

import pytest

from eventpipe.exceptions import EventpipeDeprecationWarning
from eventpipe.testing import DeadLetter, InvocationResult

RECORDS = [{"messageId": m} for m in ("m-ok", "m-again", "m-dead")]
DEAD = DeadLetter("m-dead", "{}", "PermanentError", "bad", "c", 1, "t", {})


def test_outcomes_name_what_happens_next_in_batch_order() -> None:
    result = InvocationResult(
        {"batchItemFailures": [{"itemIdentifier": "m-again"}]},
        RECORDS,
        succeeded=["m-ok"],
        will_retry=["m-again"],
        dead_lettered=[DEAD],
    )
    assert result.outcomes == ["succeeded", "will-retry", "dead-lettered"]
    with pytest.raises(KeyError):
        result.outcome("m-unknown")


def test_the_old_name_retried_still_works_with_a_deprecation_warning() -> None:
    with pytest.warns(EventpipeDeprecationWarning, match="will_retry"):
        result = InvocationResult({}, RECORDS[:2], succeeded=["m-ok"], retried=["m-again"])
    assert result.will_retry == ["m-again"]
    with pytest.warns(DeprecationWarning, match=r"InvocationResult\.will_retry"):
        assert result.retried == ["m-again"]
