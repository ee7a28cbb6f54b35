"""Command line: parse options, call the pipeline, report; errors become exit codes."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tts import api, engines
from tts.api import say, spoken_lines
from tts.audio.clip import FFMPEG_ENV, ffmpeg_in_use
from tts.audio.export import is_stdout
from tts.audio.formats import FORMATS
from tts.audio.player import ENV_VAR as PLAYER_ENV_VAR
from tts.audio.player import find_player
from tts.config import RenderConfig, article_config
from tts.errors import ArticleTTSError, StdoutClosed, install_extra_hint
from tts.options import ALL as OPTIONS
from tts.options import CACHE_DIR_ENV, CACHE_SIZE_ENV, CONFIG_ENV, FEED, FILE, SPEECH, SPEED, Option
from tts.outputs.base import SideOutput
from tts.outputs.registry import SIDE_OUTPUTS, batch_suffixes
from tts.pipeline import DryRun, dry_run
from tts.playback import Quit
from tts.sources import INPUT_FORMATS, load_article
from tts.synth.cache import ClipCache, default_dir, parse_size
from tts.text.lexicon import FILE_NAME, Found
from tts.types import Article, ChunkDone, EngineChosen, Event, Notice, Planned, RenderResult, Writing
from tts.util import userconfig
from tts.util.intake import DEFAULT_MAX_INPUT
from tts.util.intake import ENV_VAR as INPUT_ENV_VAR
from tts.util.signals import Terminated, handle_ending_signals
from tts.util.streams import audio_sink, silence_stdout
from tts.util.terminal import is_foreground_terminal
from tts.util.timefmt import summary_duration
from tts.util.words import plural
from tts.version import __version__

if TYPE_CHECKING:  # a single render does not import the batch and feed code
    from tts.batch import BatchSettings, Job, Outcome
    from tts.outputs.feed import Channel

CONTEXT = {"help_option_names": ["-h", "--help"]}
DEFAULT_OUTPUT_DIR = Path("output")
INTERRUPTED = 130  # the shell's code for a command ended by SIGINT
# Exit codes after which run() leaves at once: SIGINT, SIGHUP, SIGTERM.
STOPPED = frozenset({INTERRUPTED, 128 + 1, 128 + 15, StdoutClosed.exit_code})


class EngineName(click.ParamType):
    """An engine's name, checked against the registry when parsed: the entry points of
    plugins are read only for a name that is not built in."""

    name = "engine"

    def get_metavar(self, param: click.Parameter) -> str:
        return "NAME"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        name = str(value)
        if not engines.is_known(name, warn=plugin_warning):
            self.fail(f"unknown engine {name!r}; choose one of {', '.join(engines.names())}",
                      param, ctx)
        return name


def plugin_warning(problem: str) -> None:
    """A plugin that cannot be loaded is a one-line warning, not a crash."""
    click.echo(f"Warning: {problem}", err=True)


def warn_about_plugins() -> None:
    """Read the engine plugins now, to warn about a broken one in our own words."""
    engines.with_plugins(warn=plugin_warning)


class SideOutputCommand(click.Command):
    """A command that takes an option for every registered side output, also for one
    registered after this module was imported (another package's)."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        have = {param.name for param in params}
        later = [side_option_param(side) for side in SIDE_OUTPUTS.values() if side.name not in have]
        return [*params[:-1], *later, params[-1]] if later else params  # --help stays last


class CommandError(click.ClickException):
    """A library error shown as ``Error: ...`` with the error's own exit code."""

    def __init__(self, error: ArticleTTSError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code


@contextmanager
def reported_errors(debug: bool) -> Iterator[None]:
    """Our errors become one clear line and an exit code; tracebacks, and the package's
    debug log, only with --debug."""
    with debug_log(debug), one_line_errors(debug):
        yield


class DebugLog(logging.Handler):
    """Log records as ``debug: ...`` lines on whatever stderr is now (click's test runner
    swaps it for each command)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"debug: {self.format(record)}", err=True)


@contextmanager
def debug_log(debug: bool) -> Iterator[None]:
    """With --debug, what the package logs at debug level (an MP3 encoded in one piece
    after a segment did not join, ...) goes to stderr while the command runs."""
    if not debug:
        yield
        return
    logger, handler = logging.getLogger("tts"), DebugLog()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@contextmanager
def one_line_errors(debug: bool) -> Iterator[None]:
    """Our errors become one clear line and an exit code; tracebacks only with --debug."""
    try:
        yield
    except StdoutClosed as exc:
        silence_stdout()  # the reader left (| head): end quietly, as command-line tools do
        sys.exit(exc.exit_code)
    except ArticleTTSError as exc:
        if debug:
            raise
        raise CommandError(exc) from exc
    except Terminated as exc:
        click.echo(f"Stopped by {exc}.", err=True)
        sys.exit(exc.exit_code)
    except Quit as exc:
        click.echo(f"Stopped {exc}.", err=True)
        sys.exit(INTERRUPTED)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(INTERRUPTED)


def print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: ours, and which ffmpeg a render runs (only here is it run to ask)."""
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"article-tts, version {__version__}\nffmpeg: {ffmpeg_in_use()}")
    ctx.exit()


@click.group(context_settings=CONTEXT)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=print_version,
              help=f"Show the version and the ffmpeg in use (${FFMPEG_ENV} names another), "
                   f"and exit.")
