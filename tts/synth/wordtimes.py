"""Word timings: estimated, trimmed, scaled, and carried from the spoken to the written words."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from typing import Protocol, runtime_checkable

from pydub import AudioSegment

from tts.audio.clip import quiet_ms
from tts.chars import HARAKAT, SUPERSCRIPT_ALEF, TATWEEL
from tts.types import Paragraph, Placed, Word, WordTime

# A word as written and as spoken: whitespace-delimited, punctuation kept.
WORD = re.compile(r"\S+")
# Arabic short vowels, tanween, shadda, sukun, the dagger alef and tatweel: tashkeel
# adds them and espeak's rules move them, so texts are aligned without them.
MARKS = frozenset(HARAKAT + SUPERSCRIPT_ALEF + TATWEEL)
# Step of the scan for the silence after a word (under tts.audio.clip.SILENCE_DBFS, where
# clips are trimmed too): fine enough for a highlight.
SILENCE_STEP_MS = 5


@runtime_checkable
class WordTimer(Protocol):
    """An engine that also reports when each word of the text is heard (espeak-ng does).

    Engines without it get their word times estimated (``chunk_words``, the one place).
    """

    def synthesize_words(self, text: str,
                         lang: str | None = None) -> tuple[AudioSegment, tuple[WordTime, ...]]:
        """Speak ``text`` (in ``lang`` when not the article's); also its words' times:
        offsets into ``text``, ms into the audio."""
        ...


def weight(token: str) -> int:
    """How long a word takes to say, in letters and digits (punctuation takes no time)."""
    return sum(ch.isalnum() for ch in token)


def spread(spans: Sequence[tuple[int, int]], text: str, start_ms: int,
           end_ms: int) -> list[WordTime]:
    """The words at ``spans`` of ``text`` laid end to end over start..end, by their letters."""
    weights = [weight(text[a:b]) for a, b in spans]
    total = sum(weights) or 1
    times, done = [], 0
    for (a, b), share in zip(spans, weights, strict=True):
        begin = start_ms + (end_ms - start_ms) * done // total
        done += share
        times.append(WordTime(a, b, begin, start_ms + (end_ms - start_ms) * done // total))
    return times


def estimate_words(text: str, duration_ms: int) -> tuple[WordTime, ...]:
    """An engine that reports no timings: its clip's time spread over the words by letters."""
    return tuple(spread([m.span() for m in WORD.finditer(text)], text, 0, duration_ms))


def shift_words(words: Sequence[WordTime], offset_ms: int,
                length_ms: int) -> tuple[WordTime, ...]:
    """Times moved by ``offset_ms`` (minus the silence trimmed before), kept inside the clip."""
    def clamp(ms: int) -> int:
        return max(0, min(length_ms, ms + offset_ms))
    return tuple(replace(w, start_ms=clamp(w.start_ms), end_ms=clamp(w.end_ms)) for w in words)


def settle_ends(words: Sequence[WordTime], audio: AudioSegment) -> tuple[WordTime, ...]:
    """Each word's end moved back over the silence before the next word (a pause, a breath)."""
    settled = []
    for word in words:
        piece = audio[word.start_ms:word.end_ms]
        quiet = quiet_ms(piece, SILENCE_STEP_MS, at_end=True) if len(piece) else 0
        end = max(word.start_ms, word.end_ms - min(quiet, len(piece)))
        settled.append(replace(word, end_ms=end))
    return tuple(settled)


def bare(text: str) -> tuple[str, list[int]]:
    """``text`` without Arabic marks, and where each remaining character was in ``text``."""
    kept = [(i, ch) for i, ch in enumerate(text) if ch not in MARKS]
    return "".join(ch for _, ch in kept), [i for i, _ in kept]


def original_offsets(spoken: str, original: str, positions: Sequence[int]) -> list[int]:
    """Each offset into ``spoken`` as the matching offset into ``original``.

    The spoken form differs from the original by small local edits (digits,
    Persian letters, slashes, short vowels), so an alignment of the two strings,
    without their marks, maps each position; one that lands inside a word of the
    original (``نيسان/أبريل`` is one word there, two when spoken) moves to that
    word's start, so no written word is split. The result never decreases.
    """
    spoken_bare, spoken_at = bare(spoken)
    original_bare, original_at = bare(original)
    opcodes = SequenceMatcher(None, spoken_bare, original_bare, autojunk=False).get_opcodes()
    mapped, floor = [], 0
    for pos in positions:
        at = bisect.bisect_left(spoken_at, pos)  # the position in the bare spoken text
        offset = len(original)
        for tag, i1, i2, j1, _ in opcodes:
            if i1 <= at < i2:
                j = j1 + (at - i1) if tag == "equal" else j1
                offset = original_at[j] if j < len(original_at) else len(original)
                break
        while 0 < offset < len(original) and not original[offset - 1].isspace() \
                and not original[offset].isspace():
            offset -= 1
        floor = max(floor, offset)
        mapped.append(floor)
    return mapped


def chunk_words(placed: Placed) -> list[WordTime]:
    """A chunk's words in output time; estimated over its span when the engine gave none
    (the one place word times are estimated)."""
    words = placed.words or estimate_words(placed.chunk.text, placed.end_ms - placed.start_ms)
    return [replace(w, start_ms=min(placed.end_ms, placed.start_ms + w.start_ms),
                    end_ms=min(placed.end_ms, placed.start_ms + w.end_ms)) for w in words]


def spoken_positions(paragraph: Paragraph, placed: Placed,
                     words: Sequence[WordTime]) -> list[int]:
    """Where each timed word of a chunk starts in the paragraph's spoken text.

    A chunk put in the engine's form just before synthesis (``play``) holds
    text the paragraph's spoken form lacks (tashkeel): align the two first.
    """
    chunk = placed.chunk
    starts = [w.start for w in words]
    if paragraph.spoken[chunk.start:chunk.end] == chunk.text:
        return [chunk.start + s for s in starts]
    inside = original_offsets(chunk.text, paragraph.spoken[chunk.start:chunk.end], starts)
    return [chunk.start + s for s in inside]


def written_words(paragraph: Paragraph, placed: Sequence[Placed]) -> list[Word]:
    """Every word of the paragraph as written, in order, with when it is heard.

    Each spoken word is mapped to the written word it came from: a written word
    spans the spoken words mapped to it (``50%`` is ``50 بالمئة``). A written word no
    spoken word maps to (a dash, or ``ف ب`` of ``أ ف ب`` read as three words)
    shares the time of the written word before it, by letters.
    """
    tokens = [m.span() for m in WORD.finditer(paragraph.original)]
    token_ends = [end for _, end in tokens]
    heard: list[tuple[WordTime, int]] = []  # each spoken word, with its chunk's index
    positions: list[int] = []
    for p in placed:
        words = chunk_words(p)
        heard += [(word, p.chunk.index) for word in words]
        positions += spoken_positions(paragraph, p, words)
    offsets = original_offsets(paragraph.spoken, paragraph.original, positions)
    timed: dict[int, tuple[int, int, int]] = {}  # token -> (start_ms, end_ms, chunk index)
    for (word, chunk_index), offset in zip(heard, offsets, strict=True):
        token = min(bisect.bisect_right(token_ends, offset), len(tokens) - 1)
        start, end, chunk = timed.get(token, (word.start_ms, word.end_ms, chunk_index))
        timed[token] = (min(start, word.start_ms), max(end, word.end_ms), chunk)
    if not timed or not tokens:
        return []
    return fill_untimed(paragraph, tokens, timed)


def fill_untimed(paragraph: Paragraph, tokens: Sequence[tuple[int, int]],
                 timed: dict[int, tuple[int, int, int]]) -> list[Word]:
    """Words for every token: an untimed one shares the time of the timed word before it
    (or, opening the paragraph, after it), split by letters."""
    owners = sorted(timed)
    groups: list[list[int]] = [[owner] for owner in owners]
    for index in range(len(tokens)):
        if index not in timed:
            groups[max(0, bisect.bisect_right(owners, index) - 1)].append(index)
    result = []
    for owner, group in zip(owners, groups, strict=True):
        start_ms, end_ms, chunk = timed[owner]
        spans = [tokens[i] for i in sorted(group)]
        for (a, b), t in zip(spans, spread(spans, paragraph.original, start_ms, end_ms), strict=True):
            result.append(Word(paragraph.original[a:b], paragraph.index, chunk, a, b,
                               t.start_ms, t.end_ms))
    return result


def paragraph_words(paragraphs: Sequence[Paragraph], timeline: Sequence[Placed],
                    duration_ms: int) -> dict[int, list[Word]]:
    """Each spoken paragraph's written words in order, by its index, never past the audio's end:
    computed once per render for every side output."""
    by_paragraph: dict[int, list[Placed]] = {}
    for placed in timeline:
        by_paragraph.setdefault(placed.chunk.paragraph, []).append(placed)
    found = {p.index: [replace(w, start_ms=min(w.start_ms, duration_ms),
                               end_ms=min(w.end_ms, duration_ms))
                       for w in written_words(p, by_paragraph.get(p.index, []))]
             for p in paragraphs}
    return {index: words for index, words in found.items() if words}


def article_words(paragraphs: Sequence[Paragraph], timeline: Sequence[Placed],
                  duration_ms: int) -> list[Word]:
    """Every written word of every spoken paragraph, in order, never past the audio's end."""
    grouped = paragraph_words(paragraphs, timeline, duration_ms)
    return [word for p in paragraphs for word in grouped.get(p.index, [])]
