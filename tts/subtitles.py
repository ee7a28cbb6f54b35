"""Subtitles (SRT, VTT, LRC) from the render's timeline, in the article's original words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from tts.errors import ConfigError
from tts.metadata import clock
from tts.types import Paragraph, Placed, Tags

# A cue shorter than this, or with fewer words, flashes by unread: it joins a neighbour.
MIN_CUE_MS = 1000
MIN_CUE_WORDS = 3


@dataclass(frozen=True)
class Cue:
    """One subtitle: original text shown from ``start_ms`` to ``end_ms``."""

    start_ms: int
    end_ms: int
    text: str


def check_path(path: Path) -> str:
    """The subtitle format's extension, or a ConfigError that lists the supported ones."""
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        shown = suffix or "no extension"
        raise ConfigError(f"cannot write {shown} subtitles ({path.name}); "
                          f"use one of: {', '.join(WRITERS)}")
    return suffix


def original_offsets(spoken: str, original: str, positions: Sequence[int]) -> list[int]:
    """Each offset into ``spoken`` as the matching offset into ``original``.

    The spoken form differs from the original by small local edits (digits,
    Persian letters, slashes, invisible characters), so an alignment of the two
    strings maps each position; one that lands inside a word of the original
    (``نيسان/أبريل`` is one word there, two when spoken) moves to that word's
    start, so no written word is split between two cues. The result never decreases.
    """
    opcodes = SequenceMatcher(None, spoken, original, autojunk=False).get_opcodes()
    mapped, floor = [], 0
    for pos in positions:
        offset = len(original)
        for tag, i1, i2, j1, _ in opcodes:
            if i1 <= pos < i2:
                offset = j1 + (pos - i1) if tag == "equal" else j1
                break
        while 0 < offset < len(original) and not original[offset - 1].isspace() \
                and not original[offset].isspace():
            offset -= 1
        floor = max(floor, offset)
        mapped.append(floor)
    return mapped


def paragraph_cues(paragraph: Paragraph, placed: Sequence[Placed]) -> list[Cue]:
    """One cue per chunk of ``paragraph``, cut from its original text where the chunks are."""
    starts = original_offsets(paragraph.spoken, paragraph.original, [p.chunk.start for p in placed[1:]])
    bounds = [0, *starts, len(paragraph.original)]
    return [Cue(p.start_ms, p.end_ms, paragraph.original[a:b].strip())
            for p, a, b in zip(placed, bounds[:-1], bounds[1:], strict=True)]


def merge_short(cues: Sequence[Cue]) -> list[Cue]:
    """Cues with each too-short one joined to the cue before it (or, first, the one after)."""
    merged: list[Cue] = []
    for cue in cues:
        if merged and (is_short(cue) or is_short(merged[-1])):
            last = merged[-1]
            merged[-1] = Cue(last.start_ms, cue.end_ms, f"{last.text} {cue.text}".strip())
        else:
            merged.append(cue)
    return merged


def is_short(cue: Cue) -> bool:
    """Too brief or too few words to read as a subtitle of its own."""
    return cue.end_ms - cue.start_ms < MIN_CUE_MS or len(cue.text.split()) < MIN_CUE_WORDS


def make_cues(paragraphs: Sequence[Paragraph], timeline: Sequence[Placed],
              duration_ms: int) -> list[Cue]:
    """The subtitles of a render: per paragraph, its chunks' cues, short ones merged.

    Short cues merge only within their paragraph, so a cue never spans a paragraph break.
    """
    by_paragraph: dict[int, list[Placed]] = {}
    for placed in timeline:
        by_paragraph.setdefault(placed.chunk.paragraph, []).append(placed)
    cues = []
    for index, placed_chunks in by_paragraph.items():
        cues += merge_short(paragraph_cues(paragraphs[index], placed_chunks))
    return [Cue(min(c.start_ms, duration_ms), min(c.end_ms, duration_ms), c.text) for c in cues]


def lrc_time(ms: int) -> str:
    """``mm:ss.xx``: LRC counts minutes past 59 and hundredths of a second."""
    minutes, rest = divmod(ms // 10, 6000)
    return f"{minutes:02d}:{rest // 100:02d}.{rest % 100:02d}"


def cue_safe(text: str) -> str:
    """Cue text that cannot pass for a timing line: ``-->`` would end the cue."""
    return text.replace("-->", "->")


def vtt_safe(text: str) -> str:
    """WebVTT cue text is markup: ``&`` and ``<`` start entities and tags, so escape them."""
    return cue_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def format_srt(cues: Sequence[Cue], tags: Tags) -> str:
    """SubRip: numbered blocks."""
    return "".join(f"{i}\n{clock(c.start_ms, ',')} --> {clock(c.end_ms, ',')}\n"
                   f"{cue_safe(c.text)}\n\n" for i, c in enumerate(cues, 1))


def format_vtt(cues: Sequence[Cue], tags: Tags) -> str:
    """WebVTT, as HTML5 players and browsers read it."""
    blocks = [f"{clock(c.start_ms)} --> {clock(c.end_ms)}\n{vtt_safe(c.text)}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


def format_lrc(cues: Sequence[Cue], tags: Tags) -> str:
    """LRC, as music players show lyrics: a line per cue, an empty line where a pause starts."""
    header = {"ti": tags.title, "ar": tags.artist, "al": tags.album, "re": tags.encoder}
    lines = [f"[{key}:{value}]" for key, value in header.items() if value]
    for cue, following in zip(cues, [*cues[1:], None], strict=True):
        lines.append(f"[{lrc_time(cue.start_ms)}]{cue.text}")
        if following is None or cue.end_ms // 10 < following.start_ms // 10:
            lines.append(f"[{lrc_time(cue.end_ms)}]")
    return "\n".join(lines) + "\n"


WRITERS: dict[str, Callable[[Sequence[Cue], Tags], str]] = {
    ".srt": format_srt,
    ".vtt": format_vtt,
    ".lrc": format_lrc,
}


def format_subtitles(path: Path, cues: Sequence[Cue], tags: Tags) -> str:
    """The text of the subtitle file ``path`` names, in the format of its extension."""
    return WRITERS[check_path(path)](cues, tags)
