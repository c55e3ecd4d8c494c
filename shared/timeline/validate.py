"""Parse a timeline once, at the boundary, into errors a person can act on."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from shared.errors import InvalidRequest
from shared.timeline.model import Timeline

MAX_TIMELINE_BYTES = 2 * 1024 * 1024


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("photo", "video") and out.endswith("]"):
            continue  # discriminated-union tag: not part of the user's path
        else:
            out += f".{part}" if out else str(part)
    return out


def describe(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    lines = []
    for err in errors:
        loc = tuple(err["loc"])
        # pydantic re-checks a tuple's length after dropping its invalid items: noise.
        if err["type"] == "too_short" and any(
            tuple(e["loc"])[: len(loc)] == loc and len(e["loc"]) > len(loc) for e in errors
        ):
            continue
        msg = err["msg"].removeprefix("Value error, ")
        where = _where(loc)
        lines.append(f"{where}: {msg}" if where else msg)
    return "; ".join(lines)


def parse_timeline(data: Any) -> Timeline:
    """A validated Timeline from JSON text or decoded JSON; InvalidRequest naming each bad field."""
    if isinstance(data, bytes | str):
        if len(data) > MAX_TIMELINE_BYTES:
            raise InvalidRequest(f"timeline is larger than {MAX_TIMELINE_BYTES} bytes")
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InvalidRequest(f"timeline is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidRequest("timeline must be a JSON object")
    if data.get("schema_version", 1) != 1:
        raise InvalidRequest(
            f"schema_version {data.get('schema_version')!r} is not supported (this server reads 1)"
        )
    try:
        # Strict, from JSON text: a number must be a JSON number and a boolean a JSON boolean
        # ("3000" and true are refused), while enums still come as strings and arrays as tuples.
        return Timeline.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        raise InvalidRequest(f"invalid timeline: {describe(exc)}") from exc