def main() -> None:
    """Turn an article into audio you can listen to."""


def run() -> None:
    """The ``article-tts`` command. After Ctrl-C, leave at once: Python would otherwise
    wait at exit for Google requests still in flight (up to --timeout seconds)."""
    handle_ending_signals()
    try:
        main()
    except SystemExit as exc:
        if exc.code in STOPPED:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(int(exc.code or 0))
        raise


class ConfiguredCommand(click.Command):
    """A command whose options default to the user's config file, below the command line
    and the environment (which click reads itself): ``default_map``, filled from the file."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        # --help shows the built-in defaults (docs/CLI.md is made from it), whatever the file says.
        if not set(CONTEXT["help_option_names"]) & set(args):
            extra.setdefault("default_map", file_defaults())
        return super().make_context(info_name, args, parent, **extra)


class ConfiguredSideOutputCommand(SideOutputCommand, ConfiguredCommand):
    """render and play: an option for every side output, defaults from the config file."""


def file_defaults() -> dict[str, Any]:
    """The config file's settings as click's default_map; a bad file is a one-line error."""
    try:
        found = userconfig.file_settings(choices=option_choices())
    except ArticleTTSError as exc:
        raise CommandError(exc) from exc
    return {name: setting.value for name, setting in found.items()}


def option_choices() -> dict[str, Sequence[str]]:
    """The options whose values are names we know: engines (plugins read only for a name
    that is not built in, as for --engine)."""
    return {"engine": KnownEngines()}


class KnownEngines(Sequence[str]):
    """The engine names, asked one at a time: a built-in name loads no plugin."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and engines.is_known(name, warn=plugin_warning)

    def __getitem__(self, index: Any) -> Any:
        return engines.names()[index]

    def __len__(self) -> int:
        return len(engines.names())


def options(*decorators: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Apply a list of click options, top one first, so commands can share them."""
    def apply(command: Any) -> Any:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command
    return apply


def click_option(option: Option) -> Callable[[Any], Any]:
    """The click decorator for one declared option: its type and range, default and help."""
    kwargs: dict[str, Any] = {"help": option.help, "envvar": option.envvar,
                              "show_envvar": option.envvar is not None}
    if option.is_flag:
        kwargs["is_flag"] = True
    else:
        kwargs["type"] = click_type(option)
        kwargs["metavar"] = option.metavar
    if option.default is not None:
        kwargs["default"] = option.default
        kwargs["show_default"] = option.show_default
    return click.option(*option.flags, option.name, **kwargs)


def click_type(option: Option) -> click.ParamType:
    """``option``'s value type as click checks it; engine names are read when parsed."""
    if option.name == "engine":
        return EngineName()
    if option.low is not None:
        ranged = click.IntRange if option.kind is int else click.FloatRange
        return ranged(option.low, option.high)
    return {int: click.INT, float: click.FLOAT}.get(option.kind, click.STRING)


source_argument = click.argument("source", type=str, metavar="INPUT")

speech_options = options(
    *(click_option(o) for o in SPEECH if o.name != "bitrate"),
    click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                 envvar=CACHE_DIR_ENV, show_envvar=True,
                 help="Where finished clips are kept so a rerun resumes [default: user cache]."),
    click.option("--no-cache", is_flag=True, help="Keep no clips (a failed render starts over)."),
    click.option("--cache-size", callback=lambda ctx, param, value: cache_size(value),
                 envvar=CACHE_SIZE_ENV, show_envvar=True, metavar="SIZE",
                 help="Most the clip cache keeps, like 500M or 2G; the least recently used "
                      "clips go first [default: 1G]."),
    click_option(OPTIONS["bitrate"]),
    click.option("--lexicon", "lexicons", multiple=True, metavar="FILE",
                 type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help=f"Pronunciation fixes (repeatable; first wins), besides ./{FILE_NAME} "
                      "and the one in the user config folder."),
    click_option(OPTIONS["no_lexicon"]),
    click.option("--max-input", callback=lambda ctx, param, value: input_limit(value),
                 envvar=INPUT_ENV_VAR, show_envvar=True, metavar="SIZE",
                 help="Refuse an input larger than this, like 8M or 50M [default: 8M]."),
)


def side_option_kwargs(side: SideOutput) -> dict[str, Any]:
    """How click takes a registered side output's ``--name FILE``."""
    return {"metavar": side.metavar, "help": side.help,
            "type": click.Path(dir_okay=False, path_type=Path)}


def side_option(side: SideOutput) -> Callable[[Any], Any]:
    return click.option(side.option, side.name, **side_option_kwargs(side))


def side_option_param(side: SideOutput) -> click.Option:
    return click.Option([side.option, side.name], **side_option_kwargs(side))


file_options = options(
    *(click_option(o) for o in FILE[:4]),
    *(side_option(side) for side in SIDE_OUTPUTS.values()),
    click_option(OPTIONS["word_timing"]),
    click_option(OPTIONS["embed_audio"]),
    *(click_option(o) for o in FILE[4:]),
)

source_options = options(
    click.option("--input-format", type=click.Choice(INPUT_FORMATS), default="auto",
                 show_default=True, help="How to read INPUT: auto goes by the URL, the file's "
                 "extension, or a look at standard input."),
)

