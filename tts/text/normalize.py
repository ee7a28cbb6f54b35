"""Neutral clean-up for every language: an ordered tuple of small pure ``str -> str`` steps."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from tts.chars import (
    ALEF_MAKSURA,
    ARABIC_COMMA,
    ARABIC_YEH,
    MARKS_AND_TATWEEL,
    PERSIAN_YEH,
    TATWEEL,
    is_arabic,
)
from tts.text.langs import LATIN_LETTER, map_runs, spell_acronyms
from tts.text.numbers import FRACTIONS, UNITS
from tts.text.rules import respell

# One-character fractions: NFKC spells them with a fraction slash glued to the number
# before (2½ -> 21⁄2), so those the rules read are left for them.
VULGAR_FRACTIONS = frozenset(FRACTIONS)
FRACTION_SPLIT = re.compile(f"([{''.join(sorted(VULGAR_FRACTIONS))}])")

# Letters that Persian, Urdu and Kurdish keyboards type instead of their Arabic
# twins; an Arabic voice may skip or spell them. ی (U+06CC) needs the word
# around it and is handled by replace_persian_yeh.
PERSIAN_LETTERS = str.maketrans({
    "\u06a9": "\u0643",  # ک keheh -> ك
    "\u06aa": "\u0643",  # ڪ swash kaf -> ك
    "\u06d5": "\u0647",  # ە ae -> ه
    "\u06c1": "\u0647",  # ہ heh goal -> ه
    "\u06be": "\u0647",  # ھ heh doachashmee -> ه
    "\u06c0": "\u0629",  # ۀ heh with yeh above -> ة
    "\u06c3": "\u0629",  # ۃ teh marbuta goal -> ة
    "\u06d0": "\u064a",  # ې e -> ي
    "\u06cd": "\u064a",  # ۍ yeh with tail -> ي
    "\u06d2": "\u064a",  # ے yeh barree -> ي
})
# Persian writes both Arabic word endings ي and ى as ی, so the rule is:
# word-final ی becomes ى, because voices read a final ى as ي (the common
# Egyptian spelling فى = في) while a wrong final ي changes the word (على would
# be read as the name علي). These frequent words do end in ي and get it back.
# Every other ی becomes ي.
FINAL_YEH_WORDS = frozenset({
    "في", "وفي", "ففي", "الذي", "والذي", "التي", "والتي", "أي", "وأي",
    "كي", "لكي", "لي", "بي", "هي", "وهي", "فهي", "ذي",
})
# A run of letters and Arabic marks: the unit in which ی is "word-final".
LETTER_RUN = re.compile(rf"(?:[^\W\d_]|[{MARKS_AND_TATWEEL}])+")

# Invisible characters that add nothing a listener hears but can make an engine
# stumble or spell a code point: tatweel (a stretching stroke), zero-width
# spaces and joiners, word joiner, BOM, soft hyphen and bidi controls.
INVISIBLE_CHARS: dict[int, str | None] = dict.fromkeys(map(ord, (
    TATWEEL
    + "\u200c\u200d\u2060\ufeff\u00ad"
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
)))
# A zero-width space marks a word boundary (it lets a line break there): removed,
# it would fuse two words into one, so it becomes a space. The joiners (ZWNJ, ZWJ)
# sit inside a word and go.
INVISIBLE_CHARS[ord("\u200b")] = " "
# Eastern Arabic and Persian digits, and the Arabic thousands and decimal
# separators, as ASCII: every engine reads these, not every engine the others.
DIGITS = str.maketrans({
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
    "\u066c": ",",
    "\u066b": ".",
})
# A slash between words ("نيسان/ أبريل") is read aloud as "slash" by engines;
# a comma makes it the short pause a reader makes: the Arabic comma after an
# Arabic word, the Latin one after a Latin word or in any other --lang.
SLASH = re.compile(r"\s*/+\s*")
SLASH_PAUSE = ARABIC_COMMA + " "
LATIN_SLASH_PAUSE = ", "
# The last letter before a point: its script picks the comma.
LAST_LETTER = re.compile(r"[^\W\d_](?=[^\w]*$)")
# Units written with a slash (km/h, كم/ساعة) are one symbol the unit rule reads whole
# (كيلومترًا في الساعة): their slash is not a pause between two words.
SLASH_UNIT = re.compile("(?i:" + "|".join(
    rf"(?<![^\W\d_]){re.escape(before)}/{re.escape(after)}(?![^\W\d_])"
    for before, after in (unit.split("/") for unit in UNITS if "/" in unit)) + ")")


def apply_nfkc(text: str) -> str:
    """Compatibility forms to plain ones: presentation forms (ﻻ -> لا), "…" -> "...", NBSP -> space."""
    return unicodedata.normalize("NFKC", text)


def apply_nfkc_keeping_fractions(text: str) -> str:
    """``apply_nfkc``, but vulgar fractions kept for the Arabic fraction rule: NFKC
    would make 2½ the number 21⁄2."""
    return "".join(part if part in VULGAR_FRACTIONS else apply_nfkc(part)
                   for part in FRACTION_SPLIT.split(text))


def replace_persian_letters(text: str) -> str:
    """Persian/Urdu letter variants to their Arabic twins (ی excepted)."""
    return text.translate(PERSIAN_LETTERS)


def replace_persian_yeh(text: str) -> str:
    """ی to Arabic: ى at a word's end (ي for FINAL_YEH_WORDS), ي elsewhere."""
    return LETTER_RUN.sub(fix_yeh_in_word, text)


