"""The console refuses every request that is not the developer's own tab: each attack is
tried against a running console over real HTTP."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest

from eventpipe.aws_clients import FAKE_CREDENTIALS
from eventpipe.graph import Topology
from eventpipe.operate.stack_outputs import StackTarget, parse_outputs
from eventpipe.webconsole import ConsoleApi, Feed, NotLoopbackError, RunningConsole, start_console
from eventpipe.webconsole.guard import check_bind

TOKEN = "s3cret-token-for-the-test"
OUTPUTS = {
    "bus": {"name": "b", "arn": "arn:aws:events:us-east-1:1:event-bus/b"},
    "consumers": {
        "orders": {
            "queueUrl": "http://127.0.0.1:1/q",
            "queueArn": "arn:aws:sqs:us-east-1:1:q",
            "dlqUrl": "http://127.0.0.1:1/d",
            "dlqArn": "arn:aws:sqs:us-east-1:1:d",
            "eventSourceMappingUuid": "u-1",
        }
    },
}


@pytest.fixture(scope="module")
def running(request: pytest.FixtureRequest) -> Iterator[RunningConsole]:
    from eventpipe.graph import topology
    from eventpipe.resolve import resolve_from_file
    from tests.graph.conftest import ROOT

    resolved = resolve_from_file(ROOT, "dev")
    topo: Topology = topology(resolved.settings, [(d.plugin, d.consumer) for d in resolved.enabled])
    # An endpoint nothing listens on: a request that got past the guard to AWS would fail
    # with a connection error, never silently succeed.
    target = StackTarget(
        parse_outputs(OUTPUTS, origin="test", stack="dev"),
        origin="test",
        endpoint_url="http://127.0.0.1:1",
        region="us-east-1",
        credentials=FAKE_CREDENTIALS,
    )
    console = start_console(ConsoleApi(target, topo, Feed()), token=TOKEN)
    yield console
    console.stop()


def call(
    console: RunningConsole,
    method: str,
    path: str,
    *,
    host: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    connection = http.client.HTTPConnection("127.0.0.1", console.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", host if host is not None else f"127.0.0.1:{console.port}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", "0")
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        kind = response.getheader("Content-Type", "")
        data = json.loads(body) if kind == "application/json" else body.decode()
        return response.status, dict(response.getheaders()), data
    finally:
        connection.close()


AUTH = {"X-Eventpipe-Token": TOKEN}


def test_the_printed_address_opens_the_page(running: RunningConsole) -> None:
    assert running.url == f"http://127.0.0.1:{running.port}/?token={TOKEN}"
    status, headers, page = call(running, "GET", f"/?token={TOKEN}")
    assert status == 200
    assert f'src="/static/console.js?token={TOKEN}"' in page
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"
    status, _, graph = call(running, "GET", "/api/graph", headers=AUTH)
    assert status == 200 and len(graph["topology"]["lanes"]) == 4


def test_localhost_by_name_is_the_same_console(running: RunningConsole) -> None:
    status, _, _ = call(running, "GET", "/api/feed", host=f"localhost:{running.port}", headers=AUTH)
    assert status == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/static/console.js"), ("GET", "/api/status"),
     ("POST", "/api/dlq/orders/purge"), ("POST", "/api/dlq/orders/redrive")],
)  # fmt: skip
@pytest.mark.parametrize("token", [None, "wrong", TOKEN[:-1]])
def test_a_missing_or_wrong_token_is_refused(
    running: RunningConsole, method: str, path: str, token: str | None
) -> None:
    headers = {} if token is None else {"X-Eventpipe-Token": token}
    status, _, answer = call(running, method, path, headers=headers)
    assert status == 401
    assert "token" in answer["error"]
    if token is not None:  # nor in the query string
        status, _, _ = call(running, method, f"{path}?token={token}")
        assert status == 401


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1"]
)
def test_a_cross_site_request_with_the_token_is_refused(
    running: RunningConsole, origin: str
) -> None:
    """Another page cannot redrive or purge, even if it learnt the token."""
    for action in ("purge", "redrive"):
        status, _, answer = call(
            running, "POST", f"/api/dlq/orders/{action}", headers={**AUTH, "Origin": origin}
        )
        assert status == 403, answer
        assert origin in answer["error"]


def test_fetch_metadata_cross_site_is_refused(running: RunningConsole) -> None:
    status, _, _ = call(
        running, "POST", "/api/dlq/orders/purge", headers={**AUTH, "Sec-Fetch-Site": "cross-site"}
    )
    assert status == 403


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "", "0.0.0.0:{port}"]
)
def test_dns_rebinding_is_refused(running: RunningConsole, host: str) -> None:
    """A foreign name pointed at 127.0.0.1 reaches the port, but says its name in Host."""
    named = host.format(port=running.port)
    status, _, answer = call(running, "POST", "/api/dlq/orders/purge", host=named, headers=AUTH)
    assert status == 403
    assert "Host" in answer["error"]


def test_the_own_origin_with_the_token_reaches_the_operate_functions(
    running: RunningConsole,
) -> None:
    origin = {"Origin": f"http://127.0.0.1:{running.port}", **AUTH}
    status, _, answer = call(running, "POST", "/api/dlq/nobody/purge", headers=origin)
    assert status == 400 and "nobody" in answer["error"]  # the stack outputs answered
    status, _, answer = call(running, "GET", "/api/nothing", headers=AUTH)
    assert status == 404


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "localhost", "example.com"]
)
def test_it_will_not_listen_beyond_loopback(host: str) -> None:
    with pytest.raises(NotLoopbackError):
        check_bind(host)
    with pytest.raises(NotLoopbackError):
        start_console(None, host=host)  # type: ignore[arg-type]


def test_it_listens_on_loopback_only(running: RunningConsole) -> None:
    assert running.server.server_address[0] == "127.0.0.1"
    assert check_bind("127.0.0.1") == "127.0.0.1"
