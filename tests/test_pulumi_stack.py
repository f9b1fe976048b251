"""The running Pulumi program's config (:mod:`eventpipe.pulumi_stack`): values through
``pulumi.Config``, unknown keys and misspelt namespaces from its stack file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest


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

    from eventpipe.config import parse_settings
    from eventpipe.pulumi_stack import read_pulumi_config

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
