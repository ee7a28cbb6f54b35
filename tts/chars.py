"""Arabic letters, marks and pause punctuation, each named once for every module; Arabic --lang codes."""

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

# The marks tashkeel adds (harakat and the dagger alef, هَٰذَا): a diacritizer predicts
# them; hamza and madda are part of a letter, never taken.
TASHKEEL = HARAKAT + SUPERSCRIPT_ALEF

# --- letters, as regex class bodies and sets --------------------------------------------
# The Arabic alphabet: hamza (U+0621) to yeh (U+064A), the 28 letters with hamza's seats,
# ta marbuta and alef maksura, and the few letters Unicode put among them for other
# languages (U+063B-U+063F, keheh and farsi yeh forms); not U+0640, tatweel, a stroke that
# lengthens a line and is no letter. Plus alef wasla (U+0671), the alef of vowelled text.
LETTER_RANGE = "\u0621-\u063f\u0641-\u064a\u0671"
# Every letter of the Arabic script: the alphabet and the letters Persian, Urdu and others
# add (U+0672-U+06D3, U+06FA-U+06FF). A token holding one is read by the Arabic voice.
SCRIPT_LETTER_RANGE = LETTER_RANGE + "\u0672-\u06d3\u06fa-\u06ff"
ARABIC_LETTER = re.compile(f"[{LETTER_RANGE}]")
SCRIPT_LETTER = re.compile(f"[{SCRIPT_LETTER_RANGE}]")
# The alphabet as a set, to test one character at a time.
LETTERS = frozenset(ch for ch in map(chr, range(0x0600, 0x0700)) if ARABIC_LETTER.match(ch))

# --- pause punctuation -------------------------------------------------------------------
# Marks that end a sentence: the full stop, ! and ?, the Arabic question mark, the
# ellipsis (listed although NFKC turns it into "...") and the Urdu full stop.
SENTENCE_MARKS = ".!?\u061f\u2026\u06d4"
# Marks that end a clause: the Arabic comma and semicolon next to their Latin forms, the colon.
CLAUSE_PUNCTUATION = "\u060c\u061b,;:"
# Dashes used as a pause ("برس- اوروبا"), but only before a space: a dash also joins
# words and numbers (050-1234567), so they are no pause mark of their own.
DASHES = "-\u2013\u2014"
# Where a reader pauses, a mark that follows a word: every sentence and clause mark.
PAUSE_MARKS = SENTENCE_MARKS + CLAUSE_PUNCTUATION
# Quotes and brackets that open and close: a closer right after a sentence mark belongs to
# that sentence ('."' '.»' '.)'). The straight quote " is both.
OPENERS = "\u00ab\"\u201c\u2018([{\u2039"
CLOSERS = "\u00bb\"\u201d\u2019)]}\u203a"
# After a sentence mark a straight ' closes a quotation too ('He left.'); anywhere else it
# is more often an apostrophe (the students' books), so it is a closer only there.
CLOSERS_AFTER_MARK = CLOSERS + "'"
# Text that ends a sentence: a sentence mark, then perhaps closing quotes or brackets.
SENTENCE_END = re.compile(f"[{re.escape(SENTENCE_MARKS)}][{re.escape(CLOSERS_AFTER_MARK)}]*$")

ARABIC_YEH = "\u064a"
ALEF_MAKSURA = "\u0649"
PERSIAN_YEH = "\u06cc"
ARABIC_COMMA = "\u060c"


def is_arabic(lang: str) -> bool:
    """True for an Arabic ``--lang`` code: ``ar`` or a regional one (``ar-EG``, ``ar_SA``)."""
    code = lang.lower()
    return code == "ar" or code.startswith(("ar-", "ar_"))


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends a sentence: ``.`` ``!`` ``?`` ``؟`` ``…`` ``۔``, then perhaps ``"`` ``»`` ``)``."""
    return SENTENCE_END.search(text) is not None


def strip_marks(text: str) -> str:
    """``text`` without Arabic marks and tatweel: the bare letters a table is keyed by."""
    return text.translate(BARE)


BARE = dict.fromkeys(map(ord, MARKS_AND_TATWEEL))


def primary(lang: str) -> str:
    """The language of a code without its region: ``ar-EG`` -> ``ar``."""
    return re.split("[-_]", lang.lower(), maxsplit=1)[0]
