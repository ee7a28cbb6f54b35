"""Microsoft Edge's neural voices through the real edge-tts library, one websocket per chunk."""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydub import AudioSegment

from tts.audio.clip import decode
from tts.chars import primary
from tts.engines.base import Voice, retry_after_seconds
from tts.errors import ConfigError, NetworkError, UnknownVoice
from tts.options import DEFAULT_RATE_WPM
from tts.types import Rule, WordTime

if TYPE_CHECKING:  # edge-tts and aiohttp are imported when a chunk is spoken, not at start-up
    import aiohttp

# Edge answers with 24 kHz mono MP3 (audio-24khz-48kbitrate-mono-mp3).
SAMPLE_RATE = 24_000
# Edge takes at most 4096 UTF-8 bytes of escaped text per request, and edge-tts splits
# longer texts wherever a space falls. Our chunker cuts first, at a sentence or clause: the
# worst character costs 5 bytes once escaped (``&`` is ``&amp;``), so 800 characters always
# fit (Arabic letters are 2 bytes, so a typical chunk is about 1,600 bytes).
MAX_CHARS = 800
# Microsoft throttles floods of connections (429 for about five minutes); a few at once is
# what the Edge browser itself opens.
MAX_CONCURRENCY = 4
# WordBoundary offsets and durations count 100 ns ticks.
TICKS_PER_MS = 10_000
# The voices snapshot shipped with the package: `voices` works offline from it.
SNAPSHOT = Path(__file__).with_name("edge_voices.json")
# What edge-tts itself accepts as a voice name; Microsoft adds voices shaped like this.
VOICE_NAME = re.compile(r"^[a-z]{2,3}-[A-Z]{2,}-\w*Neural$")
# The voice used when --voice is not given. For Arabic: ar-SA-HamedNeural reads Modern
# Standard Arabic (the register of news) in a steady, formal male voice, the one Arabic
# news readers and openai-edge-tts's Arabic users pick; the dialect voices (ar-EG, ar-MA...)
# still read MSA but with their region's accent. Other languages: a common neutral voice.
DEFAULT_VOICES = {"ar": "ar-SA-HamedNeural", "en": "en-US-AriaNeural", "fr": "fr-FR-DeniseNeural",
                  "de": "de-DE-KatjaNeural", "es": "es-ES-ElviraNeural"}
# Audio decoded from MP3 may end a frame or so short of Edge's last boundary (24 ms a
# frame at 24 kHz); shorter than this by more than that is a stream cut off.
TRUNCATION_SLACK_MS = 100
# Said at the end of every network failure: what the user can do about it.
NEXT_STEP = "rerun the same command to resume, or use --engine espeak to render offline"
# Punctuation Edge leaves out of a WordBoundary's text; letters and digits are the word.
WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Boundary:
    """One WordBoundary event: the word Edge spoke and when, in ms from the request's audio start."""

    text: str
    start_ms: int
    end_ms: int


class Truncated(Exception):
    """Edge's stream ended before the text was spoken (rany2/edge-tts#190, #390, #436)."""


@functools.cache
def snapshot() -> tuple[Voice, ...]:
    """Every voice in the shipped snapshot, the defaults marked in their notes."""
    data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    defaults = {name: lang for lang, name in DEFAULT_VOICES.items()}
    voices = []
    for entry in data["voices"]:
        notes = entry.get("notes", "")
        if entry["name"] in defaults:
            notes += f"; default for --lang {defaults[entry['name']]}"
        voices.append(Voice("edge", entry["name"], entry["locale"], entry["gender"], notes))
    return tuple(voices)


def default_voice(lang: str) -> str:
    """The voice for ``lang`` when --voice is not given: ours for it, else its first in the snapshot."""
    code = primary(lang)
    if code in DEFAULT_VOICES:
        return DEFAULT_VOICES[code]
    match = next((v.name for v in snapshot() if primary(v.lang) == code), None)
    if match is None:
        raise ConfigError(f"no Edge voice for --lang {lang!r} in the voices list; give one with "
                          f"--voice xx-XX-NameNeural (Microsoft's voice gallery lists them)")
    return match


def check_voice(name: str) -> str | None:
    """A warning for a voice missing from the snapshot but named like one; ConfigError when it
    is not a voice name at all; None for a known voice."""
    if any(v.name == name for v in snapshot()):
        return None
    if VOICE_NAME.match(name):
        return (f"Edge voice {name!r} is not in the voices list shipped with article-tts; "
                f"trying it, since Microsoft adds voices")
    raise UnknownVoice(f"{name!r} is not an Edge voice", "run `article-tts voices edge` or "
                       "`article-tts voices ar` for names like ar-EG-SalmaNeural")


