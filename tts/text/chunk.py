"""Split each paragraph's spoken text into chunks no longer than an engine accepts."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tts import chars
from tts.chars import strip_marks
from tts.errors import ConfigError
from tts.text.langs import PHONEMES, TOKEN, Run, has_speech, runs
from tts.types import Break, Chunk, Paragraph

# Marks that end a sentence when a space follows (tts.chars). gTTS's own splitter
# ignores "؟", which is why we split before handing text over.
SENTENCE_MARKS = frozenset(chars.SENTENCE_MARKS)
# Marks that end a clause when a space follows: the clause punctuation, and dashes
# used as a pause ("برس- اوروبا").
CLAUSE_MARKS = frozenset(chars.CLAUSE_PUNCTUATION + chars.DASHES)
# Quotes and brackets: a space before an opener or after a closer is a clause
# break, and closers right after a sentence mark belong to that sentence. A lone '
# is no closer here: before a space it is an apostrophe (the students' books).
OPENERS = frozenset(chars.OPENERS)
CLOSERS = chars.CLOSERS
# Openers that never close: a word of only these leans on the word after it ("« قال").
LEADING = OPENERS - frozenset(CLOSERS)

# Reporting verbs open a new clause in news prose when joined to و or ف
# ("وقال", "فأكدت"): the place a reader takes a breath. Listed bare (no
# diacritics); feminine and plural forms are generated below.
REPORTING_VERBS = (
    "قال", "أضاف", "أكد", "أوضح", "أشار", "تابع", "ذكر", "أعلن", "أفاد", "كشف",
    "لفت", "شدد", "اعتبر", "بين", "نقل", "أردف", "صرح", "زعم", "طالب", "دعا",
)
REPORTING_PREFIXES = ("و", "ف")
REPORTING_SUFFIXES = ("", "ت", "وا")
# Words that start a new clause: a cut just before them sounds natural.
CLAUSE_CONNECTORS = (
    "لكن", "ولكن", "بينما", "وبينما", "حيث", "وحيث", "كما", "وكما", "الذي", "التي",
    "الذين", "اللذان", "اللتان", "اللواتي", "اللاتي", "والذي", "والتي", "والذين",
    "وذلك", "ثم", "أو", "إذ", "إذا", "وإذا", "عندما", "وعندما", "بعدما", "فيما",
    "وفيما", "لأن", "إلا", "أما", "وأما", "فإن", "وإن", "أن", "إن", "بأن", "وأن",
    "but", "which", "because", "while", "although", "whereas", "and", "or",
)
CONNECTORS = frozenset(
    (*CLAUSE_CONNECTORS,
     *(p + v + s for p in REPORTING_PREFIXES for v in REPORTING_VERBS for s in REPORTING_SUFFIXES))
)
# Words that lean on the next one (prepositions, particles, demonstratives,
# name parts like عبد): a chunk ending on one breaks a phrase in two, so the
# cut moves one word earlier when it can.
FUNCTION_WORDS = frozenset({
    "في", "من", "إلى", "الى", "على", "عن", "مع", "ب", "ل", "ك", "و", "ف", "حتى", "منذ",
    "لدى", "عند", "بين", "بعد", "قبل", "ضد", "حول", "نحو", "خلال", "عبر", "دون", "تحت",
    "فوق", "أمام", "وراء", "مثل", "غير", "كل", "بعض", "جميع", "وفي", "ومن", "وإلى",
    "وعلى", "وعن", "ومع", "وبين", "وبعد", "وقبل", "وعند", "أن", "إن", "لأن", "بأن",
    "كأن", "لا", "لم", "لن", "قد", "وقد", "ما", "لما", "سوف", "ثم", "أو", "أم", "بل",
    "يا", "هذا", "هذه", "ذلك", "تلك", "هؤلاء", "الذي", "التي", "الذين", "عبد", "أبو",
    "ابن", "بن", "of", "to", "in", "on", "at", "by", "for", "with", "from", "the",
    "a", "an", "and", "or", "as", "into", "than",
})
WORD = TOKEN  # a word, or a lexicon's phonemes whole: espeak reads a cut [[...]] as letters
PHONEME_WORD = "w"  # what a lexicon's [[phonemes]] stand as when a gap is weighed
# The longest chunk any engine is given, whatever it accepts: a clip's audio is held
# whole, and the pipeline makes a few clips ahead (about 3 minutes of speech, 8 MB, each
# at espeak's pace), so a paragraph of 200,000 letters cannot become one clip of hours.
# News paragraphs are far shorter (the seed article's longest is 288), so they stay whole.
MAX_CLIP_CHARS = 2000
# Punctuation at a word's edges, stripped (with the Arabic marks) when a word is looked up
# in the tables.
EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")


# Boundary strengths, strongest first; connector and plain-space cuts are both
# forced by the length limit, so neither adds a pause (Break.WORD).
SENTENCE_LEVEL, CLAUSE_LEVEL, CONNECTOR_LEVEL, SPACE_LEVEL = range(4)
BREAK_OF_LEVEL = {SENTENCE_LEVEL: Break.SENTENCE, CLAUSE_LEVEL: Break.CLAUSE,
                  CONNECTOR_LEVEL: Break.WORD, SPACE_LEVEL: Break.WORD}
# The breaks, longest pause first.
BREAK_STRENGTH = (Break.PARAGRAPH, Break.SENTENCE, Break.CLAUSE, Break.WORD)


@dataclass(frozen=True)
class Gap:
    """The whitespace between two words, a place where a chunk may end."""

    start: int
    end: int
    level: int
    after_function_word: bool
    glued: bool = False
    """Inside a word with nothing to say (``.``, ``-``, ``«``) and the word it leans on: a
    cut here would leave it a chunk of its own (a click, and a pause), or a request that
    an engine refuses or reads as a symbol's name."""


