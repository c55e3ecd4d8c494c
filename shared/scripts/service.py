"""Write an ad script through the chain: screen the brief, run the links, fit, clean and lint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from shared.chains import Link, LinkFailed, run_chain
from shared.scripts.brief import ScriptBrief, screen_brief
from shared.scripts.draft import ScriptDraft
from shared.scripts.lint import lint_claims
from shared.scripts.text import ENGLISH_WORDS_PER_SECOND, clean_spoken, fit_words, max_words

CAPABILITY = "script"


@dataclass(frozen=True)
class ScriptTask:
    """What every link gets: the screened brief and the most words that fit its duration."""

    brief: ScriptBrief
    max_words: int
    words_per_second: float


@dataclass(frozen=True)
class Finished:
    """A link's draft, cleaned and fitted, with notes on what was changed."""

    draft: ScriptDraft
    notes: tuple[str, ...] = ()


class WrittenScript(BaseModel):
    """The answer of ``POST /api/scripts``."""

    model_config = ConfigDict(frozen=True)

    script: str
    title: str
    call_to_action: str
    made_by: str
    warnings: list[str]


def _folded(text: str) -> str:
    return text.strip().casefold().replace("\u2019", "'")


def finish(draft: ScriptDraft, task: ScriptTask, writer: str) -> Finished:
    """The draft as a voice may read it, within the task's length.

    Raises:
        LinkFailed: nothing speakable is left, or the script is not about the brand (a model
            that followed an instruction hidden in the brief, or wandered off).
    """
    script = clean_spoken(draft.script)
    title = clean_spoken(draft.title)
    cta = clean_spoken(draft.call_to_action)
    if not script or not title or not cta:
        raise LinkFailed("answered with an empty script, title or call to action")
    if _folded(task.brief.brand) not in _folded(script):
        raise LinkFailed("wrote a script that does not name the brand")
    fitted = fit_words(script, task.max_words)
    notes = []
    if fitted.trimmed:
        notes.append(
            f"script: {writer}'s script ran {fitted.words_before} words, more than the "
            f"{task.max_words} that fit {task.brief.duration_s} s at "
            f"{task.words_per_second:g} words a second; trimmed at a sentence boundary to "
            f"{fitted.words_after}"
        )
    return Finished(ScriptDraft(title=title, script=fitted.text, call_to_action=cta), tuple(notes))


def write_script(
    brief: ScriptBrief,
    links: Sequence[Link[ScriptTask, Finished]],
    *,
    words_per_second: float = ENGLISH_WORDS_PER_SECOND,
    deadline_s: float | None = None,
) -> WrittenScript:
    """The script from the first link that answers in time, with every warning the editor
    should show (skipped links, screened brief, trimming, language, claims)."""
    screened, warnings = screen_brief(brief)
    task = ScriptTask(screened, max_words(brief.duration_s, words_per_second), words_per_second)
    result = run_chain(CAPABILITY, links, task, deadline_s=deadline_s)
    finished = result.value
    if result.warning:
        warnings.insert(0, result.warning)
    warnings += finished.notes
    draft = finished.draft
    warnings += lint_claims(" ".join([draft.title, draft.script, draft.call_to_action]), brief)
    return WrittenScript(
        script=draft.script,
        title=draft.title,
        call_to_action=draft.call_to_action,
        made_by=result.made_by,
        warnings=warnings,
    )
