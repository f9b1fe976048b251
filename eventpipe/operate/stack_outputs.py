"""Finding a deployed stack's resources: queue URLs, ARNs, alarm names.

Every operator command starts here. The resources are read from the one structured
stack output (:data:`eventpipe.contract.STACK_OUTPUT`), from one of three places:

* ``--outputs FILE``: a saved ``pulumi stack output --json`` (or just its ``eventpipe``
  value), for machines without the Pulumi CLI and for tests;
* ``--local``: the announcement file a running ``eventpipe dev`` writes, which also
  gives the emulator's endpoint;
* otherwise ``pulumi stack output --json --stack S``, when the Pulumi CLI is installed.

Reading outputs rather than rebuilding names from the stack config means a renamed
prefix, an imported bus or a consumer disabled in one stack never sends a command to the
wrong queue.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventpipe.aws_clients import FAKE_CREDENTIALS
from eventpipe.contract import LOCAL_ANNOUNCEMENT, LOCAL_STATE_DIR
from eventpipe.operate.exceptions import MissingOutputsError
from eventpipe.stack_output import (
    BusOutputs,
    ConsumerOutputs,
    StackOutputError,
    StackOutputs,
)

__all__ = [
    "BusOutputs",
    "ConsumerOutputs",
    "StackOutputs",
    "StackTarget",
    "announcement_path",
    "find_target",
    "from_file",
    "from_local",
    "from_pulumi",
    "parse_outputs",
    "pid_alive",
    "write_announcement",
]


@dataclass(frozen=True)
class StackTarget:
    """Where a command acts: the stack's resources plus how to reach them."""

    outputs: StackOutputs[str]
    origin: str
    """Where the outputs came from, for messages (a file, the Pulumi CLI, eventpipe dev)."""
    endpoint_url: str | None = None
    region: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict)
    """Fixed credentials (only for the local emulator); empty = boto3's usual chain."""

    @property
    def local(self) -> bool:
        return bool(self.credentials)


def parse_outputs(data: Any, *, origin: str, stack: str) -> StackOutputs[str]:
    """Parse either a whole ``pulumi stack output --json`` object (holding the
    ``eventpipe`` key) or the structured value itself."""
    try:
        return StackOutputs.from_json(data, origin=origin, stack=stack)
    except StackOutputError as exc:
        raise MissingOutputsError(str(exc)) from None


def from_file(path: Path, stack: str) -> StackOutputs[str]:
    """Outputs saved with ``pulumi stack output --json --stack S > FILE``."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise MissingOutputsError(
            f"no outputs file {path}: create it with "
            f"`pulumi stack output --json --stack {stack} > {path}`"
        ) from None
    except ValueError as exc:
        raise MissingOutputsError(
            f"{path} is not JSON ({exc}): save it again with "
            f"`pulumi stack output --json --stack {stack} > {path}`"
        ) from None
    return parse_outputs(data, origin=str(path), stack=stack)


Runner = Callable[..., "subprocess.CompletedProcess[str]"]


def from_pulumi(stack: str, project_dir: Path, *, run: Runner | None = None) -> StackOutputs[str]:
    """``pulumi stack output --json --stack S`` run in the project directory."""
    if shutil.which("pulumi") is None:
        raise MissingOutputsError(
            "the Pulumi CLI is not on PATH, so the stack outputs cannot be read. Either "
            "install it (https://www.pulumi.com/docs/install/), or pass --outputs FILE "
            f"(saved with `pulumi stack output --json --stack {stack} > FILE` where Pulumi "
            "runs), or use --local with `eventpipe dev` running"
        )
    proc = (run or subprocess.run)(
        ["pulumi", "stack", "output", "--json", "--stack", stack],
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise MissingOutputsError(
            f"`pulumi stack output --stack {stack}` failed: {proc.stderr.strip()}. "
            f"Create the stack and its outputs with `pulumi up --stack {stack}`"
        )
    try:
        data = json.loads(proc.stdout or "{}")
    except ValueError as exc:
        raise MissingOutputsError(f"pulumi printed something that is not JSON: {exc}") from None
    return parse_outputs(data, origin=f"stack {stack!r}", stack=stack)


def announcement_path(project_dir: Path, stack: str) -> Path:
    """Where a running ``eventpipe dev --stack S`` announces itself."""
    return project_dir / LOCAL_STATE_DIR / LOCAL_ANNOUNCEMENT.format(stack=stack)


def write_announcement(
    project_dir: Path, stack: str, *, endpoint_url: str, region: str, outputs: StackOutputs[str]
) -> Path:
    """Announce a running ``eventpipe dev``: the file :func:`from_local` reads.

    Writer and reader sit together so the file's shape
    (:data:`eventpipe.contract.LOCAL_ANNOUNCEMENT`) is defined in one place.
    """
    path = announcement_path(project_dir, stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "endpointUrl": endpoint_url,
        "region": region,
        "outputs": outputs.to_json(),
        "pid": os.getpid(),
    }
    path.write_text(json.dumps(body, indent=2))
    return path


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 checks without signalling)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def from_local(project_dir: Path, stack: str) -> StackTarget:
    """The running local engine's outputs, endpoint and region."""
    path = announcement_path(project_dir, stack)
    start = f"start it with `eventpipe dev --stack {stack}` in {project_dir}"
    if not path.exists():
        raise MissingOutputsError(
            f"no running `eventpipe dev` for stack {stack!r} ({path} does not exist): {start}"
        )
    try:
        data = json.loads(path.read_text())
        pid = int(data["pid"])
        endpoint = str(data["endpointUrl"])
    except (ValueError, KeyError, TypeError) as exc:
        raise MissingOutputsError(
            f"{path} is unreadable ({exc!r}): restart `eventpipe dev`"
        ) from None
    if not pid_alive(pid):
        raise MissingOutputsError(
            f"`eventpipe dev` for stack {stack!r} is no longer running (pid {pid} in {path} "
            f"has exited): {start}"
        )
    outputs = parse_outputs(data.get("outputs"), origin=str(path), stack=stack)
    return StackTarget(
        outputs=outputs,
        origin=f"eventpipe dev (pid {pid})",
        endpoint_url=endpoint,
        region=data.get("region") or outputs.region,
        credentials=FAKE_CREDENTIALS,
    )


def find_target(
    stack: str,
    *,
    project_dir: Path,
    outputs_file: Path | None = None,
    local: bool = False,
    endpoint_url: str | None = None,
    region: str | None = None,
    run: Runner | None = None,
) -> StackTarget:
    """Resolve where a command acts. Explicit ``endpoint_url``/``region`` win over what
    the outputs or the announcement say."""
    if local and outputs_file is not None:
        raise MissingOutputsError("give either --local or --outputs, not both")
    if local:
        target = from_local(project_dir, stack)
        return StackTarget(
            outputs=target.outputs,
            origin=target.origin,
            endpoint_url=endpoint_url or target.endpoint_url,
            region=region or target.region,
            credentials=target.credentials,
        )
    if outputs_file is not None:
        outputs, origin = from_file(outputs_file, stack), str(outputs_file)
    else:
        outputs, origin = from_pulumi(stack, project_dir, run=run), f"stack {stack!r}"
    return StackTarget(
        outputs=outputs,
        origin=origin,
        endpoint_url=endpoint_url,
        region=region or outputs.region,
    )
