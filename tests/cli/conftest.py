"""Fixtures of the CLI tests: fake AWS credentials and a stack built in moto."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from typer.testing import CliRunner

from eventpipe.aws_clients import fake_credentials_environment
from eventpipe.operate import dlq as dlq_ops
from eventpipe.operate import replay as replay_ops
from tests.cli.stack import Stack, build_stack


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials, a region, no real profile, and a scratch working directory."""
    for key, value in {
        **fake_credentials_environment(),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(dlq_ops, "POLL_SECONDS", 0.0)
    monkeypatch.setattr(replay_ops, "POLL_SECONDS", 0.0)


@pytest.fixture
def stack(aws_env: None, tmp_path: Path) -> Iterator[Stack]:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        stack = Stack(
            output=build_stack(session),
            outputs_file=tmp_path / "outputs.json",
            sqs=session.client("sqs"),
            events=session.client("events"),
            cloudwatch=session.client("cloudwatch"),
            runner=CliRunner(env={"COLUMNS": "200"}),
        )
        stack.save(stack.output)
        yield stack
