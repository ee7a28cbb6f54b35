"""Every render option declared once: name, flags, default, range and help.

``tts.config.RenderConfig`` takes its defaults and ranges from here, ``tts.cli``
builds its click options from here, and a test checks the README's option table
against ``--help``: one place to change an option.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Environment variables that stand in for options: click reads them, and so do
# ``article-tts config show`` and the API when asked (tts.util.userconfig).
ENGINE_ENV = "ARTICLE_TTS_ENGINE"
VOICE_ENV = "ARTICLE_TTS_VOICE"
LANG_ENV = "ARTICLE_TTS_LANG"
RATE_ENV = "ARTICLE_TTS_RATE"
JOBS_ENV = "ARTICLE_TTS_JOBS"
CACHE_DIR_ENV = "ARTICLE_TTS_CACHE_DIR"
CACHE_SIZE_ENV = "ARTICLE_TTS_CACHE_SIZE"
MAX_INPUT_ENV = "ARTICLE_TTS_MAX_INPUT"
# The user's config file of option defaults; empty means none (tts.util.userconfig).
CONFIG_ENV = "ARTICLE_TTS_CONFIG"
# --bitrate when it is not given, by output extension: speech in Opus (alone or in Ogg) sounds
# clean at 24-32 kbit/s, where MP3 and AAC need about 64.
DEFAULT_BITRATE = "64k"
FORMAT_BITRATES = {".opus": "32k", ".ogg": "32k"}
# Large enough for a long book (an Arabic novel of 150,000 words is about 1.6 MB of
# UTF-8; War and Peace in English 3.2 MB), small enough that reading and normalizing
# stay far from the memory a runaway input (/dev/zero, a wrong file) would take.
DEFAULT_MAX_INPUT = 8_000_000


@dataclass(frozen=True)
class Option:
    """One option: ``name`` is the RenderConfig field (or the command's parameter)."""

    name: str
    flags: tuple[str, ...]
    """Command-line spellings; ``--x/--no-x`` declares an on/off pair."""
    help: str
    default: Any = None
    kind: type = str
    """Value type: str, int, float or bool (a flag)."""
    low: float | None = None
    high: float | None = None
    """Inclusive range, checked by RenderConfig and by click."""
    unit: str = ""
    """Shown after the range in errors ("ms", "LUFS")."""
    metavar: str | None = None
    envvar: str | None = None
    show_default: bool = True

    @property
    def is_flag(self) -> bool:
        return self.kind is bool

    @property
    def key(self) -> str:
        """Its name in the user's config file: the long flag without dashes (``pause``,
        ``sentence-pause``, ``tashkeel`` for ``--tashkeel/--no-tashkeel``)."""
        long = next(flag for flag in self.flags if flag.startswith("--"))
        return long.split("/")[0].removeprefix("--")

    def check(self, value: Any) -> str | None:
        """Why ``value`` is out of range, or None when it is fine (None values are fine)."""
        if value is None or self.low is None or self.high is None:
            return None
        if not self.low <= value <= self.high:
            unit = f" {self.unit}" if self.unit else ""
            return (f"{self.name} must be between {self.low:g} and {self.high:g}{unit}, "
                    f"not {value:g}")
        return None


# The podcast norm (Apple, Spotify): the same level whichever engine spoke.
DEFAULT_LOUDNESS = -16.0
# atempo keeps the pitch over this range; past it speech turns hard to follow.
SPEED_RANGE = (0.5, 2.0)
# Below -40 LUFS: what a player can still make audible. Above -14 LUFS (Spotify's
# norm) the peak ceiling keeps speech from getting louder.
LOUDNESS_RANGE = (-40.0, -14.0)
# More parallel requests than this only earns 429s from Google.
MAX_JOBS = 32
MAX_RETRIES = 20
MAX_PAUSE_MS = 10_000
# espeak-ng accepts 80..450 words per minute (espeakRATE_MINIMUM/MAXIMUM).
RATE_RANGE = (80, 450)
# Edge's prosody pitch in Hz either way: past this a voice stops sounding like a person.
PITCH_RANGE_HZ = 100
# espeak-ng's default rate; engines' paces (chars_per_second) are measured at it.
DEFAULT_RATE_WPM = 175

SPEECH = (
    Option("engine", ("--engine",), "An engine `article-tts engines` lists (gtts, espeak, edge, "
           "piper, or a plugin's); auto uses Google when it answers within 2 s, else the "
           "offline espeak voice.", default="auto", envvar=ENGINE_ENV),
    Option("lang", ("--lang",), "Language code (gTTS; espeak voice); when not given, a web "
           "page's or front matter's own language, else ar.", default="ar", envvar=LANG_ENV),
    Option("tld", ("--tld",), "Google host domain, for accents.", default="com"),
    Option("slow", ("--slow",), "Slower Google reading.", default=False, kind=bool,
           show_default=False),
    Option("timeout", ("--timeout",), "Seconds to wait for each Google or Edge request.", default=15.0,
           kind=float, low=0.1, high=600.0, unit="s"),
    Option("voice", ("--voice",), "The engine's voice: espeak-ng's (ar, ar+f3) or Edge's "
           "(ar-EG-SalmaNeural); see `article-tts voices` [default: for --lang].",
           show_default=False, envvar=VOICE_ENV),
    Option("rate", ("--rate",), "Words per minute [default: 175]; Edge takes it relative to "
           "175 (210 is +20%).", kind=int, low=RATE_RANGE[0], high=RATE_RANGE[1],
           show_default=False, envvar=RATE_ENV),
    Option("pitch", ("--pitch",), "Edge voice pitch shift.", default=0, kind=int,
           low=-PITCH_RANGE_HZ, high=PITCH_RANGE_HZ, unit="Hz", metavar="HZ"),
    Option("tashkeel", ("--tashkeel/--no-tashkeel",), "Add short vowels to the text espeak-ng "
           "reads (never for Google).", default=True, kind=bool),
    Option("pause_ms", ("--pause",), "Silence between paragraphs.", default=700, kind=int,
           low=0, high=MAX_PAUSE_MS, unit="ms", metavar="MS"),
    Option("sentence_pause_ms", ("--sentence-pause",), "Silence between sentences; clause "
           "breaks get half.", default=300, kind=int, low=0, high=MAX_PAUSE_MS, unit="ms",
           metavar="MS"),
    Option("jobs", ("-j", "--jobs"), "Most Google requests in flight at once.", default=4,
           kind=int, low=1, high=MAX_JOBS, envvar=JOBS_ENV),
    Option("retries", ("--retries",), "Retries per chunk on 429, 5xx, timeouts and lost "
           "connections.", default=5, kind=int, low=0, high=MAX_RETRIES),
    Option("bitrate", ("--bitrate",), "Encoder bitrate for lossy formats, such as 48k [default: "
           f"{FORMAT_BITRATES['.opus']} for Opus and Ogg, {DEFAULT_BITRATE} for MP3 and M4A].",
           show_default=False),
)

FILE = (
    Option("title", ("--title",), "Title tag [default: the article's headline, else the first "
           "paragraph when short, else its first sentence, shortened].", show_default=False),
    Option("artist", ("--artist",), "Artist tag [default: the article's author].",
           show_default=False),
    Option("album", ("--album",), "Album tag [default: the article's site].", show_default=False),
    Option("chapters", ("--chapters/--no-chapters",), "A chapter per paragraph in the audio "
           "file.", default=True, kind=bool),
    Option("loudness", ("--loudness",), "Integrated loudness to normalize to.",
           default=DEFAULT_LOUDNESS, kind=float, low=LOUDNESS_RANGE[0], high=LOUDNESS_RANGE[1],
           unit="LUFS", metavar="LUFS"),
    Option("no_loudness", ("--no-loudness",), "Keep the engine's own level.", default=False,
           kind=bool, show_default=False),
)

# The read-along outputs; --html itself is a path, declared with --subtitles in tts.cli.
READ_ALONG = (
    Option("word_timing", ("--word-timing",), "Time every word in the subtitles: inline VTT "
           "timestamps, for players that support them, and enhanced-LRC word tags, for karaoke "
           "players only (mpv and most others show the <mm:ss.xx> tags as text). Without it, "
           "LRC is plain, one time per line.", default=False, kind=bool, show_default=False),
    Option("embed_audio", ("--embed-audio",), "Put the audio inside the --html page instead of "
           "linking the file.", default=False, kind=bool, show_default=False),
)

# --lexicon FILE itself is a list of paths, declared in tts.cli.
LEXICON = (
    Option("no_lexicon", ("--no-lexicon",), "Load no lexicon found without --lexicon (in the "
           "current folder or the user config folder).", default=False, kind=bool,
           show_default=False),
)

SPEED = Option("speed", ("--speed",), "Tempo, pitch kept; chapter and subtitle times follow.",
               default=1.0, kind=float, low=SPEED_RANGE[0], high=SPEED_RANGE[1])

# Apple Podcasts requires a category; News fits what this tool reads aloud.
DEFAULT_FEED_CATEGORY = "News"
# The podcast channel. A show config file (FEED.toml, --feed-config) may set each of these by
# its name without "feed_" (title, owner_email, explicit ...); an option given wins over it.
# --feed, --base-url and --feed-config are paths and addresses, declared in tts.cli.
FEED = (
    Option("feed_title", ("--feed-title",), "The feed's title [default: the output folder's "
           "name].", show_default=False),
    Option("feed_description", ("--feed-description",), "What the show is about [default: the "
           "first article's lede].", show_default=False, metavar="TEXT"),
    Option("feed_author", ("--feed-author",), "The feed's author."),
    Option("feed_owner_name", ("--feed-owner-name",), "Who Apple Podcasts contacts about the "
           "show (not shown to listeners) [default: --feed-author].", show_default=False,
           metavar="NAME"),
    Option("feed_owner_email", ("--feed-owner-email",), "The owner's email; Apple Podcasts "
           "asks for one.", metavar="EMAIL"),
    Option("feed_language", ("--feed-language",), "The feed's language [default: --lang, else "
           "the first article's].", show_default=False),
    Option("feed_image", ("--feed-image",), "The feed's cover art (.jpg or .png, square, 1400 "
           "to 3000 px).", metavar="URL"),
    Option("feed_category", ("--feed-category",), "Apple Podcasts category, with a subcategory "
           "after a slash: News/Daily News (`article-tts feed categories` lists them).",
           default=DEFAULT_FEED_CATEGORY, metavar="CATEGORY"),
    Option("feed_explicit", ("--feed-explicit/--feed-clean",), "Mark the show explicit "
           "(itunes:explicit true) or not.", default=False, kind=bool),
)

ALL: dict[str, Option] = {o.name: o for o in (*SPEECH, *FILE, *READ_ALONG, *LEXICON, SPEED, *FEED)}


def default(name: str) -> Any:
    """The declared default of option ``name``."""
    return ALL[name].default
