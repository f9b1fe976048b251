"""Retry delays: exponential backoff with full jitter, by receive count.

``delay = uniform(0, min(max, base * 2 ** (receive_count - 1))) * time_scale``, the
"full jitter" scheme of the AWS Architecture Blog ("Exponential Backoff And Jitter"):
it spreads retries of a failing dependency instead of synchronising them. The result is
bounded by ``max`` and by SQS's 12-hour visibility limit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from eventpipe.runtime.settings import SQS_MAX_VISIBILITY


def new_rng() -> random.Random:
    """The jitter source of a new :class:`Backoff`; tests replace it to seed the jitter."""
    return random.Random()


@dataclass
class Backoff:
    """Computes the visibility timeout of a failed record. ``rng`` is injectable for tests."""

    base: float = 2.0
    maximum: float = 900.0
    scale: float = 1.0
    rng: random.Random = field(default_factory=lambda: new_rng())

    def ceiling(self, receive_count: int) -> float:
        """Upper bound of the delay after the ``receive_count``-th delivery failed."""
        exponent = min(max(receive_count, 1) - 1, 32)  # 2**32 * base is past any cap
        return min(self.maximum, self.base * (2**exponent), SQS_MAX_VISIBILITY)

    def delay(self, receive_count: int) -> int:
        """Seconds to keep the record invisible before its next delivery."""
        seconds = self.rng.uniform(0.0, self.ceiling(receive_count)) * self.scale
        return max(0, min(round(seconds), SQS_MAX_VISIBILITY))
