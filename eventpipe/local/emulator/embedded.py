"""The embedded moto server: moto's own WSGI application, its requests marked as ours.

It is what moto's ``ThreadedMotoServer`` runs (werkzeug's threaded server around
``DomainDispatcherApplication(create_backend_app)``), with one difference: every request
is served inside :func:`~eventpipe.local.emulator.shims.scope.marked`, so the shims
(:mod:`eventpipe.local.emulator.shims`) apply to this server's requests and to nothing
else in the process. Starting it installs the shims (once per process).
"""

from __future__ import annotations

import threading
from typing import Any

from eventpipe.local.emulator.shims import apply_moto_shims
from eventpipe.local.emulator.shims.scope import marked


class EmbeddedServer:
    """A moto server on ``host``:``port`` (0: a free port) in a daemon thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._host = host
        self._port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        apply_moto_shims()
        application = marked(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._host,
            self._port,
            application,  # type: ignore[arg-type]
            threaded=True,
            request_handler=MotoRequestHandler,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="embedded-moto", daemon=True
        )
        self._thread.start()

    def get_host_and_port(self) -> tuple[str, int]:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None
