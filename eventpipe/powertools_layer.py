"""Where AWS publishes the Powertools for AWS Lambda (Python) layer, by library version.

The layer's version *number* is not the library's version: layer 27 holds Powertools
3.23.0 (powertools-lambda-python#7689), so pinning a layer number silently deploys a
Powertools other than the one the project tests. AWS publishes, per architecture, Python
runtime and library version, a public SSM parameter whose value is the layer ARN:
``/aws/service/powertools/python/{arch}/{runtime}/{version}`` (for example
``/aws/service/powertools/python/arm64/python3.13/3.37.0``; ``latest`` names the newest).
Source: Powertools for AWS Lambda (Python) docs, "Install: Lambda Layer ... SSM Parameter
Store" (https://docs.powertools.aws.dev/lambda/python/latest/#lambda-layer), and AWS's own
layer construct, which resolves ``/aws/service/powertools/python/${arch}/python${ver}/${version}``.

The deploy side looks the layer up by the exact installed library version; the Pulumi mocks
and the local engine answer that lookup with :func:`layer_arn`, in the shape AWS publishes.
Pulumi-free, so both sides share it.
"""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version

POWERTOOLS_ACCOUNT = "017000801446"
"""The account AWS publishes the public Powertools layers from, in the ``aws`` partition."""
PARAMETER_PREFIX = "/aws/service/powertools/python/"


@functools.cache
def installed_version() -> str:
    """The Powertools version installed here: the one the project pins and tests. Read
    once per process (every function's environment names it), as a process keeps the
    Powertools it imported."""
    try:
        return version("aws-lambda-powertools")
    except PackageNotFoundError:  # pragma: no cover - it is a dependency of eventpipe
        from aws_lambda_powertools.shared.version import VERSION

        return VERSION


def parameter_name(architecture: str, runtime: str, library_version: str) -> str:
    """The public SSM parameter holding the layer ARN, e.g. ``.../arm64/python3.13/3.37.0``."""
    return f"{PARAMETER_PREFIX}{architecture}/{runtime}/{library_version}"


def layer_arn(region: str, architecture: str, runtime: str, layer_version: int) -> str:
    """A public Powertools layer ARN in the shape AWS publishes it."""
    python = runtime.replace(".", "")  # python3.13 -> python313
    return (
        f"arn:aws:lambda:{region}:{POWERTOOLS_ACCOUNT}:layer:"
        f"AWSLambdaPowertoolsPythonV3-{python}-{architecture}:{layer_version}"
    )


def parse_parameter(name: str) -> tuple[str, str, str] | None:
    """``(architecture, runtime, version)`` of a Powertools parameter name, else None."""
    if not name.startswith(PARAMETER_PREFIX):
        return None
    parts = name[len(PARAMETER_PREFIX) :].split("/")
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]
