"""Reading Pulumi's project and stack files: syntax errors located, misspelt namespaces
warned."""

from __future__ import annotations

import warnings
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
