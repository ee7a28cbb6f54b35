"""Render settings: one frozen dataclass that validates itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from tts.chars import primary
from tts.errors import ConfigError
from tts.options import ALL as OPTIONS
from tts.options import DEFAULT_MAX_INPUT, default
from tts.types import Article

# Bitrates as ffmpeg spells them ("64k"); anything else is a typo, not a preference.
BITRATE_PATTERN = re.compile(r"^[1-9][0-9]{1,3}k$")


@dataclass(frozen=True)
class RenderConfig:
    """Everything that shapes one render, checked once at construction."""

    engine: str = default("engine")
    """``auto`` (an online engine when it answers, else the offline one) or a registered engine's name."""
    lang: str = default("lang")
    """Language code for gTTS; also picks the espeak voice when ``voice`` is unset."""
    tld: str = default("tld")
    """Google host's top-level domain (``translate.google.<tld>``), for regional accents."""
    slow: bool = default("slow")
    """Ask Google for its slower reading."""
    timeout: float = default("timeout")
    """Seconds to wait for each Google or Edge request, connect to last byte."""
    voice: str | None = None
    """The engine's voice (espeak-ng's ``ar`` or ``ar+f3``, Edge's ``ar-EG-SalmaNeural``);
    ``None`` means the engine's voice for ``lang``. ``article-tts voices`` lists them."""
    rate: int | None = None
    """Speed in words per minute; ``None`` keeps the default (175). Edge takes it relative to 175."""
    pitch: int = default("pitch")
    """Pitch shift in Hz for Edge's voices (espeak and Google ignore it)."""
    tashkeel: bool = default("tashkeel")
    """Add the short vowels (tashkeel) to the text espeak-ng reads; never done for gTTS."""
    pause_ms: int = default("pause_ms")
    """Silence between paragraphs."""
    sentence_pause_ms: int = default("sentence_pause_ms")
    """Silence between sentences of one paragraph; clause breaks get half of it."""
    bitrate: str | None = default("bitrate")
    """Encoder bitrate for lossy formats; ``None``: the format's own (tts.options.FORMAT_BITRATES)."""
    jobs: int = default("jobs")
    """Most requests in flight at once (engines that are not thread-safe use one)."""
    retries: int = default("retries")
    """Retries per chunk for failures that may pass: 429, 5xx, timeouts, lost connections."""
    cache_dir: Path | None = None
    """Where finished clips are kept so a rerun resumes; ``None`` keeps nothing."""
    max_input: int = DEFAULT_MAX_INPUT
    """Most bytes of input text read; a larger input is refused before any work."""
    cache_size: int | None = None
    """Most bytes the clip cache keeps (least recently used evicted); ``None``: the default."""
    title: str | None = None
    """Title tag; ``None`` means the article's headline, else the first paragraph when short,
    else its first sentence shortened at a word (tts.audio.metadata.headline)."""
    artist: str | None = None
    """Artist tag; ``None`` leaves it out."""
    album: str | None = None
    """Album tag; ``None`` leaves it out."""
    chapters: bool = default("chapters")
    """One chapter per paragraph in the output file."""
    speed: float = default("speed")
    """Tempo factor (pitch kept); every time written (chapters, subtitles, manifest) follows it."""
    loudness: float | None = default("loudness")
    """Integrated loudness target in LUFS; ``None`` keeps the engine's level."""
    subtitles: Path | None = None
    """Subtitle file to write as well (.srt, .vtt or .lrc)."""
    manifest: Path | None = None
    """JSON file to write as well: paragraphs, chunks and their times."""
    format: str | None = None
    """Audio format (``mp3``, ``wav``...) for output sent to standard output; files use their extension."""
    lexicons: tuple[Path, ...] = ()
    """Pronunciation lexicon files, first one first: an entry there wins over later files'."""
    word_timing: bool = default("word_timing")
    """Also time each word inside the VTT cues and the LRC lines (the manifest always has words)."""
    html: Path | None = None
    """A read-along web page to write as well: the text, the audio, the spoken word highlighted."""
    embed_audio: bool = default("embed_audio")
    """Put the audio inside the page (a data URI) instead of referring to the file beside it."""
    side_outputs: tuple[tuple[str, Path], ...] = ()
    """Files of side outputs that other packages register (tts.outputs.registry), as
    ``(name, path)`` pairs; the built-in ones have their own fields above."""

    def __post_init__(self) -> None:
        if not self.engine:
            raise ConfigError("engine must not be empty; use auto, or a name from article-tts engines")
        for field in fields(self):
            option = OPTIONS.get(field.name)
            problem = option.check(getattr(self, field.name)) if option else None
            if problem:
                raise ConfigError(problem)
        if self.bitrate is not None and not BITRATE_PATTERN.match(self.bitrate):
            raise ConfigError(f"bitrate {self.bitrate!r} is not like 64k or 128k")
        if not self.lang:
            raise ConfigError("lang must not be empty; use a code such as ar or en")
        if self.embed_audio and self.html is None:
            raise ConfigError("--embed-audio puts the audio into the page --html writes; "
                              "give --html PAGE.html too")

    def side_output(self, name: str) -> Path | None:
        """The file the side output ``name`` goes to (its own field, else ``side_outputs``);
        None when it is not asked for."""
        if self.has_field(name):
            path: Path | None = getattr(self, name)
            return path
        return dict(self.side_outputs).get(name)

    def with_side_output(self, name: str, path: Path | None) -> RenderConfig:
        """This config with the side output ``name`` going to ``path`` (None: not written)."""
        if self.has_field(name):
            changes: dict[str, object] = {name: path}
            return replace(self, **changes)  # type: ignore[arg-type]
        others = tuple((key, value) for key, value in self.side_outputs if key != name)
        return replace(self, side_outputs=others + (((name, path),) if path is not None else ()))

    @classmethod
    def has_field(cls, name: str) -> bool:
        return any(field.name == name for field in fields(cls))

    @property
    def espeak_voice(self) -> str:
        """The espeak voice to use: the explicit one, else the language code."""
        return self.voice or self.lang

    @property
    def clause_pause_ms(self) -> int:
        """Pause at a clause break: about half a sentence pause."""
        return self.sentence_pause_ms // 2


def base_lang(lang: str | None) -> str | None:
    """The language part of a declared code (``ar-EG`` -> ``ar``), as the engines take it."""
    if not lang:
        return None
    code = primary(lang.strip())
    return code if code.isalpha() and 2 <= len(code) <= 3 else None  # ISO 639-1 or -2


def article_config(config: RenderConfig, article: Article, lang_given: bool) -> RenderConfig:
    """The config for one article: its own language when --lang was not given."""
    declared = base_lang(article.meta.lang)
    if lang_given or declared is None or declared == config.lang:
        return config
    return replace(config, lang=declared)
