"""What a job asks of the tracks the pipeline makes for it (the voice from the script, the music).

Strict, like every boundary model: a volume is a JSON number. They apply only to made tracks: a
timeline that brings its own voice or music keeps its own settings.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_MUSIC_PROMPT_CHARS = 500
_TEXT = r"^[^\x00-\x1f\x7f]*$"


class VoiceOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    voice_id: str | None = Field(
        default=None, max_length=80, description='"espeak:en-us", an ElevenLabs id, or the default'
    )
    volume: float = Field(default=1.0, ge=0.0, le=4.0)


class MusicOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    prompt: str = Field(default="", max_length=MAX_MUSIC_PROMPT_CHARS, pattern=_TEXT)
    volume: float = Field(default=0.6, ge=0.0, le=4.0)
    duck: bool = True
    snap_cuts: bool = False  # the photos' cuts on the beats of the tempo the music is asked at
