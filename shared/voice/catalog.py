"""The voices a job may ask for (pure): espeak-ng's by language, ElevenLabs' from settings."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.errors import InvalidRequest
from shared.settings import Settings

ESPEAK_PREFIX = "espeak:"
DEFAULT_LANGUAGE = "en-us"
# The curated few the picker offers (espeak-ng has ~130; most are for other scripts or dialects).
ESPEAK_LANGUAGES = {
    "en-us": "English (US)",
    "en-gb": "English (UK)",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}
_ELEVENLABS_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")

Engine = Literal["espeak-ng", "elevenlabs"]


class Voice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    voice_id: str
    name: str
    language: str
    engine: Engine
    available: bool
    why: str | None = None  # why it is not available


def espeak_language(voice_id: str | None) -> str | None:
    """The espeak-ng language of an "espeak:xx" id, else None (an ElevenLabs id or the default)."""
    if voice_id is None or not voice_id.startswith(ESPEAK_PREFIX):
        return None
    return voice_id.removeprefix(ESPEAK_PREFIX)


def check_voice_id(voice_id: str | None) -> None:
    """InvalidRequest unless ``voice_id`` is None, a curated espeak-ng voice or an ElevenLabs id
    (any, not only those settings offer: a studio may use its own cloned voices)."""
    if voice_id is None:
        return
    language = espeak_language(voice_id)
    if language is not None and language not in ESPEAK_LANGUAGES:
        offered = ", ".join(ESPEAK_PREFIX + code for code in ESPEAK_LANGUAGES)
        raise InvalidRequest(f"voice: {voice_id!r} is not one of the espeak-ng voices ({offered})")
    if language is None and not _ELEVENLABS_ID.match(voice_id):
        raise InvalidRequest(
            f"voice: {voice_id!r} is neither an espeak-ng voice nor an ElevenLabs voice id "
            "(GET /api/voices lists them)"
        )


def list_voices(
    settings: Settings, *, espeak_why: str | None, espeak_languages: frozenset[str]
) -> list[Voice]:
    """Every voice the picker offers, with why it cannot be used now."""
    voices = []
    eleven_why = None if settings.elevenlabs_api_key else "ElevenLabs key not set"
    for voice_id, name in settings.elevenlabs_voices:
        voices.append(
            Voice(
                voice_id=voice_id,
                name=name,
                language="multilingual",
                engine="elevenlabs",
                available=eleven_why is None,
                why=eleven_why,
            )  # fmt: skip
        )
    for code, name in ESPEAK_LANGUAGES.items():
        why = espeak_why
        if why is None and code not in espeak_languages:
            why = f"espeak-ng has no {name} voice installed (espeak-ng-data)"
        voices.append(
            Voice(
                voice_id=ESPEAK_PREFIX + code,
                name=f"{name} (espeak-ng)",
                language=code,
                engine="espeak-ng",
                available=why is None,
                why=why,
            )  # fmt: skip
        )
    return voices
