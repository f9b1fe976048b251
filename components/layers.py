"""Lambda layers every consumer function uses: AWS's Powertools layer and eventpipe's runtime.

The Powertools layer is AWS's public one, published per region, Python version and
architecture. Its version number is pinned here (not looked up at deploy time) so
``pulumi preview`` is reproducible and works offline; a stack may pin another version
(``eventpipe:powertoolsLayerVersion``) or a full ARN (``eventpipe:powertoolsLayerArn``,
e.g. a copy in a private account).
"""

from __future__ import annotations

import os
from pathlib import Path

import pulumi
import pulumi_aws as aws

from eventpipe.config import StackSettings
from eventpipe.exceptions import ConfigurationError, Problem
from eventpipe.packaging import build_runtime_layer

POWERTOOLS_ACCOUNT = "017000801446"
"""The account AWS publishes the public Powertools layers from, in the ``aws`` partition."""
POWERTOOLS_LAYER_VERSION = 27
"""Layer version of Powertools for AWS Lambda (Python) 3.x that eventpipe is tested with
(the version the Powertools docs list for the 3.3x releases)."""
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


def powertools_layer_arn(settings: StackSettings, region: str) -> str:
    """ARN of the Powertools layer for the stack's region, runtime and architecture.

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
    python = settings.python_runtime.replace(".", "")  # python3.13 -> python313
    version = settings.powertools_layer_version or POWERTOOLS_LAYER_VERSION
    return (
        f"arn:aws:lambda:{region}:{POWERTOOLS_ACCOUNT}:layer:"
        f"AWSLambdaPowertoolsPythonV3-{python}-{settings.architecture}:{version}"
    )


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
