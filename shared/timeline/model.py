"""The timeline, schema version 1: the one document the editor, the HTTP API and the workers share.

All times are integer milliseconds (``*_ms``). Media are referenced by ``source`` strings that the
worker resolves to local files before rendering (see ``MediaSource``); the model never holds a
machine path of its own.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.plain_text import OneLine, lines

SCHEMA_VERSION: Final = 1
AD_MAX_CLIPS = 10
LONG_FORM_MAX_CLIPS = 1000
MAX_DURATION_MS = 3 * 60 * 60 * 1000
MIN_CLIP_MS = 500
MAX_PHOTO_MS = 10 * 60 * 1000
MAX_TEXT_CHARS = 200
MAX_SCRIPT_CHARS = 20_000

# A media source is an object in the user's library ("media:<id>"), a GCS object
# ("gs://bucket/path") or, for the CLI and examples only, a relative file path. Nothing else:
# no URLs, no absolute paths, no parent-directory escapes.
# Matched with fullmatch: "$" would also match before a final newline.
_MEDIA_ID = re.compile(r"media:[A-Za-z0-9_-]{1,128}")
_GS_URI = re.compile(r"gs://[a-z0-9][a-z0-9._-]{1,220}/[^\x00-\x1f\x7f-\x9f]{1,1024}")
_REL_PATH = re.compile(r"(?![/\\])(?!.*(^|[/\\])\.\.([/\\]|\Z))[^:\x00-\x1f\x7f-\x9f]{1,512}")
_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def _check_source(value: str) -> str:
    if any(p.fullmatch(value) for p in (_MEDIA_ID, _GS_URI, _REL_PATH)):
        return value
    raise ValueError(
        "must be a library id (media:<id>), a gs://bucket/object URI or a relative file path"
    )


MediaSource = Annotated[str, Field(min_length=1, max_length=1100)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Aspect(StrEnum):
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"
    SQUARE = "1:1"


FRAME_SIZES: dict[Aspect, tuple[int, int]] = {
    Aspect.LANDSCAPE: (1920, 1080),
    Aspect.PORTRAIT: (1080, 1920),
    Aspect.SQUARE: (1080, 1080),
}


class Quality(StrEnum):
    PREVIEW = "preview"  # small and fast: for checking an edit
    FINAL = "final"  # full resolution, broadcast quality


class OutputFormat(_Model):
    aspect: Aspect = Aspect.LANDSCAPE
    fps: Literal[24, 25, 30] = 30
    quality: Quality = Quality.FINAL

    @property
    def size(self) -> tuple[int, int]:
        return FRAME_SIZES[self.aspect]


class Easing(StrEnum):
    LINEAR = "linear"
    EASE_IN = "ease_in"
    EASE_OUT = "ease_out"
    EASE_IN_OUT = "ease_in_out"


class Motion(StrEnum):
    NONE = "none"
    ZOOM_IN = "zoom_in"
    ZOOM_OUT = "zoom_out"
    PAN_LEFT = "pan_left"
    PAN_RIGHT = "pan_right"
    PAN_UP = "pan_up"
    PAN_DOWN = "pan_down"
    CUSTOM = "custom"


class Viewport(_Model):
    """A window on the (cover-cropped) photo: zoom 1 = the whole frame, centre (x, y) in 0..1."""

    zoom: float = Field(default=1.0, ge=1.0, le=4.0)
    x: float = Field(default=0.5, ge=0.0, le=1.0)
    y: float = Field(default=0.5, ge=0.0, le=1.0)


class KenBurns(_Model):
    """Motion on a still. Presets move around the focus point; CUSTOM gives both viewports."""

    motion: Motion = Motion.ZOOM_IN
    focus_x: float = Field(default=0.5, ge=0.0, le=1.0)
    focus_y: float = Field(default=0.5, ge=0.0, le=1.0)
    strength: float = Field(default=0.5, ge=0.0, le=1.0, description="0 = still, 1 = strongest")
    easing: Easing = Easing.EASE_IN_OUT
    start: Viewport | None = None
    end: Viewport | None = None

    @model_validator(mode="after")
    def _custom_needs_viewports(self) -> KenBurns:
        if self.motion is Motion.CUSTOM and (self.start is None or self.end is None):
            raise ValueError("motion 'custom' needs both 'start' and 'end' viewports")
        if self.motion is not Motion.CUSTOM and (self.start or self.end):
            raise ValueError("'start'/'end' viewports are only used with motion 'custom'")
        return self


class Fit(StrEnum):
    BLUR = "blur"  # the whole picture, over a blurred fill of itself
    CROP = "crop"  # cover the frame, cropping the overflow


class TransitionType(StrEnum):
    CUT = "cut"
    FADE = "fade"
    DISSOLVE = "dissolve"
    FADE_BLACK = "fadeblack"
    FADE_WHITE = "fadewhite"
    WIPE_LEFT = "wipeleft"
    WIPE_RIGHT = "wiperight"
    WIPE_UP = "wipeup"
    WIPE_DOWN = "wipedown"
    SLIDE_LEFT = "slideleft"
    SLIDE_RIGHT = "slideright"
    SLIDE_UP = "slideup"
    SLIDE_DOWN = "slidedown"
    SMOOTH_LEFT = "smoothleft"
    SMOOTH_RIGHT = "smoothright"
    CIRCLE_OPEN = "circleopen"
    CIRCLE_CLOSE = "circleclose"
    RADIAL = "radial"
    ZOOM_IN = "zoomin"


class Transition(_Model):
    """The transition from a clip into the next one; it overlaps both by ``duration_ms``."""

    type: TransitionType = TransitionType.FADE
    duration_ms: int = Field(default=500, ge=0, le=5000)

    @model_validator(mode="after")
    def _cut_has_no_duration(self) -> Transition:
        if self.type is TransitionType.CUT and self.duration_ms:
            return self.model_copy(update={"duration_ms": 0})
        if self.type is not TransitionType.CUT and self.duration_ms == 0:
            raise ValueError(f"a '{self.type.value}' transition needs duration_ms > 0")
        return self


CUT = Transition(type=TransitionType.CUT, duration_ms=0)


class PhotoClip(_Model):
    kind: Literal["photo"] = "photo"
    source: MediaSource
    duration_ms: int = Field(ge=MIN_CLIP_MS, le=MAX_PHOTO_MS)
    fit: Fit = Fit.BLUR
    kenburns: KenBurns = KenBurns()
    transition: Transition = CUT

    _source = field_validator("source")(classmethod(lambda cls, v: _check_source(v)))


class VideoClip(_Model):
    """An AI clip or an uploaded video, trimmed to ``trim_start_ms`` + ``duration_ms``, muted."""

    kind: Literal["video"] = "video"
    source: MediaSource
    duration_ms: int = Field(ge=MIN_CLIP_MS, le=60 * 60 * 1000)
    trim_start_ms: int = Field(default=0, ge=0)
    fit: Fit = Fit.BLUR
    transition: Transition = CUT

    _source = field_validator("source")(classmethod(lambda cls, v: _check_source(v)))


Clip = Annotated[PhotoClip | VideoClip, Field(discriminator="kind")]


class Font(StrEnum):
    """Fonts shipped with the project (shared/render/text/fonts), never looked up on the host."""

    SANS = "sans"
    SANS_BOLD = "sans_bold"
    SERIF = "serif"
    SERIF_BOLD = "serif_bold"
    MONO = "mono"


class TextRole(StrEnum):
    TITLE = "title"
    CTA = "cta"
    TEXT = "text"


class Anchor(StrEnum):
    TOP = "top"
    CENTER = "center"
    BOTTOM = "bottom"


def _check_text(value: str) -> str:
    lines(value)  # newline and tab are meaningful in on-screen text; other controls are not
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class TextStyle(_Model):
    font: Font = Font.SANS_BOLD
    size: float = Field(default=0.07, gt=0.01, le=0.25, description="text height / frame height")
    color: str = "#FFFFFF"
    box: bool = True
    box_color: str = "#000000"
    box_opacity: float = Field(default=0.45, ge=0.0, le=1.0)

    @field_validator("color", "box_color")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _HEX_COLOR.fullmatch(value):
            raise ValueError("must be a colour like #RRGGBB")
        return value.upper()


class TextOverlay(_Model):
    """Text on screen from ``start_ms`` to ``end_ms``; kept inside the format's safe area."""

    role: TextRole = TextRole.TEXT
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    start_ms: int = Field(ge=0)
    end_ms: int = Field(gt=0)
    anchor: Anchor = Anchor.CENTER
    x: float = Field(default=0.5, ge=0.0, le=1.0, description="horizontal centre, 0..1")
    offset_y: float = Field(default=0.0, ge=-0.5, le=0.5, description="shift from the anchor")
    style: TextStyle = TextStyle()
    fade_in_ms: int = Field(default=300, ge=0, le=5000)
    fade_out_ms: int = Field(default=300, ge=0, le=5000)

    _text = field_validator("text")(classmethod(lambda cls, v: _check_text(v)))

    @model_validator(mode="after")
    def _times(self) -> TextOverlay:
        if self.end_ms <= self.start_ms:
            raise ValueError("end_ms must be after start_ms")
        if self.fade_in_ms + self.fade_out_ms > self.end_ms - self.start_ms:
            raise ValueError("fade_in_ms + fade_out_ms is longer than the text is on screen")
        return self


