"""The exit-code rule (docs/operations.md, "Exit codes"): 0 ok; 1 an error eventpipe
reports, as ``error: ...`` on stderr and never a traceback; 2 only typer's usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventpipe.cli import app
from eventpipe.cli.reporting import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CommandApp, CommandError
from eventpipe.operate.exceptions import OperateError
from tests.cli.stack import Stack

runner = CliRunner(env={"COLUMNS": "200"})


def test_the_codes_are_the_documented_ones() -> None:
    assert (EXIT_OK, EXIT_FAILED, EXIT_USAGE) == (0, 1, 2)
    rule = (Path(__file__).parents[2] / "docs" / "operations.md").read_text()
    assert "## Exit codes" in rule
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in rule


def test_an_operate_error_exits_1_with_one_red_line_and_no_traceback(stack: Stack) -> None:
    result = stack.cli("dlq", "peek", "nobody")
    assert result.exit_code == EXIT_FAILED
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: stack 'dev' has no consumer 'nobody'")
    assert "Traceback" not in result.output and result.stdout == ""


def test_a_command_s_own_check_exits_1_the_same_way(stack: Stack) -> None:
    result = stack.cli("publish", "--detail", "{}")
    assert result.exit_code == EXIT_FAILED
    assert result.stderr.startswith("error: --detail needs --detail-type")


def test_a_usage_error_exits_2(stack: Stack) -> None:
    unknown = stack.cli("status", "--no-such-option")
    assert unknown.exit_code == EXIT_USAGE and "No such option" in unknown.stderr
    wrong_type = stack.cli("dlq", "peek", "orders", "--limit", "many")
    assert wrong_type.exit_code == EXIT_USAGE
    assert not wrong_type.stderr.startswith("error:")  # typer's usage text, not eventpipe's


def test_a_project_command_outside_a_project_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in ("consumers", "demo", "dev"):
        result = runner.invoke(app, [command])
        assert result.exit_code == EXIT_FAILED, (command, result.output)
        assert result.stderr.startswith("error: no Pulumi.yaml in"), command


def test_every_command_of_a_command_app_reports_the_one_way() -> None:
    """A command added to any group, sub-apps included, gets the rule without code."""
    demo = CommandApp()
    group = CommandApp()
    demo.add_typer(group, name="group")

    @demo.command("operate")
    def operate() -> None:
        raise OperateError("the stack is gone")

    @group.command("check")
    def check(fail: bool = True) -> None:
        if fail:
            raise CommandError("refused")

    @demo.command("bug")
    def bug() -> None:
        raise RuntimeError("a bug keeps its traceback")

    operated = runner.invoke(demo, ["operate"])
    assert (operated.exit_code, operated.stderr) == (1, "error: the stack is gone\n")
    checked = runner.invoke(demo, ["group", "check"])
    assert (checked.exit_code, checked.stderr) == (1, "error: refused\n")
    assert runner.invoke(demo, ["group", "check", "--no-fail"]).exit_code == 0
    crashed = runner.invoke(demo, ["bug"])
    assert isinstance(crashed.exception, RuntimeError)


def test_markup_in_a_message_is_printed_as_written() -> None:
    demo = CommandApp()

    @demo.command("x")
    def x() -> None:
        raise CommandError("consumer [bold]x[/bold] unknown")

    result = runner.invoke(demo, [])  # a lone command is the app itself
    assert result.stderr == "error: consumer [bold]x[/bold] unknown\n"
