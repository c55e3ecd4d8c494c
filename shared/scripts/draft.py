"""The script every link must produce (the JSON schema the models are held to)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.chains import LinkFailed

MAX_SCRIPT_CHARS = 3000
MAX_TITLE_CHARS = 100
MAX_CTA_CHARS = 160


class ScriptDraft(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    script: str = Field(min_length=1, max_length=MAX_SCRIPT_CHARS)
    call_to_action: str = Field(min_length=1, max_length=MAX_CTA_CHARS)


def draft_schema() -> dict[str, object]:
    """The JSON schema sent to models that take one (Ollama's ``format``)."""
    return ScriptDraft.model_json_schema()


def parse_draft(text: str) -> ScriptDraft:
    """A model's JSON answer as a draft; ``LinkFailed`` when it does not fit the schema."""
    try:
        return ScriptDraft.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()[:3]
        )
        raise LinkFailed(f"answer did not match the script schema ({problems})") from None