class WordTiming(_Model):
    word: OneLine = Field(min_length=1, max_length=100)
    start_ms: int = Field(ge=0)
    end_ms: int = Field(ge=0)

    @model_validator(mode="after")
    def _order(self) -> WordTiming:
        if self.end_ms < self.start_ms:
            raise ValueError("end_ms must not be before start_ms")
        return self


class VoiceTrack(_Model):
    """The voiceover: placed at ``offset_ms``, trimmed, at ``volume`` (linear gain)."""

    source: MediaSource
    offset_ms: int = Field(default=0, ge=0)
    trim_start_ms: int = Field(default=0, ge=0)
    trim_end_ms: int | None = Field(default=None, gt=0, description="end in the file; None=all")
    volume: float = Field(default=1.0, ge=0.0, le=4.0)
    script: str | None = Field(default=None, max_length=MAX_SCRIPT_CHARS)
    word_timings: tuple[WordTiming, ...] | None = Field(
        default=None, description="from the TTS engine, relative to the voice file's start"
    )

    _source = field_validator("source")(classmethod(lambda cls, v: _check_source(v)))

    @field_validator("script")
    @classmethod
    def _script(cls, value: str | None) -> str | None:
        return None if value is None else _check_text(value)

    @model_validator(mode="after")
    def _trim(self) -> VoiceTrack:
        if self.trim_end_ms is not None and self.trim_end_ms <= self.trim_start_ms:
            raise ValueError("trim_end_ms must be after trim_start_ms")
        return self


