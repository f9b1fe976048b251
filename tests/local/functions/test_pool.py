"""A function's execution environments start on demand: the first with the pool (or, for a
function only invoked asynchronously, with its first invocation), each other one when a
batch wants to run while every started one is busy, never more than the pool's size.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventpipe.local.deploy.records import FunctionSpec
from eventpipe.local.functions.pool import FunctionPool

HANDLER = "import os\n\ndef handler(event, context):\n    return {'pid': os.getpid()}\n"


@pytest.fixture
def spec(tmp_path: Path) -> Iterator[FunctionSpec]:
    (tmp_path / "pool_target_mod.py").write_text(HANDLER)
    sys.path.insert(0, str(tmp_path))
    try:
        yield FunctionSpec("fn", "arn:aws:lambda:us-east-1:1:function:fn",
                           "pool_target_mod.handler", {}, timeout=30, memory=128)  # fmt: skip
    finally:
        sys.path.remove(str(tmp_path))


def _pool(spec: FunctionSpec, tmp_path: Path, size: int) -> FunctionPool:
    return FunctionPool(spec, {"PYTHONPATH": str(tmp_path)}, tmp_path / "logs", size)


def test_the_first_environment_starts_with_the_pool_the_next_on_demand(
    spec: FunctionSpec, tmp_path: Path
) -> None:
    pool = _pool(spec, tmp_path, 2)
    try:
        pool.start()
        assert pool.started == 1
        busy = pool.acquire(timeout=0)
        assert busy is not None
        assert pool.acquire(timeout=0) is None  # no second environment until one is wanted

        assert pool.scale_out() is True
        assert pool.started == 2
        added = pool.acquire(timeout=60)  # joins the idle ones when warm
        assert added is not None and added is not busy
        first = busy.invoke({}, 30).result["pid"]
        second = added.invoke({}, 30).result["pid"]
        assert first != second  # two environments, two processes

        assert pool.scale_out() is False  # the pool's size reached
        assert pool.started == 2
    finally:
        pool.stop()


def test_a_pool_not_started_starts_with_its_first_invocation(
    spec: FunctionSpec, tmp_path: Path
) -> None:
    pool = _pool(spec, tmp_path, 1)
    try:
        assert pool.started == 0
        assert pool.invoke({}).ok
        assert pool.started == 1
        assert pool.invoke({}).ok
        assert pool.started == 1
    finally:
        pool.stop()
