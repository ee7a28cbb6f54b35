"""The pipeline as one plain function: text -> chunks -> clips -> timeline -> file."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from tts import engines
from tts.audio.master import Mixer
from tts.audio.timeline import pauses_after
from tts.chars import strip_marks
from tts.config import RenderConfig
from tts.engines.base import Advising, Engine
from tts.errors import ChunkFailed, EngineError, NetworkError
from tts.options import DEFAULT_RATE_WPM
from tts.outputs.files import AudioOutput, prepare_outputs, write_side_files, written_together
from tts.synth.cache import ClipCache
from tts.synth.synthesize import AdaptiveLimit, Synthesizer
from tts.text import langs, lexicon
from tts.text.chunk import chunk_article
from tts.text.prepare import engine_texts, parse_article, spoken_for
from tts.types import (
    STDIN_SOURCE,
    Article,
    ArticleMeta,
    Chunk,
    ChunkDone,
    Clip,
    EngineChosen,
    Listener,
    Notice,
    Paragraph,
    Plan,
    Planned,
    RenderResult,
    Writing,
    ignore,
)
from tts.util.words import plural

# Clips made ahead of the one being laid: enough to keep every worker busy, few in memory.
LOOKAHEAD = 8


def render(text: str | Article, output: Path, config: RenderConfig, listener: Listener = ignore, *,
           source: str = STDIN_SOURCE, sink: BinaryIO | None = None,
           limit: AdaptiveLimit | None = None) -> RenderResult:
    """Speak ``text`` (plain text, or an Article from tts.sources) into ``output``; nothing is
    written unless the whole render succeeds.

    ``source`` is where the text came from (a file name, or "-" for standard
    input): it names the render in the default title and in the tags. An
    ``output`` of ``-`` sends the audio to ``sink`` (standard output) instead. ``limit``
    shares one request limit between the renders of a batch.

    One streamed pass: each clip, as it is made, is measured and spooled, and the
    encoder reads the spool a little behind, levelled and limited (tts.audio.master).
    """
    started = time.perf_counter()
    prepare_outputs(output, config, source)
    plan = make_plan(text, config, listener, defer_engine_form=True)
    # The outputs are locked while written, and replaced together once all are written.
    with written_together(output, config):
        with AudioOutput(plan, output, config, source, sink) as audio, \
                Mixer([audio.outlet()], config.loudness) as mixer:
            for clip, pause in stream(plan, config, listener, LOOKAHEAD, limit):
                audio.record(clip, mixer.add(clip, pause))
            listener(Writing(output))
            mixer.finish()
            timeline, duration_ms = audio.finish()
        side_files = write_side_files(plan, timeline, duration_ms, output, config, source,
                                      audio.tags)
    return RenderResult(output, duration_ms, len(plan.paragraphs), len(plan.chunks),
                        plan.engine.name, time.perf_counter() - started, timeline,
                        tuple(side_files))


def make_plan(text: str | Article, config: RenderConfig, listener: Listener = ignore,
              defer_engine_form: bool = False) -> Plan:
    """Parse the article, choose the engine, and cut the text to the engine's limit.

    With ``defer_engine_form`` and an engine that speaks whole paragraphs (whose
    chunks, cut only by MAX_CLIP_CHARS, do not depend on that form), each chunk is put in the engine's form
    (tashkeel) only when it is synthesized: ``play`` then starts after one
    paragraph's tashkeel, not the whole article's.
    """
    paragraphs = parse_article(text, config.lang)
    meta = text.meta if isinstance(text, Article) else ArticleMeta()
    for warning in text.warnings if isinstance(text, Article) else ():
        listener(Notice(warning))
    warn_unspeakable(paragraphs, listener)
    engine, reason = engines.choose(config)
    listener(EngineChosen(engine.name, reason))
    for notice in engine.notices if isinstance(engine, Advising) else ():
        listener(Notice(notice))
    paragraphs = with_lexicon(paragraphs, engine, config)
    prepare = None
    if defer_engine_form and engine.max_chars is None:
        prepare = functools.partial(in_engine_form, engine, config)
    else:
        paragraphs = spoken_for(engine, paragraphs, config.tashkeel, config.lang)
    chunks = chunk_article(paragraphs, engine.max_chars, config.lang, engine.inline_languages)
    listener(Planned(len(paragraphs), len(chunks)))
    return Plan(paragraphs, engine, chunks, prepare, meta)


def with_lexicon(paragraphs: list[Paragraph], engine: Engine, config: RenderConfig) -> list[Paragraph]:
    """The paragraphs with the lexicon entries for ``engine`` applied to their spoken forms."""
    found = lexicon.load(config.lexicons, tuple(engines.REGISTRY))
    return found.apply_to(paragraphs, engine.name, engine.phoneme_input, config.lang)


def in_engine_form(engine: Engine, config: RenderConfig, chunk: Chunk) -> Chunk:
    """``chunk`` with its text as ``engine`` says it (tashkeel, rules). Its offsets still point
    into the paragraph's spoken form without them; word times are aligned back to that form
    (tts.synth.wordtimes.spoken_positions)."""
    return replace(chunk, text=engine_texts(engine, [chunk.text], config.tashkeel, config.lang)[0])




def warn_unspeakable(paragraphs: Sequence[Paragraph], listener: Listener) -> None:
    """Tell the user which paragraphs become a pause instead of speech."""
    for p in paragraphs:
        if not p.speakable:
            listener(Notice(f"paragraph {p.index + 1} has nothing to speak "
                             f"({p.original[:30]!r}); it becomes a pause"))


def open_cache(config: RenderConfig, listener: Listener = ignore) -> ClipCache | None:
    """The clip cache, or None (with a warning) when its folder cannot take files."""
    if config.cache_dir is None:
        return None
    cache = ClipCache(config.cache_dir, config.cache_size, warn=lambda m: listener(Notice(m)))
    problem = cache.check_usable()
    if problem is not None:
        listener(Notice(f"cannot use the clip cache ({problem}); going on without it, so a "
                         f"rerun will not resume: set --cache-dir or ARTICLE_TTS_CACHE_DIR"))
        return None
    return cache


def make_synthesizer(plan: Plan, config: RenderConfig, listener: Listener,
                     limit: AdaptiveLimit | None = None) -> Synthesizer:
    return Synthesizer(plan.engine, open_cache(config, listener), config.jobs, config.retries,
                       warn=lambda message: listener(Notice(message)), prepare=plan.prepare,
                       limit=limit)


def stream(plan: Plan, config: RenderConfig, listener: Listener = ignore,
           lookahead: int | None = None,
           limit: AdaptiveLimit | None = None) -> Iterator[tuple[Clip, int]]:
    """Each clip in order with the pause that follows it, made at most ``lookahead`` ahead.

    When a chunk fails for good, the error says which paragraph, why, and how
    much work is saved for the rerun that resumes.
    """
    synth = make_synthesizer(plan, config, listener, limit)
    pauses = pauses_after(plan.chunks, config)
    try:
        for clip, pause in zip(synth.clips(plan.chunks, lookahead), pauses, strict=True):
            listener(ChunkDone(clip.chunk, clip.cached))
            yield clip, pause
    except ChunkFailed as exc:
        raise EngineError(describe_failure(exc, synth, plan.chunks)) from exc


def describe_failure(exc: ChunkFailed, synth: Synthesizer, chunks: Sequence[Chunk]) -> str:
    """One message: where it failed, the cause, what is kept, and what to do next.

    A text of one chunk (``say``'s sentence) has nothing to resume: a rerun tries it again.
    """
    single = len(chunks) == 1
    one_paragraph = len({chunk.paragraph for chunk in chunks}) == 1
    where = "" if one_paragraph else f"paragraph {exc.chunk.paragraph + 1}: "
    if not isinstance(exc.cause, NetworkError):
        return f"{where}{exc.cause}"
    tries = f"gave up after {plural(exc.tries, 'try')}"
    offline = engines.offline_hint(synth.engine, "speak it" if single else "render")
    fallback = f", or {offline}" if offline else ""
    if single:
        return f"{exc.cause.reason} ({tries}). Rerun to try again{fallback}"
    if synth.cache is None:
        return (f"{where}{exc.cause.reason} ({tries}; nothing was kept, since the clip cache "
                f"is off). Rerun without --no-cache to keep finished chunks{fallback}")
    saved = synth.cached_count(chunks)
    return (f"{where}{exc.cause.reason} ({tries}; {saved} of {plural(len(chunks), 'chunk')} "
            f"are saved in the cache). Rerun the same command to resume{fallback}")


@dataclass(frozen=True)
class DryRun:
    """What a render would do, without requests or audio."""

    plan: Plan
    cached: list[bool]
    estimated_ms: int
    languages: list[list[str]]
    """The languages each chunk is spoken in (``["ar", "en"]`` for a paragraph with a Latin run)."""

    @property
    def requests(self) -> int:
        """The chunks not in the cache: requests to an online engine, clips an offline one makes."""
        return self.cached.count(False)


def dry_run(text: str | Article, config: RenderConfig, listener: Listener = ignore) -> DryRun:
    """Plan the render, look up the cache, estimate the duration; synthesize nothing."""
    plan = make_plan(text, config, listener)
    synth = make_synthesizer(plan, config, listener)
    cache = synth.cache
    speed = plan.engine.chars_per_second * (config.rate or DEFAULT_RATE_WPM) / DEFAULT_RATE_WPM
    cached, total = [], sum(pauses_after(plan.chunks, config))
    for chunk in plan.chunks:
        stored = cache.duration_ms(synth.key(chunk)) if cache else None
        cached.append(stored is not None)
        total += stored if stored is not None else round(len(strip_marks(chunk.text)) * 1000 / speed)
    languages = [[chunk.lang] if chunk.lang else langs.languages(chunk.text, config.lang)
                 for chunk in plan.chunks]
    return DryRun(plan, cached, round(total / config.speed), languages)