def chunk_article(paragraphs: Sequence[Paragraph], max_chars: int | None, lang: str = "ar",
                  inline_languages: bool = True) -> list[Chunk]:
    """Chunks of every speakable paragraph, in order; unspeakable ones give none.

    No chunk is longer than ``max_chars`` (``None``: a whole paragraph) nor than
    MAX_CLIP_CHARS, and each has a letter or a digit to say. A paragraph in another
    language than ``lang`` gets chunks in that language; an engine that does not switch
    voice inside one call (``inline_languages`` False) also gets each run of another
    language as chunks of their own.
    """
    limit = MAX_CLIP_CHARS if max_chars is None else min(max_chars, MAX_CLIP_CHARS)
    return [chunk for p in paragraphs if p.speakable
            for chunk in chunk_runs(p.spoken, limit, p.index,
                                   language_runs(p.spoken, lang, not inline_languages))]


def language_runs(spoken: str, lang: str, split: bool) -> list[Run]:
    """The runs to chunk apart: every language run, or the paragraph whole when not ``split``."""
    found = runs(spoken, lang)
    return found if split or len(found) == 1 else [Run(0, len(spoken))]


def chunk_runs(spoken: str, max_chars: int | None, paragraph: int, parts: Sequence[Run]) -> list[Chunk]:
    """Each run chunked on its own, offsets into ``spoken``; no pause between runs of one sentence.

    The chunk that ends a run keeps the break of the gap after it (a sentence or
    clause mark there still pauses); otherwise the voices change without a pause.
    """
    chunks: list[Chunk] = []
    for number, run in enumerate(parts):
        for piece in chunk_text(spoken[run.start:run.end], max_chars, paragraph):
            chunks.append(Chunk(paragraph, len(chunks), piece.text, piece.start + run.start,
                                piece.end + run.start, piece.brk, run.lang))
        if number < len(parts) - 1 and chunks and chunks[-1].brk is Break.PARAGRAPH:
            chunks[-1] = replace(chunks[-1], brk=break_between(spoken, chunks[-1].end))
    return chunks


def break_between(spoken: str, end: int) -> Break:
    """The break after the word that ends at ``end``, judged with the next word."""
    before = spoken[:end].split()[-1]
    following = spoken[end:].split()
    if not following:
        return Break.PARAGRAPH
    level = classify_gap(before, following[0])
    return BREAK_OF_LEVEL[level]


