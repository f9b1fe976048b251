"""S3 bucket settings (the dead-letter archive's) and EventBridge Scheduler resources.

Each one is created in the emulator with the call the provider makes on AWS, so
``GetPublicAccessBlock``, ``GetBucketEncryption``, ``GetBucketPolicy``,
``GetBucketLifecycleConfiguration``, ``GetBucketOwnershipControls``, ``GetScheduleGroup``
and ``GetSchedule`` answer locally. moto stores them; it does not enforce the bucket
policy or the public access block (permissions are not evaluated locally) and does not
expire objects by the lifecycle rule (docs/local.md, "The dead-letter archive"). Schedules
are run by the engine's time-scaled runner (:mod:`eventpipe.local.schedules`).
"""

from __future__ import annotations

from typing import Any

from eventpipe.local.deploy.materializers.base import (
    Context,
    Outputs,
    as_int,
    as_json,
    materializer,
    physical_name,
    tag_list,
)


def _bucket(inputs: dict[str, Any]) -> str:
    return str(inputs["bucket"])


@materializer(
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
)
def public_access_block(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    bucket = _bucket(inputs)
    ctx.client("s3").put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": bool(inputs.get("blockPublicAcls")),
            "IgnorePublicAcls": bool(inputs.get("ignorePublicAcls")),
            "BlockPublicPolicy": bool(inputs.get("blockPublicPolicy")),
            "RestrictPublicBuckets": bool(inputs.get("restrictPublicBuckets")),
        },
    )
    return bucket, {"bucket": bucket}


@materializer("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
def ownership_controls(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    bucket = _bucket(inputs)
    ownership = (inputs.get("rule") or {}).get("objectOwnership") or "BucketOwnerEnforced"
    ctx.client("s3").put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]}
    )
    return bucket, {"bucket": bucket}


@materializer(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
def encryption(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    bucket = _bucket(inputs)
    rules = []
    for rule in inputs.get("rules") or []:
        default = rule.get("applyServerSideEncryptionByDefault") or {}
        item: dict[str, Any] = {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": default.get("sseAlgorithm")}
        }
        if default.get("kmsMasterKeyId"):
            item["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = default["kmsMasterKeyId"]
        if rule.get("bucketKeyEnabled") is not None:
            item["BucketKeyEnabled"] = bool(rule["bucketKeyEnabled"])
        rules.append(item)
    ctx.client("s3").put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules}
    )
    return bucket, {"bucket": bucket}


@materializer("aws:s3/bucketPolicy:BucketPolicy")
def bucket_policy(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    bucket = _bucket(inputs)
    ctx.client("s3").put_bucket_policy(Bucket=bucket, Policy=as_json(inputs["policy"]))
    return bucket, {"bucket": bucket}


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"ID": rule.get("id") or "rule", "Status": rule.get("status")}
    rule_filter = rule.get("filter") or {}
    item["Filter"] = {"Prefix": rule_filter.get("prefix") or ""}
    expiration = rule.get("expiration") or {}
    if expiration.get("days") is not None:
        item["Expiration"] = {"Days": as_int(expiration["days"])}
    return item


@materializer(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
def lifecycle(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    bucket = _bucket(inputs)
    ctx.client("s3").put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in inputs.get("rules") or []]},
    )
    ctx.notice(f"bucket {bucket}: lifecycle rules are stored, objects are not expired locally")
    return bucket, {"bucket": bucket}


@materializer("aws:scheduler/scheduleGroup:ScheduleGroup")
def schedule_group(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    group = physical_name(name, inputs)
    kwargs: dict[str, Any] = {"Name": group}
    if tag_list(inputs):
        kwargs["Tags"] = tag_list(inputs)
    arn = ctx.client("scheduler").create_schedule_group(**kwargs)["ScheduleGroupArn"]
    return group, {"arn": arn, "name": group, "state": "ACTIVE"}


@materializer("aws:scheduler/schedule:Schedule")
def schedule(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    schedule_name = physical_name(name, inputs)
    group = str(inputs.get("groupName") or "default")
    target = inputs.get("target") or {}
    window = inputs.get("flexibleTimeWindow") or {}
    api_window: dict[str, Any] = {"Mode": window.get("mode") or "OFF"}
    if window.get("maximumWindowInMinutes") is not None:
        api_window["MaximumWindowInMinutes"] = as_int(window["maximumWindowInMinutes"])
    api_target: dict[str, Any] = {"Arn": target["arn"], "RoleArn": target["roleArn"]}
    if target.get("input") is not None:
        api_target["Input"] = target["input"]
    kwargs: dict[str, Any] = {
        "Name": schedule_name,
        "GroupName": group,
        "ScheduleExpression": inputs["scheduleExpression"],
        "FlexibleTimeWindow": api_window,
        "Target": api_target,
        "State": inputs.get("state") or "ENABLED",
    }
    for key, api in (
        ("scheduleExpressionTimezone", "ScheduleExpressionTimezone"),
        ("description", "Description"),
        ("actionAfterCompletion", "ActionAfterCompletion"),
    ):
        if inputs.get(key):
            kwargs[api] = inputs[key]
    arn = ctx.client("scheduler").create_schedule(**kwargs)["ScheduleArn"]
    if not str(target["arn"]).startswith("arn:aws:lambda:"):
        ctx.notice(f"schedule {schedule_name}: only Lambda targets are invoked locally")
    return f"{group}/{schedule_name}", {"arn": arn, "name": schedule_name, "groupName": group}
