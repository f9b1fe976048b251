"""The program run without creating anything: what it declares, with the options the
Pulumi engine would receive (:mod:`eventpipe.local.deploy.plan` compares two runs).

``MockResourceArgs`` carries no resource options, so a monitor of our own records them
from each ``RegisterResourceRequest`` (Pulumi's ``set_mocks(monitor=...)``), the request
the Pulumi engine would get.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor

from eventpipe.local.deploy import provider_calls
from eventpipe.local.deploy.plan import Declared, plain
from eventpipe.local.deploy.program import ProjectFiles, run_program
from eventpipe.local.deploy.records import DeployState
from eventpipe.local.emulator.server import DEFAULT_ACCOUNT
from eventpipe.provider_answers import Answer, ProviderAnswers, resource_outputs


class _DryMocks(pulumi.runtime.Mocks):
    """Answers as AWS would, creates nothing; keeps each custom resource's inputs."""

    def __init__(self, region: str) -> None:
        self.state = DeployState(region=region, account=DEFAULT_ACCOUNT, time_scale=1.0)
        self.answers = ProviderAnswers(region, DEFAULT_ACCOUNT)
        self.inputs: dict[tuple[str, str], dict[str, Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:
            return f"{args.name}-component", {}
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider", dict(args.inputs)
        self.inputs[(args.typ, args.name)] = dict(args.inputs)
        return resource_outputs(
            args.typ,
            args.name,
            dict(args.inputs),
            region=self.state.region,
            account=self.state.account,
            sequence=len(self.inputs),
        )

    def call(self, args: pulumi.runtime.MockCallArgs) -> Answer:  # type: ignore[override]
        answer = provider_calls.answer(self.answers, self.state, args.token, dict(args.args))
        return answer if answer is not None else {}


class _OptionsMonitor(MockMonitor):
    """The mock monitor, keeping ``protect`` and ``retain_on_delete`` of each request."""

    def __init__(self, mocks: _DryMocks) -> None:
        super().__init__(mocks)
        self.options: dict[tuple[str, str], tuple[bool, bool]] = {}

    def RegisterResource(self, request: Any) -> Any:
        self.options[(request.type, request.name)] = (
            bool(request.protect),
            bool(request.retainOnDelete),
        )
        return super().RegisterResource(request)


def declared_resources(files: ProjectFiles) -> dict[str, Declared]:
    """Every custom resource the program declares for ``files``' stack, by plan key."""
    mocks = _DryMocks(files.region)
    monitor = _OptionsMonitor(mocks)
    run_program(files, mocks, {**files.config, "aws:region": files.region}, monitor)
    declared: dict[str, Declared] = {}
    for (typ, name), inputs in mocks.inputs.items():
        protect, retain = monitor.options.get((typ, name), (False, False))
        item = Declared(typ, name, plain(inputs), retain=retain, protect=protect)
        declared[item.key] = item
    return declared