def chunk_text(spoken: str, max_chars: int | None, paragraph: int = 0) -> list[Chunk]:
    """``spoken`` cut at the strongest boundaries that keep each chunk within ``max_chars``.

    ``None`` means no limit. The only cut inside a word is for a word longer than
    ``max_chars`` on its own (a URL, say): it is hard-cut every ``max_chars`` characters.
    No chunk is punctuation or symbols alone (see attach_silent): a text without a letter
    or a digit gives none.
    """
    check_limit(max_chars)
    words = [match.span() for match in WORD.finditer(spoken)]
    if not words:
        return []
    first, last = words[0][0], words[-1][1]
    if max_chars is None:
        spans = [(first, last, Break.PARAGRAPH)]
    else:
        spans = cut_spans(first, last, find_gaps(spoken, words), max_chars)
    spans = attach_silent(spoken, spans, max_chars or len(spoken))
    return [Chunk(paragraph, i, spoken[start:end], start, end, brk) for i, (start, end, brk) in enumerate(spans)]


def check_limit(max_chars: int | None) -> None:
    """Refuse a limit no chunk can meet."""
    if max_chars is not None and max_chars < 1:
        raise ConfigError(f"max_chars must be at least 1, got {max_chars}: give a positive chunk length")


def find_gaps(spoken: str, words: Sequence[tuple[int, int]]) -> list[Gap]:
    """The gap between each pair of neighbouring words, with its boundary strength."""
    gaps = []
    groups = word_groups([spoken[start:end] for start, end in words])
    for i, ((start, end), (next_start, next_end)) in enumerate(itertools.pairwise(words)):
        before, after = spoken[start:end], spoken[next_start:next_end]
        gaps.append(Gap(end, next_start, classify_gap(before, after), bare_word(before) in FUNCTION_WORDS,
                        groups[i] == groups[i + 1]))
    return gaps


def word_groups(words: Sequence[str]) -> list[int]:
    """The group of each word: a word with nothing to say joins a speaking one.

    Punctuation and closers lean on the word before them (``BBC .``), openers and what
    starts the text on the word after (``« قال``); what is left silent at the end joins
    the group before it.
    """
    groups: list[int] = []
    speaks: list[bool] = []  # whether each group has a word to say yet
    for word in words:
        spoken = has_speech(word)
        opener = set(word) <= LEADING
        if groups and (not speaks[-1] or not (spoken or opener)):
            speaks[-1] = speaks[-1] or spoken
        else:
            speaks.append(spoken)
        groups.append(len(speaks) - 1)
    if len(speaks) > 1 and not speaks[-1]:
        groups = [min(group, len(speaks) - 2) for group in groups]
    return groups


def attach_silent(spoken: str, spans: Sequence[tuple[int, int, Break]],
                  max_chars: int) -> list[tuple[int, int, Break]]:
    """The spans with every one that has nothing to say (``.``, ``« )``) joined to a
    neighbour within ``max_chars``, or else dropped: no engine is sent punctuation alone.

    A dropped span gives its pause to the chunk before it when that pause is stronger.
    """
    kept: list[tuple[int, int, Break]] = []
    waiting: tuple[int, Break] | None = None  # a silent span's start, to join the next one
    for start, end, brk in spans:
        if has_speech(spoken[start:end]):
            if waiting is not None and end - waiting[0] <= max_chars:
                start = waiting[0]
            elif waiting is not None and kept:
                kept[-1] = (*kept[-1][:2], stronger(kept[-1][2], waiting[1]))
            kept.append((start, end, brk))
            waiting = None
        elif kept and waiting is None and end - kept[-1][0] <= max_chars:
            kept[-1] = (kept[-1][0], end, brk)
        else:
            waiting = (start, brk) if waiting is None else (waiting[0], stronger(waiting[1], brk))
    if waiting is not None and kept:
        kept[-1] = (*kept[-1][:2], stronger(kept[-1][2], waiting[1]))
    return kept


