"""AWS's quotas that a stack reaches as it grows, and what a stack says about its account.

One table (:data:`QUOTAS`) of every quota the stack's consumer count can push against:
its AWS name, default, whether a Service Quotas request can raise it, the request's code
and the AWS page that states it. The preview check (:mod:`eventpipe.quota_check`), the
docs' table (docs/components.md, kept equal by a test) and the fixes it prints read it.

Two stack-config keys feed the check:

* ``eventpipe:quotas`` (:class:`QuotaLimits`): the account's values where it raised an
  adjustable quota, e.g. ``{concurrentExecutions: 5000, rulesPerBus: 2000}``;
* ``eventpipe:sharedQuotas`` (:class:`SharedQuotas`): who else draws on the same quotas:
  other eventpipe stacks (``stacks``, read through ``pulumi.StackReference``: each exports
  its own use as ``quotaUsage``) and figures for what no eventpipe stack declares (rules
  another team keeps on a shared bus, the account's other IAM roles...).

Pulumi-free and pluggy-free (the deploy contract): the CLI and the tests read it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

EB_QUOTAS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html"
LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
SERVICE_QUOTAS_CONSOLE = (
    "https://console.aws.amazon.com/servicequotas/home/services/{service}/quotas/{code}"
)


@dataclass(frozen=True)
class Quota:
    """One AWS quota, as its AWS page states it."""

    key: str
    """Its key in ``eventpipe:quotas`` (and in the stack's ``quotaUsage`` export)."""
    name: str
    """AWS's name for it (the Service Quotas console's, where it is listed)."""
    service: str
    scope: str
    """What one allowance covers: a bus, an account in one Region, an account everywhere."""
    default: int
    adjustable: bool
    page: str
    """The AWS page stating the quota."""
    service_code: str | None = None
    """Service Quotas service code (``None``: not requested through Service Quotas)."""
    code: str | None = None
    """Service Quotas quota code."""
    regional_defaults: Mapping[str, int] = field(default_factory=dict)
    """Regions whose default differs from :attr:`default`."""
    kept_free: int = 0
    """Part of the quota the stack may never use (Lambda keeps 100 executions unreserved)."""
    request: str = ""
    """How to raise it, when it is not through Service Quotas."""

    def default_in(self, region: str) -> int:
        return self.regional_defaults.get(region, self.default)

    def how_to_raise(self) -> str:
        """The fix line for a quota request (empty for a fixed quota)."""
        if not self.adjustable:
            return ""
        if self.code and self.service_code:
            link = SERVICE_QUOTAS_CONSOLE.format(service=self.service_code, code=self.code)
            return (
                f"request an increase of {self.service} '{self.name}' (Service Quotas code "
                f"{self.code}: {link}), then declare the granted value as "
                f"`eventpipe:quotas: {{{self.key}: N}}`"
            )
        return f"{self.request}, then declare the granted value as `eventpipe:quotas: {{{self.key}: N}}`"


CONCURRENT_EXECUTIONS = Quota(
    key="concurrentExecutions",
    name="Concurrent executions",
    service="AWS Lambda",
    scope="per account, per Region",
    default=1000,
    adjustable=True,
    page=LAMBDA_QUOTAS,
    service_code="lambda",
    code="L-B99A9384",
    kept_free=100,
)
"""Lambda keeps 100 executions unreserved: "You can reserve concurrency for as many
functions as you like, as long as you leave at least 100 simultaneous executions
unreserved" (PutFunctionConcurrency,
https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html). New
accounts start lower and are raised automatically (gettingstarted-limits.html): declare the
account's figure (``GetAccountSettings`` ``AccountLimit.ConcurrentExecutions``)."""

RULES_PER_BUS = Quota(
    key="rulesPerBus",
    name="Number of rules",
    service="Amazon EventBridge",
    scope="per event bus",
    default=300,
    adjustable=True,
    page=EB_QUOTAS,
    service_code="events",
    code="L-244521F2",
    regional_defaults={"af-south-1": 100, "eu-south-1": 100},
)
WILDCARD_RULES_PER_BUS = Quota(
    key="wildcardRulesPerBus",
    name="Rules containing wildcards",
    service="Amazon EventBridge",
    scope="per event bus",
    default=30,
    adjustable=False,
    page=EB_QUOTAS,
)
""""Maximum number of rules, per event bus per account, that can contain event filters that
include wildcards. This quota cannot be adjusted." Whether ``anything-but`` with
``wildcard`` counts is not stated; it is counted."""
TARGETS_PER_RULE = Quota(
    key="targetsPerRule",
    name="Targets per rule",
    service="Amazon EventBridge",
    scope="per rule",
    default=5,
    adjustable=False,
    page=EB_QUOTAS,
)
EVENT_BUSES = Quota(
    key="eventBuses",
    name="Event buses",
    service="Amazon EventBridge",
    scope="per account, per Region",
    default=100,
    adjustable=True,
    page=EB_QUOTAS,
    request="request an increase of Amazon EventBridge 'Event buses' in the Service Quotas console",
)
PIPES = Quota(
    key="pipes",
    name="Pipes per account",
    service="Amazon EventBridge Pipes",
    scope="per account, per Region",
    default=1000,
    adjustable=True,
    page=EB_QUOTAS,
    request="ask AWS Support for more EventBridge Pipes (the page says: 'If you have "
    "requirements for higher maximum limits, contact support')",
)
SCHEMAS_PER_REGISTRY = Quota(
    key="schemasPerRegistry",
    name="Schemas",
    service="Amazon EventBridge Schema Registry",
    scope="per registry",
    default=100,
    adjustable=True,
    page=EB_QUOTAS,
    service_code="schemas",
    code="L-EE9E5FA9",
)
IAM_ROLES = Quota(
    key="iamRoles",
    name="Roles per account",
    service="AWS Identity and Access Management (IAM)",
    scope="per account, every Region (IAM is global)",
    default=1000,
    adjustable=True,
    page=IAM_QUOTAS,
    service_code="iam",
    code="L-FE177D64",
)
"""IAM is global: the request is made in US East (N. Virginia) ("On the navigation bar,
choose the US East (N. Virginia) Region. Then search for IAM.", reference_iam-quotas.html).
The page's 2023 version gives a maximum of 5,000."""

QUOTAS: dict[str, Quota] = {
    q.key: q
    for q in (
        CONCURRENT_EXECUTIONS,
        RULES_PER_BUS,
        WILDCARD_RULES_PER_BUS,
        TARGETS_PER_RULE,
        EVENT_BUSES,
        PIPES,
        SCHEMAS_PER_REGISTRY,
        IAM_ROLES,
    )
}
"""Every quota the preview check enforces, by key."""

FIXED_SIZE_LIMITS = (
    ("Inline policy size per IAM role", "10,240 characters (whitespace not counted)", IAM_QUOTAS),
    ("Function environment variables", "4 KB, all variables together", LAMBDA_QUOTAS),
    ("Event pattern size", "2,048 characters", EB_QUOTAS),
    (
        "Alarms in one composite alarm rule",
        "100",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html",
    ),
    (
        "Metrics in one metric-math alarm",
        "10",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    ),
)
"""Limits that hold whatever the stack's size because the stack is built not to grow
against them (docs/components.md says how); listed for the docs, not checked here."""


class QuotaLimits(BaseModel):
    """``eventpipe:quotas``: the account's value of each adjustable quota it has raised.

    Unset keys keep AWS's default (the Region's default, for rules per bus)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    concurrent_executions: int | None = Field(default=None, alias="concurrentExecutions", ge=100)
    rules_per_bus: int | None = Field(default=None, alias="rulesPerBus", ge=1)
    event_buses: int | None = Field(default=None, alias="eventBuses", ge=1)
    pipes: int | None = Field(default=None, ge=1)
    schemas_per_registry: int | None = Field(default=None, alias="schemasPerRegistry", ge=1)
    iam_roles: int | None = Field(default=None, alias="iamRoles", ge=1)

    def limit(self, quota: Quota, region: str) -> int:
        """What the account allows: the declared value, else AWS's default there."""
        declared = getattr(self, _field_name(quota.key), None) if quota.adjustable else None
        return declared if declared is not None else quota.default_in(region)


class SharedQuotas(BaseModel):
    """``eventpipe:sharedQuotas``: who else draws on the quotas this stack draws on.

    ``stacks`` are other eventpipe stacks (``org/project/stack``, as
    ``pulumi.StackReference`` names them); their exported ``quotaUsage`` is added to this
    stack's, per bus, Region and account as each quota counts. The figures are use no
    eventpipe stack declares: rules other teams keep on the shared bus, the account's other
    IAM roles, other functions' reserved concurrency, other pipes and buses.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    stacks: list[str] = Field(default_factory=list)
    rules: int = Field(default=0, ge=0)
    """Rules on this stack's bus that no listed eventpipe stack declares."""
    wildcard_rules: int = Field(default=0, ge=0, alias="wildcardRules")
    """Of those, rules whose pattern uses a wildcard."""
    reserved_concurrency: int = Field(default=0, ge=0, alias="reservedConcurrency")
    """Concurrency other functions of the account reserve in this Region."""
    iam_roles: int = Field(default=0, ge=0, alias="iamRoles")
    """IAM roles of the account outside the listed stacks (IAM counts every Region)."""
    pipes: int = Field(default=0, ge=0)
    event_buses: int = Field(default=0, ge=0, alias="eventBuses")


def _field_name(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)
