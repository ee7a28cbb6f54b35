"""The pipeline as one plain function: text -> chunks -> clips -> timeline -> file."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydub import AudioSegment

from tts import audio, engines, export, manifest, metadata, subtitles
from tts.chunk import Break, Chunk, chunk_article
from tts.config import RenderConfig
from tts.engines.base import Engine
from tts.text import STDIN_SOURCE, Paragraph, parse_article


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
    """One chunk is synthesized."""

    chunk: Chunk


@dataclass(frozen=True)
class Warning:
    """Something the user should know that does not stop the render."""

    message: str


Event = EngineChosen | Planned | ChunkDone | Warning
Listener = Callable[[Event], None]


@dataclass(frozen=True)
class Placed:
    """A chunk's clip and where it sits in the output."""

    chunk: Chunk
    start_ms: int
    end_ms: int
    cached: bool = False


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


def _ignore(event: Event) -> None:
    pass


@dataclass(frozen=True)
class Plan:
    """What will be said, by which engine, in which chunks."""

    paragraphs: list[Paragraph]
    engine: Engine
    chunks: list[Chunk]


def render(text: str, output: Path, config: RenderConfig, listener: Listener = _ignore, *,
           source: str = STDIN_SOURCE) -> RenderResult:
    """Speak ``text`` into ``output``; nothing is written unless the whole render succeeds.

    ``source`` is where the text came from (a file name, or "-" for standard
    input): it names the render in the default title and in the tags.
    """
    started = time.perf_counter()
    prepare_outputs(output, config)
    plan = make_plan(text, config, listener)
    clips = synthesize_all(plan.engine, plan.chunks, listener)
    joined, timeline = assemble(plan, clips, config)
    timeline = at_speed(timeline, config.speed)
    duration_ms = write_outputs(plan, joined, timeline, output, config, source)
    return RenderResult(output, duration_ms, len(plan.paragraphs), len(plan.chunks),
                        plan.engine.name, time.perf_counter() - started, timeline)


def prepare_outputs(output: Path, config: RenderConfig) -> None:
    """Check every file the render will write before any synthesis starts, names first."""
    if config.subtitles is not None:
        subtitles.check_path(config.subtitles)
    export.prepare_output(output)
    if config.subtitles is not None:
        export.check_writable(config.subtitles, "--subtitles")
    if config.manifest is not None:
        export.check_writable(config.manifest, "--manifest")


def at_speed(timeline: Sequence[Placed], speed: float) -> list[Placed]:
    """The timeline as heard once the tempo is ``speed`` times faster."""
    return [replace(p, start_ms=round(p.start_ms / speed), end_ms=round(p.end_ms / speed))
            for p in timeline]


def write_outputs(plan: Plan, joined: AudioSegment, timeline: Sequence[Placed], output: Path,
                  config: RenderConfig, source: str) -> int:
    """The audio with its tags and chapters, then subtitles and manifest; the audio's length in ms."""
    duration_ms = round(len(joined) / config.speed)
    tags = metadata.make_tags(plan.paragraphs, config, plan.engine.name, source)
    chapters = metadata.make_chapters(plan.paragraphs, timeline, duration_ms) if config.chapters else []
    export.export(joined, output, config.bitrate, speed=config.speed, loudness=config.loudness,
                  tags=tags, chapters=chapters)
    if config.subtitles is not None:
        cues = subtitles.make_cues(plan.paragraphs, timeline, duration_ms)
        export.write_text(config.subtitles, subtitles.format_subtitles(config.subtitles, cues, tags))
    if config.manifest is not None:
        data = manifest.build_manifest(plan.paragraphs, timeline, plan.engine, config, duration_ms,
                                       source, output)
        export.write_text(config.manifest, manifest.manifest_json(data))
    return duration_ms


def make_plan(text: str, config: RenderConfig, listener: Listener = _ignore) -> Plan:
    """Parse the article, choose the engine, and cut the text to the engine's limit."""
    paragraphs = parse_article(text)
    warn_unspeakable(paragraphs, listener)
    engine, reason = engines.choose(config)
    listener(EngineChosen(engine.name, reason))
    chunks = chunk_article(paragraphs, engine.max_chars)
    listener(Planned(len(paragraphs), len(chunks)))
    return Plan(paragraphs, engine, chunks)


def assemble(plan: Plan, clips: Sequence[AudioSegment],
             config: RenderConfig) -> tuple[AudioSegment, list[Placed]]:
    """Join the clips with their pauses; the timeline says where each chunk landed."""
    pauses = pauses_after(plan.chunks, plan.paragraphs, config)
    joined, spans = audio.join(list(zip(clips, pauses)), clips[0].frame_rate)
    timeline = [Placed(c, s.start_ms, s.end_ms) for c, s in zip(plan.chunks, spans)]
    return joined, timeline


def warn_unspeakable(paragraphs: Sequence[Paragraph], listener: Listener) -> None:
    """Tell the user which paragraphs become a pause instead of speech."""
    for p in paragraphs:
        if not p.speakable:
            listener(Warning(f"paragraph {p.index + 1} has nothing to speak "
                             f"({p.original[:30]!r}); it becomes a pause"))


def synthesize_all(engine: Engine, chunks: Sequence[Chunk], listener: Listener) -> list[AudioSegment]:
    """Each chunk's clip, edge silence trimmed, in chunk order."""
    clips = []
    for chunk in chunks:
        clips.append(audio.trim_silence(engine.synthesize(chunk.text)))
        listener(ChunkDone(chunk))
    return clips


def pauses_after(chunks: Sequence[Chunk], paragraphs: Sequence[Paragraph],
                 config: RenderConfig) -> list[int]:
    """Silence after each chunk: by the kind of break that ends it.

    A paragraph with nothing to speak adds one more paragraph pause, so a
    ``* * *`` section break is heard as a longer gap. Nothing follows the last chunk.
    """
    by_break = {Break.SENTENCE: config.sentence_pause_ms, Break.CLAUSE: config.clause_pause_ms,
                Break.WORD: 0}
    pauses = []
    for i, chunk in enumerate(chunks):
        if i == len(chunks) - 1:
            pauses.append(0)
        elif chunk.brk is Break.PARAGRAPH:
            skipped = chunks[i + 1].paragraph - chunk.paragraph - 1
            pauses.append(config.pause_ms * (1 + skipped))
        else:
            pauses.append(by_break[chunk.brk])
    return pauses
