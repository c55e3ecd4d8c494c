"""A threaded HTTP server on a free 127.0.0.1 port that answers from a per-test script.

Each test queues the answers it wants (``server.answer(Reply(...))``); the server pops one per
request (the last one repeats) and records every request it got, so a test can check what the
real SDK sent on the wire.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a status, a raw body, and how long to wait before answering."""

    status: int = 200
    body: bytes = b"{}"
    delay_s: float = 0.0
    content_type: str = "application/json"


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Script:
    replies: list[Reply] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def next_reply(self, request: Received) -> Reply:
        with self.lock:
            self.received.append(request)
            if not self.replies:
                return Reply(500, b'{"error": "no reply scripted"}')
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


class ScriptedServer:
    """Subclasses turn a request's path into the vendor's envelope via ``route``."""

    def __init__(self) -> None:
        self._script = _Script()
        script = self._script
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self._answer("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._answer("POST")

            def _answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(
                    method, self.path, dict(self.headers.items()), self.rfile.read(length)
                )
                reply = owner.route(request, script.next_reply(request))
                # A slow answer waits in small steps so the server can still shut down promptly.
                if reply.delay_s and script.stopping.wait(reply.delay_s):
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout): what a slow-answer test wants

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a slow answer's thread ends on its own
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def received(self) -> list[Received]:
        with self._script.lock:
            return list(self._script.received)

    def answer(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies`` in order; the last one repeats."""
        with self._script.lock:
            self._script.replies = list(replies)

    def route(self, request: Received, reply: Reply) -> Reply:
        return reply

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._script.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def running(server: ScriptedServer) -> Iterator[ScriptedServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def malformed() -> Reply:
    """A 200 whose body is not JSON at all."""
    return Reply(200, b"<html>upstream proxy error</html>", content_type="text/html")


def slow(reply: Reply, delay_s: float) -> Reply:
    return Reply(reply.status, reply.body, delay_s, reply.content_type)
