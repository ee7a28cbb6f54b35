"""The timeline: the pause after each chunk, and where each clip is heard at --speed."""

from __future__ import annotations

from collections.abc import Sequence

from tts.config import RenderConfig
from tts.types import Break, Chunk, Clip, FrameSpan, Placed, WordTime


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


def frames_to_ms(frames: int, rate: int) -> int:
    """A length in frames as whole ms, rounded down: a time never passes the audio's end."""
    return frames * 1000 // rate if rate else 0


def at_speed(records: Sequence[tuple[Clip, FrameSpan]], rate: int, speed: float,
             frames: int) -> list[Placed]:
    """Where each clip is heard once the tempo is ``speed`` times faster, in an output
    ``frames`` long: times from sample counts, clamped to its end (atempo's output
    length differs from the input's over ``speed`` by a few ms).

    Each clip's word times (ms from the clip's start, before --speed) are placed the
    same way, then kept relative to the chunk's start in the output, inside its span.
    """
    end = frames_to_ms(frames, rate)

    def ms(frame: int) -> int:
        return min(round(frame / speed * 1000 / rate), end)

    def placed(clip: Clip, span: FrameSpan) -> Placed:
        start, stop = ms(span.start), ms(span.end)
        origin = span.start * 1000 / rate  # the clip's start in the input, ms

        def word_ms(at: int) -> int:
            heard = min(round((origin + at) / speed), stop)
            return max(0, heard - start)
        words = tuple(WordTime(w.start, w.end, word_ms(w.start_ms), word_ms(w.end_ms))
                      for w in clip.words)
        return Placed(clip.chunk, start, stop, clip.cached, words)
    return [placed(clip, span) for clip, span in records]
