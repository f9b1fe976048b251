"""The Pulumi mocks of the local engine: each declared resource is created for real.

Pulumi's mock monitor calls :meth:`EmulatorMocks.new_resource` for every resource the
program registers, with its resolved inputs; the returned id and outputs flow back into
the program. Returning the emulator's own ARNs and URLs means the program's wiring (rule
target = queue ARN, redrive to the DLQ ARN, environment = queue URL) is exercised, not
faked. A resource the engine does not create, and every provider function, is answered
as the unit tests' ``AwsMocks`` answers it (:mod:`eventpipe.provider_answers`).
"""

from __future__ import annotations

import pulumi

from eventpipe.local.deploy import provider_calls
from eventpipe.local.deploy.materializers import REGISTRY, Context
from eventpipe.local.deploy.records import Created, DeployState
from eventpipe.local.emulator.server import Emulator
from eventpipe.provider_answers import Answer, ProviderAnswers, resource_outputs


class EmulatorMocks(pulumi.runtime.Mocks):
    """Materialize resources into ``emulator``; record everything in ``state``."""

    def __init__(self, emulator: Emulator, state: DeployState, *, redeploy: bool = False):
        self.redeploy = redeploy
        """A second deploy into the same emulator (``eventpipe dev`` after a change)."""
        self.context = Context(emulator, state, redeploy)
        self.state = state
        self.errors: list[str] = []
        self.answers = ProviderAnswers(state.region, state.account)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:  # component resources: nothing to create
            return f"{args.name}-component", {}
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider", dict(args.inputs)
        make = REGISTRY.get(args.typ)
        if make is None:
            return self._skip(args, "not supported by the local engine")
        try:
            resource_id, outputs = make(self.context, args.name, dict(args.inputs))
        except Exception as exc:  # one resource failing must not hide the others
            if self.redeploy and _already_exists(exc):
                return self._kept(args)
            self.errors.append(f"{args.typ} {args.name}: {type(exc).__name__}: {exc}")
            return self._skip(args, f"failed in the emulator: {exc}")
        status = "registered" if args.typ.startswith("aws:lambda/") else "created"
        self.state.resources.append(Created(args.typ, args.name, resource_id, status))
        return resource_id, {**args.inputs, "id": resource_id, **outputs}

    def _kept(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        """A resource a previous deploy created under the same name: kept as it is, as
        ``pulumi up`` keeps a resource whose inputs did not change. Its identifiers are
        the ones AWS derives from the name (:func:`eventpipe.provider_answers.resource_outputs`);
        a changed setting is not applied to it, which the notice says."""
        return self._answer_only(
            args,
            "kept",
            f"kept {args.typ} {args.name}: it exists from the previous deploy "
            "(changed settings are not applied in place locally)",
        )

    def _skip(self, args: pulumi.runtime.MockResourceArgs, why: str) -> tuple[str, dict]:
        return self._answer_only(args, "skipped", f"skipped {args.typ} {args.name}: {why}")

    def _answer_only(
        self, args: pulumi.runtime.MockResourceArgs, status: str, notice: str
    ) -> tuple[str, dict]:
        """Answer the program with the identifiers AWS derives from the name, create
        nothing in the emulator, and record the resource with ``status`` and ``notice``."""
        self.context.notice(notice)
        resource_id, outputs = resource_outputs(
            args.typ,
            args.name,
            dict(args.inputs),
            region=self.state.region,
            account=self.state.account,
            sequence=len(self.state.resources),
        )
        self.state.resources.append(Created(args.typ, args.name, resource_id, status))
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> Answer:  # type: ignore[override]
        # A dict, or (dict, failures) for a failed invoke (SSM's ParameterNotFound).
        answer = provider_calls.answer(self.answers, self.state, args.token, dict(args.args))
        if answer is None:
            self.context.notice(f"provider function {args.token} answered with no data locally")
            return {}
        return answer


ALREADY_EXISTS = frozenset(
    {
        "ResourceAlreadyExistsException",  # CloudWatch Logs, EventBridge
        "EntityAlreadyExists",  # IAM
        "ResourceInUseException",  # DynamoDB CreateTable on an existing table
        "ResourceConflictException",  # Lambda
        "QueueAlreadyExists",  # SQS, when attributes differ
        "ConflictException",  # Pipes, Scheduler
        "BucketAlreadyOwnedByYou",  # S3 outside us-east-1
    }
)


def _already_exists(exc: Exception) -> bool:
    """Whether the emulator refused a create because the name is taken."""
    response = getattr(exc, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in ALREADY_EXISTS
