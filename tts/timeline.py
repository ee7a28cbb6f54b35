"""The timeline: the pause after each chunk, the clips joined with them, and times at --speed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pydub import AudioSegment

from tts import audio
from tts.config import RenderConfig
from tts.timing import scale_words
from tts.types import Break, Chunk, Clip, Placed, Plan


def pauses_after(chunks: Sequence[Chunk], config: RenderConfig) -> list[int]:
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


def assemble(plan: Plan, clips: Sequence[Clip],
             config: RenderConfig) -> tuple[AudioSegment, list[Placed]]:
    """Join the clips with their pauses; the timeline says where each chunk landed."""
    pauses = pauses_after(plan.chunks, config)
    joined, spans = audio.join([(c.audio, p) for c, p in zip(clips, pauses, strict=True)],
                               clips[0].audio.frame_rate)
    return joined, [Placed(c.chunk, s.start_ms, s.end_ms, c.cached, c.words)
                    for c, s in zip(clips, spans, strict=True)]


def at_speed(timeline: Sequence[Placed], speed: float) -> list[Placed]:
    """The timeline as heard once the tempo is ``speed`` times faster."""
    return [replace(p, start_ms=round(p.start_ms / speed), end_ms=round(p.end_ms / speed),
                    words=scale_words(p.words, speed))
            for p in timeline]
