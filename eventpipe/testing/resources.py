"""Run a plugin's ``resources`` hook under Pulumi's mock engine and see what it did.

The hook runs inside ``pulumi up``; its tests need the resources it declares (type,
inputs, physical names, ARNs) and what it returns to the function (environment and IAM
statements) as plain values. :func:`run_resources` gives both, through Pulumi's own
``set_mocks``, with the same ``ResourceContext`` the pipeline component passes.

Pulumi is imported only when :func:`run_resources` runs, so ``import eventpipe.testing``
stays cheap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eventpipe.consumer import Consumer, ConsumerResources, ResourceContext
from eventpipe.exceptions import ConfigurationError
from eventpipe.plugin_resources import check_result, load_callable
from eventpipe.testing.factories import DEFAULT_ACCOUNT, DEFAULT_REGION


class ResourcesRejectedError(ConfigurationError, AssertionError):
    """Raised when the hook's result is one ``pulumi up`` rejects (same problems); an
    AssertionError too, so a plugin test reports it as a failed check."""


PARENT_TYPE = "eventpipe:test:ConsumerPipeline"
"""Type of the stand-in pipeline component the hook's resources are parented to."""


@dataclass
class MockResource:
    """One resource the hook declared, as the mock engine saw it."""

    typ: str
    """Type token, e.g. ``aws:dynamodb/table:Table``."""
    name: str
    """Logical name (``ctx.resource_name(...)``)."""
    inputs: dict[str, Any]
    """Resolved inputs, with Pulumi's wire names (``billingMode``, ``hashKey``)."""
    outputs: dict[str, Any]
    """What the mock answered: the inputs plus ``name``, ``arn`` (and ``url`` etc.)."""
    id: str


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


class PluginMocks:
    """Pulumi mocks answering like AWS for the resources plugins declare.

    Physical names follow Pulumi's auto-naming (logical name plus a suffix) unless the
    plugin set ``name``; ARNs follow each service's format, so statements built from
    ``resource.arn`` can be compared with plain strings. It has the two methods of
    ``pulumi.runtime.Mocks`` without subclassing it, so importing this module does not
    import Pulumi; pass it to ``pulumi.runtime.set_mocks`` in your own Pulumi tests too.
    """

    def __init__(self, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> None:
        self.region = region
        self.account = account
        self.resources: list[MockResource] = []
        self.calls: list[str] = []

    def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        suffix = hashlib.sha256(args.name.encode()).hexdigest()[:7]
        name = inputs.get("name") or f"{args.name}-{suffix}"
        if args.typ == PARENT_TYPE:
            return f"{args.name}-id", {}
        resource_id, extra = self._outputs(args.typ, name, inputs)
        outputs = {**inputs, "name": name, **extra}
        self.resources.append(MockResource(args.typ, args.name, inputs, outputs, resource_id))
        return resource_id, outputs

    def _arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:aws:{service}:{region}:{self.account}:{resource}"

    def _outputs(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        service, _, kind = typ.partition(":")[2].partition("/")
        kind = kind.split(":", 1)[0]
        if typ == "aws:sqs/queue:Queue":
            url = f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}"
            return url, {"arn": self._arn("sqs", name), "url": url}
        if typ == "aws:sns/topic:Topic":
            arn = self._arn("sns", name)
            return arn, {"arn": arn}
        if typ in ("aws:s3/bucketV2:BucketV2", "aws:s3/bucket:Bucket"):
            bucket = inputs.get("bucket") or name
            return bucket, {"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}"}
        if typ == "aws:ses/emailIdentity:EmailIdentity":
            email = inputs["email"]
            return email, {"arn": self._arn("ses", f"identity/{email}")}
        if typ == "aws:ses/domainIdentity:DomainIdentity":
            domain = inputs["domain"]
            return domain, {"arn": self._arn("ses", f"identity/{domain}")}
        if typ == "aws:lambda/function:Function":
            return name, {"arn": self._arn("lambda", f"function:{name}")}
        if service == "iam":
            return name, {"arn": self._arn("iam", f"{kind}/{name}", regional=False)}
        if typ == "aws:dynamodb/tableItem:TableItem":
            return f"{inputs.get('tableName')}|{name}", {}
        # dynamodb table, secretsmanager secret, ...: arn:aws:<service>:...:<kind>/<name>
        return name, {"arn": self._arn(service or "mock", f"{kind.lower() or 'resource'}/{name}")}

    def call(self, args: Any) -> dict[str, Any]:
        self.calls.append(args.token)
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account,
                "arn": f"arn:aws:iam::{self.account}:user/test",
                "userId": "AIDATEST",
                "id": self.account,
            }
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        return {}


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
    import pulumi
    from pulumi.runtime import settings as pulumi_settings

    hook = load_callable(plugin, consumer)
    mocks = PluginMocks(region=region)
    resolved: dict[str, Any] = {}
    prefix = f"eventpipe-{stack}-" if name_prefix is None else name_prefix

    @pulumi.runtime.test
    def run() -> Any:
        parent = pulumi.ComponentResource(PARENT_TYPE, consumer.name)
        context = ResourceContext(consumer, stack, prefix, dict(tags or {}), parent)
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
