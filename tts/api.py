"""The Python API: ``render``, ``play`` and ``say`` with the command line's options as keywords."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from tts import engines, pipeline, playback
from tts.audio.player import find_player
from tts.config import RenderConfig, article_config
from tts.engines.base import PhonemeReader
from tts.errors import ConfigError, InputError
from tts.outputs.registry import SIDE_OUTPUTS
from tts.playback import Announce
from tts.sources import load_article
from tts.sources.plain import text_article
from tts.synth.cache import default_dir
from tts.text import langs
from tts.text.lexicon import Found, find_lexicons
from tts.types import STDIN_SOURCE, Article, Listener, Notice, PlayResult, RenderResult, ignore
from tts.util import userconfig

# Stands for "not given", so ``cache_dir=None`` can still mean "keep nothing".
_DEFAULT: Any = object()


def render(article: str | os.PathLike[str] | Article, output: str | os.PathLike[str], *,
           config: RenderConfig | None = None, listener: Listener = ignore,
           cache_dir: str | os.PathLike[str] | None = _DEFAULT, lexicon_discovery: bool = False,
           user_config: bool = False, sink: BinaryIO | None = None, **options: Any) -> RenderResult:
    """Speak ``article`` into the audio file ``output``; nothing is written unless all succeeds.

    ``article`` is the text itself (a ``str``), the path of a file to read (a
    ``pathlib.Path`` or other path object: text, Markdown or HTML by its extension), or an
    ``Article`` from ``tts.sources.load_article`` (which also takes URLs). A one-line ``str``
    that names an existing file (``"data/article.txt"``) is taken for a path passed by
    mistake and raises ``InputError``: pass ``Path("data/article.txt")`` to read the file
    (or ``tts.sources.plain.text_article(name)`` to speak the name). Without a
    ``lang`` option (or a ``config``), an article that declares its language is read in
    it. ``options`` are RenderConfig's fields
    (``engine="espeak"``, ``pause_ms=500``, ``subtitles="a.srt"``...), or pass a whole
    ``config``. Finished clips go to the same cache as the command line's unless
    ``cache_dir`` names another folder, or is ``None`` to keep nothing. Lexicons are
    only the ``lexicons`` given, unless ``lexicon_discovery`` is true: then the
    current folder's and the user config folder's ``article-tts.lexicon`` are added
    (as the command line does), each reported to ``listener`` as a ``Notice``.
    The user's config file and ``ARTICLE_TTS_*`` variables are read only with
    ``user_config=True``: then they give the defaults beneath ``options``, as they do for
    the command line. An ``output`` of ``-`` sends the audio to ``sink`` (standard output
    by default). Raises an ``ArticleTTSError`` subclass on any failure.
    """
    text, source, settings = prepare(article, config, cache_dir, options,
                                     discovered(lexicon_discovery, listener), user_config)
    return pipeline.render(text, Path(output), settings, listener, source=source, sink=sink)


def play(article: str | os.PathLike[str] | Article, *, player: str | None = None,
         output: str | os.PathLike[str] | None = None, config: RenderConfig | None = None,
         listener: Listener = ignore, cache_dir: str | os.PathLike[str] | None = _DEFAULT,
         lexicon_discovery: bool = False, user_config: bool = False,
         announce: Announce = playback.unannounced, keys: int | None = None,
         status: TextIO | None = None, **options: Any) -> PlayResult:
    """Play ``article`` while it renders (see ``render`` for the arguments).

    A one-line ``str`` naming an existing file raises ``InputError``, as in ``render``.
    ``player`` is a command that plays WAV from its standard input; by default the
    first of ffplay, mpv, paplay, pw-play, aplay, afplay found. With ``output`` the
    audio is also saved. ``announce(number, total, text)`` is called as playback reaches
    each paragraph. A player that cannot open an audio device raises NoAudioDevice.
    ``keys`` (a terminal's file descriptor, in the foreground) and ``status`` (where the
    status line goes) turn on the command line's keys: pause, jumps, quit.
    """
    text, source, settings = prepare(article, config, cache_dir, options,
                                     discovered(lexicon_discovery, listener), user_config)
    target = None if output is None else Path(output)
    return playback.play(text, settings, find_player(player), target, listener,
                         announce=announce, source=source, keys=keys, status=status)


def prepare(article: str | os.PathLike[str] | Article, config: RenderConfig | None,
            cache_dir: str | os.PathLike[str] | None, options: dict[str, Any],
            found: FoundLexicon | None = None,
            user_config: bool = False) -> tuple[Article, str, RenderConfig]:
    """The article read, where it came from, and the settings for it (its own language
    unless one is given: as a keyword, in ``config``, or by ARTICLE_TTS_LANG when asked)."""
    lang_given = "lang" in options or config is not None or (user_config and lang_in_environment())
    settings = build_config(config, cache_dir, options, found, user_config)
    text, source = read_article(article, settings.max_input)
    return text, source, article_config(settings, text, lang_given)


def say(text: str, *, player: str | None = None, output: str | os.PathLike[str] | None = None,
        config: RenderConfig | None = None, listener: Listener = ignore,
        cache_dir: str | os.PathLike[str] | None = _DEFAULT, lexicon_discovery: bool = False,
        user_config: bool = False, **options: Any) -> int:
    """Speak ``text`` (a word or a sentence) at once, to audition a pronunciation fix.

    It goes through the player, or into ``output`` when given, with the rules and
    the lexicons (``lexicons=[...]``) applied. Returns the audio's length in ms.
    A ``text`` that names an existing file raises ``InputError``, as in ``render``.
    """
    refuse_empty_words(text)
    refuse_a_file_name(text)
    settings = build_config(config, cache_dir, options, discovered(lexicon_discovery, listener),
                            user_config)
    if output is not None:
        return pipeline.render(text, Path(output), settings, listener).duration_ms
    return playback.play(text, settings, find_player(player), None, listener).duration_ms


def spoken_lines(text: str, *, config: RenderConfig | None = None,
                 cache_dir: str | os.PathLike[str] | None = _DEFAULT,
                 lexicon_discovery: bool = False, user_config: bool = False,
                 **options: Any) -> list[str]:
    """What the engine is given for ``text``: a line per chunk with its languages, and the
    engine's phonemes after each when it can tell them (espeak)."""
    refuse_empty_words(text)
    settings = build_config(config, cache_dir, options, discovered(lexicon_discovery, ignore),
                            user_config)
    plan = pipeline.make_plan(text, settings)
    lines = []
    for chunk in plan.chunks:
        spoken = [chunk.lang] if chunk.lang else langs.languages(chunk.text, settings.lang)
        lines.append(f"{'+'.join(spoken)}: {chunk.text}")
        if isinstance(plan.engine, PhonemeReader):
            lines.append(f"phonemes: {plan.engine.phonemes(chunk.text)}")
    return lines


