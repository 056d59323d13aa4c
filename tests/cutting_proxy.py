"""A proxy in front of a real SPARQL server that cuts chosen requests, for the tests of a
server that goes away at the worst moment.

Each request is read whole, then either cut before it reaches the server (``before``
picks it: the server never sees it, the client gets no answer) or passed on and its
answer cut instead (``after`` picks it: the server committed, the answer is lost, as
when a server dies after committing or a proxy times out). Everything else passes.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

Rule = Callable[[str, bytes], bool]
"""Picks a request by its path and body."""

_KEPT_OUT = ("content-length", "transfer-encoding", "connection", "content-encoding")


def _never(path: str, body: bytes) -> bool:
    return False


@contextmanager
def cutting_proxy(upstream: str, *, before: Rule = _never, after: Rule = _never) -> Iterator[str]:
    """The proxy's base URL, in front of ``upstream``, for the ``with`` block."""
    forward = httpx.Client(timeout=60)

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _cut(self) -> None:
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if before(self.path, body):
                self._cut()
                return
            skipped = ("host", "content-length", "connection")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in skipped}
            answer = forward.request(
                self.command, upstream + self.path, content=body, headers=headers
            )
            if after(self.path, body):
                self._cut()
                return
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in _KEPT_OUT:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        forward.close()
