"""Pulumi mocks that answer like AWS: realistic ARNs, URLs and names.

Every registered resource is recorded with its resolved inputs, so tests can check
wiring (the target's ``arn`` is the queue's ARN, the queue policy's ``aws:SourceArn`` is
the rule's ARN) on exactly what the engine would send to AWS.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import pulumi

from eventpipe import powertools_layer

ACCOUNT = "123456789012"
REGION = "us-east-1"
MOCK_LAYER_VERSION = 99
"""The layer number the mocks answer for any Powertools version (AWS's numbers differ)."""


@dataclass
class Recorded:
    typ: str
    name: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


def _arn(service: str, resource: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


class AwsMocks(pulumi.runtime.Mocks):
    """Branches on the type token; records every resource in ``self.resources``."""

    def __init__(self) -> None:
        self.resources: list[Recorded] = []
        self.calls: list[str] = []
        self.parameters_asked: list[str] = []
        self.missing_parameters: set[str] = set()
        """SSM parameter names to answer ParameterNotFound for (a release AWS skipped)."""

    # -- resources -------------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        inputs = dict(args.inputs)
        name = inputs.get("name") or f"{args.name}-{len(self.resources)}"
        resource_id, extra = self._outputs(args.typ, args.name, name, inputs)
        outputs = {**inputs, "name": name, **extra}
        self.resources.append(Recorded(args.typ, args.name, inputs, outputs))
        return resource_id, outputs

    def _outputs(
        self, typ: str, logical: str, name: str, inputs: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        if typ == "aws:sqs/queue:Queue":
            url = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"
            return url, {"arn": _arn("sqs", name), "url": url, "id": url}
        if typ == "aws:cloudwatch/eventBus:EventBus":
            return name, {"arn": _arn("events", f"event-bus/{name}")}
        if typ == "aws:cloudwatch/eventRule:EventRule":
            bus = inputs.get("eventBusName") or "default"
            path = f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}"
            return f"{bus}/{name}", {"arn": _arn("events", path)}
        if typ == "aws:cloudwatch/eventArchive:EventArchive":
            return name, {"arn": _arn("events", f"archive/{name}")}
        if typ == "aws:lambda/function:Function":
            arn = _arn("lambda", f"function:{name}")
            return name, {"arn": arn, "qualifiedArn": f"{arn}:$LATEST", "version": "$LATEST"}
        if typ == "aws:lambda/layerVersion:LayerVersion":
            layer = _arn("lambda", f"layer:{inputs['layerName']}")
            return f"{layer}:1", {"arn": f"{layer}:1", "layerArn": layer, "version": "1"}
        if typ == "aws:lambda/eventSourceMapping:EventSourceMapping":
            uuid = f"esm-{len(self.resources)}"
            return uuid, {"uuid": uuid, "functionArn": inputs.get("functionName")}
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            return name, {"arn": _arn("logs", f"log-group:{name}")}
        if typ == "aws:iam/role:Role":
            return name, {"arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "uniqueId": "AROA1"}
        if typ == "aws:iam/rolePolicy:RolePolicy":
            return f"{inputs.get('role')}:{name}", {}
        if typ == "aws:dynamodb/table:Table":
            return name, {"arn": _arn("dynamodb", f"table/{name}")}
        if typ == "aws:sns/topic:Topic":
            return _arn("sns", name), {"arn": _arn("sns", name)}
        if typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            return name, {"arn": _arn("cloudwatch", f"alarm:{name}")}
        if typ == "aws:cloudwatch/dashboard:Dashboard":
            dashboard = inputs["dashboardName"]
            return dashboard, {
                "dashboardArn": f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/{dashboard}"
            }
        if typ == "aws:schemas/registry:Registry":
            return name, {"arn": _arn("schemas", f"registry/{name}")}
        if typ == "aws:schemas/schema:Schema":
            return name, {"arn": _arn("schemas", f"schema/{inputs['registryName']}/{name}")}
        if typ in ("aws:s3/bucketV2:BucketV2", "aws:s3/bucket:Bucket"):
            bucket = inputs.get("bucket") or f"{logical}-a1b2c3"
            return bucket, {"bucket": bucket, "arn": f"arn:aws:s3:::{bucket}"}
        return f"{logical}-id", {"arn": _arn("mock", logical)}

    # -- provider functions ---------------------------------------------------------------
    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        self.calls.append(args.token)
        token = args.token
        if token == "aws:index/getRegion:getRegion":
            return {"name": REGION, "id": REGION, "region": REGION}
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:user/test",
                "userId": "AIDA1",
                "id": ACCOUNT,
            }
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        if token == "aws:ssm/getParameter:getParameter":
            return self.parameter(args.args["name"])
        if token == "aws:cloudwatch/getEventBus:getEventBus":
            name = args.args.get("name", "default")
            return {"name": name, "arn": _arn("events", f"event-bus/{name}"), "id": name}
        return {}

    def parameter(self, name: str) -> Any:
        """AWS's public Powertools parameters exist for every version; others do not."""
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
            or REGION
        )  # the provider's region, as the real lookup would use
        value = powertools_layer.layer_arn(region, arch, runtime, MOCK_LAYER_VERSION)
        return {"name": name, "value": value, "type": "String", "id": name, "arn": name}

    # -- queries ----------------------------------------------------------------------
    def of_type(self, typ: str) -> list[Recorded]:
        return [r for r in self.resources if r.typ == typ]

    def one(self, typ: str, logical: str) -> Recorded:
        matches = [r for r in self.resources if r.typ == typ and r.name == logical]
        assert len(matches) == 1, f"expected one {typ} named {logical}, got {len(matches)}"
        return matches[0]

    def named(self, logical_prefix: str) -> list[Recorded]:
        return [r for r in self.resources if r.name.startswith(logical_prefix)]


def policy(recorded: Recorded, key: str = "policy") -> dict[str, Any]:
    value = recorded.inputs[key]
    return json.loads(value) if isinstance(value, str) else value
