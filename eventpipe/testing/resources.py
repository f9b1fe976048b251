"""Run a plugin's ``resources`` hook under Pulumi's mock engine and see what it did.

The hook runs inside ``pulumi up``; its tests need the resources it declares (type,
inputs, physical names, ARNs) and what it returns to the function (environment and IAM
statements) as plain values. :func:`run_resources` gives both, through Pulumi's own
``set_mocks``, with the same ``ResourceContext`` the pipeline component passes.

Pulumi is imported only when :func:`run_resources` runs, so ``import eventpipe.testing``
stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eventpipe.consumer import Consumer, ConsumerResources, ResourceContext
from eventpipe.exceptions import ConfigurationError
from eventpipe.extras import require
from eventpipe.plugin_resources import check_result, load_callable
from eventpipe.testing.factories import DEFAULT_REGION
from eventpipe.testing.pulumi_mocks import AwsMocks, MockResource


class ResourcesRejectedError(ConfigurationError, AssertionError):
    """Raised when the hook's result is one ``pulumi up`` rejects (same problems); an
    AssertionError too, so a plugin test reports it as a failed check."""


PARENT_TYPE = "eventpipe:test:ConsumerPipeline"
"""Type of the stand-in pipeline component the hook's resources are parented to."""


@dataclass
class ResourcesRun:
    """What a consumer's ``resources`` hook returned and declared, outputs resolved."""

    returned: ConsumerResources
    """The hook's result with every ``Output`` replaced by its value."""
    declared: list[MockResource]
    """Every resource the hook registered, in order."""
    calls: list[str] = field(default_factory=list)
    """Tokens of the provider functions it called (``aws:index/getRegion:getRegion``)."""

    def of_type(self, typ: str) -> list[MockResource]:
        return [r for r in self.declared if r.typ == typ]

    def one(self, typ: str) -> MockResource:
        """The single resource of a type; AssertionError when there are none or several."""
        found = self.of_type(typ)
        if len(found) != 1:
            raise AssertionError(
                f"expected one {typ}, the hook declared {len(found)}: "
                f"{[r.name for r in found] or sorted({r.typ for r in self.declared})}"
            )
        return found[0]


def run_resources(
    consumer: Consumer,
    *,
    stack: str = "dev",
    name_prefix: str | None = None,
    tags: Mapping[str, str] | None = None,
    region: str = DEFAULT_REGION,
    plugin: str = "plugin",
) -> ResourcesRun:
    """Run ``consumer``'s ``resources`` hook under Pulumi mocks; return what it made.

    The hook gets the :class:`~eventpipe.ResourceContext` the pipeline would give it (a
    parent component, ``name_prefix`` default ``eventpipe-<stack>-``), and its result is
    resolved once Pulumi has registered every resource, so assertions see plain values.
    Errors the hook raises (a ConfigurationError for a missing setting) propagate.
    Pulumi's runtime state (root stack, config) is reset before and after, so runs never
    leak into each other or into other Pulumi tests.
    """
    require("deploy", "eventpipe.testing.run_resources (Pulumi mocks)", only=["pulumi"])
    import pulumi
    from pulumi.runtime import settings as pulumi_settings

    hook = load_callable(plugin, consumer)
    mocks = AwsMocks(region=region, ignore_types=[PARENT_TYPE])
    resolved: dict[str, Any] = {}
    prefix = f"eventpipe-{stack}-" if name_prefix is None else name_prefix

    @pulumi.runtime.test
    def run() -> Any:
        parent = pulumi.ComponentResource(PARENT_TYPE, consumer.name)
        context = ResourceContext(
            consumer, stack, prefix, dict(tags or {}), parent, pulumi.ResourceOptions
        )
        try:
            result = check_result(plugin, consumer, hook(context) if hook is not None else None)
        except ConfigurationError as exc:
            raise ResourcesRejectedError(exc.problems) from None
        whole = {
            "environment": result.environment,
            "statements": result.statements,
            "outputs": result.outputs,
        }
        return pulumi.Output.from_input(whole).apply(resolved.update)

    pulumi_settings.ROOT.set(None)
    pulumi.runtime.set_all_config({"aws:region": region})
    pulumi.runtime.set_mocks(mocks, project="eventpipe", stack=stack, preview=False)  # type: ignore[arg-type]
    try:
        run()
    finally:
        pulumi_settings.ROOT.set(None)
        pulumi.runtime.set_all_config({})
    returned = ConsumerResources(
        environment=dict(resolved["environment"]),
        statements=list(resolved["statements"]),
        outputs=dict(resolved["outputs"]),
    )
    return ResourcesRun(returned, list(mocks.resources), list(mocks.calls))