def stronger(one: Break, other: Break) -> Break:
    """The longer of two pauses."""
    return min(one, other, key=BREAK_STRENGTH.index)


def classify_gap(before: str, after: str) -> int:
    """How strong a boundary the space between ``before`` and ``after`` is. A lexicon's
    ``[[phonemes]]`` count as a word: their brackets are not the text's."""
    before, after = PHONEMES.sub(PHONEME_WORD, before), PHONEMES.sub(PHONEME_WORD, after)
    core = before.rstrip(CLOSERS)
    if core and core[-1] in SENTENCE_MARKS:
        return SENTENCE_LEVEL
    if core != before or (core and core[-1] in CLAUSE_MARKS) or after[0] in OPENERS:
        return CLAUSE_LEVEL
    if bare_word(after) in CONNECTORS:
        return CONNECTOR_LEVEL
    return SPACE_LEVEL


def bare_word(word: str) -> str:
    """``word`` as looked up in the tables: no diacritics, no edge punctuation, lower case."""
    return EDGE_PUNCTUATION.sub("", strip_marks(word)).lower()


def cut_spans(first: int, last: int, gaps: Sequence[Gap], max_chars: int) -> list[tuple[int, int, Break]]:
    """(start, end, break) of each chunk of the text between ``first`` and ``last``.

    Greedy: each chunk ends at the strongest boundary within reach, the furthest
    one of that strength, so small pieces are packed together up to the limit.
    """
    spans = []
    pos, g = first, 0
    while last - pos > max_chars:
        while g < len(gaps) and gaps[g].start <= pos:
            g += 1
        reach = g
        while reach < len(gaps) and gaps[reach].start - pos <= max_chars:
            reach += 1
        gap = choose_gap(gaps[g:reach])
        if gap is None:  # the word at pos alone is longer than the limit
            spans.append((pos, pos + max_chars, Break.WORD))
            pos += max_chars
        else:
            spans.append((pos, gap.start, BREAK_OF_LEVEL[gap.level]))
            pos = gap.end
    spans.append((pos, last, Break.PARAGRAPH))
    return spans


def choose_gap(candidates: Sequence[Gap]) -> Gap | None:
    """The furthest of the strongest gaps, avoiding a chunk ending on a function word
    and one that parts punctuation from its word."""
    if not candidates:
        return None
    candidates = [gap for gap in candidates if not gap.glued] or candidates
    fine = [gap for gap in candidates if gap.level <= CLAUSE_LEVEL or not gap.after_function_word]
    pool = fine or candidates
    strongest = min(gap.level for gap in pool)
    return [gap for gap in pool if gap.level == strongest][-1]


def sentence_chunks(chunks: Sequence[Chunk]) -> list[Chunk]:
    """``chunks`` cut further at each sentence end (``.`` ``!`` ``?`` ``؟`` and the like).

    For a speech server: each sentence is a clip of its own, so the first is heard as
    soon as it is made, and a sentence met again in any request is found in the cache.
    A cut never leaves a piece with nothing to speak; pieces keep their offsets.
    """
    result: list[Chunk] = []
    for chunk in chunks:
        words = [match.span() for match in WORD.finditer(chunk.text)]
        ends = [gap for gap in find_gaps(chunk.text, words)
                if gap.level == SENTENCE_LEVEL and not gap.glued]
        begin = 0
        for gap in ends:
            result.append(replace(chunk, text=chunk.text[begin:gap.start], start=chunk.start + begin,
                                  end=chunk.start + gap.start, brk=Break.SENTENCE))
            begin = gap.end
        result.append(replace(chunk, text=chunk.text[begin:], start=chunk.start + begin))
    return renumbered(result)


def renumbered(chunks: Sequence[Chunk]) -> list[Chunk]:
    """``chunks`` with each one's index counted again within its paragraph."""
    counts: dict[int, int] = {}
    result = []
    for chunk in chunks:
        result.append(replace(chunk, index=counts.get(chunk.paragraph, 0)))
        counts[chunk.paragraph] = result[-1].index + 1
    return result
