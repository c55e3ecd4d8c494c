"""Text a person typed, checked at the boundary: no control characters where none belong.

``OneLine`` (names, brands, filenames, single words) refuses every C0/C1 control character and
DEL; ``Lines`` (scripts, comments, on-screen text) lets newline and tab through, where they mean
something. Used as pydantic field types, so a refusal names the field.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (newlines, tabs, NUL, escapes)")
    return value


def lines(value: str) -> str:
    if _CONTROL_BUT_LINES.search(value):
        raise ValueError("must not contain control characters (only newline and tab)")
    return value


OneLine = Annotated[str, AfterValidator(one_line)]
Lines = Annotated[str, AfterValidator(lines)]