def read_article(article: str | os.PathLike[str] | Article, limit: int) -> tuple[Article, str]:
    """The article and the name of its source: a file's path, a URL, or ``-`` for text.

    A file larger than ``limit`` bytes is refused before it is read."""
    if isinstance(article, Article):
        return article, article.source
    if isinstance(article, str):
        refuse_a_file_name(article)
        return text_article(article), STDIN_SOURCE
    if isinstance(article, os.PathLike):
        name = os.fspath(article)
        return load_article(name, limit=limit), name
    raise ConfigError(f"article must be text (str), a file path (pathlib.Path) or an Article, "
                      f"not {type(article).__name__}")


def refuse_empty_words(text: str) -> None:
    """Raise InputError when ``say`` is given no words: its text is what to say, not a file."""
    if not text.strip():
        raise InputError("the text is empty: nothing to say; give the words to say")


def refuse_a_file_name(text: str) -> None:
    """Raise InputError when ``text`` is one line naming an existing file: a ``str`` is the
    text to speak, and ``render("data/article.txt", ...)`` would speak the path's letters."""
    name = text.strip()
    if not name or len(name.splitlines()) > 1:
        return
    try:
        is_file = Path(name).is_file()
    except (OSError, ValueError):  # too long for a file name, or holds a NUL
        return
    if is_file:
        raise InputError(f"the text {name!r} looks like a file name; pass Path({name!r}) to "
                         "read the file (a str is spoken as it is written)")