batch_options = options(
    click.option("-O", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
                 help="Folder for the outputs of several inputs, named by file stem or URL "
                      "slug; needed with more than one INPUT."),
    click.option("--feed", type=click.Path(dir_okay=False, path_type=Path), metavar="FEED.xml",
                 help="Also write or update a podcast feed (RSS 2.0, iTunes, Podcasting 2.0); "
                      "a bare name goes in the output folder."),
    click.option("--base-url", metavar="URL", callback=lambda ctx, param, value: base_url(value),
                 help="Where the output folder is published (for the feed's file links): an "
                      "http(s) address without ?query or #fragment."),
    click.option("--feed-config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 metavar="FILE.toml", help="The show's fixed feed settings (owner_email, "
                 "category ...), which options given override [default: the feed's name with "
                 ".toml beside it, as feed.toml for feed.xml, when there is one]."),
    *(click_option(o) for o in FEED),
)

report_options = options(
    click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors."),
    click.option("--debug", is_flag=True, help="Show tracebacks and the debug log."),
)


def cache_size(value: str | None) -> int | None:
    """Bytes from a ``--cache-size`` value; None when not given."""
    return None if value is None else size_option(value)


def size_option(value: str) -> int:
    """Bytes from a size like ``500M``; a bad one is a usage error."""
    try:
        return parse_size(value)
    except ArticleTTSError as exc:
        raise click.BadParameter(str(exc)) from exc


def base_url(value: str | None) -> str | None:
    """A ``--base-url`` value, checked: file names go after it in every feed link."""
    from tts.outputs.feed import base_url_problem
    problem = None if value is None else base_url_problem(value)
    if problem:
        raise click.BadParameter(f"{value} {problem}; give the folder's address, as "
                                 "https://example.com/podcast")
    return value


def input_limit(value: str | None) -> int:
    """Bytes from a ``--max-input`` value (the default when not given)."""
    return DEFAULT_MAX_INPUT if value is None else size_option(value)


def make_config(settings: dict[str, Any]) -> RenderConfig:
    """The render config from parsed options, built as the API builds it (tts.api.build_config):
    the command line's switches folded in, and the lexicons found on disk unless --no-lexicon."""
    no_cache, cache_dir = settings.pop("no_cache", False), settings.pop("cache_dir", None)
    if settings.pop("no_loudness", False):
        settings["loudness"] = None
    discover = not settings.pop("no_lexicon", False)
    return api.build_config(None, None if no_cache else (cache_dir or default_dir()), settings,
                            announce_lexicon if discover else None)


def announce_lexicon(found: Found) -> None:
    """Say on stderr (unless --quiet) that a lexicon found on disk is used: a folder's lexicon
    changes what is said, and the folder may be someone else's."""
    if not quiet_asked():
        click.echo(f"Using lexicon {found.shown} (found in {found.place}; --no-lexicon "
                   "skips it)", err=True)


def quiet_asked() -> bool:
    """True when the running command was given -q/--quiet."""
    context = click.get_current_context(silent=True)
    return bool(context is not None and context.params.get("quiet"))


@main.command("render", cls=ConfiguredSideOutputCommand)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@speech_options
@source_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Audio file to write; its extension picks the format; - for standard "
                   "output [default: output/<input name>.mp3, relative to the current folder].")
@click.option("--format", type=click.Choice([f[1:] for f in FORMATS]),
              help="Format of the audio sent to standard output with -o -, or of each file "
                   "written with -O [default: mp3].")
@file_options
@click_option(SPEED)
@click.option("-n", "--dry-run", is_flag=True,
              help="Print the metadata, paragraphs and chunks, and what would be requested; "
                   "make no audio.")
@batch_options
@report_options
def render_command(inputs: tuple[str, ...], output: Path | None, input_format: str, quiet: bool,
                   debug: bool, dry_run: bool, **settings: Any) -> None:
    """Render each INPUT (a text, Markdown or HTML file, an http(s) URL, a folder of
    articles, or - for standard input) to an audio file.

    Finished clips are cached: rerunning the same command after a failure
    resumes, and after an edit only the changed paragraphs are synthesized.

    \b
    Examples:
      article-tts render data/article.txt
      article-tts render data/article.txt --engine espeak -o out.wav
      article-tts render data/article.txt --engine gtts --jobs 8
      article-tts render data/article.txt --dry-run
      article-tts render data/article.txt -o - | mpv -
      cat article.txt | article-tts render - --pause 1000
      article-tts render data/article.txt -o news.m4a --title "Evening news" --speed 1.25
      article-tts render data/article.txt --subtitles out.srt --manifest out.json
      article-tts render https://example.com/news/story.html
      article-tts render notes.md news/ https://example.com/a.html -O episodes/
      article-tts render news/ -O site/ --feed feed.xml --base-url https://example.com/site
      article-tts render data/article.txt -o out/article.mp3 --html out/article.html
    """
    with reported_errors(debug):
        lang_given = was_given("lang")
        batch = pop_batch_settings(settings)
        if len(inputs) > 1 or batch.output_dir is not None or batch.feed is not None:
            render_many(inputs, output, input_format, lang_given, dry_run, quiet, batch, settings)
            return
        render_one(inputs[0], output, input_format, lang_given, dry_run, quiet, settings)


