"""The AWS emulator the local engine deploys into: embedded moto, or any endpoint.

Everything the engine does against AWS goes through :meth:`Emulator.client`, so the same
code runs against the embedded moto server (the default: no Docker, no account) and
against LocalStack or another moto server given by ``--endpoint-url``.
"""

from __future__ import annotations

import logging
import threading
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from botocore.config import Config

from eventpipe import aws_clients

DEFAULT_ACCOUNT = "123456789012"

# Enough connections for every poller, publisher and the settle checks at once.
_CLIENT_CONFIG = Config(max_pool_connections=50, retries={"max_attempts": 3, "mode": "standard"})


@dataclass
class Emulator:
    """A running AWS emulator: its endpoint, region and (when embedded) the server."""

    endpoint_url: str
    region: str
    embedded: bool
    _server: Any = None
    _clients: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def client(self, service: str) -> Any:
        """A cached boto3 client for ``service`` (clients are thread-safe, creation is not)."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = aws_clients.client(
                    service,
                    endpoint_url=self.endpoint_url,
                    region=self.region,
                    credentials=aws_clients.FAKE_CREDENTIALS,
                    config=_CLIENT_CONFIG,
                )
            return self._clients[service]

    def internal(self, service: str) -> Any:
        """``service`` as AWS's own services reach it (Lambda's pollers and log delivery,
        Pipes, CloudWatch's sampling, Scheduler finding its due schedules): the embedded
        backends in process (:mod:`.internal_sqs`, :mod:`.internal_telemetry`,
        :mod:`.internal_scheduler`), else :meth:`client`."""
        if self.embedded:
            from eventpipe.local.emulator.internal_scheduler import InternalScheduler
            from eventpipe.local.emulator.internal_sqs import InternalSqs
            from eventpipe.local.emulator.internal_telemetry import InternalCloudWatch, InternalLogs

            in_process = {
                "sqs": InternalSqs,
                "logs": InternalLogs,
                "cloudwatch": InternalCloudWatch,
                "scheduler": InternalScheduler,
            }.get(service)
            if in_process is not None:
                return in_process(self.region)
        return self.client(service)

    def environment(self) -> dict[str, str]:
        """Environment variables that point an AWS SDK in a child process at the emulator."""
        return {
            **aws_clients.fake_credentials_environment(),
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def reset(self) -> None:
        """Drop every resource of an embedded moto server (its backends are process-wide,
        so a second deploy in the same process must not find the first one's queues)."""
        if not self.embedded:
            return
        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


def start_emulator(endpoint_url: str | None = None, region: str = "us-east-1") -> Emulator:
    """Connect to ``endpoint_url``, or start the embedded moto server (its requests
    shimmed to answer as AWS does) on 127.0.0.1 on a free port."""
    if endpoint_url:
        return Emulator(endpoint_url=endpoint_url.rstrip("/"), region=region, embedded=False)
    from eventpipe.local.emulator.embedded import EmbeddedServer

    # The embedded server would log every request to stderr, drowning the live log.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = EmbeddedServer()
    server.start()
    host, port = server.get_host_and_port()
    emulator = Emulator(
        endpoint_url=f"http://{host}:{port}", region=region, embedded=True, _server=server
    )
    emulator.reset()
    return emulator
