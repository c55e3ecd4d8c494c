"""The local API gateway: one HTTP port with the cloud's URL paths, plus the static editor.

    /api/auth/*    -> function ``auth``     (functions/auth.py)
    /api/jobs*     -> function ``jobs``     (functions/jobs.py)
    /api/media*    -> function ``media``    (functions/media.py)
    /api/scripts   -> function ``scripts``  (functions/scripts.py)
    /api/projects* -> function ``projects`` (functions/projects.py)
    /api/status    -> function ``status``   (functions/status.py)
    /api/voices    -> function ``voices``   (functions/voices.py)
    /storage/*     -> the storage emulator, for the browser (shared/localstack/storage_proxy.py)
    anything else  -> web/ (index.html at /)

In the cloud, Firebase Hosting serves web/ and rewrites the same /api/* paths to the functions,
so the editor is same-origin in both places. Each function runs as functions-framework would
run it (``create_app`` over functions/main.py), one Flask app per function.

    python -m shared.localstack.gateway --port 8080 [--host 127.0.0.1] [--web web]
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import flask
import functions_framework
from werkzeug.serving import make_server

from shared.adapters.storage_urls import PROXY_PREFIX
from shared.localstack.net import Endpoint, http_answers
from shared.localstack.service import Service
from shared.localstack.storage_proxy import StorageProxy
from shared.logs import configure_logging
from shared.settings import Settings

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS_MAIN = REPO_ROOT / "functions" / "main.py"
WEB_DIR = REPO_ROOT / "web"
# URL prefix -> the function's entry point in functions/main.py
ROUTES: Mapping[str, str] = {
    "/api/auth": "auth",
    "/api/jobs": "jobs",
    "/api/media": "media",
    "/api/scripts": "scripts",
    "/api/projects": "projects",
    "/api/status": "status",
    "/api/voices": "voices",
}

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def static_app(web_dir: Path) -> flask.Flask:
    app = flask.Flask("web", static_folder=str(web_dir), static_url_path="")

    @app.get("/")
    def index() -> flask.Response:
        return app.send_static_file("index.html")

    return app


def build_app(web_dir: Path = WEB_DIR, functions_main: Path = FUNCTIONS_MAIN) -> Wsgi:
    """One WSGI app: each /api prefix to its function, the rest to the static files."""
    functions = {
        prefix: functions_framework.create_app(  # type: ignore[no-untyped-call]
            target=target, source=str(functions_main)
        )
        for prefix, target in ROUTES.items()
    }
    static = static_app(web_dir)
    storage = functools.cache(lambda: StorageProxy(Settings.from_env()))  # on first use

    def gateway(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        for prefix, app in functions.items():
            if path == prefix or path.startswith(prefix + "/"):
                wsgi: Wsgi = app
                return wsgi(environ, start_response)
        if path.startswith(PROXY_PREFIX):
            return storage()(environ, start_response)
        return static(environ, start_response)

    return gateway


def gateway_service(endpoint: Endpoint, web_dir: Path = WEB_DIR) -> Service:
    """The gateway as a stack service (``stack.add(gateway_service(...))``)."""
    return Service(
        name="gateway",
        argv=(
            sys.executable,
            "-m",
            "shared.localstack.gateway",
            "--host",
            endpoint.host,
            "--port",
            str(endpoint.port),
            "--web",
            str(web_dir),
        ),
        ready=lambda: http_answers(f"{endpoint.url}/api/status"),
        env={"PYTHONPATH": str(REPO_ROOT)},
        startup_timeout_s=60.0,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--web", type=Path, default=WEB_DIR)
    args = parser.parse_args(argv)
    configure_logging(os.environ.get("CS_LOG_LEVEL", "INFO").upper())
    server = make_server(args.host, args.port, build_app(args.web), threaded=True)
    log.info("gateway listening", extra={"url": f"http://{args.host}:{args.port}"})
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
