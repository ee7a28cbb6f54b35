"""The one interface every speech engine implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydub import AudioSegment


@runtime_checkable
class Engine(Protocol):
    """A text-to-speech backend.

    ``max_chars`` is the longest text one ``synthesize`` call accepts; ``None``
    means a whole paragraph. ``synthesize`` returns the clip as decoded audio;
    silence at its edges is trimmed later by the audio stage. ``concurrent``
    says whether ``synthesize`` may run in several threads at once.
    """

    name: str
    max_chars: int | None
    concurrent: bool

    def synthesize(self, text: str) -> AudioSegment:
        """Speak ``text`` and return the audio."""
        ...

    def cache_key(self) -> dict[str, str]:
        """Everything besides the text that changes the audio (engine version, voice, speed)."""
        ...
