"""The stack-level Lambda functions: the circuit breaker and the dead-letter archiver.

One of each per stack (not per consumer), declared by ``components.breaker`` and
``components.dead_letter_archive``. Ground floor: they import only ``eventpipe.contract``
and boto3 (which the Lambda Python runtime provides), so they ship in a small archive of
their own and run unchanged against the local emulator (boto3 takes the endpoint from
``AWS_ENDPOINT_URL``, as it does everywhere).
"""

from __future__ import annotations

__all__ = ["archiver", "breaker"]
