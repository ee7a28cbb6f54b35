"""The manifest: a JSON account of a render, paragraph by paragraph and chunk by chunk."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tts.version import __version__
from tts.config import RenderConfig
from tts.engines.base import Engine, engine_voice
from tts.audio.export import is_stdout
from tts.audio.metadata import source_label
from tts.synth.wordtimes import WordTimer
from tts.types import ArticleMeta, Paragraph, Placed, Word

# Bumped when a field changes meaning or goes away; new fields keep the version.
MANIFEST_VERSION = 1


def build_manifest(paragraphs: Sequence[Paragraph], timeline: Sequence[Placed], engine: Engine,
                   config: RenderConfig, duration_ms: int, source: str, output: Path,
                   meta: ArticleMeta | None = None, words: Sequence[Word] = ()) -> dict[str, Any]:
    """Everything a player or a later tool needs to line the audio up with the text.

    Times are milliseconds in the output file, after ``--speed``; a paragraph with
    nothing to speak has no chunks and null times. Each chunk lists its ``words``
    as written, with their times.
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
                                       [w for w in words if w.paragraph == p.index])
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
