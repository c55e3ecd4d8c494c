"""The script chain's links, built from settings: Ollama, Gemini, the offline template writer."""

from __future__ import annotations

from collections.abc import Callable

from shared.ai.gemini_text import GeminiText
from shared.ai.ollama_text import OllamaText
from shared.chains import Link
from shared.scripts.draft import ScriptDraft, draft_schema, parse_draft
from shared.scripts.prompt import system_instruction, user_prompt
from shared.scripts.service import Finished, ScriptTask, finish
from shared.scripts.template_writer import WRITER_LANGUAGE, write_from_template
from shared.settings import Settings

OLLAMA = "Ollama"
GEMINI = "Gemini"
TEMPLATE = "offline template writer"


def _answered_by(
    name: str, generate: Callable[[str, str], str]
) -> Callable[[ScriptTask], Finished]:
    def run(task: ScriptTask) -> Finished:
        system = system_instruction(task.brief, task.max_words)
        return finish(parse_draft(generate(system, user_prompt(task.brief))), task, name)

    return run


def _unreachable(task: ScriptTask) -> Finished:
    raise AssertionError("the chain runs no link that said it is unavailable")


def ollama_link(settings: Settings) -> Link[ScriptTask, Finished]:
    # For now Ollama is available wherever a host is configured; the GPU box's heartbeat will
    # say which boxes serve the model once the chains route through it.
    host = settings.ollama_host
    if host is None:
        return Link(OLLAMA, _unreachable, lambda: "CS_OLLAMA_HOST is not set")
    text = OllamaText(host, settings.ollama_model, settings.ollama_timeout_s)

    def generate(system: str, prompt: str) -> str:
        return text.generate_json(system=system, prompt=prompt, schema=draft_schema())

    return Link(OLLAMA, _answered_by(OLLAMA, generate), credit=f"written by Ollama ({text.model})")


def gemini_link(settings: Settings) -> Link[ScriptTask, Finished]:
    if settings.gemini_api_key is None:
        return Link(GEMINI, _unreachable, lambda: "GEMINI_API_KEY is not set")
    text = GeminiText(
        settings.gemini_api_key,
        settings.gemini_model,
        settings.gemini_timeout_ms,
        settings.gemini_base_url,
    )

    def generate(system: str, prompt: str) -> str:
        return text.generate_json(system=system, prompt=prompt, schema=ScriptDraft)

    return Link(GEMINI, _answered_by(GEMINI, generate), credit=f"written by Gemini ({text.model})")


def _from_template(task: ScriptTask) -> Finished:
    finished = finish(write_from_template(task.brief, task.max_words), task, TEMPLATE)
    if task.brief.base_language == WRITER_LANGUAGE:
        return finished
    note = (
        f"script: the offline template writer writes English only, so this script is in "
        f"English, not {task.brief.language!r}"
    )
    return Finished(finished.draft, (note, *finished.notes))


def template_link() -> Link[ScriptTask, Finished]:
    return Link(name=TEMPLATE, run=_from_template, credit="written by the offline template writer")


def script_links(settings: Settings) -> list[Link[ScriptTask, Finished]]:
    """Ollama, then Gemini, then the template writer (which never fails for a valid brief)."""
    return [ollama_link(settings), gemini_link(settings), template_link()]