class Ducking(_Model):
    """Music ducked under the voice by a sidechain compressor keyed on the voice."""

    enabled: bool = True
    threshold: float = Field(default=0.02, gt=0.0, le=1.0)
    ratio: float = Field(default=8.0, ge=1.0, le=20.0)
    attack_ms: int = Field(default=20, ge=1, le=2000)
    release_ms: int = Field(default=400, ge=1, le=9000)


class MusicTrack(_Model):
    """Music under the whole video: looped with a crossfade when short, faded, ducked."""

    source: MediaSource
    volume: float = Field(default=0.6, ge=0.0, le=4.0)
    fade_in_ms: int = Field(default=500, ge=0, le=30_000)
    fade_out_ms: int = Field(default=1500, ge=0, le=30_000)
    loop_crossfade_ms: int = Field(default=1000, ge=0, le=10_000)
    duck: Ducking = Ducking()
    bpm: float | None = Field(default=None, ge=40.0, le=240.0, description="the track's tempo")
    snap_cuts: bool = Field(default=False, description="move the photos' cuts onto its beats")

    _source = field_validator("source")(classmethod(lambda cls, v: _check_source(v)))

    @model_validator(mode="after")
    def _tempo_known(self) -> MusicTrack:
        if self.snap_cuts and self.bpm is None:
            raise ValueError("snap_cuts needs the track's tempo: set bpm (beats per minute)")
        return self


class Captions(_Model):
    """Captions from the voice script, timed to the voice, burned in for muted viewing. They need
    a voice: the voice track's file and script, or a voice the job makes from its script."""

    enabled: bool = True
    style: TextStyle = TextStyle(font=Font.SANS_BOLD, size=0.055, box=True, box_opacity=0.6)
    max_words: int = Field(default=6, ge=1, le=20, description="words per caption line")


class Loudness(_Model):
    target_lufs: float = Field(default=-14.0, ge=-31.0, le=-5.0, description="-23 for broadcast")
    true_peak_db: float = Field(default=-1.0, ge=-9.0, le=0.0)


class TimelineKind(StrEnum):
    AD = "ad"
    LONG_FORM = "long_form"


class Timeline(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    kind: TimelineKind = TimelineKind.AD
    name: OneLine = Field(default="Untitled", max_length=200)
    format: OutputFormat = OutputFormat()
    video: tuple[Clip, ...] = Field(min_length=1)
    texts: tuple[TextOverlay, ...] = Field(default=(), max_length=50)
    captions: Captions | None = None
    voice: VoiceTrack | None = None
    music: MusicTrack | None = None
    loudness: Loudness = Loudness()

    @property
    def duration_ms(self) -> int:
        """Output length: the clips laid end to end, less each transition's overlap."""
        return sum(c.duration_ms for c in self.video) - sum(
            c.transition.duration_ms for c in self.video[:-1]
        )

    @model_validator(mode="after")
    def _consistent(self) -> Timeline:
        limit = AD_MAX_CLIPS if self.kind is TimelineKind.AD else LONG_FORM_MAX_CLIPS
        if len(self.video) > limit:
            hint = ""
            if self.kind is TimelineKind.AD:
                hint = " (use kind 'long_form' for longer videos)"
            raise ValueError(
                f"video: {len(self.video)} clips is more than the {limit} a "
                f"'{self.kind.value}' timeline allows{hint}"
            )
        for i, clip in enumerate(self.video):
            into = self.video[i - 1].transition.duration_ms if i else 0
            out = clip.transition.duration_ms if i < len(self.video) - 1 else 0
            if into + out > clip.duration_ms:
                raise ValueError(
                    f"video[{i}]: its transitions ({into} ms in + {out} ms out) are longer "
                    f"than the clip ({clip.duration_ms} ms)"
                )
        total = self.duration_ms
        if total > MAX_DURATION_MS:
            raise ValueError(f"the video would last {total} ms; the limit is {MAX_DURATION_MS} ms")
        for i, text in enumerate(self.texts):
            if text.end_ms > total:
                raise ValueError(
                    f"texts[{i}].end_ms: {text.end_ms} ms is after the end of the video "
                    f"({total} ms)"
                )
        # With no voice track yet, the job makes the voice from its script (the submission
        # checks there is one); a voice file given here must bring its words.
        if self.captions and self.captions.enabled and self.voice and not self.voice.script:
            raise ValueError("captions: the voice track needs its script (the captions' words)")
        return self
