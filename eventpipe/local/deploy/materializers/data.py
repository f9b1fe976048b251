"""Stores and notification resources: DynamoDB tables, S3 buckets, SNS, SES identities."""

from __future__ import annotations

import json
from typing import Any

from eventpipe.local.deploy.materializers.base import (
    Context,
    Outputs,
    as_bool_str,
    as_int,
    as_json,
    materializer,
    physical_name,
    tag_list,
)


def _key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def _throughput(spec: dict[str, Any]) -> dict[str, int]:
    return {
        "ReadCapacityUnits": as_int(spec.get("readCapacity"), 1) or 1,
        "WriteCapacityUnits": as_int(spec.get("writeCapacity"), 1) or 1,
    }


@materializer("aws:dynamodb/table:Table")
def table(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    table_name = physical_name(name, inputs)
    billing = inputs.get("billingMode") or "PROVISIONED"
    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": [
            {"AttributeName": a["name"], "AttributeType": a["type"]}
            for a in inputs.get("attributes") or []
        ],
        "KeySchema": _key_schema(inputs["hashKey"], inputs.get("rangeKey")),
        "BillingMode": billing,
    }
    if billing == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = _throughput(inputs)
    indexes = []
    for gsi in inputs.get("globalSecondaryIndexes") or []:
        index: dict[str, Any] = {
            "IndexName": gsi["name"],
            "KeySchema": _key_schema(gsi["hashKey"], gsi.get("rangeKey")),
            "Projection": {"ProjectionType": gsi.get("projectionType", "ALL")},
        }
        if gsi.get("nonKeyAttributes"):
            index["Projection"]["NonKeyAttributes"] = gsi["nonKeyAttributes"]
        if billing == "PROVISIONED":
            index["ProvisionedThroughput"] = _throughput(gsi)
        indexes.append(index)
    if indexes:
        kwargs["GlobalSecondaryIndexes"] = indexes
    if inputs.get("streamEnabled"):
        kwargs["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": inputs.get("streamViewType") or "NEW_AND_OLD_IMAGES",
        }
    if tag_list(inputs):
        kwargs["Tags"] = tag_list(inputs)
    dynamodb = ctx.client("dynamodb")
    description = dynamodb.create_table(**kwargs)["TableDescription"]
    ttl = inputs.get("ttl") or {}
    if ttl.get("enabled") and ttl.get("attributeName"):
        dynamodb.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["attributeName"]},
        )
    return table_name, {
        "arn": description["TableArn"],
        "name": table_name,
        "streamArn": description.get("LatestStreamArn", ""),
    }


@materializer("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def bucket(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    bucket_name = physical_name(name, inputs, key="bucket").lower()
    kwargs: dict[str, Any] = {"Bucket": bucket_name}
    if ctx.region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
    ctx.client("s3").create_bucket(**kwargs)
    return bucket_name, {
        "arn": f"arn:aws:s3:::{bucket_name}",
        "bucket": bucket_name,
        "bucketDomainName": f"{bucket_name}.s3.amazonaws.com",
        "region": ctx.region,
    }


@materializer("aws:sns/topic:Topic")
def topic(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    fifo = bool(inputs.get("fifoTopic"))
    topic_name = physical_name(name, inputs, suffix=".fifo" if fifo else "")
    attributes = {"FifoTopic": "true"} if fifo else {}
    if inputs.get("contentBasedDeduplication"):
        attributes["ContentBasedDeduplication"] = as_bool_str(inputs["contentBasedDeduplication"])
    if inputs.get("displayName"):
        attributes["DisplayName"] = inputs["displayName"]
    if inputs.get("kmsMasterKeyId"):
        attributes["KmsMasterKeyId"] = str(inputs["kmsMasterKeyId"])
    kwargs: dict[str, Any] = {"Name": topic_name, "Attributes": attributes}
    if tag_list(inputs):
        kwargs["Tags"] = tag_list(inputs)
    arn = ctx.client("sns").create_topic(**kwargs)["TopicArn"]
    return arn, {"arn": arn, "name": topic_name}


@materializer("aws:sns/topicSubscription:TopicSubscription")
def subscription(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    attributes = {}
    if inputs.get("rawMessageDelivery"):
        attributes["RawMessageDelivery"] = "true"
    if inputs.get("filterPolicy"):
        attributes["FilterPolicy"] = as_json(inputs["filterPolicy"])
    if inputs.get("filterPolicyScope"):
        attributes["FilterPolicyScope"] = str(inputs["filterPolicyScope"])
    arn = ctx.client("sns").subscribe(
        TopicArn=inputs["topic"],
        Protocol=inputs["protocol"],
        Endpoint=inputs["endpoint"],
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return arn, {"arn": arn}


@materializer("aws:sns/topicPolicy:TopicPolicy")
def topic_policy(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    ctx.client("sns").set_topic_attributes(
        TopicArn=inputs["arn"], AttributeName="Policy", AttributeValue=as_json(inputs["policy"])
    )
    return str(inputs["arn"]), {}


@materializer("aws:ses/emailIdentity:EmailIdentity", "aws:sesv2/emailIdentity:EmailIdentity")
def email_identity(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    # moto's SES rejects mail from unverified senders, as SES in its sandbox does; a
    # declared identity is verified at once locally (no inbox to click a link in).
    identity = str(inputs.get("email") or inputs.get("emailIdentity"))
    ses = ctx.client("ses")
    if "@" in identity:
        ses.verify_email_identity(EmailAddress=identity)
    else:
        ses.verify_domain_identity(Domain=identity)
    return identity, {"arn": ctx.arn("ses", f"identity/{identity}")}


@materializer("aws:ses/domainIdentity:DomainIdentity")
def domain_identity(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    domain = str(inputs["domain"])
    token = ctx.client("ses").verify_domain_identity(Domain=domain)["VerificationToken"]
    return domain, {"arn": ctx.arn("ses", f"identity/{domain}"), "verificationToken": token}


@materializer("aws:dynamodb/tableItem:TableItem")
def table_item(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    """Seed data: the item is DynamoDB JSON (``{"pk": {"S": "x"}}``), as the provider takes."""
    item = json.loads(inputs["item"]) if isinstance(inputs["item"], str) else inputs["item"]
    table_name = str(inputs["tableName"])
    ctx.client("dynamodb").put_item(TableName=table_name, Item=item)
    keys = [item[inputs["hashKey"]]] + (
        [item[inputs["rangeKey"]]] if inputs.get("rangeKey") else []
    )
    key_text = "|".join(next(iter(k.values())) for k in keys)
    return f"{table_name}|{inputs['hashKey']}|{key_text}", {}
