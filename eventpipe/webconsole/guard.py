"""Who may talk to the console: the developer's own browser tab, and nothing else.

The console can redrive and purge dead-letter queues, so it is guarded as Jupyter guards
its notebook server (https://jupyter-server.readthedocs.io/en/latest/operators/security.html):

- it listens on the loopback address only (:func:`check_bind`), so no other machine
  reaches it;
- every request carries a random token (:func:`new_token`), printed in the address at
  start: another page the developer visits cannot know it;
- the ``Host`` header must name the loopback address and the console's port. A page of
  another site whose name is re-pointed at 127.0.0.1 (DNS rebinding) reaches the port,
  but its requests carry its own name in ``Host``;
- a request with an ``Origin`` header (browsers send one with every cross-origin request
  and every POST, https://fetch.spec.whatwg.org/#origin-header) must come from the
  console's own origin; ``Sec-Fetch-Site: cross-site`` is refused as well.

The token travels in the ``X-Eventpipe-Token`` header (what the page's script sends) or
in the ``token`` query parameter (the printed address, and ``curl``).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from typing import Protocol

TOKEN_HEADER = "X-Eventpipe-Token"
TOKEN_PARAM = "token"
LOOPBACK = "127.0.0.1"
LOCAL_NAMES = ("127.0.0.1", "localhost")


class Headers(Protocol):
    """Request headers, looked up case-insensitively (``http.server``'s message)."""

    def get(self, name: str, /) -> str | None: ...


class NotLoopbackError(ValueError):
    """The console was asked to listen beyond this machine."""


def new_token() -> str:
    """192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def check_bind(host: str) -> str:
    """``host`` if it is a loopback address; :class:`NotLoopbackError` otherwise."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise NotLoopbackError(
            f"the console listens on an IP address of this machine's loopback, not {host!r}"
        ) from None
    if not address.is_loopback:
        raise NotLoopbackError(
            f"the console listens on the loopback address only, not {host}: anyone who "
            "reached it could redrive and purge your DLQs"
        )
    return host


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


@dataclass(frozen=True)
class Guard:
    """The checks of one console: its token and port."""

    token: str
    port: int

    def allowed_hosts(self) -> set[str]:
        return {f"{name}:{self.port}" for name in LOCAL_NAMES}

    def allowed_origins(self) -> set[str]:
        return {f"http://{host}" for host in self.allowed_hosts()}

    def check(self, headers: Headers, query_token: str | None) -> Refusal | None:
        """None when the request may go on; else why not (status 403 or 401)."""
        host = headers.get("Host")
        if host not in self.allowed_hosts():
            return Refusal(403, f"Host {host!r} is not this console's address")
        origin = headers.get("Origin")
        if origin is not None and origin not in self.allowed_origins():
            return Refusal(403, f"requests from {origin} are refused")
        if headers.get("Sec-Fetch-Site") == "cross-site":
            return Refusal(403, "cross-site requests are refused")
        given = headers.get(TOKEN_HEADER) or query_token or ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return Refusal(401, "missing or wrong token: open the address `eventpipe dev` printed")
        return None
