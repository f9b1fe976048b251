"""What AWS would answer a Pulumi program that runs under mocks: provider functions
(``aws.get_region()``, ``aws.get_caller_identity()``, the Powertools SSM parameter...) and
the ids, names and ARNs of resources nobody creates.

Two sets of Pulumi mocks run the program: :class:`eventpipe.testing.AwsMocks` (unit tests,
``run_resources``, plugin authors' tests) and the local engine's
``eventpipe.local.deploy.mocks.EmulatorMocks`` (which creates most resources in moto for
real). Both answer from here, so a program sees the same region, account, policy JSON,
layer ARN and resource ARNs under either; ``tests/test_provider_answers.py`` runs both on
the same calls. What differs by nature stays with each: the local engine answers
``getEventBus`` from the emulator's own buses and returns the emulator's ARNs for what it
creates.

An answer is a dict of the provider function's result (its camelCase wire names), or
``({}, [(property, reason)])``, which Pulumi's mock monitor turns into a failed invoke,
as the provider reports an AWS error (``ParameterNotFound``). Pulumi-free.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from eventpipe import powertools_layer

MOCK_LAYER_VERSION = 99
"""The Powertools layer number answered for any version (AWS's real numbers differ)."""

Answer = dict[str, Any] | tuple[dict[str, Any], list[tuple[str, str]]]

TOKEN_REGION = "aws:index/getRegion:getRegion"
TOKEN_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
TOKEN_PARTITION = "aws:index/getPartition:getPartition"
TOKEN_POLICY_DOCUMENT = "aws:iam/getPolicyDocument:getPolicyDocument"
TOKEN_LAYER_VERSION = "aws:lambda/getLayerVersion:getLayerVersion"
TOKEN_SSM_PARAMETER = "aws:ssm/getParameter:getParameter"
TOKEN_EVENT_BUS = "aws:cloudwatch/getEventBus:getEventBus"


def arn(region: str, account: str, service: str, resource: str, *, regional: bool = True) -> str:
    """``arn:aws:<service>:<region>:<account>:<resource>`` (no region for global services)."""
    return f"arn:aws:{service}:{region if regional else ''}:{account}:{resource}"


def auto_name(logical: str, inputs: Mapping[str, Any]) -> str:
    """The physical name: the program's ``name``, else Pulumi's auto-name shape (logical
    name plus a suffix), stable per logical name so tests can predict it."""
    return str(
        inputs.get("name") or f"{logical}-{hashlib.sha256(logical.encode()).hexdigest()[:7]}"
    )


def event_bus(name: str, bus_arn: str, region: str) -> dict[str, Any]:
    """``aws.cloudwatch.get_event_bus``'s result for a bus that exists."""
    return {
        "id": name,
        "name": name,
        "arn": bus_arn,
        "description": "",
        "kmsKeyIdentifier": "",
        "region": region,
        "deadLetterConfigs": [],
        "logConfigs": [],
    }


def _statement(spec: Mapping[str, Any]) -> dict[str, Any]:
    """One ``getPolicyDocument`` statement block as IAM JSON."""
    statement: dict[str, Any] = {"Effect": spec.get("effect") or "Allow"}
    for key, api in (
        ("sid", "Sid"),
        ("actions", "Action"),
        ("notActions", "NotAction"),
        ("resources", "Resource"),
        ("notResources", "NotResource"),
    ):
        if spec.get(key):
            statement[api] = spec[key]
    for key, api in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        if spec.get(key):
            statement[api] = {p["type"]: p["identifiers"] for p in spec[key]}
    conditions: dict[str, dict[str, Any]] = {}
    for condition in spec.get("conditions") or []:
        conditions.setdefault(condition["test"], {})[condition["variable"]] = condition["values"]
    if conditions:
        statement["Condition"] = conditions
    return statement


@dataclass
class ProviderAnswers:
    """The provider functions' answers for one account and region.

    ``missing_parameters`` are SSM parameter names to answer ``ParameterNotFound`` for (a
    Powertools release AWS skipped); ``parameters_asked`` records each SSM name looked up.
    """

    region: str
    account: str
    missing_parameters: set[str] = field(default_factory=set)
    parameters_asked: list[str] = field(default_factory=list)

    def answer(
        self, token: str, args: Mapping[str, Any], *, provider_region: str | None = None
    ) -> Answer | None:
        """The answer to ``token`` called with ``args``; None for a function not answered
        here. ``provider_region`` is the region the provider itself uses (the Powertools
        lookup asks there), when it differs from :attr:`region`."""
        handlers: dict[str, Callable[[Mapping[str, Any]], Answer]] = {
            TOKEN_REGION: self._region,
            TOKEN_CALLER_IDENTITY: self._identity,
            TOKEN_PARTITION: self._partition,
            TOKEN_POLICY_DOCUMENT: self._policy_document,
            TOKEN_LAYER_VERSION: self._layer_version,
            TOKEN_EVENT_BUS: self._event_bus,
            TOKEN_SSM_PARAMETER: lambda a: self.parameter(
                str(a.get("name", "")), provider_region or self.region
            ),
        }
        handler = handlers.get(token)
        return handler(args) if handler is not None else None

    def _region(self, args: Mapping[str, Any]) -> Answer:
        region = args.get("region") or args.get("name") or self.region
        return {
            "id": region,
            "name": region,
            "region": region,
            "description": f"mocked region ({region})",
            "endpoint": f"ec2.{region}.amazonaws.com",
        }

    def _identity(self, args: Mapping[str, Any]) -> Answer:
        return {
            "id": self.account,
            "accountId": self.account,
            "arn": f"arn:aws:iam::{self.account}:user/eventpipe-mock",
            "userId": "AIDAEVENTPIPEMOCK",
        }

    def _partition(self, args: Mapping[str, Any]) -> Answer:
        return {
            "id": "aws",
            "partition": "aws",
            "dnsSuffix": "amazonaws.com",
            "reverseDnsPrefix": "com.amazonaws",
        }

    def _policy_document(self, args: Mapping[str, Any]) -> Answer:
        document = {
            "Version": args.get("version") or "2012-10-17",
            "Statement": [_statement(s) for s in args.get("statements") or []],
        }
        return {
            "id": "mock",
            "json": json.dumps(document, indent=2),
            "minifiedJson": json.dumps(document, separators=(",", ":")),
        }

    def _layer_version(self, args: Mapping[str, Any]) -> Answer:
        name = str(args.get("layerName", "layer"))
        layer = (
            name
            if name.startswith("arn:")
            else arn(self.region, self.account, "lambda", f"layer:{name}")
        )
        version = f"{layer}:1"
        return {"id": version, "arn": version, "layerArn": layer, "version": 1}

    def _event_bus(self, args: Mapping[str, Any]) -> Answer:
        name = str(args.get("name") or "default").rsplit("event-bus/", 1)[-1]  # or an ARN
        return event_bus(
            name, arn(self.region, self.account, "events", f"event-bus/{name}"), self.region
        )

    def parameter(self, name: str, region: str | None = None) -> Answer:
        """AWS's public Powertools parameters (:mod:`eventpipe.powertools_layer`) exist for
        every version unless listed in :attr:`missing_parameters`, and hold a layer ARN in
        the shape AWS publishes, in ``region``; other parameters do not exist here."""
        self.parameters_asked.append(name)
        parsed = powertools_layer.parse_parameter(name)
        if parsed is None or name in self.missing_parameters:
            # The provider reports SSM's ParameterNotFound as a failed invoke.
            return {}, [("name", f"ParameterNotFound: parameter {name} not found")]
        arch, runtime, _ = parsed
        where = region or self.region
        value = powertools_layer.layer_arn(where, arch, runtime, MOCK_LAYER_VERSION)
        return {
            "id": name,
            "name": name,
            "value": value,
            "insecureValue": value,
            "type": "String",
            "version": 1,
            "arn": arn(where, "", "ssm", f"parameter{name}"),
        }


def resource_outputs(
    typ: str,
    logical: str,
    inputs: Mapping[str, Any],
    *,
    region: str,
    account: str,
    sequence: int = 0,
) -> tuple[str, dict[str, Any]]:
    """The id and the outputs AWS would give a resource of type ``typ`` nobody creates:
    the inputs, its physical :func:`auto_name`, and the ARN (URL, uuid...) in the
    service's format. ``sequence`` numbers resources whose id AWS generates (a mapping's
    UUID)."""
    name = auto_name(logical, inputs)
    resource_id, extra = _identifiers(typ, logical, name, dict(inputs), region, account, sequence)
    return resource_id, {**inputs, "name": name, **extra}


def _identifiers(
    typ: str,
    logical: str,
    name: str,
    inputs: dict[str, Any],
    region: str,
    account: str,
    sequence: int,
) -> tuple[str, dict[str, Any]]:
    def make(service: str, resource: str, *, regional: bool = True) -> str:
        return arn(region, account, service, resource, regional=regional)

    if typ == "aws:sqs/queue:Queue":
        url = f"https://sqs.{region}.amazonaws.com/{account}/{name}"
        return url, {"arn": make("sqs", name), "url": url, "id": url}
    if typ == "aws:cloudwatch/eventBus:EventBus":
        return name, {"arn": make("events", f"event-bus/{name}")}
    if typ == "aws:cloudwatch/eventRule:EventRule":
        bus = inputs.get("eventBusName") or "default"
        path = f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}"
        return f"{bus}/{name}", {"arn": make("events", path)}
    if typ == "aws:cloudwatch/eventArchive:EventArchive":
        return name, {"arn": make("events", f"archive/{name}")}
    if typ == "aws:lambda/function:Function":
        function = make("lambda", f"function:{name}")
        return name, {"arn": function, "qualifiedArn": f"{function}:$LATEST", "version": "$LATEST"}
    if typ == "aws:lambda/layerVersion:LayerVersion":
        layer = make("lambda", f"layer:{inputs['layerName']}")
        return f"{layer}:1", {"arn": f"{layer}:1", "layerArn": layer, "version": "1"}
    if typ == "aws:lambda/eventSourceMapping:EventSourceMapping":
        uuid = f"esm-{sequence}"
        return uuid, {"uuid": uuid, "functionArn": inputs.get("functionName")}
    if typ == "aws:cloudwatch/logGroup:LogGroup":
        return name, {"arn": make("logs", f"log-group:{name}")}
    if typ == "aws:iam/role:Role":
        return name, {"arn": make("iam", f"role/{name}", regional=False), "uniqueId": "AROA1"}
    if typ == "aws:iam/rolePolicy:RolePolicy":
        return f"{inputs.get('role')}:{name}", {}
    if typ == "aws:sns/topic:Topic":
        return make("sns", name), {"arn": make("sns", name)}
    if typ == "aws:pipes/pipe:Pipe":
        # arn:aws:pipes:REGION:ACCOUNT:pipe/NAME (Pipes API reference, CreatePipe)
        return name, {"arn": make("pipes", f"pipe/{name}"), "currentState": "RUNNING"}
    if typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
        return name, {"arn": make("cloudwatch", f"alarm:{name}")}
    if typ == "aws:cloudwatch/dashboard:Dashboard":
        dashboard = inputs["dashboardName"]
        return dashboard, {"dashboardArn": f"arn:aws:cloudwatch::{account}:dashboard/{dashboard}"}
    if typ == "aws:schemas/registry:Registry":
        return name, {"arn": make("schemas", f"registry/{name}")}
    if typ == "aws:schemas/schema:Schema":
        return name, {"arn": make("schemas", f"schema/{inputs['registryName']}/{name}")}
    if typ in ("aws:s3/bucketV2:BucketV2", "aws:s3/bucket:Bucket"):
        bucket = inputs.get("bucket") or name
        return bucket, {"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}"}
    if typ == "aws:ses/emailIdentity:EmailIdentity":
        email = inputs["email"]
        return email, {"arn": make("ses", f"identity/{email}")}
    if typ == "aws:ses/domainIdentity:DomainIdentity":
        domain = inputs["domain"]
        return domain, {"arn": make("ses", f"identity/{domain}")}
    if typ == "aws:dynamodb/tableItem:TableItem":
        return f"{inputs.get('tableName')}|{name}", {}
    if not typ.startswith("aws:"):  # components and other providers
        return f"{logical}-id", {"arn": make("mock", logical)}
    service, _, kind = typ.partition(":")[2].partition("/")
    kind = kind.split(":", 1)[0]
    if service == "iam":
        return name, {"arn": make("iam", f"{kind}/{name}", regional=False)}
    # dynamodb table, secretsmanager secret, ...: arn:aws:<service>:...:<kind>/<name>
    return name, {"arn": make(service or "mock", f"{kind.lower() or 'resource'}/{name}")}
