"""The offline template writer: the chain's last link, a usable ad script from the brief alone.

Deterministic for a given brief (the template is picked by a hash of it), English only, and it
never fails for a valid brief. The brief's text only fills slots, after ``screen_brief``
dropped anything that reads like an instruction, so an injection is never echoed as one.
"""

from __future__ import annotations

import hashlib

from shared.scripts.brief import ScriptBrief
from shared.scripts.draft import MAX_TITLE_CHARS, ScriptDraft
from shared.scripts.templates import (
    COMPACT_INTRO,
    RECAP,
    RECAP_WITH_OFFER,
    TEMPLATES,
    Template,
)
from shared.scripts.text import count_words

WRITER_LANGUAGE = "en"
_NO_BUSINESS = "something worth your time"
_ORDER = ("hook", "intro", "offer", "details", "recap", "cta")  # as spoken


def _phrase(text: str) -> str:
    """A brief's field as a phrase inside a sentence: no closing mark, sentence-case dropped
    unless it starts an acronym or a name in capitals."""
    text = text.strip().rstrip(".!?;:, ")
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _capitalise(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def pick_template(brief: ScriptBrief) -> Template:
    choices = TEMPLATES[brief.tone]
    digest = hashlib.sha256(brief.model_dump_json().encode()).digest()
    return choices[int.from_bytes(digest[:4], "big") % len(choices)]


def _title(brief: ScriptBrief) -> str:
    tail = brief.offer or brief.business
    title = f"{brief.brand}: {tail.strip()}" if tail.strip() else brief.brand
    if len(title) <= MAX_TITLE_CHARS:
        return title
    return title[: MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def write_from_template(brief: ScriptBrief, word_limit: int) -> ScriptDraft:
    """A script of at most about ``word_limit`` words (the fitter cuts the rest).

    The introduction and the call to action always go in; then, as the length allows, the
    offer, the hook, the details and a recap, each spoken in the template's order.
    """
    template = pick_template(brief)
    slots = {
        "brand": brief.brand.strip(),
        "business": _phrase(brief.business) or _NO_BUSINESS,
        "offer": _phrase(brief.offer or ""),
    }
    has_offer = bool(slots["offer"])
    texts = {
        "hook": [template.hook],
        "intro": [template.intro],
        "offer": [template.offer] if has_offer else [],
        "details": list(template.details),
        "recap": [RECAP_WITH_OFFER if has_offer else RECAP],
        "cta": [template.cta],
    }
    filled = {
        part: [_capitalise(t.format(**slots)) for t in sentences]
        for part, sentences in texts.items()
    }
    if count_words(" ".join(filled["intro"] + filled["cta"])) > word_limit:
        filled["intro"] = [COMPACT_INTRO.format(**slots)]  # a short ad still says what it sells
    chosen: dict[str, list[str]] = {"intro": filled["intro"], "cta": filled["cta"]}
    used = sum(count_words(s) for part in chosen.values() for s in part)
    for part in ("offer", "hook", "details", "recap"):
        for sentence in filled[part]:
            if used + count_words(sentence) <= word_limit:
                chosen.setdefault(part, []).append(sentence)
                used += count_words(sentence)
    script = " ".join(s for part in _ORDER for s in chosen.get(part, []))
    return ScriptDraft(
        title=_title(brief),
        script=script,
        call_to_action=filled["cta"][0].rstrip(".!"),
    )