def render_one(source: str, output: Path | None, input_format: str, lang_given: bool,
               dry_run: bool, quiet: bool, settings: dict[str, Any]) -> None:
    """One input to one file (or standard output), as ``render`` always did."""
    target = output or default_output(source)
    new_folder = output is None and not target.parent.exists()
    config = make_config(settings)  # a bad option is reported before any fetch
    sink = audio_sink() if is_stdout(target) and not dry_run else None
    article = load_article(source, input_format, limit=config.max_input)
    config = article_config(config, article, lang_given)
    if dry_run:
        print_article(article)
        print_dry_run(run_dry(article, config, quiet))
        return
    with Progress(quiet) as progress:
        result = api.render(article, target, config=config, listener=progress.on_event,
                            sink=sink)
    if not quiet:
        if new_folder:
            click.echo(f"(no -o: wrote to {os.curdir}{os.sep}{target.parent}{os.sep}, relative "
                       "to the current folder)", err=True)
        click.echo(summary(result), err=True)


@main.command("play", cls=ConfiguredSideOutputCommand)
@source_argument
@speech_options
@source_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the rendered audio to this file at the end.")
@file_options
@click_option(SPEED)
@click.option("--player", envvar=PLAYER_ENV_VAR, show_envvar=True, metavar="CMD",
              help="A command that plays WAV from its standard input "
                   "[default: ffplay, mpv, paplay, pw-play, aplay or afplay].")
@report_options
def play_command(source: str, output: Path | None, player: str | None, input_format: str,
                 quiet: bool, debug: bool, **settings: Any) -> None:
    """Listen to INPUT (a file, a URL, or - for standard input) while it renders:
    speech starts after the first chunk.

    Each paragraph is printed as playback reaches it. Ctrl-C stops; what was
    synthesized stays cached.

    \b
    Keys, when standard input is a terminal (a status line shows them):
      space      pause / resume
      ← / →      back / forward 10 s
      p / n      previous / next paragraph (also ↑ / ↓)
      q          quit, as Ctrl-C does (exit 130)

    \b
    Examples:
      article-tts play data/article.txt
      article-tts play data/article.txt --engine espeak --speed 1.5
      article-tts play data/article.txt --player "mpv --really-quiet -" -o article.mp3
      article-tts play https://example.com/news/story.html
    """
    with reported_errors(debug):
        if output is not None and is_stdout(output):
            raise click.UsageError("play prints the paragraphs on standard output; "
                                   "use `article-tts render -o -` to send audio there")
        config = make_config(settings)
        find_player(player)  # no player is a clear error before any fetch
        text = load_article(source, input_format, limit=config.max_input)
        config = article_config(config, text, was_given("lang"))
        announce = (lambda n, t, s: None) if quiet else print_paragraph
        keys = sys.stdin.fileno() if source != "-" and stdin_is_our_terminal() else None
        with Progress(quiet, bar=False) as progress:
            result = api.play(text, player=player, output=output, config=config,
                              listener=progress.on_event, announce=announce, keys=keys,
                              status=None if quiet else sys.stderr)
        if not quiet:
            saved = f", saved to {result.output}" if result.output else ""
            click.echo(f"Played {summary_duration(result.duration_ms)} "
                       f"({plural(result.paragraphs, 'paragraph')}, engine {result.engine}; first audio after "
                       f"{result.first_audio_s:.1f} s{saved})", err=True)


@main.command("say", cls=ConfiguredCommand)
@click.argument("text", nargs=-1, required=True)
@speech_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the audio to this file instead of playing it.")
@click.option("--player", envvar=PLAYER_ENV_VAR, show_envvar=True, metavar="CMD",
              help="A command that plays WAV from its standard input.")
@click.option("--show", is_flag=True,
              help="Print the text the engine is given and, for espeak, its phonemes.")
@report_options
def say_command(text: tuple[str, ...], output: Path | None, player: str | None, show: bool,
                quiet: bool, debug: bool, **settings: Any) -> None:
    """Say TEXT at once, with the lexicon and the rules applied: hear a fix before a render.

    \b
    Examples:
      article-tts say حفتر --engine espeak --show
      article-tts say "قال بومبيو" --lexicon names.lexicon
      article-tts say "NATO و IMF" --engine espeak -o nato.wav
    """
    with reported_errors(debug):
        config = make_config(settings)
        words = " ".join(text)
        api.refuse_empty_words(words)  # before looking for a player
        if output is None:
            find_player(player)  # no player is a clear error before any work
        with Progress(quiet, bar=False) as progress:
            if show:
                for line in spoken_lines(words, config=config):
                    click.echo(line)
            duration_ms = say(words, player=player, output=output, config=config,
                              listener=progress.on_event)
        if not quiet:
            where = f" into {output}" if output is not None else ""
            click.echo(f"Said {summary_duration(duration_ms)}{where}", err=True)


def stdin_is_our_terminal() -> bool:
    """Standard input is a terminal in whose foreground this command runs (keys for play)."""
    try:
        return sys.stdin.isatty() and is_foreground_terminal(sys.stdin.fileno())
    except (AttributeError, ValueError, OSError):  # replaced by a test runner's stream
        return False


def print_paragraph(number: int, total: int, original: str) -> None:
    click.echo(f"[{number}/{total}] {original}")


