"""Render settings: one frozen dataclass that validates itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tts.errors import ConfigError

# Bitrates as ffmpeg spells them ("64k"); anything else is a typo, not a preference.
BITRATE_PATTERN = re.compile(r"^[1-9][0-9]{1,3}k$")
MAX_PAUSE_MS = 10_000
# More parallel requests than this only earns 429s from Google.
MAX_JOBS = 32
MAX_RETRIES = 20
# atempo keeps the pitch over this range; past it speech turns hard to follow.
SPEED_RANGE = (0.5, 2.0)
# The podcast norm (Apple, Spotify): the same level whichever engine spoke.
DEFAULT_LOUDNESS = -16.0
# Below -40 LUFS: what ffmpeg's ebur128 can measure and a player can still make audible.
# Above -14 LUFS (Spotify's norm) the -1.5 dBFS peak ceiling keeps speech from
# getting louder: -10 was measured to land at -12.5, so louder targets are refused.
LOUDNESS_RANGE = (-40.0, -14.0)


@dataclass(frozen=True)
class RenderConfig:
    """Everything that shapes one render, checked once at construction."""

    engine: str = "auto"
    """``auto`` (an online engine when it answers, else the offline one) or a registered engine's name."""
    lang: str = "ar"
    """Language code for gTTS; also picks the espeak voice when ``voice`` is unset."""
    tld: str = "com"
    """Google host's top-level domain (``translate.google.<tld>``), for regional accents."""
    slow: bool = False
    """Ask Google for its slower reading."""
    timeout: float = 15.0
    """Seconds to wait for each Google request (gTTS alone would wait forever)."""
    voice: str | None = None
    """espeak-ng voice name; ``None`` means the voice named like ``lang``."""
    rate: int | None = None
    """espeak-ng speed in words per minute; ``None`` keeps espeak's default (175)."""
    tashkeel: bool = True
    """Add the short vowels (tashkeel) to the text espeak-ng reads; never done for gTTS."""
    pause_ms: int = 700
    """Silence between paragraphs."""
    sentence_pause_ms: int = 300
    """Silence between sentences of one paragraph; clause breaks get half of it."""
    bitrate: str = "64k"
    """Encoder bitrate for lossy formats."""
    jobs: int = 4
    """Most requests in flight at once (engines that are not thread-safe use one)."""
    retries: int = 5
    """Retries per chunk for failures that may pass: 429, 5xx, timeouts, lost connections."""
    cache_dir: Path | None = None
    """Where finished clips are kept so a rerun resumes; ``None`` keeps nothing."""
    title: str | None = None
    """Title tag; ``None`` means the first paragraph when short, else the input's name."""
    artist: str | None = None
    """Artist tag; ``None`` leaves it out."""
    album: str | None = None
    """Album tag; ``None`` leaves it out."""
    chapters: bool = True
    """One chapter per paragraph in the output file."""
    speed: float = 1.0
    """Tempo factor (pitch kept); every time written (chapters, subtitles, manifest) follows it."""
    loudness: float | None = DEFAULT_LOUDNESS
    """Integrated loudness target in LUFS; ``None`` keeps the engine's level."""
    subtitles: Path | None = None
    """Subtitle file to write as well (.srt, .vtt or .lrc)."""
    manifest: Path | None = None
    """JSON file to write as well: paragraphs, chunks and their times."""
    format: str | None = None
    """Audio format (``mp3``, ``wav``...) for output sent to standard output; files use their extension."""

    def __post_init__(self) -> None:
        if not self.engine:
            raise ConfigError("engine must not be empty; use auto, or a name from article-tts engines")
        for name in ("pause_ms", "sentence_pause_ms"):
            value = getattr(self, name)
            if not 0 <= value <= MAX_PAUSE_MS:
                raise ConfigError(f"{name} must be between 0 and {MAX_PAUSE_MS} ms, not {value}")
        if not self.timeout > 0:
            raise ConfigError(f"timeout must be a positive number of seconds, not {self.timeout}")
        if self.rate is not None and not 80 <= self.rate <= 450:
            raise ConfigError(f"rate must be between 80 and 450 words per minute, not {self.rate}")
        if not BITRATE_PATTERN.match(self.bitrate):
            raise ConfigError(f"bitrate {self.bitrate!r} is not like 64k or 128k")
        if not 1 <= self.jobs <= MAX_JOBS:
            raise ConfigError(f"jobs must be between 1 and {MAX_JOBS}, not {self.jobs}")
        if not 0 <= self.retries <= MAX_RETRIES:
            raise ConfigError(f"retries must be between 0 and {MAX_RETRIES}, not {self.retries}")
        if not self.lang:
            raise ConfigError("lang must not be empty; use a code such as ar or en")
        self.check_finish()

    def check_finish(self) -> None:
        """Check the options that shape the finished file rather than the speech."""
        low, high = SPEED_RANGE
        if not low <= self.speed <= high:
            raise ConfigError(f"speed must be between {low} and {high}, not {self.speed}")
        low, high = LOUDNESS_RANGE
        if self.loudness is not None and not low <= self.loudness <= high:
            raise ConfigError(f"loudness must be between {low:g} and {high:g} LUFS, not "
                              f"{self.loudness:g}; -16 is the podcast norm")

    @property
    def espeak_voice(self) -> str:
        """The espeak voice to use: the explicit one, else the language code."""
        return self.voice or self.lang

    @property
    def clause_pause_ms(self) -> int:
        """Pause at a clause break: about half a sentence pause."""
        return self.sentence_pause_ms // 2
