"""The offline template writer's templates: a few per tone, each a hook, an introduction, an
offer line, a few details and a call to action, with {brand}, {business} and {offer} slots.

No template makes a claim the brief does not: no superlatives, prices, deadlines or guarantees.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.scripts.brief import Tone


@dataclass(frozen=True)
class Template:
    hook: str
    intro: str
    offer: str
    details: tuple[str, ...]
    cta: str  # the closing sentence; the call to action is it without the final mark


# For every tone: the introduction when time is short, and a recap when time is long.
COMPACT_INTRO = "{brand}: {business}."
RECAP = "Remember the name: {brand}, for {business}."
RECAP_WITH_OFFER = "Remember: {offer}, only at {brand}."

TEMPLATES: dict[Tone, tuple[Template, ...]] = {
    Tone.FRIENDLY: (
        Template(
            "Looking for {business}?",
            "{brand} has you covered.",
            "And right now there's more: {offer}.",
            (
                "Come as you are, and we'll take care of the rest.",
                "Friendly faces, honest work and a warm welcome every time.",
                "It's the kind of place you'll tell your friends about.",
            ),
            "Drop by {brand} today.",
        ),
        Template(
            "Here's a little good news for your day.",
            "{brand} brings you {business}.",
            "Even better: {offer}.",
            (
                "We do it with care, because you'll notice the difference.",
                "Pop in, say hello, and see what we mean.",
                "We'd love to meet you.",
            ),
            "Say hello to {brand} today.",
        ),
        Template(
            "Some things are worth doing right.",
            "At {brand}, that means {business}.",
            "And for now: {offer}.",
            (
                "No fuss, no rush, just good work from people who care.",
                "Ask us anything; we're happy to help.",
                "Once you've tried it, you'll be back.",
            ),
            "Visit {brand} and see for yourself.",
        ),
    ),
    Tone.PROFESSIONAL: (
        Template(
            "When it matters, choose people who know their work.",
            "{brand} provides {business}.",
            "Our current offer: {offer}.",
            (
                "Clear answers, reliable service and results you can plan around.",
                "We listen first, then get it done properly.",
                "Talk to us about what you need.",
            ),
            "Contact {brand} today.",
        ),
        Template(
            "Quality you can rely on.",
            "{brand} offers {business}.",
            "Ask us about this: {offer}.",
            (
                "We take the time to get the details right.",
                "Experienced people, straightforward advice, no surprises.",
                "Your time is valuable, and we treat it that way.",
            ),
            "Get in touch with {brand} today.",
        ),
    ),
    Tone.ENERGETIC: (
        Template(
            "Ready for something great?",
            "{brand} is bringing you {business}!",
            "And check this out: {offer}!",
            (
                "Bring your friends and make a day of it!",
                "Big energy, real quality, all in one place!",
                "Don't just hear about it, come and feel it!",
            ),
            "Get to {brand} today!",
        ),
        Template(
            "Let's go!",
            "It's {brand}, with {business}!",
            "Right now: {offer}!",
            (
                "You're going to love it!",
                "Fresh ideas, fast service and a whole lot of fun!",
                "Your next favourite thing is waiting!",
            ),
            "Head to {brand} now!",
        ),
    ),
    Tone.LUXURIOUS: (
        Template(
            "Some moments deserve something exceptional.",
            "{brand} presents {business}.",
            "An invitation: {offer}.",
            (
                "Crafted with care, down to the last detail.",
                "Quietly remarkable, and entirely yours.",
                "Take your time; this is for you.",
            ),
            "Discover {brand}.",
        ),
        Template(
            "Elegance is in the details.",
            "At {brand}: {business}.",
            "We invite you to enjoy this: {offer}.",
            (
                "Every piece of it considered, nothing left to chance.",
                "Made for those who notice.",
                "Indulge a little. You deserve it.",
            ),
            "Experience {brand} for yourself.",
        ),
    ),
    Tone.PLAYFUL: (
        Template(
            "Psst. Yes, you.",
            "{brand} has {business}, and it's kind of a big deal.",
            "Plus, wait for it: {offer}.",
            (
                "Your future self says thank you.",
                "Go on, treat yourself. We won't tell.",
                "Come for a look, stay for the fun.",
            ),
            "Pop into {brand} today.",
        ),
        Template(
            "Warning: may cause sudden happiness.",
            "That's {brand}, with {business}.",
            "And the cherry on top: {offer}.",
            (
                "No pressure. Well, maybe a little pressure.",
                "It's like a high five, but better.",
                "Tell your friends. Or keep it to yourself. We get it.",
            ),
            "Go see {brand}, you know you want to.",
        ),
    ),
}
