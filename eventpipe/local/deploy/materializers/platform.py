"""IAM, CloudWatch Logs, alarms and dashboards: declared faithfully, enforced nowhere.

The emulator stores roles and policies (so their ARNs wire up and tests can read them)
but, like moto in general, does not evaluate them on calls.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

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


@materializer("aws:iam/role:Role")
def role(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    role_name = physical_name(name, inputs)
    kwargs: dict[str, Any] = {
        "RoleName": role_name,
        "AssumeRolePolicyDocument": as_json(inputs["assumeRolePolicy"]),
        "Path": inputs.get("path") or "/",
    }
    if inputs.get("description"):
        kwargs["Description"] = inputs["description"]
    if tag_list(inputs):
        kwargs["Tags"] = tag_list(inputs)
    iam = ctx.client("iam")
    created = iam.create_role(**kwargs)["Role"]
    for policy in inputs.get("inlinePolicies") or []:
        if policy.get("name") and policy.get("policy"):
            iam.put_role_policy(
                RoleName=role_name, PolicyName=policy["name"], PolicyDocument=policy["policy"]
            )
    return role_name, {"arn": created["Arn"], "name": role_name, "uniqueId": created["RoleId"]}


@materializer("aws:iam/rolePolicy:RolePolicy")
def role_policy(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    role_name = name_from_arn(str(inputs["role"]))
    policy_name = physical_name(name, inputs)
    ctx.client("iam").put_role_policy(
        RoleName=role_name, PolicyName=policy_name, PolicyDocument=as_json(inputs["policy"])
    )
    return f"{role_name}:{policy_name}", {"name": policy_name, "role": role_name}


@materializer("aws:iam/policy:Policy")
def policy(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    policy_name = physical_name(name, inputs)
    arn = ctx.client("iam").create_policy(
        PolicyName=policy_name, PolicyDocument=as_json(inputs["policy"])
    )["Policy"]["Arn"]
    return arn, {"arn": arn, "name": policy_name}


@materializer("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def role_policy_attachment(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    role_name = name_from_arn(str(inputs["role"]))
    try:
        ctx.client("iam").attach_role_policy(RoleName=role_name, PolicyArn=inputs["policyArn"])
    except ClientError:
        # moto does not load AWS managed policies by default; the attachment only grants
        # permissions, which the emulator does not check anyway.
        ctx.notice(f"policy {inputs['policyArn']} is not in the emulator; attachment recorded only")
    return f"{role_name}-{name}", {}


@materializer("aws:cloudwatch/logGroup:LogGroup")
def log_group(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    group = physical_name(name, inputs)
    logs = ctx.client("logs")
    tags = {str(k): str(v) for k, v in (inputs.get("tags") or {}).items()}
    logs.create_log_group(logGroupName=group, **({"tags": tags} if tags else {}))
    if inputs.get("retentionInDays"):
        logs.put_retention_policy(
            logGroupName=group, retentionInDays=as_int(inputs["retentionInDays"])
        )
    return group, {"arn": ctx.arn("logs", f"log-group:{group}"), "name": group}


def _dimensions(value: dict[str, Any] | None) -> list[dict[str, str]]:
    return [{"Name": str(k), "Value": str(v)} for k, v in (value or {}).items()]


def _metric_queries(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for query in queries:
        item: dict[str, Any] = {"Id": query["id"], "ReturnData": bool(query.get("returnData"))}
        if query.get("expression"):
            item["Expression"] = query["expression"]
        if query.get("label"):
            item["Label"] = query["label"]
        metric = query.get("metric")
        if metric:
            item["MetricStat"] = {
                "Metric": {
                    "Namespace": metric.get("namespace"),
                    "MetricName": metric["metricName"],
                    "Dimensions": _dimensions(metric.get("dimensions")),
                },
                "Period": as_int(metric.get("period"), 60),
                "Stat": metric.get("stat", "Sum"),
            }
        result.append(item)
    return result


@materializer("aws:cloudwatch/metricAlarm:MetricAlarm")
def metric_alarm(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    alarm = physical_name(name, inputs)
    kwargs: dict[str, Any] = {
        "AlarmName": alarm,
        "ComparisonOperator": inputs["comparisonOperator"],
        "EvaluationPeriods": as_int(inputs["evaluationPeriods"]),
        "ActionsEnabled": inputs.get("actionsEnabled", True) is not False,
    }
    simple = {
        "metricName": "MetricName",
        "namespace": "Namespace",
        "statistic": "Statistic",
        "extendedStatistic": "ExtendedStatistic",
        "treatMissingData": "TreatMissingData",
        "alarmDescription": "AlarmDescription",
        "unit": "Unit",
    }
    kwargs |= {api: inputs[key] for key, api in simple.items() if inputs.get(key)}
    for key, api in (("period", "Period"), ("datapointsToAlarm", "DatapointsToAlarm")):
        if inputs.get(key) is not None:
            kwargs[api] = as_int(inputs[key])
    if inputs.get("threshold") is not None:
        kwargs["Threshold"] = float(inputs["threshold"])
    if inputs.get("dimensions"):
        kwargs["Dimensions"] = _dimensions(inputs["dimensions"])
    for key, api in (
        ("alarmActions", "AlarmActions"),
        ("okActions", "OKActions"),
        ("insufficientDataActions", "InsufficientDataActions"),
    ):
        if inputs.get(key):
            kwargs[api] = list(inputs[key])
    if inputs.get("metricQueries"):
        kwargs["Metrics"] = _metric_queries(inputs["metricQueries"])
    if tag_list(inputs):
        kwargs["Tags"] = tag_list(inputs)
    ctx.client("cloudwatch").put_metric_alarm(**kwargs)
    return alarm, {"arn": ctx.arn("cloudwatch", f"alarm:{alarm}"), "name": alarm}


@materializer("aws:cloudwatch/compositeAlarm:CompositeAlarm")
def composite_alarm(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    """PutCompositeAlarm (the embedded server has it through a shim: moto lacks the
    action, ``eventpipe.local.emulator.shims.composite_alarms``)."""
    alarm = str(inputs.get("alarmName") or name)
    kwargs: dict[str, Any] = {
        "AlarmName": alarm,
        "AlarmRule": inputs["alarmRule"],
        "ActionsEnabled": inputs.get("actionsEnabled", True) is not False,
    }
    if inputs.get("alarmDescription"):
        kwargs["AlarmDescription"] = inputs["alarmDescription"]
    for key, api in (("alarmActions", "AlarmActions"), ("okActions", "OKActions")):
        if inputs.get(key):
            kwargs[api] = list(inputs[key])
    if tag_list(inputs):
        kwargs["Tags"] = tag_list(inputs)
    ctx.client("cloudwatch").put_composite_alarm(**kwargs)
    return alarm, {"arn": ctx.arn("cloudwatch", f"alarm:{alarm}"), "alarmName": alarm}


@materializer("aws:cloudwatch/dashboard:Dashboard")
def dashboard(ctx: Context, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
    dashboard_name = str(inputs.get("dashboardName") or name)
    ctx.client("cloudwatch").put_dashboard(
        DashboardName=dashboard_name, DashboardBody=as_json(inputs["dashboardBody"])
    )
    arn = ctx.arn("cloudwatch", f"dashboard/{dashboard_name}", region=False)
    return dashboard_name, {"dashboardArn": arn, "dashboardName": dashboard_name}
