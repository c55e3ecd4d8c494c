"""Ad-claim lint: claims in a script that a person should check before it goes on air.

Superlatives and guarantees need substantiation under most advertising codes; prices,
percentages and offers must be the business's own, so any the brief does not contain are
flagged (a model invents "20% off" easily). Warnings only: the editor shows them.
"""

from __future__ import annotations

import re

from shared.scripts.brief import ScriptBrief

_SUPERLATIVES = re.compile(
    r"""(?<![\w#])(
        best|\#\s?1|number\s+one|no\.\s?1|cheapest|lowest\s+prices?|fastest|greatest|finest
        |biggest|guarantee[ds]?|unbeatable|unmatched|unrivall?ed|world[- ]class|top[- ]rated
        |award[- ]winning|(?:market|industry)[- ]leading|risk[- ]free|100\s?%|best[- ]ever
    )(?!\w)""",
    re.IGNORECASE | re.VERBOSE,
)
_MONEY = re.compile(
    r"""(?:[$€£¥₹]\s?\d[\d,.]*(?:\s?[kKmM]\b)?)
    | (?:\b\d[\d,.]*\s?(?:€|£|\$|dollars?|euros?|pounds?|bucks|usd|eur|gbp)(?!\w))
    | (?:\b\d[\d,.]*\s?(?:%|percent|per\s+cent)(?!\w))""",
    re.IGNORECASE | re.VERBOSE,
)
_OFFER_WORDS = re.compile(
    r"""(?<![-\w])free(?![-\w])  # not gluten-free or free-range
    | \b(half[- ]price|discount(?:ed)?|sale|bogo|buy\s+one,?\s+get\s+one|two\s+for\s+one
    |\d+\s+for\s+\d+|\d+\s?-?\s?for\s?-?\s?\d+|off\s+everything|clearance|coupon|promo(?:tion)?\s+code)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def _unique(found: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for item in found:
        seen.setdefault(item.lower(), item)
    return list(seen.values())


def lint_claims(text: str, brief: ScriptBrief) -> list[str]:
    """Warnings for superlatives in ``text`` and for prices/offers the brief does not state."""
    source = " ".join(filter(None, [brief.brand, brief.business, brief.offer])).lower()
    warnings = []
    superlatives = _unique([m.group(0) for m in _SUPERLATIVES.finditer(text)])
    if superlatives:
        quoted = ", ".join(f'"{s}"' for s in superlatives)
        warnings.append(
            f"script: claims you must be able to back up (superlatives, guarantees): {quoted}"
        )
    stated = _numbers(source)
    invented = [
        m.group(0).strip() for m in _MONEY.finditer(text) if not _numbers(m.group(0)) <= stated
    ]
    invented += [
        m.group(0) for m in _OFFER_WORDS.finditer(text) if m.group(0).lower() not in source
    ]
    invented = _unique(invented)
    if invented:
        quoted = ", ".join(f'"{s}"' for s in invented)
        warnings.append(f"script: prices or offers that are not in the brief: {quoted}; check them")
    return warnings
