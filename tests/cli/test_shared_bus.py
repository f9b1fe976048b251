"""Operator commands across stacks that share one bus: ``--stack`` repeated.

Consumers split over stacks (docs/components.md, "Beyond one bus or one stack"): status
reports every stack; a command on one consumer finds the stack whose outputs hold it.
The outputs come from ``pulumi stack output --json --stack S``, answered here by a
stand-in ``pulumi`` on PATH that prints each stack's saved outputs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path

import pytest

from tests.cli.stack import Stack

STACKS = {"orders-a": ("orders", "inventory"), "orders-b": ("mailer",)}


@pytest.fixture
def split(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """The moto stack's consumers split over two stacks on its bus, each with its outputs."""
    saved = tmp_path / "stacks"
    saved.mkdir()
    for name, consumers in STACKS.items():
        part = dataclasses.replace(
            stack.output, stack=name, consumers={c: stack.consumer(c) for c in consumers}
        )
        (saved / f"{name}.json").write_text(json.dumps({"eventpipe": part.to_json()}))
    tools = tmp_path / "bin"
    tools.mkdir()
    pulumi = tools / "pulumi"
    # `pulumi stack output --json --stack S`: the stack's saved outputs
    pulumi.write_text(f'#!/bin/sh\nexec cat "{saved}/$5.json"\n')
    pulumi.chmod(pulumi.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "Pulumi.yaml").write_text("name: eventpipe\nruntime: python\n")
    return stack


def both() -> list[str]:
    return ["--stack", "orders-a", "--stack", "orders-b"]


def test_status_reports_every_stack(split: Stack) -> None:
    result = split.cli("status", *both(), "--json", outputs=False)
    assert result.exit_code == 0, result.output
    reports = json.loads(result.stdout)["stacks"]
    assert [r["stack"] for r in reports] == ["orders-a", "orders-b"]
    assert [sorted(c["consumer"] for c in r["consumers"]) for r in reports] == [
        ["inventory", "orders"],
        ["mailer"],
    ]
    only = json.loads(split.cli("status", *both(), "-c", "mailer", "--json", outputs=False).stdout)
    assert [r["stack"] for r in only["stacks"]] == ["orders-b"]
    table = split.cli("status", *both(), outputs=False)
    assert table.exit_code == 0
    assert "stack orders-a" in table.stdout and "stack orders-b" in table.stdout


def test_a_consumer_command_finds_the_stack_holding_it(split: Stack) -> None:
    split.dead_letter("mailer", {"to": "x"}, "no such address")
    result = split.cli("dlq", "peek", "mailer", *both(), "--json", outputs=False)
    assert result.exit_code == 0, result.output
    assert "no such address" in result.stdout
    missing = split.cli("dlq", "peek", "billing", *both(), outputs=False)
    assert missing.exit_code == 1
    assert "no stack of orders-a, orders-b has a consumer 'billing'" in missing.output


def test_a_command_on_no_consumer_takes_one_stack(split: Stack) -> None:
    result = split.cli("replay", "--from", "-1h", *both(), outputs=False)
    assert result.exit_code == 1
    assert "pass one --stack" in result.output
