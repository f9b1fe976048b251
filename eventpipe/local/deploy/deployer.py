"""One local deploy: the program run under :class:`EmulatorMocks` against an emulator."""

from __future__ import annotations

from eventpipe.local.deploy.mocks import EmulatorMocks
from eventpipe.local.deploy.program import LocalDeployError, ProjectFiles, run_program
from eventpipe.local.deploy.records import Deployment, DeployState
from eventpipe.local.emulator.server import DEFAULT_ACCOUNT, Emulator


def account_of(emulator: Emulator) -> str:
    try:
        return str(emulator.client("sts").get_caller_identity()["Account"])
    except Exception:  # an emulator without STS: moto's default account
        return DEFAULT_ACCOUNT


def deploy_program(
    files: ProjectFiles, emulator: Emulator, time_scale: float = 1.0, *, redeploy: bool = False
) -> Deployment:
    """Run the project's program and create what it declares in ``emulator``.

    ``redeploy``: ``emulator`` holds a previous deploy of the stack; what it created
    under the same names is kept (its queues with their messages, its tables with their
    items) rather than refused.

    Raises :class:`LocalDeployError` when the program fails or a resource the pipelines
    need (queue, rule, target...) could not be created; unsupported types are only noted.
    """
    if time_scale <= 0 or time_scale > 1:
        raise LocalDeployError(f"--time-scale must be in (0, 1], got {time_scale}")
    state = DeployState(region=emulator.region, account=account_of(emulator), time_scale=time_scale)
    mocks = EmulatorMocks(emulator, state, redeploy=redeploy)
    config = {**files.config, "aws:region": emulator.region}
    outputs = run_program(files, mocks, config)
    if mocks.errors:
        raise LocalDeployError(
            "the emulator rejected some resources:\n" + "\n".join(f"  - {e}" for e in mocks.errors)
        )
    return Deployment(state=state, outputs=outputs, endpoint_url=emulator.endpoint_url)