def fix_yeh_in_word(match: re.Match[str]) -> str:
    """One word with its Persian ی replaced."""
    word = match.group()
    stem = word.rstrip(MARKS_AND_TATWEEL)
    if stem.endswith(PERSIAN_YEH):
        as_yeh = (stem[:-1] + ARABIC_YEH).replace(PERSIAN_YEH, ARABIC_YEH)
        bare = "".join(ch for ch in as_yeh if ch not in MARKS_AND_TATWEEL)
        final = ARABIC_YEH if bare in FINAL_YEH_WORDS else ALEF_MAKSURA
        word = stem[:-1] + final + word[len(stem):]
    return word.replace(PERSIAN_YEH, ARABIC_YEH)


def remove_invisible_characters(text: str) -> str:
    """Drop tatweel, joiners, bidi controls and stray control characters; a zero-width space is a space."""
    text = text.translate(INVISIBLE_CHARS)
    return "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) != "Cc")


def convert_digits(text: str) -> str:
    """Eastern Arabic and Persian digits and separators to ASCII."""
    return text.translate(DIGITS)


def replace_slashes(text: str, arabic: bool = True) -> str:
    """A slash between words becomes a comma (a pause); one between digits (12/5/2020) stays.

    The comma is Arabic after an Arabic word, Latin after a Latin one or when not ``arabic``.
    """
    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if (before.isdigit() and after.isdigit()) or in_unit(text, match):
            return match.group()
        last = LAST_LETTER.search(text[max(0, match.start() - 40):match.start()])
        latin = last is not None and LATIN_LETTER.match(last.group()) is not None
        return SLASH_PAUSE if arabic and not latin else LATIN_SLASH_PAUSE

    return SLASH.sub(replace, text)


def in_unit(text: str, slash: re.Match[str]) -> bool:
    """True when the slash matched in ``text`` is the one inside a unit such as ``km/h``."""
    return any(unit.start() < slash.start() < unit.end()
               for unit in SLASH_UNIT.finditer(text, max(0, slash.start() - 10), slash.end() + 10))


def replace_slashes_latin(text: str) -> str:
    """``replace_slashes`` for a text in another --lang: never an Arabic comma."""
    return replace_slashes(text, arabic=False)


def respell_by_script(text: str) -> str:
    """The Arabic speech rules on the Arabic runs, acronyms spelled in the Latin ones.

    An English paragraph or a Latin run inside Arabic never gets an Arabic rule
    (its ``5%`` stays ``5%``, its ``5-10`` stays a dash).
    """
    return map_runs(text, "ar", lambda run, lang: spell_acronyms(run) if lang else respell(run))



def collapse_whitespace(text: str) -> str:
    """Every run of whitespace (line breaks included) as one space; edges stripped."""
    return " ".join(text.split())


# Order matters: NFKC first so later steps see plain letters and digits
# (it turns Persian presentation forms into ی); slashes after digits so dates
# written in Eastern digits keep their slash; the speech rules after both, so
# they see ASCII digits and no tatweel; whitespace last to clean up after all.
NORMALIZERS: tuple[Callable[[str], str], ...] = (
    apply_nfkc_keeping_fractions,
    # Before the yeh rule: a joiner inside a word would make its ی look word-final.
    remove_invisible_characters,
    replace_persian_letters,
    replace_persian_yeh,
    convert_digits,
    replace_slashes,
    respell_by_script,
    collapse_whitespace,
)


# The steps that respell Arabic: text in any other language gets only the rest
# (NFKC, letters, invisible characters, digits, slashes, whitespace), so an
# English "5-10" is not read with an Arabic إلى.
ARABIC_ONLY: frozenset[Callable[[str], str]] = frozenset({respell_by_script})
# Steps that another --lang takes in a form of its own: no Arabic comma for a slash.
OTHER_LANG_FORMS: dict[Callable[[str], str], Callable[[str], str]] = {
    apply_nfkc_keeping_fractions: apply_nfkc,
    replace_slashes: replace_slashes_latin,
}


def normalizers_for(lang: str) -> tuple[Callable[[str], str], ...]:
    """The normalization steps for text in ``lang``: all of them for Arabic."""
    if is_arabic(lang):
        return NORMALIZERS
    return tuple(OTHER_LANG_FORMS.get(s, s) for s in NORMALIZERS if s not in ARABIC_ONLY)


def normalize(text: str, steps: Sequence[Callable[[str], str]] = NORMALIZERS) -> str:
    """``text`` passed through each step in order: the form sent to an engine."""
    for step in steps:
        text = step(text)
    return text
