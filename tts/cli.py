"""Command line: parse options, call the pipeline, report; errors become exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, overload

import click

from tts import engines
from tts.version import __version__
from tts.cache import ENV_VAR as CACHE_ENV_VAR
from tts.cache import ClipCache, default_dir
from tts.config import RenderConfig
from tts.options import ALL as OPTIONS
from tts.options import FILE, SPEECH, SPEED, Option
from tts.engines.espeak import list_voices
from tts.errors import ArticleTTSError
from tts.export import FORMATS, is_stdout
from tts.lexicon import FILE_NAME
from tts.lexicon import discover as discover_lexicons
from tts.playback import play
from tts.player import ENV_VAR as PLAYER_ENV_VAR
from tts.player import find_player
from tts.pipeline import DryRun, dry_run, render
from tts.api import say, spoken_lines
from tts.text import read_source
from tts.types import (STDIN_SOURCE, ChunkDone, EngineChosen, Event, Notice, Planned, RenderResult,
                       Writing)

CONTEXT = {"help_option_names": ["-h", "--help"]}
DEFAULT_OUTPUT_DIR = Path("output")
INTERRUPTED = 130  # the shell's code for a command ended by SIGINT


class EngineNames(Sequence[str]):
    """The registered engine names, read when ``--engine`` is checked (engines may be added later)."""

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return engines.names()[index]

    def __len__(self) -> int:
        return len(engines.names())


class CommandError(click.ClickException):
    """A library error shown as ``Error: ...`` with the error's own exit code."""

    def __init__(self, error: ArticleTTSError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code


@contextmanager
def reported_errors(debug: bool) -> Iterator[None]:
    """Our errors become one clear line and an exit code; tracebacks only with --debug."""
    try:
        yield
    except ArticleTTSError as exc:
        if debug:
            raise
        raise CommandError(exc) from exc
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(INTERRUPTED)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="article-tts")
def main() -> None:
    """Turn an article into audio you can listen to."""


def run() -> None:
    """The ``article-tts`` command. After Ctrl-C, leave at once: Python would otherwise
    wait at exit for Google requests still in flight (up to --timeout seconds)."""
    try:
        main()
    except SystemExit as exc:
        if exc.code == INTERRUPTED:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(INTERRUPTED)
        raise


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
        return click.Choice(EngineNames())
    if option.low is not None:
        ranged = click.IntRange if option.kind is int else click.FloatRange
        return ranged(option.low, option.high)
    return {int: click.INT, float: click.FLOAT}.get(option.kind, click.STRING)


source_argument = click.argument("source", type=str, metavar="INPUT")

speech_options = options(
    *(click_option(o) for o in SPEECH if o.name != "bitrate"),
    click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                 envvar=CACHE_ENV_VAR, show_envvar=True,
                 help="Where finished clips are kept so a rerun resumes [default: user cache]."),
    click.option("--no-cache", is_flag=True, help="Keep no clips (a failed render starts over)."),
    click_option(OPTIONS["bitrate"]),
    click.option("--lexicon", "lexicons", multiple=True, metavar="FILE",
                 type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help=f"Pronunciation fixes (repeatable; first wins), besides ./{FILE_NAME} "
                      "and the one in the user config folder."),
)

file_options = options(
    *(click_option(o) for o in FILE[:4]),
    click.option("--subtitles", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                 help="Also write subtitles: .srt, .vtt or .lrc, by the extension."),
    click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
                 metavar="FILE.json",
                 help="Also write a JSON manifest: paragraphs, chunks, words, times."),
    click_option(OPTIONS["word_timing"]),
    click.option("--html", type=click.Path(dir_okay=False, path_type=Path), metavar="PAGE.html",
                 help="Also write a read-along web page: the text beside the audio, the spoken "
                      "word highlighted."),
    click_option(OPTIONS["embed_audio"]),
    *(click_option(o) for o in FILE[4:]),
)

report_options = options(
    click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors."),
    click.option("--debug", is_flag=True, help="Show tracebacks."),
)


def make_config(settings: dict[str, Any]) -> RenderConfig:
    """The render config from parsed options: cache folder resolved, switches folded in."""
    no_cache, cache_dir = settings.pop("no_cache", False), settings.pop("cache_dir", None)
    if settings.pop("no_loudness", False):
        settings["loudness"] = None
    cache = None if no_cache else (cache_dir or default_dir())
    settings["lexicons"] = lexicon_paths(settings.get("lexicons", ()))
    return RenderConfig(cache_dir=cache, **settings)


def lexicon_paths(given: Sequence[Path]) -> tuple[Path, ...]:
    """The --lexicon files, then the ones found in the current and the user config folder, once each."""
    unique: dict[Path, Path] = {}
    for path in (*given, *discover_lexicons()):
        unique.setdefault(path.resolve(), path)
    return tuple(unique.values())


@main.command("render")
@source_argument
@speech_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Audio file to write; its extension picks the format; - for standard "
                   "output [default: output/<input name>.mp3].")
@click.option("--format", type=click.Choice([f[1:] for f in FORMATS]),
              help="Format of the audio sent to standard output with -o - [default: mp3].")
@file_options
@click_option(SPEED)
@click.option("-n", "--dry-run", is_flag=True,
              help="Print the chunks and what would be requested; make no audio.")
@report_options
def render_command(source: str, output: Path | None, quiet: bool, debug: bool, dry_run: bool,
                   **settings: Any) -> None:
    """Render INPUT (a text file, or - for standard input) to one audio file.

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
      article-tts render data/article.txt -o out/article.mp3 --html out/article.html
    """
    with reported_errors(debug):
        config = make_config(settings)
        target = output or default_output(source)
        text = read_source(source)
        if dry_run:
            print_dry_run(run_dry(text, config, quiet))
            return
        with Progress(quiet) as progress:
            result = render(text, target, config, progress.on_event, source=source,
                            sink=click.get_binary_stream("stdout"))
        if not quiet:
            click.echo(summary(result), err=True)


