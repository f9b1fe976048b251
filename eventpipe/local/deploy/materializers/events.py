"""EventBridge buses, rules, targets and archives."""

from __future__ import annotations

import secrets
from typing import Any

from eventpipe.local.deploy.materializers.base import (
    Context,
    Outputs,
    as_int,
    as_json,
    materializer,
    name_from_arn,
    physical_name,
    tag_list,
)

DEFAULT_BUS = "default"


def _bus(inputs: dict[str, Any]) -> str:
    return name_from_arn(str(inputs.get("eventBusName") or DEFAULT_BUS))


@materializer("aws:cloudwatch/eventBus:EventBus")
def event_bus(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    bus_name = physical_name(name, inputs)
    events = ctx.client("events")
    if bus_name == DEFAULT_BUS:
        arn = events.describe_event_bus(Name=DEFAULT_BUS)["Arn"]
    else:
        kwargs: dict[str, Any] = {"Name": bus_name}
        if tag_list(inputs):
            kwargs["Tags"] = tag_list(inputs)
        if inputs.get("description"):
            kwargs["Description"] = inputs["description"]
        arn = events.create_event_bus(**kwargs)["EventBusArn"]
    return bus_name, {"arn": arn, "name": bus_name}


@materializer("aws:cloudwatch/eventRule:EventRule")
def event_rule(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    rule_name = physical_name(name, inputs)
    bus = _bus(inputs)
    state = inputs.get("state") or ("DISABLED" if inputs.get("isEnabled") is False else "ENABLED")
    kwargs: dict[str, Any] = {"Name": rule_name, "EventBusName": bus, "State": state}
    if inputs.get("eventPattern"):
        kwargs["EventPattern"] = as_json(inputs["eventPattern"])
    if inputs.get("scheduleExpression"):
        kwargs["ScheduleExpression"] = inputs["scheduleExpression"]
        ctx.notice(f"rule {rule_name}: schedules are not fired locally")
    for key, api in (("description", "Description"), ("roleArn", "RoleArn")):
        if inputs.get(key):
            kwargs[api] = inputs[key]
    if tag_list(inputs):
        kwargs["Tags"] = tag_list(inputs)
    arn = ctx.client("events").put_rule(**kwargs)["RuleArn"]
    rule_id = rule_name if bus == DEFAULT_BUS else f"{bus}/{rule_name}"
    return rule_id, {"arn": arn, "name": rule_name, "eventBusName": bus, "state": state}


def _target(inputs: dict[str, Any], target_id: str) -> dict[str, Any]:
    target: dict[str, Any] = {"Id": target_id, "Arn": inputs["arn"]}
    sqs = inputs.get("sqsTarget") or {}
    if sqs.get("messageGroupId"):
        target["SqsParameters"] = {"MessageGroupId": sqs["messageGroupId"]}
    retry = inputs.get("retryPolicy") or {}
    if retry:
        policy = {}
        if retry.get("maximumEventAgeInSeconds") is not None:
            policy["MaximumEventAgeInSeconds"] = as_int(retry["maximumEventAgeInSeconds"])
        if retry.get("maximumRetryAttempts") is not None:
            policy["MaximumRetryAttempts"] = as_int(retry["maximumRetryAttempts"])
        target["RetryPolicy"] = policy
    dead_letter = inputs.get("deadLetterConfig") or {}
    if dead_letter.get("arn"):
        target["DeadLetterConfig"] = {"Arn": dead_letter["arn"]}
    for key, api in (("input", "Input"), ("inputPath", "InputPath"), ("roleArn", "RoleArn")):
        if inputs.get(key):
            target[api] = inputs[key]
    transformer = inputs.get("inputTransformer") or {}
    if transformer:
        target["InputTransformer"] = {
            "InputPathsMap": transformer.get("inputPaths") or {},
            "InputTemplate": transformer.get("inputTemplate", ""),
        }
    return target


@materializer("aws:cloudwatch/eventTarget:EventTarget")
def event_target(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    rule = name_from_arn(str(inputs["rule"]))
    bus = _bus(inputs)
    target_id = str(inputs.get("targetId") or f"{name}-{secrets.token_hex(4)}")
    response = ctx.client("events").put_targets(
        Rule=rule, EventBusName=bus, Targets=[_target(inputs, target_id)]
    )
    if response.get("FailedEntryCount"):
        raise RuntimeError(f"target {target_id} of rule {rule}: {response['FailedEntries']}")
    if not str(inputs["arn"]).startswith(("arn:aws:sqs:", "arn:aws:lambda:")):
        ctx.notice(
            f"target {target_id}: only SQS and Lambda targets are delivered locally "
            f"({inputs['arn']})"
        )
    return f"{bus}-{rule}-{target_id}", {"targetId": target_id, "rule": rule, "eventBusName": bus}


@materializer("aws:cloudwatch/eventArchive:EventArchive")
def event_archive(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    archive_name = physical_name(name, inputs)
    kwargs: dict[str, Any] = {
        "ArchiveName": archive_name,
        "EventSourceArn": inputs["eventSourceArn"],
    }
    if inputs.get("eventPattern"):
        kwargs["EventPattern"] = as_json(inputs["eventPattern"])
    if inputs.get("description"):
        kwargs["Description"] = inputs["description"]
    if inputs.get("retentionDays") is not None:
        kwargs["RetentionDays"] = as_int(inputs["retentionDays"])
    arn = ctx.client("events").create_archive(**kwargs)["ArchiveArn"]
    return archive_name, {"arn": arn, "name": archive_name}
