"""The one interface every speech engine implements, capabilities included."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol, runtime_checkable

from pydub import AudioSegment

from tts.text.rules import Rule


@runtime_checkable
class Engine(Protocol):
    """A text-to-speech backend that says what it is and what it can do.

    Callers decide everything from these attributes, never from ``name``: adding an
    engine touches ``tts/engines/`` alone.
    """

    name: str
    """The name ``--engine`` takes and the summary shows."""
    offline: bool
    """True when it never touches the network."""
    max_chars: int | None
    """Longest text one ``synthesize`` call accepts; ``None`` means a whole paragraph per call."""
    max_concurrency: int | None
    """How many ``synthesize`` calls may run at once; ``None`` leaves it to ``--jobs``."""
    tashkeel: bool
    """Whether Arabic text gets its short vowels added before this engine reads it."""
    rules: tuple[Rule, ...]
    """Respellings for this engine alone, applied to Arabic after tashkeel."""
    chars_per_second: float
    """Characters of text spoken per second at the default pace: for --dry-run's estimates."""
    inline_languages: bool
    """Whether one call speaks Latin-script runs inside Arabic text with another voice
    (espeak switches voice itself); if not, each run is a chunk of its own, with its ``lang``."""
    phoneme_input: bool
    """Whether the text may hold phonemes as ``[[...]]`` (espeak-ng's notation), from a lexicon."""

    def synthesize(self, text: str, lang: str | None = None) -> AudioSegment:
        """Speak ``text`` and return the audio; edge silence is trimmed later.

        ``lang`` is the chunk's language when it is not the article's (``Chunk.lang``).
        """
        ...

    def cache_key(self) -> Mapping[str, str]:
        """Everything besides the text that changes the audio (engine version, voice, speed)."""
        ...


@runtime_checkable
class PhonemeReader(Protocol):
    """An engine that can show the phonemes it would say (for ``say --show``)."""

    def phonemes(self, text: str, separator: str = "") -> str:
        """The engine's phoneme names for ``text``."""
        ...


@runtime_checkable
class Advising(Protocol):
    """An engine with something to tell the user before it speaks (a voice it does not know)."""

    notices: tuple[str, ...]


@dataclass(frozen=True)
class Voice:
    """One voice an engine offers, as ``article-tts voices`` lists it."""

    engine: str
    name: str
    """What ``--voice`` takes."""
    lang: str
    """Its language (BCP 47, e.g. ``ar-EG``)."""
    gender: str = ""
    """``Female``, ``Male`` or "" when the engine does not say."""
    notes: str = ""
    """Dialect, quality, variants: whatever helps a user choose."""


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from an HTTP Retry-After value: a number of seconds, or an HTTP date."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    import email.utils  # here: a render that is never throttled does not load it at start-up
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
