"""A local execution environment's variables: the function's, the emulator's, Lambda's."""

from __future__ import annotations

from eventpipe.contract import ENV_TIME_SCALE
from eventpipe.local.deploy.records import FunctionSpec
from eventpipe.local.emulator.server import Emulator
from eventpipe.local.functions.environment import execution_environment

SPEC = FunctionSpec(
    "orders-fn",
    "arn:aws:lambda:eu-west-1:123456789012:function:orders-fn",
    "eventpipe.runtime.handler",
    {"TABLE": "orders", "AWS_LAMBDA_FUNCTION_NAME": "not-mine"},
    timeout=30,
    memory=512,
)
EMULATOR = Emulator(endpoint_url="http://127.0.0.1:5000", region="eu-west-1", embedded=False)


def test_lambdas_variables_the_emulator_and_the_functions_own() -> None:
    env = execution_environment(SPEC, EMULATOR)
    assert env["TABLE"] == "orders"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "orders-fn"  # Lambda's own name wins
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "30"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/orders-fn"
    assert env["_HANDLER"] == "eventpipe.runtime.handler"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000"
    assert env["AWS_REGION"] == "eu-west-1"
    assert env["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert ENV_TIME_SCALE not in env


def test_a_time_scale_reaches_the_runtime() -> None:
    assert execution_environment(SPEC, EMULATOR, 0.01)[ENV_TIME_SCALE] == "0.01"
