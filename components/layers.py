"""Lambda layers every consumer function uses: AWS's Powertools layer and eventpipe's runtime.

The Powertools layer is AWS's public one, published per region, Python version and
architecture, and looked up by the installed Powertools version (see
:func:`powertools_layer_arn`); a stack may pin a layer number
(``eventpipe:powertoolsLayerVersion``) or a full ARN (``eventpipe:powertoolsLayerArn``,
e.g. a copy in a private account).
"""

from __future__ import annotations

import os
from pathlib import Path

import pulumi
import pulumi_aws as aws

from eventpipe import powertools_layer as powertools
from eventpipe.config import StackSettings
from eventpipe.exceptions import ConfigurationError, Problem
from eventpipe.packaging import build_runtime_layer

_OTHER_PARTITIONS = ("cn-", "us-gov-", "us-iso", "eu-isoe-")


def deploy_region(settings: StackSettings) -> str:
    """The region the AWS provider deploys to.

    ``aws:region`` in the stack config when set (``settings.region`` then holds it);
    otherwise the provider falls back to ``AWS_REGION`` / ``AWS_DEFAULT_REGION``, and so
    must the region-specific ARNs built here.
    """
    if pulumi.Config("aws").get("region"):
        return settings.region
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or settings.region


def powertools_layer_arn(
    settings: StackSettings, region: str, *, parent: pulumi.Resource | None = None
) -> str:
    """ARN of the Powertools layer holding exactly the Powertools installed here.

    Looked up through AWS's public SSM parameter for the installed library version
    (:mod:`eventpipe.powertools_layer`), so Lambda runs the Powertools the project tests.
    ``eventpipe:powertoolsLayerArn`` overrides the lookup (a copy in your account, another
    partition); ``eventpipe:powertoolsLayerVersion`` pins a public layer number instead
    (its Powertools version is then yours to check). When AWS has not published the
    parameter (it has been missing for some releases) the preview fails, naming the
    parameter and the override, rather than deploying another Powertools.

    China, GovCloud and isolated regions publish the layer from other accounts (or not
    at all); rather than build an ARN that fails at deploy time, ask for an explicit one.
    """
    if settings.powertools_layer_arn:
        return settings.powertools_layer_arn
    if region.startswith(_OTHER_PARTITIONS):
        raise ConfigurationError(
            [
                Problem(
                    "stack config",
                    None,
                    "eventpipe:powertoolsLayerArn",
                    f"no known public Powertools layer for region {region!r} "
                    "(it is outside the aws partition)",
                    "set eventpipe:powertoolsLayerArn to the layer ARN published for "
                    "that partition (see the Powertools docs) or to your own copy",
                )
            ]
        )
    if settings.powertools_layer_version:
        return powertools.layer_arn(
            region,
            settings.architecture,
            settings.python_runtime,
            settings.powertools_layer_version,
        )
    wanted = powertools.installed_version()
    name = powertools.parameter_name(settings.architecture, settings.python_runtime, wanted)
    reason = ""
    try:
        found = aws.ssm.get_parameter(name=name, opts=pulumi.InvokeOptions(parent=parent))
        value = found.value
    except Exception as exc:  # the provider reports ParameterNotFound as an invoke error
        value, reason = None, f" ({exc})"
    if not value:
        raise ConfigurationError(
            [
                Problem(
                    "stack config",
                    None,
                    "eventpipe:powertoolsLayerArn",
                    f"AWS publishes no Powertools {wanted} layer for {settings.python_runtime} "
                    f"on {settings.architecture} in {region}: the public SSM parameter "
                    f"{name} was not found{reason}",
                    f"set eventpipe:powertoolsLayerArn to a layer that holds Powertools "
                    f"{wanted} (e.g. your own copy), or pin aws-lambda-powertools in "
                    "constraints.txt to a version AWS published a layer for",
                )
            ]
        )
    return value


def runtime_layer(
    name: str,
    settings: StackSettings,
    build_dir: Path,
    opts: pulumi.ResourceOptions,
    layer_name: str,
) -> aws.lambda_.LayerVersion:
    """The eventpipe runtime (``eventpipe/__init__.py``, ``contract.py``, ``runtime/``)."""
    archive = build_runtime_layer(build_dir)
    return aws.lambda_.LayerVersion(
        name,
        layer_name=layer_name,
        code=pulumi.FileArchive(str(archive)),
        compatible_runtimes=[settings.python_runtime],
        compatible_architectures=[settings.architecture],
        description="eventpipe runtime: the generic SQS batch handler for consumer plugins",
        opts=opts,
    )
