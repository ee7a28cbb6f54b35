"""Times as text, one function per notation, each named by the notation it writes."""

from __future__ import annotations

MS_PER_HOUR = 3_600_000
MS_PER_MINUTE = 60_000
# SRT separates the milliseconds with a comma; WebVTT and Vorbis chapters with a dot.
SRT_SEPARATOR = ","


def hms_millis(ms: int, separator: str = ".") -> str:
    """``HH:MM:SS.mmm``: WebVTT cues and Vorbis chapter comments; SRT with ``separator`` ``,``."""
    hours, rest = divmod(ms, MS_PER_HOUR)
    minutes, rest = divmod(rest, MS_PER_MINUTE)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{separator}{rest % 1000:03d}"


def lrc_clock(ms: int) -> str:
    """``mm:ss.xx``: LRC counts minutes past 59 and hundredths of a second."""
    minutes, rest = divmod(ms // 10, 6000)
    return f"{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


def player_clock(ms: int) -> str:
    """``m:ss``, as a player shows a time (whole seconds, cut down)."""
    minutes, seconds = divmod(ms // 1000, 60)
    return f"{minutes}:{seconds:02d}"


def summary_duration(ms: int) -> str:
    """``m:ss.s``: a length in the command's closing line, to the nearest tenth of a second."""
    minutes, tenths = divmod((ms + 50) // 100, 600)
    return f"{minutes}:{tenths // 10:02d}.{tenths % 10}"


def hms(seconds: int) -> str:
    """``H:MM:SS``, as itunes:duration takes it."""
    minutes, secs = divmod(seconds, 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def parse_hms(text: str) -> int:
    """Seconds from ``H:MM:SS``, ``MM:SS`` or plain seconds (fractions dropped)."""
    total = 0
    for part in text.strip().split(":"):
        total = total * 60 + int(float(part or 0))
    return total
