"""The one interface every speech engine implements, capabilities included, and helpers engines share.

The types live in the kernel (tts/types.py), so that every stage can name an engine
without importing this package; this module is their documented home for engine authors.
"""

from __future__ import annotations

from datetime import datetime, timezone

from tts.types import Advising, Engine, PhonemeReader, Rule, Voice

__all__ = ["Advising", "Engine", "PhonemeReader", "Rule", "Voice", "retry_after_seconds"]


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
