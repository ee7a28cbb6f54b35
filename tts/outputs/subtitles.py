"""Subtitles (SRT, VTT, LRC) cut for reading and timed by their words, as the article is written."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from tts.audio.export import check_writable
from tts.errors import ConfigError
from tts.outputs.base import SideInput, SideOutput
from tts.text.chunk import (
    CLAUSE_LEVEL,
    CONNECTOR_LEVEL,
    FUNCTION_WORDS,
    SENTENCE_LEVEL,
    SPACE_LEVEL,
    bare_word,
    classify_gap,
)
from tts.types import Paragraph, Tags, Word
from tts.util.timefmt import SRT_SEPARATOR, hms_millis, lrc_clock

# Reading limits of broadcast subtitles (Netflix, BBC): two lines of 42 characters
# that stay up long enough to read and not so long they outstay the speech.
MAX_LINE_CHARS = 42
MAX_LINES = 2
MAX_CUE_MS = 7000
MIN_CUE_MS = 1000
# What a cut costs where it falls: between sentences a cue ends naturally, inside
# a clause it breaks a phrase.
CUT_COST = {SENTENCE_LEVEL: 0.0, CLAUSE_LEVEL: 20.0, CONNECTOR_LEVEL: 35.0, SPACE_LEVEL: 60.0}
# Inside a clause, where in the phrase: after a preposition or particle the cut leaves
# it hanging; before a word with the article (ال) it mostly parts a noun from its
# adjective or complement (مجلس | الأمن, العاصمة | الليبية); before a preposition it
# starts a phrase, the most natural place left.
LEANING_COST = 40.0
DEFINITE_COST = 25.0
BEFORE_FUNCTION_WORD_COST = -15.0
# Each cue costs a little (fewer, fuller cues), a full one more than two half ones
# (cues of even length), and one under MIN_CUE_MS a lot (it flashes by unread).
CUE_COST = 15.0
FILL_COST = 30.0
SHORT_COST = 500.0
# A line break is chosen the same way, against how uneven the two lines are (in characters).
LINE_CUT_COST = {SENTENCE_LEVEL: -12.0, CLAUSE_LEVEL: -8.0, CONNECTOR_LEVEL: -4.0, SPACE_LEVEL: 0.0}
LINE_PHRASE_SCALE = 0.3
# Unicode's embedding controls: players draw subtitles with a left-to-right base
# direction (mpv, libass in VSFilter mode), which puts an Arabic line's full stop on
# its right; a line embedded as right-to-left keeps it at the end, on the left.
RLE, PDF = "\u202b", "\u202c"
RTL_CLASSES = frozenset({"R", "AL"})
ARTICLE = "ال"


@dataclass(frozen=True)
class Cue:
    """One subtitle: one or two lines of written words, shown from the first word's start
    to the last word's end."""

    start_ms: int
    end_ms: int
    lines: tuple[tuple[Word, ...], ...]

    @property
    def text(self) -> str:
        """The cue's lines as written, joined by a line feed."""
        return "\n".join(" ".join(w.text for w in line) for line in self.lines)

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for line in self.lines for w in line)


def check_path(path: Path) -> str:
    """The subtitle format's extension, or a ConfigError that lists the supported ones."""
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        shown = suffix or "no extension"
        raise ConfigError(f"cannot write {shown} subtitles ({path.name}); "
                          f"use one of: {', '.join(WRITERS)}")
    return suffix


def display_length(text: str) -> int:
    """Characters a reader sees: combining marks (short vowels) take no room of their own."""
    return sum(not unicodedata.combining(ch) for ch in text)


def line_length(words: Sequence[Word]) -> int:
    return display_length(" ".join(w.text for w in words))


def line_break_cost(words: Sequence[Word], cut: int) -> float | None:
    """How bad a break before ``words[cut]`` is (uneven lines, a broken phrase); None: too long."""
    top, bottom = line_length(words[:cut]), line_length(words[cut:])
    if top > MAX_LINE_CHARS or bottom > MAX_LINE_CHARS:
        return None
    level, phrase = phrase_cost(words[cut - 1].text, words[cut].text)
    return abs(top - bottom) + LINE_CUT_COST[level] + LINE_PHRASE_SCALE * phrase


