"""Settings, read once from the environment (``Settings.from_env``) and passed down explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared.errors import ConfigError


class Secret:
    """A value that never shows in logs, reprs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _opt(env: Mapping[str, str], key: str) -> str | None:
    value = env.get(key, "").strip()
    return value or None


def _secret(env: Mapping[str, str], key: str) -> Secret | None:
    value = _opt(env, key)
    return Secret(value) if value else None


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = _opt(env, key)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not an integer") from None


def _bool(env: Mapping[str, str], key: str, default: bool) -> bool:
    raw = _opt(env, key)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{key}={raw!r} is not a boolean (use 1/0, true/false)")


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Emulator hosts unset means real Google Cloud."""

    project_id: str
    media_bucket: str
    renders_bucket: str
    topic_prefix: str = ""
    pubsub_emulator_host: str | None = None
    firestore_emulator_host: str | None = None
    storage_emulator_host: str | None = None
    local_mode: bool = False
    log_level: str = "INFO"
    work_dir: Path = field(default_factory=lambda: Path("/tmp/createstudio"))
    models_dir: Path | None = None
    signing_key_file: Path | None = None
    signed_url_ttl_s: int = 900
    max_upload_bytes: int = 50 * 1024 * 1024
    gemini_api_key: Secret | None = None
    elevenlabs_api_key: Secret | None = None
    session_secret: Secret | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        project_id = _opt(env, "GOOGLE_CLOUD_PROJECT")
        if project_id is None:
            raise ConfigError("GOOGLE_CLOUD_PROJECT is not set (the Google Cloud project id)")
        models_dir = _opt(env, "CS_MODELS_DIR")
        key_file = _opt(env, "CS_SIGNING_KEY_FILE")
        return cls(
            project_id=project_id,
            media_bucket=_opt(env, "CS_MEDIA_BUCKET") or f"{project_id}-media",
            renders_bucket=_opt(env, "CS_RENDERS_BUCKET") or f"{project_id}-renders",
            topic_prefix=_opt(env, "CS_TOPIC_PREFIX") or "",
            pubsub_emulator_host=_opt(env, "PUBSUB_EMULATOR_HOST"),
            firestore_emulator_host=_opt(env, "FIRESTORE_EMULATOR_HOST"),
            storage_emulator_host=_opt(env, "STORAGE_EMULATOR_HOST"),
            local_mode=_bool(env, "CS_LOCAL", False),
            log_level=(_opt(env, "CS_LOG_LEVEL") or "INFO").upper(),
            work_dir=Path(_opt(env, "CS_WORK_DIR") or "/tmp/createstudio"),
            models_dir=Path(models_dir) if models_dir else None,
            signing_key_file=Path(key_file) if key_file else None,
            signed_url_ttl_s=_int(env, "CS_SIGNED_URL_TTL_S", 900),
            max_upload_bytes=_int(env, "CS_MAX_UPLOAD_BYTES", 50 * 1024 * 1024),
            gemini_api_key=_secret(env, "GEMINI_API_KEY"),
            elevenlabs_api_key=_secret(env, "ELEVENLABS_API_KEY"),
            session_secret=_secret(env, "CS_SESSION_SECRET"),
        )

    def topic(self, name: str) -> str:
        """The full Pub/Sub topic id of one of the project's logical topics."""
        return f"{self.topic_prefix}{name}"
