"""Command line: parse options, call the pipeline, report; errors become exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from tts import __version__, engines
from tts.config import DEFAULT_LOUDNESS, ENGINE_CHOICES, LOUDNESS_RANGE, SPEED_RANGE, RenderConfig
from tts.errors import ArticleTTSError
from tts.render import ChunkDone, EngineChosen, Event, Planned, RenderResult, Warning, render
from tts.text import read_source

CONTEXT = {"help_option_names": ["-h", "--help"]}
DEFAULT_OUTPUT_DIR = Path("output")


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
        sys.exit(130)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="article-tts")
def main() -> None:
    """Turn an article into audio you can listen to."""


@main.command("render")
@click.argument("input", type=str, metavar="INPUT")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Audio file to write; its extension picks the format "
                   "[default: output/<input name>.mp3].")
@click.option("--engine", type=click.Choice(ENGINE_CHOICES), default="auto", show_default=True,
              envvar="ARTICLE_TTS_ENGINE",
              help="auto uses Google when it answers within 2 s, else the offline espeak voice.")
@click.option("--lang", default="ar", show_default=True, help="Language code (gTTS; espeak voice).")
@click.option("--tld", default="com", show_default=True, help="Google host domain, for accents.")
@click.option("--slow", is_flag=True, help="Slower Google reading.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=15.0, show_default=True,
              help="Seconds to wait for each Google request.")
@click.option("--voice", help="espeak-ng voice [default: the --lang code].")
@click.option("--rate", type=click.IntRange(80, 450), help="espeak-ng words per minute.")
@click.option("--pause", "pause_ms", type=click.IntRange(0, 10_000), default=700,
              show_default=True, metavar="MS", help="Silence between paragraphs.")
@click.option("--sentence-pause", "sentence_pause_ms", type=click.IntRange(0, 10_000),
              default=300, show_default=True, metavar="MS",
              help="Silence between sentences; clause breaks get half.")
@click.option("--bitrate", default="64k", show_default=True, help="Encoder bitrate.")
@click.option("--title", help="Title tag [default: the first line when short, else the file name].")
@click.option("--artist", help="Artist tag.")
@click.option("--album", help="Album tag.")
@click.option("--chapters/--no-chapters", default=True, show_default=True,
              help="A chapter per paragraph in the audio file.")
@click.option("--subtitles", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write subtitles: .srt, .vtt or .lrc, by the extension.")
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.json",
              help="Also write a JSON manifest: paragraphs, chunks, their times.")
@click.option("--speed", type=click.FloatRange(*SPEED_RANGE), default=1.0, show_default=True,
              help="Tempo, pitch kept; chapter and subtitle times follow.")
@click.option("--loudness", type=click.FloatRange(*LOUDNESS_RANGE), default=DEFAULT_LOUDNESS,
              show_default=True, metavar="LUFS", help="Integrated loudness to normalize to.")
@click.option("--no-loudness", is_flag=True, help="Keep the engine's own level.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def render_command(input: str, output: Path | None, quiet: bool, debug: bool, no_loudness: bool,
                   **options: Any) -> None:
    """Render INPUT (a text file, or - for standard input) to one audio file.

    \b
    Examples:
      article-tts render data/article.txt
      article-tts render data/article.txt --engine espeak -o out.wav
      cat article.txt | article-tts render - --pause 1000
      article-tts render data/article.txt -o news.m4a --title "Evening news" --speed 1.25
      article-tts render data/article.txt --subtitles out.srt --manifest out.json
    """
    with reported_errors(debug):
        if no_loudness:
            options["loudness"] = None
        config = RenderConfig(**options)
        target = output or default_output(input)
        text = read_source(input)
        with Progress(quiet) as progress:
            result = render(text, target, config, progress.on_event, source=input)
        if not quiet:
            click.echo(summary(result), err=True)



@main.command("engines")
@click.option("--tld", default="com", show_default=True, help="Google host domain to probe.")
def engines_command(tld: str) -> None:
    """List the speech engines and whether each can run here."""
    for status in engines.statuses(tld):
        mark = "yes" if status.usable else "no "
        click.echo(f"{status.name:<7} usable: {mark}  {status.detail}")


def default_output(source: str) -> Path:
    """``output/<input stem>.mp3``, or ``output/stdin.mp3`` for standard input."""
    stem = "stdin" if source == "-" else Path(source).stem
    return DEFAULT_OUTPUT_DIR / f"{stem}.mp3"


def summary(result: RenderResult) -> str:
    """The last line of a render: where, how long, how it was made."""
    return (f"Wrote {result.output} ({format_duration(result.duration_ms)}, "
            f"{result.paragraphs} paragraphs, {result.chunks} chunks, "
            f"engine {result.engine}, {result.seconds:.1f} s)")


def format_duration(ms: int) -> str:
    """``m:ss.s`` as players show it."""
    minutes, seconds = divmod(ms / 1000, 60)
    return f"{int(minutes)}:{seconds:04.1f}"


class Progress:
    """Shows render events on stderr: the engine chosen, warnings, a progress bar."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
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
        elif isinstance(event, Warning):
            click.echo(f"Warning: {event.message}", err=True)
        elif isinstance(event, Planned):
            self.bar = click.progressbar(length=event.chunks, label="Synthesizing",
                                         file=sys.stderr, show_pos=True)
        elif isinstance(event, ChunkDone) and self.bar is not None:
            self.bar.update(1)
