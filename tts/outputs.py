"""Everything a render writes besides synthesis: checks before any work, then audio and side files."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from pydub import AudioSegment

from tts import export, manifest, metadata, page, subtitles, timing
from tts.config import RenderConfig
from tts.errors import ConfigError
from tts.types import STDIN_SOURCE, Placed, Plan


def prepare_outputs(output: Path, config: RenderConfig, source: str = STDIN_SOURCE) -> None:
    """Check every file the render will write before any synthesis starts, names first."""
    refuse_clashes(output, config, source)
    if config.subtitles is not None:
        subtitles.check_path(config.subtitles)
    if export.is_stdout(output):
        export.check_streamable(stdout_suffix(config), f"--format {config.format}")
    else:
        export.prepare_output(output)
        if config.format is not None and export.format_for(output) != stdout_suffix(config):
            raise ConfigError(f"--format {config.format} is for -o -; {output.name} is written "
                              f"as its extension says")
    if config.subtitles is not None:
        export.check_writable(config.subtitles, "--subtitles")
    if config.manifest is not None:
        export.check_writable(config.manifest, "--manifest")
    if config.html is not None:
        page.check_page(config.html, output)


def refuse_clashes(output: Path, config: RenderConfig, source: str) -> None:
    """Two outputs at one path would overwrite each other, or the article itself."""
    named = {"INPUT": None if source == STDIN_SOURCE else Path(source),
             "-o/--output": None if export.is_stdout(output) else output,
             "--subtitles": config.subtitles, "--manifest": config.manifest, "--html": config.html}
    seen: dict[Path, str] = {}
    for option, path in named.items():
        if path is None:
            continue
        key = path.resolve()
        if key in seen:
            raise ConfigError(f"{option} and {seen[key]} are the same file ({path}); "
                              f"give each its own name")
        seen[key] = option


def stdout_suffix(config: RenderConfig) -> str:
    """The format of audio sent to standard output: ``--format``, else MP3."""
    return f".{config.format or 'mp3'}"


def write_outputs(plan: Plan, joined: AudioSegment, timeline: Sequence[Placed], output: Path,
                  config: RenderConfig, source: str, sink: BinaryIO | None = None) -> int:
    """The audio with its tags and chapters, then subtitles and manifest; the audio's length in ms."""
    duration_ms = round(len(joined) / config.speed)
    tags = metadata.make_tags(plan.paragraphs, config, plan.engine.name, source)
    chapters = metadata.make_chapters(plan.paragraphs, timeline, duration_ms) if config.chapters else []
    if export.is_stdout(output):
        export.write_stream(joined, stdout_suffix(config), sink or sys.stdout.buffer,
                            config.bitrate, speed=config.speed, loudness=config.loudness)
    else:
        export.export(joined, output, config.bitrate, speed=config.speed,
                      loudness=config.loudness, tags=tags, chapters=chapters)
    words = timing.article_words(plan.paragraphs, timeline, duration_ms)
    if config.subtitles is not None:
        cues = subtitles.make_cues(plan.paragraphs, words, duration_ms)
        export.write_text(config.subtitles, subtitles.format_subtitles(
            config.subtitles, cues, tags, config.word_timing))
    if config.manifest is not None:
        data = manifest.build_manifest(plan.paragraphs, timeline, plan.engine, config, duration_ms,
                                       source, output, words)
        export.write_text(config.manifest, manifest.manifest_json(data))
    if config.html is not None:
        export.write_text(config.html, page.make_page(
            page.PageInput(plan.paragraphs, words, tags, duration_ms, config.lang),
            page.audio_source(output, config.html, config.embed_audio)))
    return duration_ms