def run_dry(text: str | Article, config: RenderConfig, quiet: bool) -> DryRun:
    with Progress(quiet) as progress:
        return dry_run(text, config, progress.on_event)


def print_dry_run(plan: DryRun) -> None:
    """One line per chunk, then what a real render would cost."""
    for chunk, cached, languages in zip(plan.plan.chunks, plan.cached, plan.languages, strict=True):
        mark = " (cached)" if cached else ""
        click.echo(f"[{chunk.paragraph + 1}]{mark} {'+'.join(languages)}: {chunk.text}")
    work = (f"{plural(plan.requests, 'clip')} to synthesize" if plan.plan.engine.offline
            else f"{plural(plan.requests, 'request')} to make")
    click.echo(f"{plural(len(plan.plan.paragraphs), 'paragraph')}, {plural(len(plan.plan.chunks), 'chunk')}, "
               f"{plan.cached.count(True)} cached, {work}, "
               f"about {summary_duration(plan.estimated_ms)} of audio "
               f"(engine {plan.plan.engine.name})")



@main.command("engines")
@click.option("--tld", default="com", show_default=True, help="Google host domain to probe.")
def engines_command(tld: str) -> None:
    """List the speech engines, plugins' too, whether each can run here, and the ffmpeg."""
    warn_about_plugins()
    for status in engines.statuses(RenderConfig(tld=tld)):
        mark = "yes" if status.usable else "no "
        click.echo(f"{status.name:<7} usable: {mark}  {status.detail}")
    click.echo(f"ffmpeg: {ffmpeg_in_use()}")


@main.command("voices")
@click.argument("which", required=False, metavar="[LANG|ENGINE]")
def voices_command(which: str | None) -> None:
    """List the voices --voice takes: every engine's, or one language's or engine's.

    \b
    Examples:
      article-tts voices            # every engine's voices
      article-tts voices ar         # the Arabic ones, grouped by locale (ar-EG, ar-SA...)
      article-tts voices edge       # Microsoft Edge's (a list shipped with article-tts)
    """
    warn_about_plugins()
    with reported_errors(debug=False):
        rows = [(v.engine, v.name, v.lang, v.gender, v.notes) for v in engines.voices(which)]
    for line in table(("engine", "name", "language", "gender", "notes"), rows):
        click.echo(line)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as aligned columns under ``header``, the last column left ragged."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    return ["  ".join([*(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)), row[-1]]).rstrip()
            for row in (header, *rows)]


# Hosts only this machine can reach: serving on another without a key warns.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SERVER_EXTRA_HINT = f"the server needs Starlette and uvicorn; {install_extra_hint('server')}"


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens it to the network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--api-key", envvar="ARTICLE_TTS_API_KEY", show_envvar=True, metavar="KEY",
              help="Clients must send 'Authorization: Bearer KEY' [default: no key].")
@click.option("--max-input", default=4096, show_default=True, type=click.IntRange(1, 1_000_000),
              metavar="CHARS", help="Longest input a request may send.")
@click.option("--concurrency", default=4, show_default=True, type=click.IntRange(1, 256),
              help="Requests synthesized at once.")
@click.option("--queue", default=16, show_default=True, type=click.IntRange(0, 10_000),
              help="Requests waiting for a turn; more get 429 with Retry-After.")
@click.option("--timeout", default=120.0, show_default=True, type=click.FloatRange(1, 86_400),
              metavar="S", help="Seconds one request may take, its wait included.")
@click.option("--allow-urls", is_flag=True,
              help="Fetch an input that is a web address and read its article.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar=CACHE_DIR_ENV, show_envvar=True,
              help="The clip cache every request shares [default: user cache].")