def break_lines(words: Sequence[Word]) -> tuple[tuple[Word, ...], ...] | None:
    """One line when the words fit, else the best two lines; None when they cannot fit."""
    if line_length(words) <= MAX_LINE_CHARS or len(words) == 1:
        return (tuple(words),)
    costs = [(cost, cut) for cut in range(1, len(words))
             if (cost := line_break_cost(words, cut)) is not None]
    if not costs:
        return None
    cut = min(costs)[1]
    return tuple(words[:cut]), tuple(words[cut:])


def cue_cost(words: Sequence[Word], whole: bool, cut_cost: float) -> float:
    """What a cue of ``words`` costs: its cut, its fill, and whether it is too brief."""
    fill = line_length(words) / (MAX_LINE_CHARS * MAX_LINES)
    short = words[-1].end_ms - words[0].start_ms < MIN_CUE_MS and not whole
    return CUE_COST + FILL_COST * fill * fill + cut_cost + (SHORT_COST if short else 0.0)


def phrase_cost(before: str, after: str) -> tuple[int, float]:
    """The boundary level between two words, and what a cut there costs inside a clause."""
    level = classify_gap(before, after)
    if level <= CLAUSE_LEVEL:
        return level, 0.0
    cost = LEANING_COST if bare_word(before) in FUNCTION_WORDS else 0.0
    following = bare_word(after)
    if following in FUNCTION_WORDS:
        cost += BEFORE_FUNCTION_WORD_COST
    elif following.startswith(ARTICLE):
        cost += DEFINITE_COST
    return level, cost


def cut_costs(words: Sequence[Word]) -> list[float]:
    """The cost of ending a cue after each word but the last."""
    costs = []
    for before, after in pairwise(words):
        level, phrase = phrase_cost(before.text, after.text)
        costs.append(CUT_COST[level] + phrase)
    return costs


def fits(words: Sequence[Word]) -> bool:
    """Within the reading limits: two lines of MAX_LINE_CHARS, MAX_CUE_MS on screen."""
    return (words[-1].end_ms - words[0].start_ms <= MAX_CUE_MS
            and break_lines(words) is not None)


def segment(words: Sequence[Word]) -> list[tuple[int, int]]:
    """(first, end) word indexes of the cheapest cues within the limits (dynamic programming).

    A single word is always allowed, so a paragraph can always be cut.
    """
    n, costs = len(words), cut_costs(words)
    best, back = [0.0] + [math.inf] * n, [0] * (n + 1)
    for end in range(1, n + 1):
        cut = costs[end - 1] if end < n else 0.0
        for first in range(end - 1, -1, -1):
            piece = words[first:end]
            if len(piece) > 1 and not fits(piece):
                break  # longer pieces only grow
            cost = best[first] + cue_cost(piece, first == 0 and end == n, cut)
            if cost < best[end]:
                best[end], back[end] = cost, first
    spans, end = [], n
    while end > 0:
        spans.append((back[end], end))
        end = back[end]
    return spans[::-1]


def make_cues(paragraphs: Sequence[Paragraph], words: Mapping[int, Sequence[Word]],
              duration_ms: int) -> list[Cue]:
    """The subtitles of a render: each paragraph's words (by its index) cut into readable cues.

    A cue never spans a paragraph break, and never ends after the audio.
    """
    cues = []
    for paragraph in paragraphs:
        own = words.get(paragraph.index, [])
        for first, end in segment(own) if own else []:
            piece = own[first:end]
            lines = break_lines(piece) or (tuple(piece),)
            cues.append(Cue(min(piece[0].start_ms, duration_ms),
                            min(piece[-1].end_ms, duration_ms), lines))
    return cues


def is_rtl(text: str) -> bool:
    """True when most strongly directed letters of ``text`` are right-to-left (Arabic, Hebrew)."""
    classes = [unicodedata.bidirectional(ch) for ch in text]
    rtl = sum(c in RTL_CLASSES for c in classes)
    return rtl > sum(c == "L" for c in classes)


def directed(line: str, rtl: bool) -> str:
    """``line`` embedded as right-to-left when the cue is, so players order it right."""
    return f"{RLE}{line}{PDF}" if rtl else line


def cue_safe(text: str) -> str:
    """Cue text that cannot pass for a timing line: ``-->`` would end the cue."""
    return text.replace("-->", "->")


