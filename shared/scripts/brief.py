"""The brief a script is written from, and the screen that keeps it data, never instructions."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import InvalidRequest
from shared.plain_text import OneLine

MIN_DURATION_S = 5
MAX_DURATION_S = 120


class Tone(StrEnum):
    FRIENDLY = "friendly"
    PROFESSIONAL = "professional"
    ENERGETIC = "energetic"
    LUXURIOUS = "luxurious"
    PLAYFUL = "playful"


class ScriptBrief(BaseModel):
    """What the person tells us about the ad (the body of ``POST /api/scripts``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True)

    brand: OneLine = Field(min_length=1, max_length=80)
    business: OneLine = Field(min_length=1, max_length=300)
    offer: OneLine | None = Field(default=None, max_length=200)
    tone: Tone = Field(default=Tone.FRIENDLY, strict=False)  # the JSON string names the tone
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    duration_s: int = Field(default=30, ge=MIN_DURATION_S, le=MAX_DURATION_S)

    @property
    def base_language(self) -> str:
        return self.language.split("-")[0]


# Phrases that address the writer rather than describe the business. A sentence of the brief
# containing one is dropped before any link sees it (and the model is told the brief is data).
_INSTRUCTION_LIKE = re.compile(
    r"""
    \b(ignore|disregard|forget|override|bypass)\b.{0,40}
      \b(instructions?|prompts?|rules|guidelines|directions)\b
    | \b(ignore|disregard)\s+(all\s+|everything\s+)?(the\s+)?(above|previous|prior)\b
    | \b(system|developer)\s+(prompt|message|instructions?)\b
    | \byou\s+are\s+now\b | \bpretend\s+(to\s+be|you\s+are)\b | \bjailbreak
    | \b(new|real|actual)\s+instructions?\b
    | (^|\b(and|instead|then|now)\s+)\s*(please\s+)?
      (write|compose|generate|give|tell|output|print)\s+(me\s+|us\s+)?(a|an|one|some|the)\s+
      (\w+\s+){0,2}(poem|story|essay|song|lyrics|joke|haiku|code|recipe|limerick)s?\b
    | \b(respond|reply|answer)\s+(only\s+)?with\b | \brepeat\s+after\s+me\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_SENTENCE = re.compile(r"[^.!?;]+[.!?;]*")


def _screen(text: str) -> tuple[str, list[str]]:
    kept: list[str] = []
    dropped: list[str] = []
    for sentence in _SENTENCE.findall(text):
        (dropped if _INSTRUCTION_LIKE.search(sentence) else kept).append(sentence.strip())
    return " ".join(s for s in kept if s), [s for s in dropped if s]


def screen_brief(brief: ScriptBrief) -> tuple[ScriptBrief, list[str]]:
    """The brief without sentences that read like instructions to the writer, and a warning
    for each field that lost some (``business`` may come out empty).

    Raises:
        InvalidRequest: the brand itself reads like an instruction (there is no ad without it).
    """
    if _INSTRUCTION_LIKE.search(brief.brand):
        raise InvalidRequest("the brand reads like an instruction to the writer, not a name")
    changes: dict[str, str | None] = {}
    warnings = []
    for name in ("business", "offer"):
        value = getattr(brief, name)
        if value is None:
            continue
        kept, dropped = _screen(value)
        if dropped:
            changes[name] = kept if kept or name != "offer" else None
            quoted = "; ".join(f'"{s[:60]}"' for s in dropped)
            warnings.append(
                f"script: left out of the {name}, as it reads like an instruction to the "
                f"writer rather than facts about the business: {quoted}"
            )
    return brief.model_copy(update=changes), warnings