@click.option("--no-cache", is_flag=True, help="Keep no clips between requests.")
@click.option("--lexicon", "lexicons", multiple=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Pronunciation lexicon for every request (repeatable).")
def serve_command(host: str, port: int, api_key: str | None, max_input: int, concurrency: int,
                  queue: int, timeout: float, allow_urls: bool, cache_dir: Path | None,
                  no_cache: bool, lexicons: tuple[Path, ...]) -> None:
    """Serve OpenAI's speech API (POST /v1/audio/speech) and a page to try it, Arabic first.

    Your default engine and voice (`article-tts config show`) answer requests for
    OpenAI's model and voice names (tts-1, alloy...).

    \b
    Examples:
      article-tts serve
      article-tts serve --port 8880 --api-key secret
    Point a client at http://127.0.0.1:8000/v1 (see docs/API_HTTP.md).
    """
    try:
        from tts.server import ServerSettings, serve
    except ImportError:
        click.echo(f"Error: {SERVER_EXTRA_HINT}", err=True)
        sys.exit(2)
    if warning := exposure_warning(host, api_key):
        click.echo(warning, err=True)
    with reported_errors(debug=False):
        mine = {name: setting.value for name, setting in
                userconfig.user_options(choices=option_choices()).items()}
        settings = ServerSettings(
            host=host, port=port, api_key=api_key or None, max_input=max_input,
            concurrency=concurrency, queue=queue, timeout=timeout, allow_urls=allow_urls,
            cache_dir=None if no_cache else cache_dir or default_dir(),
            lexicons=api.lexicon_files(lexicons, announce_lexicon), engine=mine.get("engine"),
            voice=mine.get("voice"))
        serve(settings)


def exposure_warning(host: str, api_key: str | None) -> str | None:
    """A warning when the server listens beyond this machine with no key; None otherwise."""
    if api_key or host.strip("[]").lower() in LOCAL_HOSTS:
        return None
    return (f"Warning: serving on {host} without --api-key: anyone who can reach this port can "
            f"use it; set --api-key or ARTICLE_TTS_API_KEY")


@main.group("feed")
def feed_group() -> None:
    """Check a podcast feed; list the categories it may take (render --feed writes one)."""


@feed_group.command("check")
@click.argument("feed", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                metavar="FEED.xml")
def feed_check(feed: Path) -> None:
    """Check FEED.xml for the tags Apple Podcasts and the Podcast Index require: a line per
    problem, exit 1 when a required one is missing or wrong. Recommended tags only warn.
    Nothing is fetched: of the cover art, only its type (.jpg, .png) is checked.

    \b
    Examples:
      article-tts feed check site/feed.xml
    """
    from tts.outputs.feed_check import check_feed
    with reported_errors(debug=False):
        problems = check_feed(feed)
    for problem in problems:
        click.echo(str(problem))
    errors = sum(p.required for p in problems)
    if errors:
        click.echo(f"{feed} fails: {plural(errors, 'required tag')} missing or wrong")
        sys.exit(1)
    click.echo(f"{feed} passes Apple's and the Podcast Index's required tags")


@feed_group.command("categories")
def feed_categories() -> None:
    """List the Apple Podcasts categories --feed-category takes (News, News/Daily News ...)."""
    from tts.outputs.podcast_categories import all_names
    for name in all_names():
        click.echo(name)


@main.group("cache")
def cache_group() -> None:
    """Inspect or empty the cache of finished clips that lets a rerun resume."""


cache_dir_option = options(
    click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                 envvar=CACHE_DIR_ENV, show_envvar=True,
                 help="The cache folder [default: user cache]."),
    click.option("--cache-size", callback=lambda ctx, param, value: cache_size(value),
                 envvar=CACHE_SIZE_ENV, show_envvar=True, metavar="SIZE",
                 help="The size limit, like 500M or 2G [default: 1G]."),
)


@cache_group.command("info")
@cache_dir_option
def cache_info(cache_dir: Path | None, cache_size: int | None) -> None:
    """Show where clips are cached, how many, their size and the limit."""
    info = ClipCache(cache_dir or default_dir(), cache_size).info()
    click.echo(f"path:    {info.path}\nentries: {info.entries}\n"
               f"size:    {info.size_bytes / 1_000_000:.1f} MB\n"
               f"limit:   {info.limit_bytes / 1_000_000:.1f} MB")


@cache_group.command("prune")
@cache_dir_option
def cache_prune(cache_dir: Path | None, cache_size: int | None) -> None:
    """Remove the least recently used clips until the cache fits its limit."""
    cache = ClipCache(cache_dir or default_dir(), cache_size)
    removed = cache.prune()
    info = cache.info()
    click.echo(f"Removed {plural(removed, 'clip')} from {cache.root}; {info.entries} left, "
               f"{info.size_bytes / 1_000_000:.1f} of {info.limit_bytes / 1_000_000:.1f} MB")


@cache_group.command("clear")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              envvar=CACHE_DIR_ENV, show_envvar=True, help="The cache folder [default: user cache].")
def cache_clear(cache_dir: Path | None) -> None:
    """Delete every cached clip (the next render synthesizes everything again)."""
    cache = ClipCache(cache_dir or default_dir())
    click.echo(f"Removed {plural(cache.clear(), 'clip')} from {cache.root}")


@main.group("config")
def config_group() -> None:
    """Your defaults for the render options: the config file, and what they come to."""


@config_group.command("path")
def config_path_command() -> None:
    """Print where the config file is read from (it need not exist yet)."""
    path = userconfig.config_path()
    click.echo(path if path is not None else f"none ({CONFIG_ENV} is set empty)")


@config_group.command("show")
def config_show() -> None:
    """Print each render option's value when no flag is given, and where it comes from:
    the environment, the config file or the built-in default.

    The command line beats the environment, which beats the config file, which
    beats the built-in default. The file holds options by their names without --:

    \b
      engine = "edge"
      voice = "ar-EG-SalmaNeural"
      pause = 900
    """
    with reported_errors(debug=False):
        settings = userconfig.effective_settings(choices=option_choices())
    click.echo(f"config file: {config_file_state()}\n")
    rows = [(s.option.key, shown_setting(s.value), setting_origin(s)) for s in settings]
    for line in table(("option", "value", "from"), rows):
        click.echo(line)


def config_file_state() -> str:
    """The config file's path, and whether there is one."""
    path = userconfig.config_path()
    if path is None:
        return f"none ({CONFIG_ENV} is set empty)"
    return str(path) if path.is_file() else f"{path} (none there: the built-in defaults apply)"


def shown_setting(value: Any) -> str:
    """A value as the config file spells it (true, 900, ar); - when unset."""
    if value is None:
        return "-"
    return str(value).lower() if isinstance(value, bool) else str(value)


def setting_origin(setting: userconfig.Setting) -> str:
    return ", ".join(part for part in (setting.origin, setting.where) if part)


