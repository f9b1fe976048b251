"""Answers to the provider functions a program calls (``aws.get_region()`` and friends).

Region and account come from the emulator, so ARNs a program builds by hand agree with
the ones the emulator returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from eventpipe import powertools_layer
from eventpipe.local.deploy.records import DeployState

Answer = Callable[[DeployState, dict[str, Any]], dict[str, Any]]


def _region(state: DeployState, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("region") or args.get("name") or state.region
    return {
        "id": region,
        "name": region,
        "region": region,
        "description": f"local emulator ({region})",
        "endpoint": f"ec2.{region}.amazonaws.com",
    }


def _identity(state: DeployState, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": state.account,
        "accountId": state.account,
        "arn": f"arn:aws:iam::{state.account}:user/local",
        "userId": "LOCAL",
    }


def _partition(state: DeployState, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "aws",
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
    }


def _statement(spec: dict[str, Any]) -> dict[str, Any]:
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


def _policy_document(state: DeployState, args: dict[str, Any]) -> dict[str, Any]:
    document = {
        "Version": args.get("version") or "2012-10-17",
        "Statement": [_statement(s) for s in args.get("statements") or []],
    }
    return {
        "id": "local",
        "json": json.dumps(document, indent=2),
        "minifiedJson": json.dumps(document, separators=(",", ":")),
    }


def _layer_version(state: DeployState, args: dict[str, Any]) -> dict[str, Any]:
    name = args.get("layerName", "layer")
    arn = (
        name
        if str(name).startswith("arn:")
        else f"arn:aws:lambda:{state.region}:{state.account}:layer:{name}"
    )
    return {"id": f"{arn}:1", "arn": f"{arn}:1", "layerArn": arn, "version": 1}


def _ssm_parameter(state: DeployState, args: dict[str, Any]) -> dict[str, Any]:
    """AWS's public Powertools parameters answer with a layer ARN in the shape AWS
    publishes (:mod:`eventpipe.powertools_layer`), so the program's lookup by version runs
    locally as on AWS; locally the worker imports the installed Powertools itself."""
    name = str(args.get("name", ""))
    parsed = powertools_layer.parse_parameter(name)
    arch, runtime = (parsed[0], parsed[1]) if parsed else ("arm64", "python3.13")
    value = powertools_layer.layer_arn(state.region, arch, runtime, 1)
    return {
        "id": name,
        "name": name,
        "value": value,
        "insecureValue": value,
        "type": "String",
        "version": 1,
        "arn": f"arn:aws:ssm:{state.region}::parameter{name}",
    }


DEFAULT_BUS = "default"


def _event_bus(state: DeployState, args: dict[str, Any]) -> dict[str, Any]:
    """``aws.cloudwatch.get_event_bus``: the stack's bus when ``createBus: false``.

    On AWS the bus must already exist (another team's, or ``default``). The local
    emulator starts empty, so a missing bus is created there, with a notice, rather than
    failing the deploy: locally there is nobody else to have created it. ``default``
    always exists. Answered from the embedded moto's own state (answers get the deploy
    record, not a client); with ``--endpoint-url`` the bus must exist in that emulator,
    or its rules are rejected by name.
    """
    from moto.events.models import events_backends

    name = str(args.get("name") or DEFAULT_BUS)
    name = name.rsplit("event-bus/", 1)[-1]  # getEventBus also accepts an ARN
    backend = events_backends[state.account][state.region]
    bus = backend.event_buses.get(name)
    if bus is None:
        bus = backend.create_event_bus(name=name)
        state.notices.append(
            f"event bus {name} (createBus: false) did not exist in the emulator: created it"
        )
    return {
        "id": name,
        "name": name,
        "arn": bus.arn,
        "description": getattr(bus, "description", None) or "",
        "kmsKeyIdentifier": getattr(bus, "kms_key_identifier", None) or "",
        "region": state.region,
        "deadLetterConfigs": [],
        "logConfigs": [],
    }


ANSWERS: dict[str, Answer] = {
    "aws:cloudwatch/getEventBus:getEventBus": _event_bus,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getCallerIdentity:getCallerIdentity": _identity,
    "aws:index/getPartition:getPartition": _partition,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:lambda/getLayerVersion:getLayerVersion": _layer_version,
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
}
