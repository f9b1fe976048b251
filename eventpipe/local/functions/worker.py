"""The child side of the local invoker: one process = one Lambda execution environment.

Kept to the standard library at import time: the process is started with ``spawn`` and
everything it imports before the handler counts as cold start, as in Lambda. The
function's own environment is installed first, then the handler module is imported once
(the cold start), then invocations are served one at a time over a pipe.

Everything the function prints (Powertools' JSON lines, a traceback) goes to this
environment's own file; the parent ships each line to the function's CloudWatch Logs
stream (:mod:`.function_logs`), one log event per line, as Lambda does with stdout.
An unhandled error is written the way the Lambda Python runtime writes it: one event,
``[ERROR] Type: message`` then the traceback (its lines joined by ``\\r`` so the line
stays one event).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
import traceback
import uuid
from typing import Any


class LocalContext:
    """The subset of Lambda's context object handlers and Powertools use."""

    def __init__(
        self,
        function_name: str,
        arn: str,
        memory: int,
        deadline: float,
        request_id: str | None = None,
        log_stream: str | None = None,
    ):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = memory
        self.aws_request_id = request_id or str(uuid.uuid4())
        self.log_group_name = os.environ.get(
            "AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{function_name}"
        )
        self.log_stream_name = log_stream or f"local/{os.getpid()}"
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _load(handler: str) -> Any:
    module_name, _, function_name = handler.rpartition(".")
    if not module_name:
        raise ImportError(f"handler {handler!r} is not of the form module.function")
    return getattr(importlib.import_module(module_name), function_name)


def serve(
    conn: Any, handler: str, env: dict[str, str], spec: dict[str, Any], log_path: str
) -> None:
    """Process entry point: install ``env``, import ``handler``, then answer invocations.

    Messages in: ``(event, timeout seconds, request id)`` or ``None`` to stop. Messages out:
    ``("ready", init seconds)``, ``("init-error", text)``, ``("ok", result)``,
    ``("error", {"errorType", "errorMessage", "stackTrace"})``.
    """
    os.environ.update(env)
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(key, None)
    log = open(log_path, "a", buffering=1)  # noqa: SIM115 - lives as long as the process
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = log
    started = time.monotonic()
    try:
        function = _load(handler)
    except BaseException as exc:  # reported like Runtime.ImportModuleError
        log.write(
            runtime_error_line(
                {
                    "errorType": "Runtime.ImportModuleError",
                    "errorMessage": f"{type(exc).__name__}: {exc}",
                    "stackTrace": traceback.format_exc(),
                }
            )
            + "\n"
        )
        log.flush()
        conn.send(("init-error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
        return
    conn.send(("ready", time.monotonic() - started))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        event, timeout, request_id = message
        context = LocalContext(
            spec["name"],
            spec["arn"],
            spec["memory"],
            time.monotonic() + timeout,
            request_id,
            spec.get("log_stream"),
        )
        try:
            result = function(event, context)
            log.flush()
            conn.send(("ok", result))
        except Exception as exc:
            error = {
                "errorType": type(exc).__name__,
                "errorMessage": str(exc),
                "stackTrace": traceback.format_exc(),
            }
            log.write(runtime_error_line(error) + "\n")
            log.flush()
            conn.send(("error", error))


def runtime_error_line(error: dict[str, str]) -> str:
    """An unhandled error as one log line: ``[ERROR] Type: message\\rTraceback...``."""
    text = f"[ERROR] {error['errorType']}: {error['errorMessage']}".rstrip(": ")
    trace = error.get("stackTrace", "").rstrip("\n")
    return "\r".join([text, *trace.splitlines()]) if trace else text
