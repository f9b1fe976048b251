"""Local deploys without pollers: repeatable in one process, clear errors on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventpipe.local import LocalDeployError, deploy_program, read_project, start_emulator
from tests.local.conftest import MINI, copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(
        MINI, tmp_path / "project", {"eventpipe-mini:effectsFile": str(tmp_path / "e")}
    )


def test_the_program_deploys_again_in_the_same_process(project: Path) -> None:
    emulator = start_emulator(region="eu-west-1")
    try:
        files = read_project(project, "dev")
        first = deploy_program(files, emulator)
        emulator.reset()
        second = deploy_program(files, emulator)
        queues = emulator.client("sqs").list_queues()["QueueUrls"]
    finally:
        emulator.stop()
    assert len(first.state.resources) == len(second.state.resources) > 20
    assert first.stack_outputs.consumers.keys() == second.stack_outputs.consumers.keys()
    # The second run re-created the program's queues; it did not add to the first run's.
    assert len(second.state.queues) == len(first.state.queues) >= 7
    assert sorted(queues) == sorted(q.url for q in second.state.queues.values())


def test_missing_stack_file_names_the_file_and_the_fix(project: Path) -> None:
    with pytest.raises(LocalDeployError, match=r"Pulumi\.prod\.yaml.*--stack"):
        read_project(project, "prod")


def test_secret_config_is_refused_with_the_key(project: Path) -> None:
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(stack.read_text() + "  eventpipe-mini:token:\n    secure: AAABAxyz\n")
    with pytest.raises(LocalDeployError, match="eventpipe-mini:token is a Pulumi secret"):
        read_project(project, "dev")


def test_a_failing_program_is_reported_with_its_error(project: Path) -> None:
    (project / "__main__.py").write_text("raise ValueError('broken on purpose')\n")
    emulator = start_emulator()
    try:
        with pytest.raises(LocalDeployError, match="ValueError: broken on purpose"):
            deploy_program(read_project(project, "dev"), emulator)
    finally:
        emulator.stop()


def test_time_scale_out_of_range_is_refused(project: Path) -> None:
    emulator = start_emulator()
    try:
        with pytest.raises(LocalDeployError, match="time-scale"):
            deploy_program(read_project(project, "dev"), emulator, time_scale=2)
    finally:
        emulator.stop()


def test_a_deploy_after_a_unit_tests_set_mocks_in_the_same_process_completes(
    project: Path,
) -> None:
    """A worker of a parallel run takes Pulumi mock tests and local deploys in any order.
    A ``set_mocks`` on the main thread, first in the process, leaves its root stack's
    outputs pending in the set that a thread which never set its own reads (the test
    fails by never returning); the deploy must not wait for them."""
    import pulumi
    from pulumi.runtime import settings

    from eventpipe.testing.pulumi_mocks import AwsMocks

    settings.ROOT.set(None)
    pulumi.runtime.set_mocks(AwsMocks(), project="eventpipe", stack="test", preview=False)
    try:
        emulator = start_emulator()
        try:
            deployment = deploy_program(read_project(project, "dev"), emulator)
        finally:
            emulator.stop()
    finally:
        settings.ROOT.set(None)
        pulumi.runtime.set_all_config({})
    assert len(deployment.state.resources) > 20
