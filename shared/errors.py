"""The error hierarchy, and how each edge (HTTP, Pub/Sub) treats each error.

AppError                      500, retry
├── ConfigError               startup only: a setting is missing or malformed
├── InvalidRequest            400, no retry (bad input: the message says what is wrong)
│   ├── InvalidMedia          422, no retry (an upload or media file we refuse to use)
│   └── PayloadTooLarge       413, no retry
├── Unauthenticated           401, no retry
├── TooManyRequests           429, no retry now: try again after ``retry_after_s``
├── NotFound                  404, no retry (also what another user's object looks like)
├── Conflict                  409, no retry (idempotent no-op for a redelivered message)
│   ├── InvalidTransition     409, the job state machine refused a change
│   └── IdempotencyKeyReused  409, a key sent again with a different body
├── TransientError            503, retry (nack): a dependency is down or contended
├── Cancelled                 the job was cancelled while work ran; ack, nothing to retry
└── RenderFailed              500; says what failed in words, carries FFmpeg's stderr tail apart
"""

from __future__ import annotations


class AppError(Exception):
    """Base of every error the product raises on purpose."""

    http_status = 500
    retryable = True
    code = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"error": self.code, "message": self.message}


class ConfigError(AppError):
    code = "config"
    retryable = False


class InvalidRequest(AppError):
    http_status = 400
    retryable = False
    code = "invalid_request"


class InvalidMedia(InvalidRequest):
    http_status = 422
    code = "invalid_media"


class PayloadTooLarge(InvalidRequest):
    http_status = 413
    code = "payload_too_large"


class Unauthenticated(AppError):
    http_status = 401
    retryable = False
    code = "unauthenticated"


class TooManyRequests(AppError):
    http_status = 429
    retryable = False
    code = "too_many_requests"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class NotFound(AppError):
    http_status = 404
    retryable = False
    code = "not_found"


class Conflict(AppError):
    http_status = 409
    retryable = False
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


class TransientError(AppError):
    http_status = 503
    retryable = True
    code = "unavailable"


class Cancelled(AppError):
    http_status = 409
    retryable = False
    code = "cancelled"


class RenderFailed(AppError):
    """``message`` says what failed, in words; FFmpeg's ``stderr_tail`` is for the logs only
    (it holds paths and memory addresses no user should see)."""

    code = "render_failed"
    retryable = True

    def __init__(self, message: str, stderr_tail: str = "", returncode: int | None = None) -> None:
        super().__init__(message)
        self.stderr_tail = stderr_tail
        self.returncode = returncode
