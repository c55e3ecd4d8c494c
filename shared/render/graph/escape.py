"""The one escaping function for values the app writes into a filter graph.

FFmpeg reads a filter argument through two parsers (doc/filters.texi, "Notes on filtergraph
escaping"): the option parser (level 1: backslash, quote, colon) and then the graph parser
(level 2: backslash, quote, brackets, comma, semicolon). User text never comes here: it goes to
``RenderPlan.text_files`` and is read by drawtext with ``expansion=none``. This is for paths and
other app-generated values (e.g. the shipped font's path).
"""

from __future__ import annotations

_LEVEL1 = "\\':"
_LEVEL2 = "\\'[],;"


def _escape(value: str, special: str) -> str:
    return "".join("\\" + ch if ch in special else ch for ch in value)


def escape_filter_arg(value: str) -> str:
    """``value`` escaped so that one filter option reads it back exactly."""
    if "\x00" in value or "\n" in value or "\r" in value:
        raise ValueError(f"a filter argument cannot hold NUL or line breaks: {value!r}")
    return _escape(_escape(value, _LEVEL1), _LEVEL2)
