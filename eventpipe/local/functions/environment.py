"""The environment of a local execution environment: the function's own variables, the
emulator's endpoint and credentials, and the variables Lambda defines for every function.

Lambda sets ``AWS_LAMBDA_FUNCTION_NAME``, ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``,
``AWS_LAMBDA_FUNCTION_VERSION``, ``AWS_LAMBDA_LOG_GROUP_NAME`` and ``_HANDLER`` in every
execution environment ("Defined runtime environment variables",
https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime);
the local workers get them too, so Powertools and the runtime read the same names. There is
no X-Ray daemon locally, so tracing is off and a missing trace context is ignored.
"""

from __future__ import annotations

from eventpipe.contract import ENV_TIME_SCALE
from eventpipe.local.deploy.records import FunctionSpec
from eventpipe.local.emulator.server import Emulator


def execution_environment(
    spec: FunctionSpec, emulator: Emulator, time_scale: float = 1.0
) -> dict[str, str]:
    """The variables a worker process of ``spec`` starts with."""
    env = {
        **spec.environment,
        **emulator.environment(),
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(spec.timeout),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "_HANDLER": spec.handler,
        # No X-Ray daemon locally: the tracer stays a no-op instead of erroring.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
    }
    if time_scale != 1:
        env[ENV_TIME_SCALE] = str(time_scale)
    return env