@main.command("play")
@source_argument
@speech_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Also save the rendered audio to this file at the end.")
@file_options
@click.option("--player", envvar=PLAYER_ENV_VAR, show_envvar=True, metavar="CMD",
              help="A command that plays WAV from its standard input "
                   "[default: ffplay, mpv, paplay, pw-play, aplay or afplay].")
@report_options
def play_command(source: str, output: Path | None, player: str | None, quiet: bool, debug: bool,
                 **settings: Any) -> None:
    """Listen to INPUT while it renders: speech starts after the first chunk.

    Each paragraph is printed as playback reaches it. Ctrl-C stops; what was
    synthesized stays cached.

    \b
    Examples:
      article-tts play data/article.txt
      article-tts play data/article.txt --engine espeak --rate 150
      article-tts play data/article.txt --player "mpv --really-quiet -" -o article.mp3
    """
    with reported_errors(debug):
        if output is not None and is_stdout(output):
            raise click.UsageError("play prints the paragraphs on standard output; "
                                   "use `article-tts render -o -` to send audio there")
        config = make_config(settings)
        command = find_player(player)
        text = read_source(source)
        announce = (lambda n, t, s: None) if quiet else print_paragraph
        with Progress(quiet, bar=False) as progress:
            result = play(text, config, command, output, progress.on_event, announce=announce,
                          source=source)
        if not quiet:
            saved = f", saved to {result.output}" if result.output else ""
            click.echo(f"Played {format_duration(result.duration_ms)} ({result.paragraphs} "
                       f"paragraphs, engine {result.engine}; first audio after "
                       f"{result.first_audio_s:.1f} s{saved})", err=True)


@main.command("say")
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
            click.echo(f"Said {format_duration(duration_ms)}{where}", err=True)


def print_paragraph(number: int, total: int, original: str) -> None:
    click.echo(f"[{number}/{total}] {original}")


def run_dry(text: str, config: RenderConfig, quiet: bool) -> DryRun:
    with Progress(quiet) as progress:
        return dry_run(text, config, progress.on_event)


def print_dry_run(plan: DryRun) -> None:
    """One line per chunk, then what a real render would cost."""
    for chunk, cached, languages in zip(plan.plan.chunks, plan.cached, plan.languages, strict=True):
        mark = " (cached)" if cached else ""
        click.echo(f"[{chunk.paragraph + 1}]{mark} {'+'.join(languages)}: {chunk.text}")
    click.echo(f"{len(plan.plan.paragraphs)} paragraphs, {len(plan.plan.chunks)} chunks, "
               f"{plan.cached.count(True)} cached, {plan.requests} requests to make, "
               f"about {format_duration(plan.estimated_ms)} of audio "
               f"(engine {plan.plan.engine.name})")



@main.command("engines")
@click.option("--tld", default="com", show_default=True, help="Google host domain to probe.")
def engines_command(tld: str) -> None:
    """List the speech engines and whether each can run here."""
    for status in engines.statuses(RenderConfig(tld=tld)):
        mark = "yes" if status.usable else "no "
        click.echo(f"{status.name:<7} usable: {mark}  {status.detail}")


@main.command("voices")
def voices_command() -> None:
    """List the voices of the offline espeak-ng engine (for --voice)."""
    with reported_errors(debug=False):
        click.echo(" ".join(list_voices()))


@main.group("cache")
def cache_group() -> None:
    """Inspect or empty the cache of finished clips that lets a rerun resume."""


cache_dir_option = click.option(
    "--cache-dir", type=click.Path(file_okay=False, path_type=Path), envvar=CACHE_ENV_VAR,
    show_envvar=True, help="The cache folder [default: user cache].")


@cache_group.command("info")
@cache_dir_option
def cache_info(cache_dir: Path | None) -> None:
    """Show where clips are cached, how many, and their size."""
    info = ClipCache(cache_dir or default_dir()).info()
    click.echo(f"path:    {info.path}\nentries: {info.entries}\n"
               f"size:    {info.size_bytes / 1_000_000:.1f} MB")


@cache_group.command("clear")
@cache_dir_option
def cache_clear(cache_dir: Path | None) -> None:
    """Delete every cached clip (the next render synthesizes everything again)."""
    cache = ClipCache(cache_dir or default_dir())
    click.echo(f"Removed {cache.clear()} clips from {cache.root}")


def default_output(source: str) -> Path:
    """``output/<input stem>.mp3``, or ``output/stdin.mp3`` for standard input."""
    stem = "stdin" if source == STDIN_SOURCE else Path(source).stem
    return DEFAULT_OUTPUT_DIR / f"{stem}.mp3"


def summary(result: RenderResult) -> str:
    """The last line of a render: where, how long, how it was made."""
    return (f"Wrote {shown(result.output)} ({format_duration(result.duration_ms)}, "
            f"{result.paragraphs} paragraphs, {result.chunks} chunks "
            f"({result.cached} cached), engine {result.engine}, {result.seconds:.1f} s)")


def shown(output: Path) -> str:
    """An output as the user reads it: its path, or "standard output" for ``-``."""
    return "standard output" if is_stdout(output) else str(output)


def format_duration(ms: int) -> str:
    """``m:ss.s`` as players show it."""
    minutes, seconds = divmod(ms / 1000, 60)
    return f"{int(minutes)}:{seconds:04.1f}"


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
