"""Check at cold start that Lambda runs the Powertools the function was built for.

The function's Powertools comes from AWS's public layer, looked up at deploy time by the
version the project pins and tests (``components.layers``); the deploy side writes that
version into the function's environment (:data:`eventpipe.contract.ENV_POWERTOOLS_VERSION`).
A layer ARN overridden by hand, or a layer number pinned in the stack, can still put
another Powertools in front of the runtime; then this logs a warning and emits the
``PowertoolsVersionMismatch`` metric once per container, so the difference is seen
rather than guessed from odd behaviour.
"""

from __future__ import annotations

import os

from aws_lambda_powertools.shared.version import VERSION as RUNNING

from eventpipe import contract
from eventpipe.runtime.observability import Observability

MISMATCH_METRIC = "PowertoolsVersionMismatch"


def check_powertools_version(obs: Observability) -> bool:
    """Log the running Powertools version; warn and count when it is not the built-for one.

    Returns whether the versions match (True when the environment names none).
    """
    built_for = os.environ.get(contract.ENV_POWERTOOLS_VERSION) or None
    obs.logger.info(
        "eventpipe runtime cold start",
        extra={"powertools_version": RUNNING, "powertools_built_for": built_for},
    )
    if built_for is None or built_for == RUNNING:
        return True
    obs.logger.warning(
        f"Powertools {RUNNING} is running, but the function was built and tested for "
        f"Powertools {built_for}: check eventpipe:powertoolsLayerArn / "
        "powertoolsLayerVersion in the stack config, or redeploy",
        extra={"powertools_version": RUNNING, "powertools_built_for": built_for},
    )
    metrics = obs.metrics
    if metrics is not None:
        metrics.add_metric(name=MISMATCH_METRIC, unit="Count", value=1)
        metrics.flush_metrics()
    return False