def default_output(source: str) -> Path:
    """``output/<input stem or URL slug>.mp3``, or ``output/stdin.mp3`` for standard input."""
    from tts.batch import output_stem
    return DEFAULT_OUTPUT_DIR / f"{output_stem(source)}.mp3"


def was_given(name: str) -> bool:
    """True when the user set option ``name`` on the command line or by its variable; a
    value from the config file is a default, as the built-in one is."""
    source = click.get_current_context().get_parameter_source(name)
    return source in (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)


def print_article(article: Article) -> None:
    """What was read: the metadata found, then each paragraph (headings marked #). The
    article's warnings are the plan's to report (on standard error, as a render's are)."""
    meta = article.meta
    fields = {"Title": meta.title, "Author": meta.author, "Site": meta.site, "Date": meta.date,
              "Language": meta.lang, "URL": meta.url}
    for label, value in fields.items():
        if value:
            click.echo(f"{label}: {value}")
    for number, block in enumerate(article.blocks, 1):
        click.echo(f"({number}) {'# ' if block.heading else ''}{block.text}")
    click.echo("")


def summary(result: RenderResult) -> str:
    """The last line of a render: every file written, how long, how it was made."""
    written = ", ".join([shown(result.output), *(str(path) for path in result.side_files)])
    return (f"Wrote {written} ({summary_duration(result.duration_ms)}, "
            f"{plural(result.paragraphs, 'paragraph')}, {plural(result.chunks, 'chunk')} "
            f"({result.cached} cached), engine {result.engine}, {result.seconds:.1f} s)")


def shown(output: Path) -> str:
    """An output as the user reads it: its path, or "standard output" for ``-``."""
    return "standard output" if is_stdout(output) else str(output)


class Progress:
    """Shows render events on stderr: the engine chosen, warnings, a progress bar."""

    def __init__(self, quiet: bool, bar: bool = True) -> None:
        self.quiet, self.show_bar = quiet, bar
        self.bar: Any = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.render_finish()

    def on_event(self, event: Event) -> None:
        if self.quiet:
            return
        if isinstance(event, EngineChosen):
            click.echo(f"Engine: {event.name} ({event.reason})", err=True)
        elif isinstance(event, Notice):
            click.echo(f"Warning: {event.message}", err=True)
        elif isinstance(event, Planned) and self.show_bar:
            self.bar = click.progressbar(length=event.chunks, label="Synthesizing",
                                         file=sys.stderr, show_pos=True)
        elif isinstance(event, ChunkDone) and self.bar is not None:
            self.bar.update(1)
        elif isinstance(event, Writing):
            self.__exit__()
            self.bar = None
            click.echo(f"Encoding {shown(event.output)}...", err=True)


@dataclass(frozen=True)
class BatchArgs:
    """The options that only a batch (several inputs, an output folder, a feed) uses."""

    output_dir: Path | None
    feed: Path | None
    base_url: str | None
    feed_config: Path | None
    channel: dict[str, Any]
    """The --feed-... options given (not their defaults: a show file may set those)."""


def pop_batch_settings(settings: dict[str, Any]) -> BatchArgs:
    channel = {o.name: settings.pop(o.name) for o in FEED}
    return BatchArgs(settings.pop("output_dir"), settings.pop("feed"), settings.pop("base_url"),
                     settings.pop("feed_config"),
                     {name: value for name, value in channel.items() if was_given(name)})


def batch_settings(output_dir: Path, args: BatchArgs, input_format: str, lang_given: bool,
                   settings: dict[str, Any]) -> BatchSettings:
    """Where and what a batch writes; --subtitles, --manifest, --html (every side output)
    name kinds of file, not files: each article gets its own beside its audio."""
    from tts.batch import BatchSettings
    given = {name: path for name in SIDE_OUTPUTS
             if (path := settings.pop(name, None)) is not None}
    return BatchSettings(output_dir, f".{settings.get('format') or 'mp3'}", input_format,
                         lang_given, batch_suffixes(given), chapters_file=args.feed is not None)


def render_many(inputs: Sequence[str], output: Path | None, input_format: str, lang_given: bool,
                dry_run: bool, quiet: bool, args: BatchArgs, settings: dict[str, Any]) -> None:
    """Render every input into the output folder, report each, then sum up; exit 1 if any failed."""
    from tts.batch import Batch, expand_inputs, make_jobs
    batch = batch_settings(batch_folder(inputs, output, args), args, input_format, lang_given,
                           settings)
    channel = make_channel(args, batch.output_dir)
    config = make_config(settings)
    jobs = make_jobs(expand_inputs(inputs))
    if dry_run:
        dry_run_many(jobs, config, batch, quiet)
        return
    report = BatchReport(quiet, len(jobs))
    outcomes = Batch(config, batch, report.listener_for).run(jobs, report.finished, report.started)
    if args.feed is not None and channel is not None:
        update_feed(args.feed, channel, outcomes, batch, config, quiet)
    report.summary(outcomes)
    if not all(o.ok for o in outcomes):
        sys.exit(1)


