"""espeak-ng through its C library (libespeak-ng1, which the espeak-ng package installs).

The library, unlike the command line, reports the engine's own word events: for each word, the
character it starts at and the audio sample where its sound starts. Those starts are what the
engine did, not an estimate; where each word's sound ends is measured from the audio (word_timing).
The library keeps global state, so one synthesis runs at a time (a lock).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from shared.errors import AppError

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "install espeak-ng (Debian/Ubuntu: sudo apt-get install espeak-ng, "
    "or sudo scripts/install-system-deps)"
)
WORDS_PER_MINUTE = 150
VOICES_TIMEOUT_S = 30

# speak_lib.h (espeak-ng 1.51): the constants and the event struct we use.
_SYNCHRONOUS = 2  # AUDIO_OUTPUT_SYNCHRONOUS: the callback gets every chunk before Synth returns
_DONT_EXIT = 0x8000  # espeakINITIALIZE_DONT_EXIT: report errors instead of exit()
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EVENT_END_OF_LIST, _EVENT_WORD = 0, 1
_RATE = 1  # espeakRATE, words per minute


class EspeakMissing(AppError):
    """espeak-ng is not installed: a setup problem, so retrying the task cannot help."""

    retryable = False
    code = "espeak_missing"


class _Id(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based, in characters
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # ms
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _Id),
    ]


class _VoiceSpec(ctypes.Structure):  # espeak_VOICE, to choose a voice by its language
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray  # int16, mono
    rate: int
    word_starts: tuple[tuple[int, int], ...]  # (0-based character offset, sample offset)


@dataclass
class _Engine:
    lib: ctypes.CDLL
    rate: int
    lock: threading.Lock


@cache
def _engine() -> _Engine | None:
    name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, None, _DONT_EXIT)
    if rate <= 0:
        log.warning("espeak-ng did not initialise", extra={"code": rate})
        return None
    return _Engine(lib, rate, threading.Lock())


def missing() -> str | None:
    """Why espeak-ng cannot speak here, or None when it can."""
    if _engine() is None or shutil.which("espeak-ng") is None:
        return f"espeak-ng is not installed: {INSTALL_HINT}"
    return None


@cache
def installed_languages() -> frozenset[str]:
    """Every language code ``espeak-ng --voices`` offers (its own and its "other languages")."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return frozenset()
    listing = subprocess.run(
        [exe, "--voices"], check=True, capture_output=True, text=True, timeout=VOICES_TIMEOUT_S
    ).stdout
    languages: set[str] = set()
    for line in listing.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 2:
            languages.add(fields[1])
        languages.update(part.strip("()").split()[0] for part in line.split("(")[1:] if part)
    return frozenset(languages)


def synthesize(text: str, language: str) -> Speech:
    """``text`` spoken in ``language`` (an espeak-ng voice name such as "en-us").

    Raises:
        EspeakMissing: the library or the voice is not installed.
    """
    engine = _engine()
    if engine is None:
        raise EspeakMissing(f"voice: espeak-ng is not installed: {INSTALL_HINT}")
    chunks: list[np.ndarray] = []
    starts: list[tuple[int, int]] = []

    def collect(wav: Any, count: int, events: Any) -> int:
        if wav and count > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events[i].type != _EVENT_END_OF_LIST:
            event = events[i]
            if event.type == _EVENT_WORD and event.length > 0:
                starts.append((event.text_position - 1, event.sample))
            i += 1
        return 0

    callback = _Callback(collect)  # referenced until Synth returns: ctypes must not free it
    data = text.encode("utf-8")
    with engine.lock:
        # By name ("en-us" is one), else by language, as the command line does ("en-gb").
        spec = _VoiceSpec(languages=language.encode())
        if (
            engine.lib.espeak_SetVoiceByName(language.encode()) != 0
            and engine.lib.espeak_SetVoiceByProperties(ctypes.byref(spec)) != 0
        ):
            raise EspeakMissing(f"voice: espeak-ng has no voice for {language!r}: {INSTALL_HINT}")
        engine.lib.espeak_SetParameter(_RATE, WORDS_PER_MINUTE, 0)
        engine.lib.espeak_SetSynthCallback(callback)
        status = engine.lib.espeak_Synth(
            data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
        )
        engine.lib.espeak_Synchronize()
    if status != 0:
        raise AppError(f"voice: espeak-ng failed to speak (status {status})")
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    return Speech(samples.astype(np.int16), engine.rate, tuple(starts))
