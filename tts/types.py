"""The data every stage passes on: articles, paragraphs, chunks, clips, the timeline, events, results.

This module sits at the bottom of the import graph (it imports no other module of
this package), so any stage can use these types without importing another stage.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydub import AudioSegment

from tts.version import __version__

# "-" on the command line means standard input, which has no file name to show.
STDIN_SOURCE = "-"
STDIN_NAME = "standard input"
# Written into every file's encoder tag and the manifest.
ENCODER = f"article-tts {__version__}"


# --- engines: what every engine implements, and the respellings they take ---------------------


Replacement = str | Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class Rule:
    """One respelling for the voices: ``pattern`` (a regex) becomes ``replacement``.

    A replacement is a ``re.sub`` template, or a function of the match for a rule
    that must look at the numbers it found (it returns the match to leave it).
    """

    name: str
    pattern: str
    replacement: Replacement
    reason: str


@runtime_checkable
class Engine(Protocol):
    """A text-to-speech backend that says what it is and what it can do.

    Callers decide everything from these attributes, never from ``name``: adding an
    engine touches ``tts/engines/`` alone.
    """

    name: str
    """The name ``--engine`` takes and the summary shows."""
    voice: str
    """The voice it speaks with, as a listener would name it beside ``name`` (espeak's
    ``ar+f3``, Edge's ``ar-EG-SalmaNeural``, a Piper voice ``NAME:SPEAKER``). Optional for
    engines written before it: the manifest and the page then name the engine alone."""
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
    """Characters of the text it is given spoken per second at the default pace, short-vowel
    marks not counted (tashkeel adds them, and they are no longer sounds): --dry-run's pace."""
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


# --- the article -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleMeta:
    """What an input says about itself besides its text; ``None`` when it does not say."""

    title: str | None = None
    author: str | None = None
    site: str | None = None
    date: str | None = None
    """Publication date as ISO 8601 (``2024-05-01`` or with a time)."""
    lang: str | None = None
    """The language the input declares (``<html lang>``, front matter); used when --lang is not given."""
    url: str | None = None
    """Canonical URL of a web page."""
    description: str | None = None


@dataclass(frozen=True)
class Block:
    """One paragraph of the article as written; ``heading`` when it titles what follows."""

    text: str
    heading: bool = False


@dataclass(frozen=True)
class Article:
    """What every input source gives: the paragraphs as written, and the metadata."""

    blocks: tuple[Block, ...]
    meta: ArticleMeta = ArticleMeta()
    source: str = STDIN_SOURCE
    """Where it came from: a file name, a URL, or ``-`` for standard input."""
    warnings: tuple[str, ...] = ()
    """Things dropped while reading (a skipped table, say) that the user should hear of."""


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the article, as written and as it will be spoken."""

    index: int
    original: str
    spoken: str
    heading: bool = False

    @property
    def speakable(self) -> bool:
        """True when the paragraph has something an engine can say."""
        return self.spoken != ""


# --- chunks and clips --------------------------------------------------------------------------


class Break(enum.Enum):
    """The kind of boundary after a chunk; the audio stage maps it to a pause."""

    PARAGRAPH = "paragraph"
    SENTENCE = "sentence"
    CLAUSE = "clause"
    WORD = "word"


@dataclass(frozen=True)
class Chunk:
    """A piece of one paragraph's spoken text: ``spoken[start:end] == text``."""

    paragraph: int
    index: int
    text: str
    start: int
    end: int
    brk: Break
    lang: str | None = None
    """The language this chunk is spoken in when it is not the article's (``en`` for a
    Latin-script run of an Arabic article); ``None`` means the article's ``--lang``."""


@dataclass(frozen=True)
class WordTime:
    """One word of a chunk and when it is heard in the chunk's clip.

    ``start``/``end`` are offsets into ``Chunk.text``; times are ms from the clip's start.
    """

    start: int
    end: int
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Clip:
    """A chunk's audio, edge silence trimmed, and whether it came from the cache.

    ``words`` holds each word's time in the clip when the engine reports them (or an
    estimate); empty when unknown.
    """

    chunk: Chunk
    audio: AudioSegment
    cached: bool
    words: tuple[WordTime, ...] = ()


@dataclass(frozen=True)
class Placed:
    """A chunk's clip and where it sits in the output, in ms.

    ``words`` are the clip's word times, still in ms from the clip's start
    (``start_ms`` away from the output's start), at the output's speed.
    """

    chunk: Chunk
    start_ms: int
    end_ms: int
    cached: bool = False
    words: tuple[WordTime, ...] = ()


@dataclass(frozen=True)
class Word:
    """One word of the article as written, and when it is heard in the output file.

    ``start``/``end`` are offsets into ``Paragraph.original`` (the word is
    ``original[start:end]``, whitespace-delimited, punctuation kept); ``chunk`` is the
    index of the paragraph's chunk it is heard in; times are ms in the output, after ``--speed``.
    """

    text: str
    paragraph: int
    chunk: int
    start: int
    end: int
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class FrameSpan:
    """Where one clip's audio sits in the joined render, in sample frames (before --speed)."""

    start: int
    end: int


@dataclass(frozen=True)
class Layout:
    """The joined render before --speed: its length."""

    frames: int

    def frames_at(self, speed: float) -> int:
        """The render's length in frames once played ``speed`` times faster."""
        return round(self.frames / speed)


@dataclass(frozen=True)
class Plan:
    """What will be said, by which engine, in which chunks."""

    paragraphs: list[Paragraph]
    engine: Engine
    chunks: list[Chunk]
    prepare: Callable[[Chunk], Chunk] | None = None
    """Turns a chunk into the engine's form just before it is spoken, when that was deferred."""
    meta: ArticleMeta = ArticleMeta()
    """What the input said about itself (title, author, site, date, URL), for tags and manifest."""


# --- what the file says about itself ----------------------------------------------------------


@dataclass(frozen=True)
class Tags:
    """The tags every format gets, in its own spelling."""

    title: str
    artist: str | None
    album: str | None
    language: str
    """ISO 639-2 code, e.g. ``ara``."""
    comment: str
    encoder: str = ENCODER
    date: str | None = None
    """Publication date, ISO 8601, when the article gives one."""


@dataclass(frozen=True)
class Chapter:
    """One paragraph's span in the output, in milliseconds."""

    title: str
    start_ms: int
    end_ms: int


# --- events a render reports as it goes ----------------------------------------------------------


@dataclass(frozen=True)
class EngineChosen:
    """Which engine speaks, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class Planned:
    """The article is split; ``chunks`` clips are about to be made."""

    paragraphs: int
    chunks: int


@dataclass(frozen=True)
class ChunkDone:
    """One chunk's clip is ready, made now or taken from the cache."""

    chunk: Chunk
    cached: bool = False


@dataclass(frozen=True)
class Writing:
    """Every clip is made; the last of the audio is being encoded and the file finished."""

    output: Path


@dataclass(frozen=True)
class Notice:
    """Something the user should know that does not stop the render."""

    message: str


Event = EngineChosen | Planned | ChunkDone | Writing | Notice
Listener = Callable[[Event], None]


def ignore(event: Event) -> None:
    """A listener that drops every event: the default when nobody is listening."""


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderResult:
    """What a finished render produced."""

    output: Path
    duration_ms: int
    paragraphs: int
    chunks: int
    engine: str
    seconds: float
    timeline: list[Placed] = field(default_factory=list)
    side_files: tuple[Path, ...] = ()
    """The files written besides the audio (subtitles, manifest, page...), in registration order."""

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file written: the audio (unless it went to standard output, ``-``), then the
        side files."""
        audio = () if str(self.output) == "-" else (self.output,)
        return (*audio, *self.side_files)

    @property
    def cached(self) -> int:
        """How many chunks came from the cache instead of the engine."""
        return sum(p.cached for p in self.timeline)


@dataclass(frozen=True)
class PlayResult:
    """What was played (and saved)."""

    duration_ms: int
    paragraphs: int
    chunks: int
    engine: str
    first_audio_s: float
    output: Path | None
