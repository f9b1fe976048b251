"""Running the project's Pulumi program in-process, under mocks, as often as needed.

The program (``__main__.py``) is the one ``pulumi up`` runs; here Pulumi's own mock
monitor stands in for the engine so no CLI or state backend is needed. Pulumi keeps its
runtime state (settings, root stack, config) in context variables, so each run happens
on a fresh thread (which starts with an empty context) and a fresh event loop: two
deploys in one process (the tests) never see each other's resources.
"""

from __future__ import annotations

import asyncio
import runpy
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventpipe.contract import LOCAL_ORGANIZATION
from eventpipe.exceptions import EventpipeError
from eventpipe.mock_run import lean_mock_run


class LocalDeployError(EventpipeError):
    """Raised when the project's program (or its stack config) fails to run locally."""


@dataclass(frozen=True)
class ProjectFiles:
    """What the local engine reads from a project: its program and a stack's config."""

    directory: Path
    project: str
    stack: str
    config: dict[str, str]
    """Flat ``namespace:key`` -> string, as the Pulumi engine hands config to a program."""
    region: str


def read_project(directory: Path, stack: str, default_region: str = "us-east-1") -> ProjectFiles:
    """Read ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` into the config a program gets,
    through the one reader of Pulumi's files (:func:`eventpipe.pulumi_files.program_config`:
    objects JSON-encoded, keys without a namespace given the project's, as the Pulumi
    engine does, so ``pulumi.Config().get_object`` works unchanged)."""
    from eventpipe import pulumi_files

    try:
        given = pulumi_files.program_config(directory, stack)
    except FileNotFoundError as exc:
        raise LocalDeployError(str(exc)) from None
    except pulumi_files.SecretConfigError as exc:
        raise LocalDeployError(str(exc)) from None
    region = given.config.get(pulumi_files.AWS_REGION_KEY, default_region)
    return ProjectFiles(directory, given.project, stack, dict(given.config), region)


def run_program(
    files: ProjectFiles, mocks: Any, config: dict[str, str], monitor: Any = None
) -> dict[str, Any]:
    """Run ``__main__.py`` of ``files.directory`` under ``mocks``; return its exports.

    ``config`` is the full flat config (``files.config`` plus anything the engine adds);
    ``monitor`` a ``MockMonitor`` of the caller's (one that records resource options).
    Exceptions of the program are re-raised as :class:`LocalDeployError` with its message.
    """
    main = files.directory / "__main__.py"
    if not main.exists():
        raise LocalDeployError(f"no Pulumi program {main}")
    result: dict[str, Any] = {}
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.update(_run_in_fresh_context(files, main, mocks, config, monitor))
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=target, name="eventpipe-local-deploy")
    thread.start()
    thread.join()
    if failure:
        exc = failure[0]
        if isinstance(exc, EventpipeError):
            raise exc
        raise LocalDeployError(
            f"the Pulumi program {main} failed: {type(exc).__name__}: {exc}"
        ) from exc
    return result


def _run_in_fresh_context(
    files: ProjectFiles, main: Path, mocks: Any, config: dict[str, str], monitor: Any = None
) -> dict[str, Any]:
    import pulumi
    from pulumi.runtime import settings
    from pulumi.runtime.stack import run_pulumi_func

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    project_dir = str(files.directory)
    added_path = project_dir not in sys.path
    if added_path:  # the program imports its own packages (components/, ...)
        sys.path.insert(0, project_dir)
    try:
        _own_output_tracking(settings)
        pulumi.runtime.set_all_config(config)
        # The organization tells the program it deploys into the emulator (StackSettings.target).
        pulumi.runtime.set_mocks(
            mocks,
            project=files.project,
            stack=files.stack,
            preview=False,
            organization=LOCAL_ORGANIZATION,
            monitor=monitor,
        )
        root = settings.get_root_resource()

        async def program() -> None:
            runpy.run_path(str(main), run_name="__main__")

        with lean_mock_run():  # skips what only a real engine uses (eventpipe.mock_run)
            loop.run_until_complete(run_pulumi_func(program))

        async def exports() -> dict[str, Any]:
            outputs = getattr(root, "outputs", {}) or {}
            return {k: await pulumi.Output.from_input(v).future() for k, v in outputs.items()}

        return loop.run_until_complete(exports())
    finally:
        if added_path:
            sys.path.remove(project_dir)
        loop.close()
        asyncio.set_event_loop(None)


def _own_output_tracking(settings: Any) -> None:
    """Give this thread's context its own set of pending outputs and its lock.

    ``run_pulumi_func`` waits for every output in ``SETTINGS.outputs`` before it returns.
    ``set_mocks`` sets the monitor, engine and RPC manager of the current context, but not
    that set nor its lock (``pulumi.runtime.mocks.MockSettings``), and a context that never
    set them reads the values Pulumi stored when it was imported, on the main thread. So a
    unit test's ``set_mocks`` there (whose root stack registers outputs that no event loop
    will resolve) would leave futures this deploy then waits for forever. Setting them
    here, as ``pulumi.runtime.settings.Settings`` does for a real run, keeps every deploy
    to its own outputs, whatever ran in the process before.
    """
    settings.SETTINGS.outputs = set()
    settings.SETTINGS.lock = threading.Lock()
