"""Settings, read once from the environment (``Settings.from_env``) and passed down explicitly."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared.errors import ConfigError

# Where Debian's font packages put the fallback fonts for what the shipped DejaVu fonts lack
# (fonts-noto-cjk, fonts-symbola; scripts/install-system-deps installs them). Fixed, never
# searched: a missing file is skipped and the characters only it has are warned about on the job.
FALLBACK_FONT_DIR = Path("/usr/share/fonts")


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


def _voices(env: Mapping[str, str], key: str) -> tuple[tuple[str, str], ...]:
    """``"id:Name,id2:Name 2"`` as ((id, name), ...)."""
    pairs = []
    for entry in filter(None, (e.strip() for e in (_opt(env, key) or "").split(","))):
        voice_id, _, name = entry.partition(":")
        if not voice_id.strip().isalnum() or not name.strip():
            raise ConfigError(f"{key}: {entry!r} is not voice_id:Name")
        pairs.append((voice_id.strip(), name.strip()))
    return tuple(pairs)


_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?")


def _origins(env: Mapping[str, str], key: str) -> tuple[str, ...]:
    """``"https://a.web.app,https://b.example"``: origins as a browser sends them (no path)."""
    origins = []
    for entry in filter(None, (e.strip().rstrip("/") for e in (_opt(env, key) or "").split(","))):
        if not _ORIGIN.fullmatch(entry):
            raise ConfigError(f"{key}: {entry!r} is not an origin like https://studio.example")
        origins.append(entry)
    return tuple(origins)


@dataclass(frozen=True)
class ImagerySettings:
    """AI stills and clips (shared/imagery): SDXL / Wan on a GPU box, Gemini image, Veo."""

    sdxl_steps: int = 30
    wan_steps: int = 30
    image_long_edge: int = 1344  # SDXL output, rounded to 16 px per side
    clip_long_edge: int = 832  # Wan 480p output
    gemini_image_model: str = "gemini-2.5-flash-image"
    gemini_image_timeout_ms: int = 60_000
    veo_model: str | None = None  # None: Veo is off (it needs Vertex AI and its quota)
    vertex_location: str = "us-central1"
    veo_base_url: str | None = None  # tests only: a local server speaking Vertex's protocol
    # A fixed OAuth token instead of ADC (dev, tests); None: application default credentials.
    veo_access_token: Secret | None = None
    veo_poll_ms: int = 10_000
    veo_deadline_s: int = 420

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ImagerySettings:
        return cls(
            sdxl_steps=_int(env, "CS_SDXL_STEPS", 30),
            wan_steps=_int(env, "CS_WAN_STEPS", 30),
            image_long_edge=_int(env, "CS_AI_IMAGE_EDGE", 1344),
            clip_long_edge=_int(env, "CS_AI_CLIP_EDGE", 832),
            gemini_image_model=_opt(env, "CS_GEMINI_IMAGE_MODEL") or "gemini-2.5-flash-image",
            gemini_image_timeout_ms=_int(env, "CS_GEMINI_IMAGE_TIMEOUT_MS", 60_000),
            veo_model=_opt(env, "CS_VEO_MODEL"),
            vertex_location=_opt(env, "CS_VERTEX_LOCATION") or "us-central1",
            veo_base_url=_opt(env, "CS_VEO_BASE_URL"),
            veo_access_token=_secret(env, "CS_VEO_ACCESS_TOKEN"),
            veo_poll_ms=_int(env, "CS_VEO_POLL_MS", 10_000),
            veo_deadline_s=_int(env, "CS_VEO_DEADLINE_S", 420),
        )


@dataclass(frozen=True)
class MusicSettings:
    """The music chain (shared/music): ACE-Step's server and MusicGen on a GPU box, ElevenLabs."""

    acestep_url: str | None = None  # ACE-Step's REST server on this box; None: not here
    acestep_api_key: Secret | None = None
    acestep_timeout_s: int = 30  # one HTTP call
    acestep_deadline_s: int = 300  # the whole generation, polled
    acestep_poll_ms: int = 2000
    bed_max_s: int = 120  # the longest bed an AI link is asked for; a longer ad loops it
    musicgen_max_s: int = 30  # MusicGen's trained length
    elevenlabs_model: str = "music_v1"
    elevenlabs_timeout_s: int = 120

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MusicSettings:
        return cls(
            acestep_url=_opt(env, "CS_ACESTEP_URL"),
            acestep_api_key=_secret(env, "CS_ACESTEP_API_KEY"),
            acestep_timeout_s=_int(env, "CS_ACESTEP_TIMEOUT_S", 30),
            acestep_deadline_s=_int(env, "CS_ACESTEP_DEADLINE_S", 300),
            acestep_poll_ms=_int(env, "CS_ACESTEP_POLL_MS", 2000),
            bed_max_s=_int(env, "CS_MUSIC_BED_MAX_S", 120),
            musicgen_max_s=_int(env, "CS_MUSICGEN_MAX_S", 30),
            elevenlabs_model=_opt(env, "CS_ELEVENLABS_MUSIC_MODEL") or "music_v1",
            elevenlabs_timeout_s=_int(env, "CS_ELEVENLABS_MUSIC_TIMEOUT_S", 120),
        )


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
    # Public origins the browser sees besides the one a request reached (Hosting's domains): the
    # CSRF Origin check accepts these; it never trusts a client's X-Forwarded-Host.
    allowed_origins: tuple[str, ...] = ()
    work_dir: Path = field(default_factory=lambda: Path("/tmp/createstudio"))
    models_dir: Path | None = None
    # A GPU box without CUDA runs its models on the CPU only within this much memory (0: never).
    cpu_model_budget_mb: int = 0
    signing_key_file: Path | None = None
    signed_url_ttl_s: int = 900
    max_upload_bytes: int = 50 * 1024 * 1024
    gemini_api_key: Secret | None = None
    elevenlabs_api_key: Secret | None = None
    # The voice chain: ElevenLabs (when keyed), then espeak-ng. Voices: (voice id, name) pairs.
    elevenlabs_base_url: str | None = None  # tests only: a local server speaking ElevenLabs'
    elevenlabs_model: str = "eleven_multilingual_v2"
    elevenlabs_voices: tuple[tuple[str, str], ...] = ()
    elevenlabs_timeout_s: int = 30
    session_secret: Secret | None = None
    # The editor's Firebase web app (public by design: it names the project, it grants nothing);
    # the login answer hands them to the editor, which signs in to Firebase Auth with them.
    firebase_api_key: str | None = None
    firebase_app_id: str | None = None
    # The ad-script chain (shared/scripts): Ollama, then Gemini, then the offline template writer.
    ollama_host: str | None = None
    ollama_model: str = "llama3.1:8b"
    ollama_timeout_s: int = 5
    gemini_model: str = "gemini-3.8-flash"
    gemini_base_url: str | None = None  # tests only: a local server speaking Gemini's protocol
    gemini_timeout_ms: int = 5000
    script_deadline_s: int = 8
    script_rate_per_hour: int = 30
    # Each user's daily allowance of paid provider calls (shared/usage.py); 0 turns one off.
    tts_chars_per_day: int = 20_000
    veo_seconds_per_day: int = 64
    ai_music_seconds_per_day: int = 600
    # What one job may take: the worker's ceiling on a task's memory (its own growth and each
    # FFmpeg it starts), and what one user may have in flight at once (POST /api/jobs: 429).
    task_memory_mb: int = 4096
    encoder_threads: int = 0  # x264 threads of a long render's segments; 0: FFmpeg's choice
    longform_after_ms: int = 300_000  # a longer timeline renders as segments on many workers
    segment_ms: int = 60_000  # about how long each of those segments is
    user_max_jobs: int = 3
    user_max_minutes: int = 240
    imagery: ImagerySettings = field(default_factory=ImagerySettings)
    music: MusicSettings = field(default_factory=MusicSettings)

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
            allowed_origins=_origins(env, "CS_ALLOWED_ORIGINS"),
            work_dir=Path(_opt(env, "CS_WORK_DIR") or "/tmp/createstudio"),
            models_dir=Path(models_dir) if models_dir else None,
            cpu_model_budget_mb=_int(env, "CS_CPU_MODEL_BUDGET_MB", 0),
            signing_key_file=Path(key_file) if key_file else None,
            signed_url_ttl_s=_int(env, "CS_SIGNED_URL_TTL_S", 900),
            max_upload_bytes=_int(env, "CS_MAX_UPLOAD_BYTES", 50 * 1024 * 1024),
            gemini_api_key=_secret(env, "GEMINI_API_KEY"),
            elevenlabs_api_key=_secret(env, "ELEVENLABS_API_KEY"),
            elevenlabs_base_url=_opt(env, "CS_ELEVENLABS_BASE_URL"),
            elevenlabs_model=_opt(env, "CS_ELEVENLABS_MODEL") or "eleven_multilingual_v2",
            elevenlabs_voices=_voices(env, "CS_ELEVENLABS_VOICES"),
            elevenlabs_timeout_s=_int(env, "CS_ELEVENLABS_TIMEOUT_S", 30),
            session_secret=_secret(env, "CS_SESSION_SECRET"),
            firebase_api_key=_opt(env, "CS_FIREBASE_API_KEY"),
            firebase_app_id=_opt(env, "CS_FIREBASE_APP_ID"),
            ollama_host=_opt(env, "CS_OLLAMA_HOST"),
            ollama_model=_opt(env, "CS_OLLAMA_MODEL") or "llama3.1:8b",
            ollama_timeout_s=_int(env, "CS_OLLAMA_TIMEOUT_S", 5),
            gemini_model=_opt(env, "CS_GEMINI_MODEL") or "gemini-3.8-flash",
            gemini_base_url=_opt(env, "CS_GEMINI_BASE_URL"),
            gemini_timeout_ms=_int(env, "CS_GEMINI_TIMEOUT_MS", 5000),
            script_deadline_s=_int(env, "CS_SCRIPT_DEADLINE_S", 8),
            script_rate_per_hour=_int(env, "CS_SCRIPT_RATE_PER_HOUR", 30),
            tts_chars_per_day=_int(env, "CS_TTS_CHARS_PER_DAY", 20_000),
            veo_seconds_per_day=_int(env, "CS_VEO_SECONDS_PER_DAY", 64),
            ai_music_seconds_per_day=_int(env, "CS_AI_MUSIC_SECONDS_PER_DAY", 600),
            task_memory_mb=_int(env, "CS_TASK_MEMORY_MB", 4096),
            encoder_threads=_int(env, "CS_ENCODER_THREADS", 0),
            longform_after_ms=_int(env, "CS_LONGFORM_AFTER_MS", 300_000),
            segment_ms=_int(env, "CS_SEGMENT_MS", 60_000),
            user_max_jobs=_int(env, "CS_USER_MAX_JOBS", 3),
            user_max_minutes=_int(env, "CS_USER_MAX_MINUTES", 240),
            imagery=ImagerySettings.from_env(env),
            music=MusicSettings.from_env(env),
        )

    def topic(self, name: str) -> str:
        """The full Pub/Sub topic id of one of the project's logical topics."""
        return f"{self.topic_prefix}{name}"
