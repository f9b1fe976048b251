"""One set of Pulumi mocks that answer like AWS: realistic ARNs, URLs and names.

Used by the project's own Pulumi tests (``tests/components/``), by
:func:`eventpipe.testing.run_resources`, and offered to plugin authors for their own
Pulumi tests (``pulumi.runtime.set_mocks(AwsMocks(), ...)``). Every registered resource is
recorded with its resolved inputs, so tests can check wiring (the target's ``arn`` is
the queue's ARN) on exactly what the engine would send to AWS.

Physical names follow Pulumi's auto-naming (logical name plus a suffix) unless the
program set ``name``; ARNs follow each service's format. The class has the two methods
of ``pulumi.runtime.Mocks`` without subclassing it, so importing this module does not
import Pulumi.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eventpipe import powertools_layer
from eventpipe.testing.factories import DEFAULT_ACCOUNT, DEFAULT_REGION

MOCK_LAYER_VERSION = 99
"""The Powertools layer number the mocks answer for any version (AWS's numbers differ)."""


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
    stand-in parent component this way).
    """

    def __init__(
        self,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        *,
        ignore_types: Iterable[str] = (),
    ) -> None:
        self.region = region
        self.account = account
        self.ignore_types = frozenset(ignore_types)
        self.resources: list[MockResource] = []
        self.calls: list[str] = []
        self.parameters_asked: list[str] = []
        """Names of the SSM parameters the program looked up (``aws.ssm.get_parameter``)."""
        self.missing_parameters: set[str] = set()
        """SSM parameter names to answer ParameterNotFound for (a release AWS skipped)."""

    # -- resources -------------------------------------------------------------------
    def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ in self.ignore_types:
            return f"{args.name}-id", {}
        suffix = hashlib.sha256(args.name.encode()).hexdigest()[:7]
        name = inputs.get("name") or f"{args.name}-{suffix}"
        resource_id, extra = self._outputs(args.typ, args.name, name, inputs)
        outputs = {**inputs, "name": name, **extra}
        self.resources.append(MockResource(args.typ, args.name, inputs, outputs, resource_id))
        return resource_id, outputs

    def _arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:aws:{service}:{region}:{self.account}:{resource}"

    def _outputs(
        self, typ: str, logical: str, name: str, inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        arn = self._arn
        if typ == "aws:sqs/queue:Queue":
            url = f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}"
            return url, {"arn": arn("sqs", name), "url": url, "id": url}
        if typ == "aws:cloudwatch/eventBus:EventBus":
            return name, {"arn": arn("events", f"event-bus/{name}")}
        if typ == "aws:cloudwatch/eventRule:EventRule":
            bus = inputs.get("eventBusName") or "default"
            path = f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}"
            return f"{bus}/{name}", {"arn": arn("events", path)}
        if typ == "aws:cloudwatch/eventArchive:EventArchive":
            return name, {"arn": arn("events", f"archive/{name}")}
        if typ == "aws:lambda/function:Function":
            function = arn("lambda", f"function:{name}")
            return name, {
                "arn": function,
                "qualifiedArn": f"{function}:$LATEST",
                "version": "$LATEST",
            }
        if typ == "aws:lambda/layerVersion:LayerVersion":
            layer = arn("lambda", f"layer:{inputs['layerName']}")
            return f"{layer}:1", {"arn": f"{layer}:1", "layerArn": layer, "version": "1"}
        if typ == "aws:lambda/eventSourceMapping:EventSourceMapping":
            uuid = f"esm-{len(self.resources)}"
            return uuid, {"uuid": uuid, "functionArn": inputs.get("functionName")}
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            return name, {"arn": arn("logs", f"log-group:{name}")}
        if typ == "aws:iam/role:Role":
            return name, {"arn": arn("iam", f"role/{name}", regional=False), "uniqueId": "AROA1"}
        if typ == "aws:iam/rolePolicy:RolePolicy":
            return f"{inputs.get('role')}:{name}", {}
        if typ == "aws:sns/topic:Topic":
            return arn("sns", name), {"arn": arn("sns", name)}
        if typ == "aws:pipes/pipe:Pipe":
            # arn:aws:pipes:REGION:ACCOUNT:pipe/NAME (Pipes API reference, CreatePipe)
            return name, {"arn": arn("pipes", f"pipe/{name}"), "currentState": "RUNNING"}
        if typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            return name, {"arn": arn("cloudwatch", f"alarm:{name}")}
        if typ == "aws:cloudwatch/dashboard:Dashboard":
            dashboard = inputs["dashboardName"]
            return dashboard, {
                "dashboardArn": f"arn:aws:cloudwatch::{self.account}:dashboard/{dashboard}"
            }
        if typ == "aws:schemas/registry:Registry":
            return name, {"arn": arn("schemas", f"registry/{name}")}
        if typ == "aws:schemas/schema:Schema":
            return name, {"arn": arn("schemas", f"schema/{inputs['registryName']}/{name}")}
        if typ in ("aws:s3/bucketV2:BucketV2", "aws:s3/bucket:Bucket"):
            bucket = inputs.get("bucket") or name
            return bucket, {"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}"}
        if typ == "aws:ses/emailIdentity:EmailIdentity":
            email = inputs["email"]
            return email, {"arn": arn("ses", f"identity/{email}")}
        if typ == "aws:ses/domainIdentity:DomainIdentity":
            domain = inputs["domain"]
            return domain, {"arn": arn("ses", f"identity/{domain}")}
        if typ == "aws:dynamodb/tableItem:TableItem":
            return f"{inputs.get('tableName')}|{name}", {}
        if not typ.startswith("aws:"):  # components and other providers
            return f"{logical}-id", {"arn": arn("mock", logical)}
        service, _, kind = typ.partition(":")[2].partition("/")
        kind = kind.split(":", 1)[0]
        if service == "iam":
            return name, {"arn": arn("iam", f"{kind}/{name}", regional=False)}
        # dynamodb table, secretsmanager secret, ...: arn:aws:<service>:...:<kind>/<name>
        return name, {"arn": arn(service or "mock", f"{kind.lower() or 'resource'}/{name}")}

    # -- provider functions ---------------------------------------------------------------
    def call(self, args: Any) -> Any:
        self.calls.append(args.token)
        token = args.token
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "id": self.region, "region": self.region}
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account,
                "arn": f"arn:aws:iam::{self.account}:user/test",
                "userId": "AIDATEST",
                "id": self.account,
            }
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        if token == "aws:ssm/getParameter:getParameter":
            return self.parameter(args.args["name"])
        if token == "aws:cloudwatch/getEventBus:getEventBus":
            name = args.args.get("name", "default")
            return {"name": name, "arn": self._arn("events", f"event-bus/{name}"), "id": name}
        return {}

    def parameter(self, name: str) -> Any:
        """AWS's public Powertools parameters (:mod:`eventpipe.powertools_layer`) exist for
        every version, unless listed in ``missing_parameters``; other parameters do not."""
        import pulumi

        self.parameters_asked.append(name)
        parsed = powertools_layer.parse_parameter(name)
        if parsed is None or name in self.missing_parameters:
            # The engine reports a failed lookup as an invoke failure, as the provider
            # does for SSM's ParameterNotFound; the program may catch it.
            return {}, [("name", f"ParameterNotFound: parameter {name} not found")]
        arch, runtime, _ = parsed
        region = (
            pulumi.Config("aws").get("region")
            or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
            or self.region
        )  # the provider's region, which the real lookup asks
        value = powertools_layer.layer_arn(region, arch, runtime, MOCK_LAYER_VERSION)
        return {"name": name, "value": value, "type": "String", "id": name, "arn": name}

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