def prosody_rate(rate_wpm: int | None) -> str:
    """--rate in words per minute as Edge's relative rate: 175 (espeak's default) is +0%."""
    percent = 0 if rate_wpm is None else round((rate_wpm / DEFAULT_RATE_WPM - 1) * 100)
    return f"{percent:+d}%"


def prosody_pitch(pitch_hz: int) -> str:
    """--pitch as Edge's relative pitch, ``+0Hz``."""
    return f"{pitch_hz:+d}Hz"


class EdgeEngine:
    """An Edge neural voice, measured word times included; the network is needed."""

    name = "edge"
    offline = False
    max_chars: int | None = MAX_CHARS
    max_concurrency: int | None = MAX_CONCURRENCY
    # The neural voices add the short vowels themselves, better than a model guessing them first.
    tashkeel = False
    rules: tuple[Rule, ...] = ()
    # Not measured (Microsoft is unreachable from where this was built): its voices read a
    # little faster than espeak's default.
    chars_per_second = 14.0
    # Microsoft's Arabic voices read English words inside Arabic text themselves.
    inline_languages = True
    phoneme_input = False
    frame_rate = SAMPLE_RATE

    def __init__(self, voice: str | None = None, lang: str = "ar", rate: int | None = None,
                 pitch: int = 0, timeout: float = 15.0) -> None:
        self.voice = voice or default_voice(lang)
        warning = check_voice(self.voice)
        self.notices: tuple[str, ...] = (warning,) if warning else ()
        self.rate, self.pitch = prosody_rate(rate), prosody_pitch(pitch)
        self.timeout = timeout

    def cache_key(self) -> dict[str, str]:
        return {"engine": self.name, "version": edge_version(), "voice": self.voice,
                "rate": self.rate, "pitch": self.pitch}

    def synthesize(self, text: str, lang: str | None = None) -> AudioSegment:
        return self.synthesize_words(text, lang)[0]

    def synthesize_words(self, text: str,
                         lang: str | None = None) -> tuple[AudioSegment, tuple[WordTime, ...]]:
        """Speak ``text`` with our voice (its Latin runs too); each word's time from Edge's
        WordBoundary events. A stream cut short is a retryable NetworkError."""
        data, boundaries = self.fetch(text)
        audio = decode(data, SAMPLE_RATE)
        words = word_times(text, boundaries)
        try:
            check_complete(text, len(audio), boundaries, words)
        except Truncated as exc:
            why = f"Edge TTS stopped early ({exc})"
            raise NetworkError(f"{why}; {NEXT_STEP}", retryable=True, reason=why) from None
        return audio, words

    def fetch(self, text: str) -> tuple[bytes, list[Boundary]]:
        """The MP3 bytes and word boundaries for ``text``; --timeout bounds the whole request."""
        import aiohttp
        from edge_tts.exceptions import EdgeTTSException, NoAudioReceived
        try:
            return asyncio.run(asyncio.wait_for(self.stream(text), self.timeout))
        except asyncio.TimeoutError:  # TimeoutError itself from Python 3.11
            raise self.too_slow() from None
        except aiohttp.ClientResponseError as exc:
            raise self.refused(exc) from exc
        except aiohttp.ClientConnectorError as exc:
            why = f"cannot reach Edge TTS ({type(exc).__name__})"
            raise NetworkError(f"{why}; {NEXT_STEP}", retryable=True, reason=why,
                               unreachable=True) from exc
        except NoAudioReceived as exc:
            why = "Edge TTS sent no audio"
            raise NetworkError(f"{why}; {NEXT_STEP}", retryable=True, reason=why) from exc
        except (aiohttp.ClientError, EdgeTTSException) as exc:
            if isinstance(exc.__cause__, aiohttp.ClientResponseError):  # a 403 edge-tts could not retry
                raise self.refused(exc.__cause__) from exc
            why = f"the connection to Edge TTS was lost ({type(exc).__name__})"
            raise NetworkError(f"{why}; {NEXT_STEP}", retryable=True, reason=why) from exc

    async def stream(self, text: str) -> tuple[bytes, list[Boundary]]:
        """Run edge-tts's Communicate on ``text``, gathering its audio and WordBoundary events."""
        from edge_tts import Communicate
        seconds = max(1, math.ceil(self.timeout))
        communicate = Communicate(text, self.voice, rate=self.rate, pitch=self.pitch,
                                  boundary="WordBoundary", connect_timeout=seconds,
                                  receive_timeout=seconds)
        audio = bytearray()
        boundaries = []
        async for message in communicate.stream():
            if message["type"] == "audio":
                audio += message.get("data", b"")
            elif message["type"] == "WordBoundary":
                start = int(message.get("offset", 0))
                end = start + int(message.get("duration", 0))
                boundaries.append(Boundary(message.get("text", ""), start // TICKS_PER_MS,
                                           end // TICKS_PER_MS))
        return bytes(audio), boundaries

    def too_slow(self) -> NetworkError:
        why = f"Edge TTS did not answer within {self.timeout:g} s"
        return NetworkError(f"{why}; {NEXT_STEP}", retryable=True, reason=why)

    def refused(self, exc: aiohttp.ClientResponseError) -> NetworkError:
        """The error for a refused handshake: 403 (edge-tts already retried it with the server's
        clock), 429 and 5xx may pass; any other status will not."""
        status = exc.status
        if status == 403:
            why = "Edge TTS refused the request (403 Forbidden)"
            return NetworkError(f"{why}; {NEXT_STEP}, or upgrade edge-tts if it persists",
                                retryable=True, status=status, reason=why)
        if status == 429 or status >= 500:
            why = ("Edge TTS is rate-limiting us (429 Too Many Requests)" if status == 429
                   else f"Edge TTS failed ({status} {exc.message})")
            return NetworkError(f"{why}; {NEXT_STEP}", retryable=True, status=status, reason=why,
                                retry_after=retry_after_seconds(
                                    exc.headers.get("Retry-After") if exc.headers else None))
        why = f"Edge TTS refused the request ({status} {exc.message})"
        return NetworkError(f"{why}; check --voice, or use --engine espeak", status=status, reason=why)


def word_times(text: str, boundaries: Sequence[Boundary]) -> tuple[WordTime, ...]:
    """Each word of ``text`` Edge reported, from its first boundary's start to its last one's end.

    Boundaries name the spoken word without punctuation and come in text order: each is
    looked for from where the previous one was found, and takes the whitespace-delimited
    word it lands in (``2019`` may be several boundaries, one written word).
    """
    spans = [m.span() for m in WORD.finditer(text)]
    timed: dict[int, tuple[int, int]] = {}
    pos = 0
    for boundary in boundaries:
        found = text.find(boundary.text, pos) if boundary.text else -1
        if found < 0:
            continue
        pos = found + len(boundary.text)
        index = next((i for i, (a, b) in enumerate(spans) if a <= found < b), None)
        if index is None:
            continue
        start, end = timed.get(index, (boundary.start_ms, boundary.end_ms))
        timed[index] = (min(start, boundary.start_ms), max(end, boundary.end_ms))
    return tuple(WordTime(*spans[i], start, max(start, end)) for i, (start, end) in sorted(timed.items()))


def check_complete(text: str, audio_ms: int, boundaries: Sequence[Boundary],
                   words: Sequence[WordTime]) -> None:
    """Raise Truncated when Edge's answer stopped short: audio ending before the last word
    boundary, or fewer boundaries than words with the text's last word never reported.

    The last word is what tells: Edge may skip a symbol inside the text (or say a number as
    several words), but a stream cut off loses everything after the cut, the last word included.
    """
    if boundaries and audio_ms + TRUNCATION_SLACK_MS < boundaries[-1].end_ms:
        raise Truncated(f"{audio_ms} ms of audio for words up to {boundaries[-1].end_ms} ms")
    spoken = [m.span() for m in WORD.finditer(text) if any(ch.isalnum() for ch in m.group())]
    if len(boundaries) < len(spoken) and (not words or words[-1].start < spoken[-1][0]):
        raise Truncated(f"{len(boundaries)} of {len(spoken)} words spoken")


def edge_version() -> str:
    """The installed edge-tts version, from its metadata (without importing it)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("edge-tts")
    except PackageNotFoundError:
        return "missing"


def check_installed() -> tuple[bool, str]:
    """Whether edge-tts can be imported here; never touches the network."""
    if importlib.util.find_spec("edge_tts") is None:
        return False, "edge-tts is not installed (pip install edge-tts); needs the network too"
    return True, f"edge-tts {edge_version()} installed; needs the network to reach Microsoft's service"


def voices() -> tuple[Voice, ...]:
    """The Edge voices --voice takes, from the shipped snapshot (no network)."""
    return snapshot()
