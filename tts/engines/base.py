"""The one interface every speech engine implements, capabilities included, and helpers engines share.

The types live in the kernel (tts/types.py), so that every stage can name an engine
without importing this package; this module is their documented home for engine authors.
"""

from __future__ import annotations

from datetime import datetime, timezone

from tts.types import Advising, Engine, PhonemeReader, Rule, Voice

__all__ = ["Advising", "Engine", "PhonemeReader", "Rule", "Voice", "engine_voice", "retry_after_seconds",
           "voice_label"]


def engine_voice(engine: Engine) -> str | None:
    """The voice ``engine`` speaks with; None for an engine that does not say (``Engine.voice``
    came after the first engines)."""
    voice = getattr(engine, "voice", None)
    return voice if isinstance(voice, str) and voice else None


def voice_label(engine: Engine) -> str:
    """The engine and its voice as the manifest and the read-along page name them:
    ``espeak ar``, ``edge ar-EG-SalmaNeural``, ``piper ar_JO-kareem-medium:1``."""
    voice = engine_voice(engine)
    return engine.name if voice is None else f"{engine.name} {voice}"


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
