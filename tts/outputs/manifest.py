"""The manifest: a JSON account of a render, paragraph by paragraph and chunk by chunk."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from tts.audio.export import is_stdout
from tts.audio.metadata import source_label
from tts.config import RenderConfig
from tts.engines.base import Engine, engine_voice
from tts.outputs.base import SideInput, SideOutput
from tts.synth.wordtimes import WordTimer
from tts.types import ArticleMeta, Paragraph, Placed, Plan, Word
from tts.version import __version__

# Bumped when a field changes meaning or goes away; new fields keep the version.
MANIFEST_VERSION = 1


def build_manifest(paragraphs: Sequence[Paragraph], timeline: Sequence[Placed], engine: Engine,
                   config: RenderConfig, duration_ms: int, source: str, output: Path,
                   meta: ArticleMeta | None = None,
                   words: Mapping[int, Sequence[Word]] | None = None) -> dict[str, Any]:
    """Everything a player or a later tool needs to line the audio up with the text.

    Times are milliseconds in the output file, after ``--speed``; a paragraph with
    nothing to speak has no chunks and null times. Each chunk lists its ``words``
    as written, with their times (``words``: each paragraph's, by its index).
    """
    return {
        "manifest_version": MANIFEST_VERSION,
        "generator": f"article-tts {__version__}",
        "source": source_label(source),
        "article": {key: value for key, value in dataclasses.asdict(meta or ArticleMeta()).items()
                    if value},
        "output": "stdout" if is_stdout(output) else output.name,
        "engine": {"name": engine.name, "voice": engine_voice(engine), "options": engine.cache_key(),
                   "word_timing": word_timing(engine)},
        "settings": settings(config),
        "duration_ms": duration_ms,
        "paragraphs": [paragraph_entry(p, [t for t in timeline if t.chunk.paragraph == p.index],
                                       (words or {}).get(p.index, ()))
                       for p in paragraphs],
    }


def word_timing(engine: Engine) -> str:
    """Where the chunks' word times come from: what the engine says (``piper alignments``),
    else ``engine`` for one that reports them, else ``estimated`` (spread by letters)."""
    declared = getattr(engine, "word_timing", None)
    if isinstance(declared, str):
        return declared
    return "engine" if isinstance(engine, WordTimer) else "estimated"


# Where this machine keeps its cache says nothing about the audio, and a shared
# manifest should not reveal the user's home folder.
PRIVATE_SETTINGS = {"cache_dir"}


def settings(config: RenderConfig) -> dict[str, Any]:
    """The render options, as JSON values (paths by file name only)."""
    return {key: json_value(value) for key, value in dataclasses.asdict(config).items()
            if key not in PRIVATE_SETTINGS}


def json_value(value: Any) -> Any:
    """A setting as JSON: a path by its file name, a tuple of paths (lexicons) as a list of names."""
    if isinstance(value, Path):
        return value.name
    if isinstance(value, tuple):
        return [json_value(item) for item in value]
    return value


def paragraph_entry(paragraph: Paragraph, placed: Sequence[Placed],
                    words: Sequence[Word] = ()) -> dict[str, Any]:
    """One paragraph: its texts, its span, and each chunk's span and words."""
    return {
        "index": paragraph.index,
        "heading": paragraph.heading,
        "original": paragraph.original,
        "spoken": paragraph.spoken,
        "start_ms": placed[0].start_ms if placed else None,
        "end_ms": placed[-1].end_ms if placed else None,
        "chunks": [{"text": p.chunk.text, "start_ms": p.start_ms, "end_ms": p.end_ms,
                    "cached": p.cached, "lang": p.chunk.lang,
                    "words": [{"text": w.text, "start_ms": w.start_ms, "end_ms": w.end_ms}
                              for w in words if w.chunk == p.chunk.index]} for p in placed],
    }


def manifest_json(manifest: dict[str, Any]) -> str:
    """The manifest as readable UTF-8 JSON (Arabic stays Arabic, not \\u escapes)."""
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"


def as_said(plan: Plan, timeline: Sequence[Placed]) -> list[Paragraph]:
    """The paragraphs with the text the engine was given: when that form (tashkeel) was
    put on each chunk just before speaking it, a whole paragraph per chunk, the chunk's."""
    if plan.prepare is None:
        return plan.paragraphs
    said = {p.chunk.paragraph: p.chunk.text for p in timeline
            if p.chunk.start == 0 and p.chunk.end == len(plan.paragraphs[p.chunk.paragraph].spoken)}
    return [replace(p, spoken=said.get(p.index, p.spoken)) for p in plan.paragraphs]


def write_file(path: Path, made: SideInput) -> str:
    """The manifest of a finished render."""
    return manifest_json(build_manifest(
        as_said(made.plan, made.timeline), made.timeline, made.plan.engine, made.config,
        made.duration_ms, made.source, made.output, made.plan.meta, made.words))


MANIFEST = SideOutput("manifest", "FILE.json", "Also write a JSON manifest: paragraphs, chunks, "
                      "words, times.", write_file, batch_suffix=lambda path, option: ".json")
