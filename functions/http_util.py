"""What every HTTP function shares: routing, JSON bodies, errors as JSON, the session, CSRF.

Cross-site defence for a cookie-authenticated JSON API: state-changing requests must be
``application/json`` (a form cannot send that without a CORS preflight, which we never grant),
``Sec-Fetch-Site: cross-site`` is refused, and the cookie is SameSite=Strict. The API is served
same-origin with the editor (Hosting rewrites; the local gateway), so no CORS headers are sent.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import flask
import requests
from google.api_core import exceptions as gexc
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from functions.http_deps import Deps, deps
from shared.auth.cookies import COOKIE_NAME
from shared.errors import (
    AppError,
    InvalidRequest,
    PayloadTooLarge,
    TooManyRequests,
    TransientError,
)
from shared.settings import Settings
from shared.timeline.validate import describe

log = logging.getLogger(__name__)

SMALL_BODY_BYTES = 16 * 1024
Model = TypeVar("Model", bound=BaseModel)
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_UNAVAILABLE = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.Aborted,
    requests.ConnectionError,
    requests.Timeout,
)


class UnsupportedMediaType(InvalidRequest):
    http_status = 415
    code = "unsupported_media_type"


class CrossSiteRequest(AppError):
    http_status = 403
    retryable = False
    code = "cross_site_request"


@dataclass(frozen=True)
class Call:
    """One request as a handler sees it."""

    request: flask.Request
    deps: Deps
    params: dict[str, str]
    now: datetime

    def uid(self) -> str:
        """The signed-in user; Unauthenticated (401) otherwise."""
        return self.deps.auth.authenticate(self.request.cookies.get(COOKIE_NAME), self.now)

    def body(self, model: type[Model], max_bytes: int = SMALL_BODY_BYTES) -> Model:
        return parse_body(self.request, model, max_bytes)


Handler = Callable[[Call], flask.Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, path: str, handler: Handler) -> Route:
    """``path`` relative to the function's prefix; ``{name}`` matches one id segment.

    An id never starts with "__" (Firestore reserves such ids); the path ends at ``\\Z``, since
    ``$`` would also match before a final newline.
    """
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>(?!__)[A-Za-z0-9_-]{1,128})", path)
    return Route(method, re.compile(f"^{regex}\\Z"), handler)


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> flask.Response:
    response = flask.Response(
        json.dumps(body, default=str), status=status, mimetype="application/json"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error_response(exc: AppError) -> flask.Response:
    headers = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after_s)
    return json_response(exc.to_dict(), exc.http_status, headers)


def http_error(exc: HTTPException) -> flask.Response:
    """Werkzeug's own refusals, before any route runs (a path its router cannot read, such as
    one with a newline), as JSON like every other answer."""
    status = exc.code or 500
    code = "not_found" if status == 404 else "invalid_request" if status < 500 else "internal"
    return json_response(
        {"error": code, "message": f"{exc.name}: no route for this request"}, status
    )


def _refuse_constant(name: str) -> Any:
    raise InvalidRequest(f"the request body is not valid JSON: {name} is not a number")


def parse_body(request: flask.Request, model: type[Model], max_bytes: int) -> Model:
    """The JSON body as ``model`` (unknown fields refused); clear 4xx for anything else."""
    too_large = PayloadTooLarge(f"the request body is larger than {max_bytes} bytes")
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large
    raw = request.stream.read(max_bytes + 1)  # bounded, also for a body without Content-Length
    if len(raw) > max_bytes:
        raise too_large
    try:
        data = json.loads(raw or b"{}", parse_constant=_refuse_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"the request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidRequest("the request body is nested too deeply") from None
    if not isinstance(data, dict):
        raise InvalidRequest("the request body must be a JSON object")
    try:
        # Strict, from the JSON text: a number must be a JSON number ("3000" and true are
        # refused), while enums still come as strings.
        return model.model_validate_json(raw or b"{}", strict=True)
    except ValidationError as exc:
        raise InvalidRequest(f"invalid request: {describe(exc)}") from None


def _own_origins(request: flask.Request, settings: Settings) -> set[str]:
    """This API's origin as reached, and the public origins the deployment names (the Hosting
    domains, CS_ALLOWED_ORIGINS). X-Forwarded-Host is never trusted: any client can send it."""
    return {request.host_url.rstrip("/"), *settings.allowed_origins}


def check_cross_site(request: flask.Request, settings: Settings) -> None:
    if request.method not in _STATE_CHANGING:
        return
    if request.headers.get("Sec-Fetch-Site", "same-origin") == "cross-site":
        raise CrossSiteRequest("cross-site requests are refused")
    origin = request.headers.get("Origin")
    if origin is not None and origin not in _own_origins(request, settings):
        raise CrossSiteRequest(f"requests from {origin[:100]} are refused")
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(
            f"send Content-Type: application/json, not {request.mimetype or 'nothing'!r}"
        )


def dispatch(request: flask.Request, prefix: str, routes: Sequence[Route]) -> flask.Response:
    """Run the handler of the route matching the path after ``prefix`` (present or not).

    Behind Hosting rewrites the path keeps its prefix (/api/jobs/...); called at the function's
    own URL it does not, so both are accepted.
    """
    path = request.path.rstrip("/")
    rest = path.removeprefix(prefix) if path.startswith(prefix) else path
    try:
        allowed = []
        for candidate in routes:
            found = candidate.pattern.match(rest or "/")
            if found is None:
                continue
            allowed.append(candidate.method)
            if candidate.method == request.method:
                services = deps()
                check_cross_site(request, services.settings)
                call = Call(request, services, found.groupdict(), datetime.now(UTC))
                return candidate.handler(call)
        if allowed:
            return json_response(
                {"error": "method_not_allowed", "message": f"use {', '.join(allowed)}"},
                405,
                {"Allow": ", ".join(allowed)},
            )
        return json_response({"error": "not_found", "message": f"no route {path[:200]}"}, 404)
    except _UNAVAILABLE as exc:  # a dependency is down: say so, the client may retry
        log.error("dependency unavailable", extra={"path": path, "error": repr(exc)})
        return error_response(TransientError("a backend service is unavailable; retry shortly"))
    except AppError as exc:
        if exc.http_status >= 500:
            log.error("request failed", extra={"path": path, "error": str(exc)})
        return error_response(exc)
    except Exception:  # a bug: logged whole, answered in JSON without the details
        log.exception("request crashed", extra={"path": path[:200], "method": request.method})
        return error_response(AppError("something went wrong on our side; try again later"))
