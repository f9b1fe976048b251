"""The shared options: declared once, spelled the same in every command, and the one
walk up to ``Pulumi.yaml``."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import typer.main

from eventpipe.cli import app
from eventpipe.cli.options import StackOptions, nearest_project_dir, project_dir
from eventpipe.cli.reporting import CommandError

STACK_COMMANDS = (
    ("publish",),
    ("match",),
    ("replay",),
    ("status",),
    ("dlq", "peek"),
    ("dlq", "redrive"),
    ("dlq", "purge"),
)


def _command(path: tuple[str, ...]) -> Any:
    """The click command typer builds for ``path`` (typer may bundle its own click, so
    it is reached through the group's ``commands`` rather than click's classes)."""
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


@pytest.mark.parametrize("path", STACK_COMMANDS, ids=" ".join)
def test_every_stack_command_ends_with_the_shared_options_in_one_order(
    path: tuple[str, ...],
) -> None:
    names = [p.name for p in _command(path).params]
    shared = [f.name for f in fields(StackOptions)] + ["as_json"]
    assert names[-len(shared) :] == shared


def test_project_commands_spell_stack_and_project_dir_alike() -> None:
    for name in ("consumers", "dev", "demo", "status"):
        options = {p.name: p for p in _command((name,)).params if p.param_type_name == "option"}
        stack = options.get("stack") or options["stacks"]
        assert stack.opts == ["--stack", "-s"], name
        if name == "status":  # repeatable: stacks sharing one bus; none given means dev
            assert stack.multiple and stack.default is None
            assert StackOptions().stack == "dev"
        else:
            assert stack.default == "dev", name
        project = next(p for p in options.values() if "--project-dir" in p.opts)
        assert project.default is None, name


def test_project_dir_walks_up_to_pulumi_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\n")
    deep = tmp_path / "consumers" / "x"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert nearest_project_dir() == tmp_path.resolve()
    assert project_dir() == tmp_path.resolve()
    assert project_dir(required=True) == tmp_path.resolve()
    assert project_dir(Path("elsewhere")) == Path("elsewhere")


def test_without_pulumi_yaml_only_required_lookups_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert nearest_project_dir() is None
    assert project_dir() == tmp_path.resolve()
    with pytest.raises(CommandError, match="pass --project-dir"):
        project_dir(required=True)
