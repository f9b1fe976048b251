"""Finding the stack (outputs file, Pulumi CLI, a running `eventpipe dev`), endpoints,
profiles and credentials: the errors an operator meets before any command runs."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.operate import stack_outputs as outputs_module
from eventpipe.operate.exceptions import MissingOutputsError
from eventpipe.operate.stack_outputs import find_target, from_pulumi, parse_outputs
from eventpipe.stack_output import StackOutputs
from tests.cli.stack import Stack, build_stack

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """An embedded moto server on a free local port."""
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        moto.stop()


@pytest.fixture
def server(moto_server: str) -> tuple[str, StackOutputs[str]]:
    """The stack built fresh in the server. The server shares moto's in-process state,
    which every ``mock_aws`` test resets, so it is reset and rebuilt per test."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"))
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return moto_server, build_stack(session, endpoint_url=moto_server)


def test_structured_value_without_wrapper_is_accepted(stack: Stack) -> None:
    stack.outputs_file.write_text(json.dumps(stack.output.to_json()))
    result = stack.cli("status", "--json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["consumers"]) == 3


def test_outputs_without_eventpipe_key_name_the_deploy_command(stack: Stack) -> None:
    stack.outputs_file.write_text(json.dumps({"somethingElse": 1}))
    result = stack.cli("status", "--stack", "prod")
    assert result.exit_code == 1
    assert "no 'eventpipe' stack output" in result.stderr
    assert "pulumi up --stack prod" in result.stderr
    assert "pulumi stack output --json --stack prod" in result.stderr


def test_missing_outputs_file(aws_env: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--outputs", str(tmp_path / "nope.json")])
    assert result.exit_code == 1
    assert "no outputs file" in result.stderr and "pulumi stack output --json" in result.stderr


def test_without_pulumi_cli_the_error_offers_the_alternatives(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 1
    assert "Pulumi CLI is not on PATH" in result.stderr
    assert "--outputs FILE" in result.stderr and "--local" in result.stderr


def fake_pulumi(
    monkeypatch: pytest.MonkeyPatch, code: int, stdout: str, stderr: str = ""
) -> list[list[str]]:
    calls: list[list[str]] = []
    monkeypatch.setattr(outputs_module.shutil, "which", lambda name: f"/usr/bin/{name}")

    def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(args)
        return subprocess.CompletedProcess(args, code, stdout, stderr)

    monkeypatch.setattr(outputs_module.subprocess, "run", run)
    return calls


def test_reads_outputs_through_the_pulumi_cli(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = fake_pulumi(monkeypatch, 0, json.dumps({"eventpipe": stack.output.to_json()}))
    result = stack.cli("status", "--json", "--stack", "dev", outputs=False)
    assert result.exit_code == 0, result.output
    assert calls == [["pulumi", "stack", "output", "--json", "--stack", "dev"]]


def test_pulumi_failure_names_pulumi_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_pulumi(monkeypatch, 255, "", "error: no stack named 'qa' found")
    with pytest.raises(MissingOutputsError) as info:
        from_pulumi("qa", tmp_path, run=outputs_module.subprocess.run)
    assert "no stack named 'qa'" in str(info.value) and "pulumi up --stack qa" in str(info.value)


def test_incomplete_output_names_the_missing_key() -> None:
    with pytest.raises(MissingOutputsError, match=r"no consumers\.a\.'dlqArn'"):
        parse_outputs(
            {
                "bus": {"name": "b", "arn": "arn:aws:events:us-east-1:1:event-bus/b"},
                "consumers": {"a": {"queueUrl": "u", "queueArn": "a", "dlqUrl": "d"}},
            },
            origin="x.json",
            stack="dev",
        )


def announce(tmp_path: Path, url: str, output: StackOutputs[str], pid: int) -> Path:
    """An announcement for ``pid`` (:func:`write_announcement` always names this process)."""
    path = tmp_path / ".eventpipe" / "dev-dev.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"endpointUrl": url, "region": "us-east-1", "outputs": output.to_json(), "pid": pid}
        )
    )
    return path


def test_local_uses_the_running_engines_endpoint_and_credentials(
    server: tuple[str, StackOutputs[str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, output = server
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # found from a subdirectory of the project
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)  # the announcement's fake keys are used
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    announce(tmp_path, url, output, os.getpid())

    published = runner.invoke(
        app,
        ["publish", "--local", "-t", "Order Created", "--source", "ecommerce.orders", "--json"],
    )
    assert published.exit_code == 0, published.output
    status = runner.invoke(app, ["status", "--local", "--json"])
    assert status.exit_code == 0, status.output
    rows = {r["consumer"]: r for r in json.loads(status.stdout)["consumers"]}
    assert rows["orders"]["visible"] == 1 and rows["inventory"]["visible"] == 1
    target = find_target("dev", project_dir=tmp_path, local=True)
    assert target.endpoint_url == url and target.local


def test_local_with_a_dead_engine_says_to_start_it(
    aws_env: None, tmp_path: Path, stack: Stack
) -> None:
    missing = runner.invoke(app, ["status", "--local"])
    assert missing.exit_code == 1
    assert "no running `eventpipe dev`" in missing.stderr
    assert "eventpipe dev --stack dev" in missing.stderr

    proc = subprocess.Popen(["true"])
    proc.wait()  # a pid that has exited
    announce(tmp_path, "http://127.0.0.1:1", stack.output, proc.pid)
    stale = runner.invoke(app, ["status", "--local"])
    assert stale.exit_code == 1
    assert f"pid {proc.pid}" in stale.stderr and "no longer running" in stale.stderr


def test_endpoint_url_option_reaches_an_emulator(
    server: tuple[str, StackOutputs[str]], aws_env: None, tmp_path: Path
) -> None:
    url, output = server
    outputs_file = tmp_path / "outputs.json"
    outputs_file.write_text(json.dumps({"eventpipe": output.to_json()}))
    result = runner.invoke(
        app,
        ["dlq", "peek", "mailer", "--json", "--outputs", str(outputs_file), "--endpoint-url", url],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["messages"] == []


def test_no_credentials_explains_how_to_set_them(
    aws_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stack: Stack
) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    # A real endpoint shape, but nothing listens: signing fails before any connection.
    result = stack.cli("status", "--endpoint-url", "http://127.0.0.1:9")
    assert result.exit_code == 1
    assert "no AWS credentials found" in result.stderr
    assert "--profile NAME" in result.stderr and "AWS_PROFILE" in result.stderr


def test_unknown_profile_lists_how_to_find_profiles(stack: Stack) -> None:
    result = stack.cli("status", "--profile", "does-not-exist")
    assert result.exit_code == 1
    assert "does-not-exist" in result.stderr
    assert "aws configure list-profiles" in result.stderr


def test_local_and_outputs_together_are_refused(stack: Stack) -> None:
    result = stack.cli("status", "--local")
    assert result.exit_code == 1 and "either --local or --outputs" in result.stderr
