"""Ports and HTTP probes for local services (loopback only)."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

# Never route loopback probes through an HTTP proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    @property
    def address(self) -> str:
        """``host:port``, the form PUBSUB_ and FIRESTORE_EMULATOR_HOST take."""
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now: the kernel's pick for a bind to port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(host: str, port: int) -> bool:
    """True if a server could listen on ``host:port`` now.

    SO_REUSEADDR, as the emulators set it, so connections lingering in TIME_WAIT after a server
    stopped do not count as "in use"; a socket still listening does.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def http_answers(url: str, timeout_s: float = 1.0) -> bool:
    """True once anything answers HTTP at ``url`` (any status: the server is up)."""
    try:
        with _opener.open(url, timeout=timeout_s):
            return True
    except urllib.error.HTTPError as exc:
        exc.close()
        return True
    except (OSError, ValueError):
        return False


def http_request(method: str, url: str, timeout_s: float = 10.0) -> int:
    """Send a body-less request and return the HTTP status (raises on a connection error)."""
    request = urllib.request.Request(url, method=method)
    try:
        with _opener.open(request, timeout=timeout_s) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return int(exc.code)
