"""Reading Pulumi's project and stack files and a running program's config: syntax errors
located, misspelt namespaces warned, unknown keys found."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.config import (
    StackFileError,
    misspelt_namespace_keys,
    read_stack_file,
)
from eventpipe.exceptions import EventpipeWarning

BROKEN = """config:
  aws:region: us-east-1
  eventpipe:busName: shop-events
  eventpipe:consumers:
    priority-orders: {batchSize: 5
  eventpipe:archive: true
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\nruntime: python\n")
    monkeypatch.setenv("EVENTPIPE_PLUGINS", "orders")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_syntax_error_names_file_line_and_column(project: Path) -> None:
    (project / "Pulumi.dev.yaml").write_text(BROKEN)
    with pytest.raises(StackFileError) as caught:
        read_stack_file(project, "dev")
    message = str(caught.value)
    # PyYAML notices at the ':' of line 6 that the '{' of line 5 was never closed
    assert message.startswith(f"{project / 'Pulumi.dev.yaml'}: line 6, column 20: YAML syntax")
    assert "while parsing a flow mapping, which began at line 5, column 22" in message


def test_cli_reports_a_syntax_error_without_traceback(project: Path) -> None:
    (project / "Pulumi.dev.yaml").write_text("config:\n  eventpipe:busName: [unclosed\n")
    result = CliRunner().invoke(app, ["consumers"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Pulumi.dev.yaml: line 3, column 1: YAML syntax error" in result.stderr
    assert "`eventpipe:key: value`" in result.stderr  # printed as written, no emoji codes


@pytest.mark.parametrize("text", ["- just\n- a list\n", "config: [1, 2]\n"])
def test_a_file_that_is_not_a_config_mapping_says_so(project: Path, text: str) -> None:
    (project / "Pulumi.dev.yaml").write_text(text)
    with pytest.raises(StackFileError, match=r"not a mapping\. Fix"):
        read_stack_file(project, "dev")


def test_local_engine_reads_the_stack_file_the_same_way(project: Path) -> None:
    from eventpipe.local.deploy.program import read_project

    (project / "Pulumi.dev.yaml").write_text(BROKEN)
    with pytest.raises(StackFileError, match="line 6, column 20"):
        read_project(project, "dev")


@pytest.mark.parametrize("namespace", ["eventpip", "event-pipe", "eventpipes", "EventPipe"])
def test_a_misspelt_namespace_is_named_with_the_fix(namespace: str) -> None:
    [message] = misspelt_namespace_keys([f"{namespace}:busName"])
    assert f"'{namespace}:busName'" in message
    assert "Fix: write 'eventpipe:busName'" in message


def test_other_namespaces_are_left_alone() -> None:
    keys = ["aws:region", "eventpipe:busName", "eventbridge:x", "events:y", "pulumi:tags", "plain"]
    assert misspelt_namespace_keys(keys) == []


def test_the_projects_own_namespace_is_not_a_misspelling(project: Path) -> None:
    assert misspelt_namespace_keys(["eventpipes:x"], project="eventpipes") == []
    (project / "Pulumi.yaml").write_text("name: eventpipe-mini\nruntime: python\n")
    (project / "Pulumi.dev.yaml").write_text("config:\n  eventpipe-mini:effectsFile: x\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_stack_file(project, "dev")  # no warning


def test_reading_warns_and_the_cli_prints_the_warning(project: Path) -> None:
    (project / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  eventpip:busName: typo-bus\n"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values, region = read_stack_file(project, "dev")
    assert values == {} and region == "us-east-1"
    assert [w.category for w in caught] == [EventpipeWarning]
    result = CliRunner().invoke(app, ["consumers", "--json"])
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stderr
    assert "'eventpip:busName'" in result.stderr and "write 'eventpipe:busName'" in result.stderr
    assert "warning" not in result.stdout  # the JSON stays clean


@pytest.fixture
def running_program(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Pulumi program of stack ``dev`` under mocks, with no project root from Pulumi."""
    import pulumi
    from pulumi.runtime import settings

    from eventpipe.testing.pulumi_mocks import AwsMocks

    settings.ROOT.set(None)
    pulumi.runtime.set_mocks(AwsMocks(), project="eventpipe", stack="dev", preview=False)
    try:
        yield
    finally:
        settings.ROOT.set(None)
        pulumi.runtime.set_all_config({})


def test_the_pulumi_program_reads_values_from_pulumi_and_keys_from_its_stack_file(
    running_program: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pulumi

    from eventpipe.config import parse_settings, read_pulumi_config

    said: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *a, **k: said.append(message))
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  eventpipe:busName: from-the-file\n  eventpipe:busNmae: typo\n"
        "  event-pipe:archive: false\n"
    )
    # What Pulumi hands the program (here: set as the engine would) is what is read.
    pulumi.runtime.set_all_config(
        {"eventpipe:busName": "shop", "eventpipe:tags": json.dumps({"team": "t"}),
         "aws:region": "eu-west-1"}
    )  # fmt: skip
    values, region = read_pulumi_config(program_dir=tmp_path)
    assert region == "eu-west-1"
    assert values == {"busName": "shop", "tags": {"team": "t"}, "busNmae": None}
    [problem] = parse_settings(values, stack="dev")[1]
    assert problem.field == "eventpipe:busNmae" and "busName" in problem.fix
    [message] = said
    assert "'event-pipe:archive'" in message and "write 'eventpipe:archive'" in message

    (tmp_path / "Pulumi.dev.yaml").unlink()  # no stack file: the values all the same
    assert read_pulumi_config(program_dir=tmp_path)[0] == {"busName": "shop", "tags": {"team": "t"}}
