"""Arabic characters by name, one set used by every module, and how to tell an Arabic --lang."""

from __future__ import annotations

import re

# The marks written above or below a letter (Unicode's Arabic "harakat" block,
# U+064B-U+0652), named so code and tables say which one they mean.
FATHATAN = "\u064b"
DAMMATAN = "\u064c"
KASRATAN = "\u064d"
FATHA = "\u064e"
DAMMA = "\u064f"
KASRA = "\u0650"
SHADDA = "\u0651"
SUKUN = "\u0652"
MADDAH_ABOVE = "\u0653"
HAMZA_ABOVE = "\u0654"
HAMZA_BELOW = "\u0655"
SUPERSCRIPT_ALEF = "\u0670"
# A stretching stroke between letters: it changes the line's length, not the sound.
TATWEEL = "\u0640"

TANWEEN = FATHATAN + DAMMATAN + KASRATAN
SHORT_VOWELS = FATHA + DAMMA + KASRA
# Vowels, tanween, shadda and sukun: what tashkeel adds and a diacritizer predicts.
HARAKAT = TANWEEN + SHORT_VOWELS + SHADDA + SUKUN
# As a regex class body: the same eight marks.
HARAKAT_RANGE = "\u064b-\u0652"
# Every mark that sits on a letter without being one: harakat, the dagger alef and the
# combining maddah and hamzas. A word is the same word with or without them.
MARKS = HARAKAT + MADDAH_ABOVE + HAMZA_ABOVE + HAMZA_BELOW + SUPERSCRIPT_ALEF
# Marks and tatweel: what to drop to compare a word with a table entry.
MARKS_AND_TATWEEL = MARKS + TATWEEL

ARABIC_YEH = "\u064a"
ALEF_MAKSURA = "\u0649"
PERSIAN_YEH = "\u06cc"
ARABIC_COMMA = "\u060c"


def is_arabic(lang: str) -> bool:
    """True for an Arabic ``--lang`` code: ``ar`` or a regional one (``ar-EG``, ``ar_SA``)."""
    code = lang.lower()
    return code == "ar" or code.startswith(("ar-", "ar_"))


def strip_marks(text: str) -> str:
    """``text`` without Arabic marks and tatweel: the bare letters a table is keyed by."""
    return text.translate(BARE)


BARE = dict.fromkeys(map(ord, MARKS_AND_TATWEEL))


def primary(lang: str) -> str:
    """The language of a code without its region: ``ar-EG`` -> ``ar``."""
    return re.split("[-_]", lang.lower(), maxsplit=1)[0]
