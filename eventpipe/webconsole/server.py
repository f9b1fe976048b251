"""The console's HTTP server: the page, its script and style, and the JSON endpoints.

Standard library only (:mod:`http.server`): no Node toolchain, no build step, nothing
fetched from the network; the page's files ship in the package (``static/``). Every
request passes :class:`~eventpipe.webconsole.guard.Guard` first.

Routes (``CONSUMER`` a consumer's name; ``?intake=1`` for its intake DLQ):

    GET  /                          the page (the printed address carries the token)
    GET  /static/console.js|.css    its script and style
    GET  /api/graph                 the topology (``eventpipe graph``) as JSON and SVG
    GET  /api/status                ``eventpipe status``, with each breaker
    GET  /api/feed?after=N          outcomes recorded after entry N
    GET  /api/trace/EVENT_ID        the engine's record and ``eventpipe trace``
    GET  /api/dlq/CONSUMER          ``eventpipe dlq peek``
    POST /api/dlq/CONSUMER/redrive  ``eventpipe dlq redrive``
    POST /api/dlq/CONSUMER/purge    ``eventpipe dlq purge``
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from eventpipe.operate.exceptions import OperateError
from eventpipe.stack_output import UnknownConsumerError
from eventpipe.webconsole.api import ConsoleApi
from eventpipe.webconsole.guard import LOOPBACK, TOKEN_PARAM, Guard, check_bind, new_token

STATIC = {
    "/static/console.js": ("console.js", "text/javascript; charset=utf-8"),
    "/static/console.css": ("console.css", "text/css; charset=utf-8"),
}
SECURITY_HEADERS = {
    # Nothing but the console's own script runs, nothing is fetched from elsewhere, and no
    # page may frame it. Inline style is allowed for the graph's SVG (its own <style>).
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token is in the address: never pass it on
    "Cache-Control": "no-store",
}


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _static(name: str) -> bytes:
    return resources.files("eventpipe.webconsole").joinpath("static", name).read_bytes()


class Handler(BaseHTTPRequestHandler):
    server: ConsoleHttpServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: ``eventpipe dev`` owns the terminal."""

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _guarded(self) -> tuple[str, dict[str, list[str]]] | None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        tokens = query.get(TOKEN_PARAM) or []
        refusal = self.server.guard.check(self.headers, tokens[0] if tokens else None)
        if refusal is not None:
            self._json(refusal.status, {"error": refusal.reason})
            return None
        return url.path, query

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 65536))
        self._handle("POST")

    def _handle(self, method: str) -> None:
        checked = self._guarded()
        if checked is None:
            return
        path, query = checked
        try:
            if method == "GET" and path == "/":
                page = (
                    _static("index.html")
                    .decode()
                    .replace("{{token}}", quote(self.server.guard.token))
                )
                self._send(200, page.encode(), "text/html; charset=utf-8")
            elif method == "GET" and path in STATIC:
                name, content_type = STATIC[path]
                self._send(200, _static(name), content_type)
            elif path.startswith("/api/"):
                self._json(200, self._api(method, path[len("/api/") :].split("/"), query))
            else:
                raise BadRequest(404, f"no {method} {path}")
        except BadRequest as exc:
            self._json(exc.status, {"error": str(exc)})
        except (OperateError, UnknownConsumerError) as exc:
            self._json(400, {"error": str(exc)})
        except Exception as exc:  # the page shows it; the console keeps serving
            self._json(500, {"error": f"{type(exc).__name__}: {exc}"})

    def _api(self, method: str, parts: list[str], query: dict[str, list[str]]) -> Any:
        api = self.server.api
        parts = [unquote(p) for p in parts]
        intake = (query.get("intake") or ["0"])[0] == "1"
        match (method, parts):
            case ("GET", ["graph"]):
                return api.graph()
            case ("GET", ["status"]):
                return api.status()
            case ("GET", ["feed"]):
                try:
                    after = int((query.get("after") or ["0"])[0])
                except ValueError:
                    raise BadRequest(400, "after must be a whole number") from None
                return api.feed_since(after)
            case ("GET", ["trace", event_id]):
                return api.trace(event_id)
            case ("GET", ["dlq", consumer]):
                return api.peek(consumer, intake)
            case ("POST", ["dlq", consumer, "redrive"]):
                return api.redrive(consumer, intake)
            case ("POST", ["dlq", consumer, "purge"]):
                return api.purge(consumer, intake)
        raise BadRequest(404 if method == "GET" else 405, f"no {method} /api/{'/'.join(parts)}")


class ConsoleHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], api: ConsoleApi, token: str):
        super().__init__(address, Handler)
        self.api = api
        self.guard = Guard(token, self.server_address[1])


@dataclass
class RunningConsole:
    """A console serving in a thread of its own; :meth:`stop` ends it."""

    server: ConsoleHttpServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def token(self) -> str:
        return self.server.guard.token

    @property
    def url(self) -> str:
        """The address to open: the page, with its token."""
        return f"http://{LOOPBACK}:{self.port}/?{TOKEN_PARAM}={self.token}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def start_console(
    api: ConsoleApi, *, host: str = LOOPBACK, port: int = 0, token: str | None = None
) -> RunningConsole:
    """Serve the console on ``host:port`` (port 0: any free one) until ``stop()``.
    ``host`` must be a loopback address (:func:`~eventpipe.webconsole.guard.check_bind`)."""
    server = ConsoleHttpServer((check_bind(host), port), api, token or new_token())
    thread = threading.Thread(target=server.serve_forever, name="web-console", daemon=True)
    thread.start()
    return RunningConsole(server, thread)