FoundLexicon = Callable[[Found], None]


def user_defaults(config: RenderConfig | None) -> dict[str, Any]:
    """The options the user's config file and ARTICLE_TTS_* variables set, as RenderConfig fields."""
    if config is not None:
        raise ConfigError("pass config or user_config=True, not both: config already holds "
                          "every option")
    found = userconfig.user_options(choices={"engine": engines.names()})
    return userconfig.render_fields({name: setting.value for name, setting in found.items()})


def lang_in_environment() -> bool:
    """Whether ARTICLE_TTS_LANG sets the language (which, as --lang, beats an article's own)."""
    return "lang" in userconfig.env_settings(choices={"engine": engines.names()})


def build_config(config: RenderConfig | None = None,
                 cache_dir: str | os.PathLike[str] | None = _DEFAULT,
                 options: Mapping[str, Any] | None = None,
                 found: FoundLexicon | None = None, user_config: bool = False) -> RenderConfig:
    """The one place a RenderConfig is built, for the API and the command line alike.

    ``config`` (or the defaults) with ``options`` (RenderConfig's fields, and the
    name of every registered side output) applied, paths taken as ``str`` or
    ``Path``, and the cache folder resolved (``cache_dir`` not given: ``config``'s,
    else the user cache). With ``found``, the lexicons found on disk
    (tts.text.lexicon.find_lexicons) follow the ones given, each passed to ``found``.
    With ``user_config``, the user's config file and ARTICLE_TTS_* variables give the
    defaults beneath ``options``.
    """
    given = {**user_defaults(config), **(options or {})} if user_config else dict(options or {})
    extra = side_output_paths(given)
    if "lexicons" in given:  # one path, or several
        paths = given["lexicons"]
        given["lexicons"] = tuple(Path(p) for p in
                                  ([paths] if isinstance(paths, (str, os.PathLike)) else paths))
    try:
        settings = replace(config, **given) if config else RenderConfig(**given)
    except TypeError as exc:
        raise ConfigError(f"{exc}; the options are RenderConfig's fields") from None
    for name, path in extra.items():
        settings = settings.with_side_output(name, path)
    if cache_dir is _DEFAULT:
        cache = settings.cache_dir if config is not None else default_dir()
    else:
        cache = None if cache_dir is None else Path(cache_dir)
    return replace(settings, cache_dir=cache,
                   lexicons=lexicon_files(settings.lexicons, found))


def side_output_paths(options: dict[str, Any]) -> dict[str, Path | None]:
    """Each registered side output's value in ``options`` as a path; those without a field
    of their own in RenderConfig (registered by another package) are taken out and returned."""
    extra: dict[str, Path | None] = {}
    for name in [key for key in options if key in SIDE_OUTPUTS]:
        value = options[name]
        path = None if value is None else Path(value)
        if RenderConfig.has_field(name):
            options[name] = path
        else:
            extra[name] = path
            del options[name]
    return extra


def lexicon_files(given: Sequence[Path], found: FoundLexicon | None) -> tuple[Path, ...]:
    """The lexicons given, then (with ``found``) those found in the current and the user
    config folder, each once; ``found`` hears of each one added."""
    unique: dict[Path, Path] = {}
    for path in given:
        unique.setdefault(path.resolve(), path)
    if found is None:
        return tuple(unique.values())
    for lexicon in find_lexicons():
        if unique.setdefault(lexicon.path.resolve(), lexicon.path) is lexicon.path:
            found(lexicon)
    return tuple(unique.values())


def discovered(discovery: bool, listener: Listener) -> FoundLexicon | None:
    """With ``discovery``, a lexicon found on disk is told to ``listener`` as a Notice."""
    if not discovery:
        return None
    return lambda lexicon: listener(Notice(f"using lexicon {lexicon.shown} (found in "
                                           f"{lexicon.place})"))
