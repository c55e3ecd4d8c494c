"""The voice chain: ElevenLabs (when keyed) -> espeak-ng, and the picker's voice list.

    voice_id None        ElevenLabs with the first voice settings offer -> espeak-ng (en-us)
    "espeak:fr"          espeak-ng (fr) only: the person chose it
    an ElevenLabs id     ElevenLabs with that voice -> espeak-ng (en-us)

Every skipped link is in the result's warning ("voice: ElevenLabs: key not set ...; spoken by
espeak-ng (en-us)"). espeak-ng missing is a setup problem: EspeakMissing, which says how to
install it, and which retrying cannot fix.
"""

from __future__ import annotations

from shared.ai.elevenlabs_voice import ElevenLabsVoice
from shared.chains import ChainExhausted, ChainResult, Link, LinkFailed, run_chain
from shared.settings import Settings
from shared.usage import Allowance, UsageMeter
from shared.voice import espeak
from shared.voice.catalog import DEFAULT_LANGUAGE, Voice, espeak_language, list_voices
from shared.voice.spoken import SpokenText
from shared.voice.word_timing import from_word_starts


def espeak_voice(script: str, language: str = DEFAULT_LANGUAGE) -> SpokenText:
    """``script`` spoken by espeak-ng, timed by its word events (the chain's last link)."""
    speech = espeak.synthesize(script, language)
    timings = from_word_starts(script, speech.word_starts, speech.samples, speech.rate)
    return SpokenText(speech.samples, speech.rate, timings)


def _espeak_link(language: str) -> Link[str, SpokenText]:
    return Link(
        name="espeak-ng", run=lambda script: espeak_voice(script, language),
        unavailable=espeak.missing,
        credit=f"spoken by espeak-ng ({language})",
    )  # fmt: skip


def _elevenlabs_link(
    voice_id: str | None, settings: Settings, allowance: Allowance | None
) -> Link[str, SpokenText]:
    names = dict(settings.elevenlabs_voices)
    chosen = voice_id or next(iter(names), None)

    def unavailable() -> str | None:
        if settings.elevenlabs_api_key is None:
            return "key not set (ELEVENLABS_API_KEY)"
        if chosen is None:
            return "no voice configured (CS_ELEVENLABS_VOICES)"
        return None

    def run(script: str) -> SpokenText:
        assert settings.elevenlabs_api_key is not None and chosen is not None  # unavailable()
        refused = allowance.take(len(script)) if allowance else None
        if refused:
            raise LinkFailed(refused)
        client = ElevenLabsVoice(
            settings.elevenlabs_api_key, model=settings.elevenlabs_model,
            timeout_s=settings.elevenlabs_timeout_s, base_url=settings.elevenlabs_base_url,
        )  # fmt: skip
        spoken = client.speak(script, chosen)
        if not spoken.word_timings and script.strip():
            raise LinkFailed("answered without word timings")
        return spoken

    label = names.get(chosen or "", chosen or "")
    return Link(name="ElevenLabs", run=run, unavailable=unavailable,
                credit=f"spoken by ElevenLabs ({label})")  # fmt: skip


def voice_links(
    voice_id: str | None, settings: Settings, allowance: Allowance | None = None
) -> list[Link[str, SpokenText]]:
    language = espeak_language(voice_id)
    if language is not None:
        return [_espeak_link(language)]
    return [_elevenlabs_link(voice_id, settings, allowance), _espeak_link(DEFAULT_LANGUAGE)]


def voice_allowance(usage: UsageMeter, uid: str, settings: Settings) -> Allowance:
    """The user's daily allowance of ElevenLabs characters."""
    return Allowance(usage, uid, "elevenlabs-characters", "characters", settings.tts_chars_per_day)


def speak(
    script: str, voice_id: str | None, settings: Settings, allowance: Allowance | None = None
) -> ChainResult[SpokenText]:
    """``script`` spoken by the first link of the voice chain that answers. ElevenLabs counts
    the script's characters against ``allowance`` (the job owner's day) before it is called.

    Raises:
        EspeakMissing: no link answered and espeak-ng, the last one, is not installed.
    """
    try:
        return run_chain("voice", voice_links(voice_id, settings, allowance), script)
    except ChainExhausted as exc:
        if espeak.missing():
            raise espeak.EspeakMissing(exc.message) from exc
        raise


def voices(settings: Settings) -> list[Voice]:
    """The picker's list, with what is installed here."""
    why = espeak.missing()
    languages = frozenset() if why else espeak.installed_languages()
    return list_voices(settings, espeak_why=why, espeak_languages=languages)