def vtt_safe(text: str) -> str:
    """WebVTT cue text is markup: ``&`` and ``<`` start entities and tags, so escape them."""
    return cue_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def srt_text(cue: Cue) -> str:
    rtl = is_rtl(cue.text)
    return "\n".join(directed(cue_safe(" ".join(w.text for w in line)), rtl) for line in cue.lines)


def vtt_text(cue: Cue, word_timing: bool) -> str:
    """The cue's lines; with ``word_timing`` a ``<hh:mm:ss.mmm>`` before each later word.

    WebVTT wants each timestamp after the cue's start and the one before, and
    before its end: a word that does not qualify shares the previous one's.
    """
    rtl, last = is_rtl(cue.text), cue.start_ms
    lines = []
    for line in cue.lines:
        parts = []
        for word in line:
            if word_timing and last < word.start_ms < cue.end_ms:
                parts.append(f"<{hms_millis(word.start_ms)}>{vtt_safe(word.text)}")
                last = word.start_ms
            else:
                parts.append(vtt_safe(word.text))
        lines.append(directed(" ".join(parts), rtl))
    return "\n".join(lines)


def format_srt(cues: Sequence[Cue], tags: Tags, word_timing: bool = False) -> str:
    """SubRip: numbered blocks (it has no word timing)."""
    return "".join(f"{i}\n{hms_millis(c.start_ms, SRT_SEPARATOR)} --> {hms_millis(c.end_ms, SRT_SEPARATOR)}\n"
                   f"{srt_text(c)}\n\n" for i, c in enumerate(cues, 1))


def format_vtt(cues: Sequence[Cue], tags: Tags, word_timing: bool = False) -> str:
    """WebVTT, as HTML5 players and browsers read it."""
    blocks = [f"{hms_millis(c.start_ms)} --> {hms_millis(c.end_ms)}\n{vtt_text(c, word_timing)}\n"
              for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


def lrc_line(line: Sequence[Word], rtl: bool, word_timing: bool) -> str:
    """One LRC line timed at its first word; enhanced LRC puts ``<mm:ss.xx>`` before every word."""
    if word_timing:
        text = " ".join(f"<{lrc_clock(w.start_ms)}>{w.text}" for w in line)
    else:
        text = " ".join(w.text for w in line)
    return f"[{lrc_clock(line[0].start_ms)}]{directed(text, rtl)}"


def format_lrc(cues: Sequence[Cue], tags: Tags, word_timing: bool = False) -> str:
    """LRC, as music players show lyrics: a line per subtitle line, an empty one at each pause."""
    header = {"ti": tags.title, "ar": tags.artist, "al": tags.album, "re": tags.encoder}
    lines = [f"[{key}:{value}]" for key, value in header.items() if value]
    for cue, following in zip(cues, [*cues[1:], None], strict=True):
        rtl = is_rtl(cue.text)
        lines += [lrc_line(line, rtl, word_timing) for line in cue.lines]
        if following is None or cue.end_ms // 10 < following.start_ms // 10:
            lines.append(f"[{lrc_clock(cue.end_ms)}]")
    return "\n".join(lines) + "\n"


WRITERS: dict[str, Callable[[Sequence[Cue], Tags, bool], str]] = {
    ".srt": format_srt,
    ".vtt": format_vtt,
    ".lrc": format_lrc,
}


def format_subtitles(path: Path, cues: Sequence[Cue], tags: Tags, word_timing: bool = False) -> str:
    """The text of the subtitle file ``path`` names, in the format of its extension."""
    return WRITERS[check_path(path)](cues, tags, word_timing)


def write_file(path: Path, made: SideInput) -> str:
    """The subtitle file of a finished render."""
    cues = make_cues(made.plan.paragraphs, made.words, made.duration_ms)
    return format_subtitles(path, cues, made.tags, made.config.word_timing)


def check_file(path: Path, output: Path, option: str) -> None:
    check_path(path)
    check_writable(path, option)


def batch_suffix(path: Path, option: str) -> str:
    """In a batch, the format each article's subtitles get: ``x.srt``, or a bare ``srt``."""
    suffix = (path.suffix or f".{path.name.lstrip('.')}").lower()
    if suffix not in WRITERS:
        raise ConfigError(f"{option} takes srt, vtt or lrc with several inputs (each article "
                          f"gets its own file), not {suffix}")
    return suffix


SUBTITLES = SideOutput("subtitles", "FILE", "Also write subtitles: .srt, .vtt or .lrc, by the "
                       "extension.", write_file, check_file, batch_suffix)
