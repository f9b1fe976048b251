"""The ``eventpipe`` app itself: ``--version``, ``-s`` everywhere, help that reads well."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import typer
from typer.testing import CliRunner

from eventpipe.cli import app
from tests.cli.terminal import TERMINAL_80, plain_lines, too_wide


def _commands() -> Iterator[tuple[list[str], Any]]:
    """Every command of the app with the words that invoke it (``["dlq", "peek"]``).
    (typer vendors click, so commands are typer's click classes: a group has
    ``commands``.)"""

    def walk(words: list[str], command: Any) -> Iterator[tuple[list[str], Any]]:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                yield from walk([*words, name], sub)
        else:
            yield words, command

    yield from walk([], typer.main.get_command(app))


def test_version_prints_the_installed_package_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"eventpipe {version('eventpipe')}"


def test_every_command_that_takes_a_stack_takes_dash_s() -> None:
    with_stack = []
    for words, command in _commands():
        for param in command.params:
            if "--stack" in param.opts:  # `stack`, or `stacks` where it is repeatable
                with_stack.append(" ".join(words))
                assert "-s" in param.opts, f"`eventpipe {' '.join(words)}` lacks -s for --stack"
    assert {"consumers", "status", "dev", "publish", "dlq peek"} <= set(with_stack)


def test_dash_s_picks_the_stack(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\nruntime: python\n")
    result = CliRunner().invoke(app, ["consumers", "-s", "qa"])
    assert result.exit_code == 1 and "Pulumi.qa.yaml" in result.stderr


def test_help_shows_flags_as_flags_and_fits_80_columns() -> None:
    """No ``<bool>`` after a flag (typer 0.29 printed one: constraints.txt pins 0.28),
    and every command's help fits an 80-column terminal."""
    runner = CliRunner()
    seen = 0
    for words, _ in [([], None), *_commands()]:
        result = runner.invoke(app, [*words, "--help"], env=TERMINAL_80)
        assert result.exit_code == 0, (words, result.output)
        assert "<bool>" not in result.stdout, f"`eventpipe {' '.join(words)} --help`"
        assert too_wide(result.stdout) == [], words
        seen += 1
    assert seen > 10
    publish = runner.invoke(app, ["publish", "--help"], env=TERMINAL_80).stdout
    [json_line] = [line for line in plain_lines(publish) if "│ --json " in line]
    assert "Machine-readable" in json_line and "<" not in json_line
    # an option that takes a value still says what it takes
    [stack_line] = [line for line in plain_lines(publish) if "│ --stack " in line]
    assert "<str>" in stack_line and "-s" in stack_line


def test_each_command_summary_is_one_line_in_the_command_list() -> None:
    """The command list shows the first paragraph of each command's help; a summary
    broken over two source lines is printed broken mid-sentence (rich keeps the
    newline), so each summary is one line ending in a full stop."""
    for words, command in _commands():
        summary = (command.help or "").strip().split("\n\n")[0]
        assert summary and "\n" not in summary, f"eventpipe {' '.join(words)}: {summary!r}"
        assert summary.endswith("."), f"eventpipe {' '.join(words)}: {summary!r}"