def update_feed(feed: Path, channel: Channel, outcomes: Sequence[Outcome], batch: BatchSettings,
                config: RenderConfig, quiet: bool) -> None:
    """Write or update the feed and report it, once an article was rendered or is up to date:
    a feed of nothing would replace a good one when every input failed."""
    from tts.batch import feed_path, publish_feed
    if not any(o.ok for o in outcomes):
        if not quiet:
            click.echo(f"Feed: {feed_path(feed, batch.output_dir)} left as it was, since no "
                       "article was rendered", err=True)
        return
    path, count, dropped = publish_feed(feed, channel, outcomes, batch, config)
    if not quiet:
        gone = f"; {dropped} dropped, their audio was deleted" if dropped else ""
        click.echo(f"Feed: {path} ({plural(count, 'item')}{gone})", err=True)
        report_feed_problems(path)


def batch_folder(inputs: Sequence[str], output: Path | None, args: BatchArgs) -> Path:
    """The batch's -O/--output-dir; UsageError, worded for what asked for a folder, without it
    or with -o/--output."""
    if output is None and args.output_dir is not None:
        return args.output_dir
    several = len(inputs) > 1
    if output is not None and not several and args.feed is None:
        raise click.UsageError("-o/--output names one file and -O/--output-dir a folder: give one")
    need = ("several inputs need -O/--output-dir DIR: the folder their audio files are written to"
            if several else "--feed needs -O/--output-dir DIR: the folder the feed's audio files "
                            "are published from")
    raise click.UsageError(need if output is None else f"-o/--output names one file; {need}")


def dry_run_many(jobs: Sequence[Job], config: RenderConfig, batch: BatchSettings,
                 quiet: bool) -> None:
    """The dry run of each article in turn; one that cannot be read is reported and skipped."""
    for number, job in enumerate(jobs, 1):
        click.echo(f"== [{number}/{len(jobs)}] {job.source} -> {job.name}{batch.suffix}")
        try:
            article = load_article(job.source, batch.input_format, limit=config.max_input)
            print_article(article)
            print_dry_run(run_dry(article, article_config(config, article, batch.lang_given),
                                  quiet))
        except ArticleTTSError as exc:
            click.echo(f"failed: {exc}")


def make_channel(args: BatchArgs, output_dir: Path) -> Channel | None:
    """The feed's channel from the show file and the options, checked before any work;
    None without --feed."""
    from tts.batch import feed_path
    from tts.outputs.feed import check_channel
    from tts.outputs.feed_config import channel_settings, make_channel, read_show_file, show_file
    if args.feed is None:
        return None
    path = show_file(feed_path(args.feed, output_dir), args.feed_config)
    given = {**args.channel, **({"base_url": args.base_url} if args.base_url else {})}
    settings = channel_settings(given, read_show_file(path) if path else {})
    if not settings["base_url"]:
        raise click.UsageError("--feed needs --base-url URL (or base_url in its show file): "
                               "where the output folder is published, so the feed can link "
                               "each file")
    return check_channel(make_channel(settings, output_dir.resolve().name))


def report_feed_problems(path: Path) -> None:
    """What Apple or the Podcast Index would refuse in the feed just written (an owner's
    email, cover art: nothing here can make those up), as warnings."""
    from tts.outputs.feed_check import check_feed
    problems = [p for p in check_feed(path) if p.required]
    for problem in problems:
        click.echo(f"Warning: feed {problem.where}: {problem.message}", err=True)
    if problems:
        click.echo(f"  (`article-tts feed check {path}` checks it again)", err=True)


class BatchReport:
    """A line as each article starts and ends, its progress bar between, and the summary."""

    def __init__(self, quiet: bool, total: int) -> None:
        self.quiet, self.total, self.number = quiet, total, 0
        self.engine_shown = False
        self.progress = Progress(quiet)

    def started(self, job: Job) -> None:
        self.number += 1
        if not self.quiet:
            click.echo(f"[{self.number}/{self.total}] {job.source}", err=True)

    def listener_for(self, job: Job) -> Callable[[Event], None]:
        self.progress = progress = Progress(self.quiet)

        def on_event(event: Event) -> None:
            if isinstance(event, EngineChosen):
                if self.engine_shown:
                    return  # one engine for the whole batch: say it once
                self.engine_shown = True
            progress.on_event(event)
        return on_event

    def finished(self, outcome: Outcome) -> None:
        self.progress.__exit__()  # a render that failed midway leaves its bar open
        if self.quiet:
            return
        if outcome.result is not None:
            click.echo(f"[{self.number}/{self.total}] {summary(outcome.result)}", err=True)
        else:
            click.echo(f"[{self.number}/{self.total}] {outcome.job.source}: {outcome.status}"
                       f"{': ' + outcome.detail if outcome.detail else ''}", err=True)

    def summary(self, outcomes: Sequence[Outcome]) -> None:
        """Counts, then each failure with its reason (also with -q: they are errors)."""
        from tts.batch import DONE, FAILED, UP_TO_DATE
        failed = [o for o in outcomes if not o.ok]
        if not self.quiet:
            counts = {s: sum(o.status == s for o in outcomes) for s in (DONE, UP_TO_DATE, FAILED)}
            click.echo(f"{plural(len(outcomes), 'article')}: " + ", ".join(f"{n} {s}" for s, n in
                                                                  counts.items()), err=True)
            for o in outcomes:
                if o.ok and o.output is not None:
                    click.echo(f"  {o.status:<10} {o.job.source} -> {o.output}", err=True)
        for o in failed:
            click.echo(f"  failed     {o.job.source}: {o.detail}", err=True)
