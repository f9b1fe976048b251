"""Materializers by Pulumi type token (importing the modules fills :data:`REGISTRY`)."""

from __future__ import annotations

from eventpipe.local.deploy.materializers import data, events, lambda_, pipes, platform, sqs
from eventpipe.local.deploy.materializers.base import REGISTRY, Context, physical_name

__all__ = [
    "REGISTRY",
    "Context",
    "data",
    "events",
    "lambda_",
    "physical_name",
    "pipes",
    "platform",
    "sqs",
]
