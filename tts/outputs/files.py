"""Everything a render writes besides synthesis: checks before any work, then audio and side
files, locked against another render and all written before any is replaced."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from pydub import AudioSegment

from tts.audio import export

from tts.util import fsutil

from tts.outputs import manifest

from tts.audio import metadata

from tts.outputs import page

from tts.outputs import subtitles

from tts.synth import wordtimes
from tts.config import RenderConfig
from tts.errors import ConfigError, OutputError
from tts.audio.master import Outlet
from tts.audio.timeline import at_speed, frames_to_ms
from tts.types import STDIN_SOURCE, Chapter, Clip, FrameSpan, Paragraph, Placed, Plan, Tags

# A recorded clip keeps its chunk and words; its audio is in the spool, not in memory.
NO_AUDIO = AudioSegment.empty()


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


class AudioOutput:
    """The render's audio as the streamed pass makes it, and the times it ends up at.

    Each clip's span is recorded (not its audio) as it is laid; once the output's length
    is known, the timeline is those spans after --speed, in ms, none past the end.
    """

    def __init__(self, plan: Plan, output: Path, config: RenderConfig, source: str,
                 sink: BinaryIO | None = None) -> None:
        self.plan, self.config = plan, config
        self.tags = metadata.make_tags(plan.paragraphs, config, plan.engine.name, source,
                                       plan.meta)
        suffix = stdout_suffix(config) if export.is_stdout(output) else export.format_for(output)
        self.target = export.AudioTarget(output, suffix, config.bitrate, config.speed,
                                         self.describe, sink or sys.stdout.buffer)
        self.records: list[tuple[Clip, FrameSpan]] = []
        self.rate = 0

    def outlet(self) -> Outlet:
        return self.target.outlet(self.config.loudness)

    def record(self, clip: Clip, span: FrameSpan) -> None:
        """Remember where ``clip`` was laid (its chunk, not its audio)."""
        self.rate = self.rate or clip.audio.frame_rate
        self.records.append((replace(clip, audio=NO_AUDIO), span))

    def timeline(self, frames: int) -> list[Placed]:
        """Where each chunk is heard in an output ``frames`` long (after --speed)."""
        return at_speed(self.records, self.rate, self.config.speed, frames)

    def describe(self, frames: int) -> tuple[Tags, list[Chapter]]:
        """The tags, and the chapters of an output ``frames`` long."""
        if not self.config.chapters:
            return self.tags, []
        duration = frames_to_ms(frames, self.rate)
        return self.tags, metadata.make_chapters(self.plan.paragraphs, self.timeline(frames), duration)

    def finish(self) -> tuple[list[Placed], int]:
        """Finish the file; the timeline and the length in ms, as written."""
        frames = self.target.finish()
        return self.timeline(frames), frames_to_ms(frames, self.rate)

    def __enter__(self) -> AudioOutput:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is not None:
            self.target.abort()


def write_side_files(plan: Plan, timeline: Sequence[Placed], duration_ms: int, output: Path,
                     config: RenderConfig, source: str, tags: Tags) -> None:
    """Subtitles, manifest and read-along page, when asked for, from the timeline as written
    (``tags``: the audio's, AudioOutput.tags)."""
    if not side_files(config):
        return  # none asked for: the words' times (a tenth of a second on an article) are not needed
    words = wordtimes.article_words(plan.paragraphs, timeline, duration_ms)
    if config.subtitles is not None:
        cues = subtitles.make_cues(plan.paragraphs, words, duration_ms)
        export.write_text(config.subtitles, subtitles.format_subtitles(
            config.subtitles, cues, tags, config.word_timing))
    if config.manifest is not None:
        data = manifest.build_manifest(as_said(plan, timeline), timeline, plan.engine, config,
                                       duration_ms, source, output, plan.meta, words)
        export.write_text(config.manifest, manifest.manifest_json(data))
    if config.html is not None:
        export.write_text(config.html, page.make_page(
            page.PageInput(plan.paragraphs, words, tags, duration_ms, config.lang, source,
                           plan.engine.name, plan.meta.url),
            page.audio_source(output, config.html, config.embed_audio)))


def as_said(plan: Plan, timeline: Sequence[Placed]) -> list[Paragraph]:
    """The paragraphs with the text the engine was given: when that form (tashkeel) was
    put on each chunk just before speaking it, a whole paragraph per chunk, the chunk's."""
    if plan.prepare is None:
        return plan.paragraphs
    said = {p.chunk.paragraph: p.chunk.text for p in timeline
            if p.chunk.start == 0 and p.chunk.end == len(plan.paragraphs[p.chunk.paragraph].spoken)}
    return [replace(p, spoken=said.get(p.index, p.spoken)) for p in plan.paragraphs]


def output_set(output: Path, config: RenderConfig) -> list[Path]:
    """The files a render writes: the audio (unless it goes to standard output) and its side files."""
    paths = [] if export.is_stdout(output) else [output]
    return paths + side_files(config)


def side_files(config: RenderConfig) -> list[Path]:
    """The subtitles, manifest and read-along page asked for."""
    return [p for p in (config.subtitles, config.manifest, config.html) if p is not None]


@contextmanager
def written_together(output: Path, config: RenderConfig) -> Iterator[None]:
    """Hold the set's locks while it is written; a set another render is writing is an OutputError."""
    try:
        with fsutil.outputs_written(output_set(output, config)):
            yield
    except fsutil.Busy as exc:
        raise OutputError(f"{exc.path} is being written by another article-tts ({exc.holder}); "
                          f"wait for it to finish, or choose another output") from exc
