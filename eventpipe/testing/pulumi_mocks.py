"""Pulumi mocks that answer like AWS: realistic ARNs, URLs and names.

Used by the project's own Pulumi tests (``tests/components/``), by
:func:`eventpipe.testing.run_resources`, and offered to plugin authors for their own
Pulumi tests (``pulumi.runtime.set_mocks(AwsMocks(), ...)``). Every registered resource is
recorded with its resolved inputs, so tests can check wiring (the target's ``arn`` is
the queue's ARN) on exactly what the engine would send to AWS.

The answers (physical names, ARNs in each service's format, provider functions such as
the caller identity, the region and the Powertools SSM parameter) come from
:mod:`eventpipe.provider_answers`, which the local engine's mocks answer from too. The
class has the two methods of ``pulumi.runtime.Mocks`` without subclassing it, so
importing this module does not import Pulumi.

A big program under these mocks runs faster inside :func:`lean_mock_run`
(:mod:`eventpipe.mock_run`, which the local engine's deploy uses too): no stack trace per
resource, no garbage-collector passes meanwhile; the same resources and inputs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eventpipe.mock_run import lean_mock_run
from eventpipe.provider_answers import MOCK_LAYER_VERSION, ProviderAnswers, resource_outputs
from eventpipe.testing.factories import DEFAULT_ACCOUNT, DEFAULT_REGION

__all__ = [
    "MOCK_LAYER_VERSION",
    "STACK_REFERENCE",
    "AwsMocks",
    "MockResource",
    "lean_mock_run",
    "policy",
]

STACK_REFERENCE = "pulumi:pulumi:StackReference"
"""The type token Pulumi registers a ``pulumi.StackReference`` under."""


@dataclass
class MockResource:
    """One resource the program declared, as the mock engine saw it."""

    typ: str
    """Type token, e.g. ``aws:dynamodb/table:Table``."""
    name: str
    """Logical name (``ctx.resource_name(...)``)."""
    inputs: dict[str, Any]
    """Resolved inputs, with Pulumi's wire names (``billingMode``, ``hashKey``)."""
    outputs: dict[str, Any]
    """What the mock answered: the inputs plus ``name``, ``arn`` (and ``url`` etc.)."""
    id: str = field(default="")


class AwsMocks:
    """Pulumi mocks answering like AWS; records every resource in ``self.resources``.

    ``ignore_types`` are registered but not recorded (``run_resources`` hides its
    stand-in parent component this way). ``stack_outputs`` answers
    ``pulumi.StackReference``: referenced stack name -> its outputs (a stack not listed
    has none).
    """

    def __init__(
        self,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        *,
        ignore_types: Iterable[str] = (),
        stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.region = region
        self.account = account
        self.ignore_types = frozenset(ignore_types)
        self.resources: list[MockResource] = []
        self.calls: list[str] = []
        self.answers = ProviderAnswers(region, account)
        self.stack_outputs = dict(stack_outputs or {})

    @property
    def parameters_asked(self) -> list[str]:
        """Names of the SSM parameters the program looked up (``aws.ssm.get_parameter``)."""
        return self.answers.parameters_asked

    @property
    def missing_parameters(self) -> set[str]:
        """SSM parameter names to answer ParameterNotFound for (a release AWS skipped)."""
        return self.answers.missing_parameters

    # -- resources -------------------------------------------------------------------
    def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ in self.ignore_types:
            return f"{args.name}-id", {}
        if args.typ == STACK_REFERENCE:  # another stack's outputs, not an AWS resource
            name = inputs.get("name") or args.name
            outputs = {"name": name, "outputs": dict(self.stack_outputs.get(name, {}))}
            self.resources.append(MockResource(args.typ, args.name, inputs, outputs, name))
            return name, outputs
        resource_id, outputs = resource_outputs(
            args.typ,
            args.name,
            inputs,
            region=self.region,
            account=self.account,
            sequence=len(self.resources),
        )
        self.resources.append(MockResource(args.typ, args.name, inputs, outputs, resource_id))
        return resource_id, outputs

    # -- provider functions ---------------------------------------------------------------
    def call(self, args: Any) -> Any:
        self.calls.append(args.token)
        answer = self.answers.answer(
            args.token, dict(args.args), provider_region=self._provider_region()
        )
        return {} if answer is None else answer

    def parameter(self, name: str) -> Any:
        """The answer to ``aws.ssm.get_parameter(name=name)``
        (:meth:`eventpipe.provider_answers.ProviderAnswers.parameter`)."""
        return self.answers.parameter(name, self._provider_region())

    def _provider_region(self) -> str:
        """The provider's region, which the real Powertools lookup asks: ``aws:region``,
        else the environment's, else the mocks' own."""
        import pulumi

        return (
            pulumi.Config("aws").get("region")
            or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
            or self.region
        )

    # -- queries ----------------------------------------------------------------------
    def of_type(self, typ: str) -> list[MockResource]:
        return [r for r in self.resources if r.typ == typ]

    def one(self, typ: str, logical: str) -> MockResource:
        matches = [r for r in self.resources if r.typ == typ and r.name == logical]
        assert len(matches) == 1, f"expected one {typ} named {logical}, got {len(matches)}"
        return matches[0]

    def named(self, logical_prefix: str) -> list[MockResource]:
        return [r for r in self.resources if r.name.startswith(logical_prefix)]


def policy(recorded: MockResource, key: str = "policy") -> dict[str, Any]:
    """A recorded policy input as a dict (Pulumi sends it as a JSON string)."""
    value = recorded.inputs[key]
    return json.loads(value) if isinstance(value, str) else value
