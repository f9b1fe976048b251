"""Fixtures of the Pulumi mock tests: fresh runtime state and mocks for every test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventpipe.aws_clients import fake_credentials_environment

FIXTURE_PKG = Path(__file__).resolve().parent / "fixture_pkg"
# The fixture plugin must be importable when test modules are collected.
if str(FIXTURE_PKG) not in sys.path:
    sys.path.append(str(FIXTURE_PKG))


@pytest.fixture(autouse=True)
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in fake_credentials_environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("EVENTPIPE_PLUGINS", raising=False)
    monkeypatch.delenv("EVENTPIPE_DISABLE_PLUGINS", raising=False)


@pytest.fixture
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "build"


@pytest.fixture
def mocks() -> Iterator[object]:
    """Fresh mocks and an empty root stack: Pulumi keeps its runtime state (root resource,
    config) in context variables that would otherwise leak from one test to the next.
    The test runs inside ``lean_mock_run`` (:mod:`eventpipe.mock_run`), as the local
    engine's deploy does."""
    import pulumi
    from pulumi.runtime import settings

    from eventpipe.testing.pulumi_mocks import AwsMocks, lean_mock_run

    settings.ROOT.set(None)
    pulumi.runtime.set_all_config({"aws:region": "us-east-1"})
    aws_mocks = AwsMocks()
    pulumi.runtime.set_mocks(aws_mocks, project="eventpipe", stack="test", preview=False)
    with lean_mock_run():
        yield aws_mocks
    settings.ROOT.set(None)
    pulumi.runtime.set_all_config({})
