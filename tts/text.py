"""Read an article, split it into paragraphs and normalize the text each engine will speak."""

from __future__ import annotations

import functools
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tts.diacritize import TASHKEEL_ENGINES, diacritize_texts
from tts.errors import InputError
from tts.types import STDIN_NAME, STDIN_SOURCE, Paragraph


UTF8_BOM = b"\xef\xbb\xbf"
# UTF-16 text is full of NUL bytes; spotting its BOM first turns a puzzling
# "looks binary" error into a conversion the user can run.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Real text holds at most a stray control character; past this share of the
# characters the file is binary data that happens to decode as UTF-8.
CONTROL_SHARE_LIMIT = 0.3
# Control characters that are ordinary layout in text files.
LAYOUT_CONTROLS = frozenset("\t\n\r\f\v")

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
PERSIAN_YEH = "\u06cc"
ARABIC_YEH = "\u064a"
ALEF_MAKSURA = "\u0649"
# Persian writes both Arabic word endings ي and ى as ی, so the rule is:
# word-final ی becomes ى, because voices read a final ى as ي (the common
# Egyptian spelling فى = في) while a wrong final ي changes the word (على would
# be read as the name علي). These frequent words do end in ي and get it back.
# Every other ی becomes ي.
FINAL_YEH_WORDS = frozenset({
    "في", "وفي", "ففي", "الذي", "والذي", "التي", "والتي", "أي", "وأي",
    "كي", "لكي", "لي", "بي", "هي", "وهي", "فهي", "ذي",
})
# Short vowels, shadda, sukun and friends: they sit after a letter, so a
# word-final ی may be followed by them; tatweel only stretches the line.
ARABIC_MARKS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u0670\u0640"
# A run of letters and Arabic marks: the unit in which ی is "word-final".
LETTER_RUN = re.compile(rf"(?:[^\W\d_]|[{ARABIC_MARKS}])+")

# Invisible characters that add nothing a listener hears but can make an engine
# stumble or spell a code point: tatweel (a stretching stroke), zero-width
# spaces and joiners, word joiner, BOM, soft hyphen and bidi controls.
INVISIBLE_CHARS = dict.fromkeys(map(ord, (
    "\u0640"
    "\u200b\u200c\u200d\u2060\ufeff\u00ad"
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
)))
# Eastern Arabic and Persian digits, and the Arabic thousands and decimal
# separators, as ASCII: every engine reads these, not every engine the others.
DIGITS = str.maketrans({
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
    "\u066c": ",",
    "\u066b": ".",
})
# A slash between words ("نيسان/ أبريل") is read aloud as "slash" by engines;
# the Arabic comma makes it the short pause a reader makes.
SLASH = re.compile(r"\s*/+\s*")
SLASH_PAUSE = "\u060c "


Replacement = str | Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class Rule:
    """One respelling for the voices: ``pattern`` (a regex) becomes ``replacement``.

    A replacement is a ``re.sub`` template, or a function of the match for a rule
    that must look at the numbers it found (it returns the match to leave it).
    """

    name: str
    pattern: str
    replacement: Replacement
    reason: str


# A letter (not a digit or "_"), and an Arabic short-vowel mark (harakat,
# tanween, shadda, sukun): the edges of an Arabic word in the rules below.
LETTER = r"[^\W\d_]"
HARAKAT = "\u064b-\u0652"
NOT_AFTER_LETTER = rf"(?<!{LETTER})"
NOT_BEFORE_LETTER = rf"(?!{LETTER}|[{HARAKAT}])"
NUMBER = r"\d+(?:[.,]\d+)?"
# A separator inside a dotted abbreviation: "أ.ف.ب", "أ. ف. ب" or "أ ف ب".
ABBREVIATION_DOT = r"(?:\s*\.\s*|\s+)"

# Abbreviations common in Arabic news, written as letters with dots or spaces
# between them: read letter by letter they mean nothing to a listener (espeak
# says "hamza alif fa ba" for أ.ف.ب). A hamza-less ا matches أ too.
ABBREVIATIONS: dict[str, str] = {
    "أ ف ب": "وكالة الصحافة الفرنسية",
    "أ ش أ": "وكالة أنباء الشرق الأوسط",
    "ص ب": "صندوق البريد",
    "ق م": "قبل الميلاد",
}

# A number range is read with إلى only when it looks like one: a dash also joins
# phone numbers (050-1234567), month and year (5-2020) and scores (3-1). So both
# ends have at most this many digits before any decimals and no leading zero,
# the first is the smaller, and a month (1-12) before a year is a date.
RANGE_MAX_DIGITS = 4
MONTHS = range(1, 13)
DATE_YEARS = range(1900, 2100)


def number_value(number: str) -> float:
    """A NUMBER match as a value; a comma is read as the decimal point (Arabic writes ٫ or ,)."""
    return float(number.replace(",", "."))


def is_range(first: str, second: str) -> bool:
    """True when ``first``-``second`` reads as a range, not a phone number, date or score."""
    for number in (first, second):
        whole = re.split("[.,]", number)[0]
        if len(whole) > RANGE_MAX_DIGITS or (len(whole) > 1 and whole.startswith("0")):
            return False
    if first.isdigit() and int(first) in MONTHS and second.isdigit() and int(second) in DATE_YEARS:
        return False
    return number_value(first) < number_value(second)


def read_range(match: re.Match[str]) -> str:
    """``5-10`` as ``5 إلى 10`` when it is a range; anything else as written."""
    first, second = match.group(1), match.group(2)
    return f"{first} إلى {second}" if is_range(first, second) else match.group()


# A م or هـ after a number is the era only when the number is surely a year:
# م is also metres (سباق 5000 م, 1500 م), and a spaced letter may start a note.
# It is a year when the letter is attached to four digits (2019م, 1440هـ; up to
# 2099م, so 3000م and 5000م races stay metres), when a year word comes before
# the number (عام 300 م), or when a spaced number is a plausible modern year.
YEAR_WORDS = ("عام", "العام", "لعام", "للعام", "بعام", "سنة", "السنة", "لسنة", "للسنة", "بسنة")
YEAR_WORD = (NOT_AFTER_LETTER + "[وف]?(?:" + "|".join(sorted(YEAR_WORDS, key=len, reverse=True))
             + r")\s+")


@dataclass(frozen=True)
class Era:
    """A calendar's era letter after a year, and which years it marks without a year word."""

    letter: str
    spoken: str
    attached: range
    spaced: range

    @property
    def pattern(self) -> str:
        """The optional year word, the number, the space before the letter, the letter."""
        return (rf"(?P<word>{YEAR_WORD})?(?<!\d)(?P<year>\d{{1,4}})(?P<space>\s*)"
                rf"{self.letter}{NOT_BEFORE_LETTER}")

    def read(self, match: re.Match[str]) -> str:
        """``2019م`` as ``2019 ميلادي`` when the number is surely a year; else as written."""
        word, year = match.group("word") or "", match.group("year")
        years = self.spaced if match.group("space") else self.attached
        if word or (len(year) == 4 and int(year) in years):
            return f"{word}{year} {self.spoken}"
        return match.group()


GREGORIAN = Era("م", "ميلادي", attached=range(1000, 2100), spaced=range(1900, 2100))
HIJRI = Era("هـ?", "هجري", attached=range(1000, 10000), spaced=range(1300, 1500))


# Respellings for every engine, applied in this order after the digits are
# ASCII and the tatweel is gone (so هـ arrives as ه). Each one makes a form
# read right that at least espeak misreads (checked with its phoneme output);
# none of them makes Google worse. Numbers stay digits: espeak-ng and Google
# both read ASCII digits as correct MSA cardinals.
SPEECH_RULES: tuple[Rule, ...] = (
    *(Rule(f"abbreviation {letters}",
           NOT_AFTER_LETTER + ABBREVIATION_DOT.join(letters.replace("أ", "[أا]").split())
           + NOT_BEFORE_LETTER,
           expansion, "letters read one by one mean nothing to a listener")
      for letters, expansion in ABBREVIATIONS.items()),
    Rule("etcetera", NOT_AFTER_LETTER + "إلخ" + NOT_BEFORE_LETTER, "إلى آخره",
         "espeak reads إلخ as a consonant cluster, ilkh"),
    Rule("doctor", rf"(?<!\d)(?<!\d\s){NOT_AFTER_LETTER}د\.(?:\s+(?={LETTER})|(?={LETTER}{{2}}))",
         "الدكتور ", "a lone د. before a name is a title, and its dot would otherwise end a "
         "sentence; after a number (45 د.) or before one letter (د.ل, د.م.) it is a unit"),
    Rule("gregorian year", GREGORIAN.pattern, GREGORIAN.read,
         "espeak says the letter's name (mim) after the year; only a sure year, as م is "
         "also metres (1500 م): attached 2019م, after عام/سنة, or spaced 1900-2099"),
    Rule("hijri year", HIJRI.pattern, HIJRI.read,
         "espeak says a bare h after the year; only a sure year: attached 1440هـ, "
         "after عام/سنة, or spaced 1300-1499"),
    Rule("percent range", rf"(?<![\d.,])({NUMBER})\s*[%٪]\s*[-–]\s*({NUMBER})\s*[%٪]",
         r"\1 إلى \2 بالمئة", "each sign read on its own leaves a dash between words "
         "(50 بالمئة-60 بالمئة), which espeak drops: one range, one بالمئة"),
    Rule("percent after", rf"({NUMBER})\s*[%٪]", r"\1 بالمئة",
         "espeak drops % and ٪ silently: 50% is heard as fifty"),
    Rule("percent before", rf"[%٪]\s*({NUMBER})", r"\1 بالمئة",
         "the same sign typed first, as Arabic keyboards often leave it"),
    Rule("range", rf"(?<![\d.,/-])({NUMBER})\s*[-–]\s*({NUMBER})(?![\d/-]|[.,]\d)", read_range,
         "espeak drops the dash: 5-10 is heard as fifteen; phone numbers, month-year "
         "dates and scores (050-1234567, 5-2020, 3-1) are kept, see is_range"),
    Rule("dateline dash", rf"(?<={LETTER})\s?[-–—](?=\s)", "\u060c",
         "a dash after a word (برس- اوروبا, or an aside) is a pause, not a sound"),
    Rule("ila", NOT_AFTER_LETTER + "(و?)الى" + NOT_BEFORE_LETTER, r"\1إلى",
         "espeak spells the misspelled preposition out: alif maqsura; والى in news is "
         "almost always و + الى (the verb والى, to side with, is rare)"),
    Rule("tanween fath", rf"اً{NOT_BEFORE_LETTER}", "\u064bا",
         "espeak reads tanween only on the letter before the alif: فوراً loses its -an"),
)

# Respellings for one engine only, applied to its spoken form after tashkeel.
ENGINE_RULES: dict[str, tuple[Rule, ...]] = {
    "espeak": (
        Rule("sun letter",
             rf"(?<!{LETTER})(?<![{HARAKAT}])(ال)([تثدذرزسشصضطظلن])([\u064b-\u0650]?)\u0651",
             r"\1\2\3", "espeak doubles a sun letter after a word-initial ال itself; "
             "a written shadda makes it triple (اللِّيبِيِّ is read ?alll'ibi:)"),
        Rule("hamza below", f"إ(?![{HARAKAT}])", "إ\u0650",
             "إ always carries a kasra, but espeak reads a bare one without a vowel "
             "(إقترحت -> ?qtRHt)"),
        Rule("shadda first", "([\u064b-\u0650])\u0651", "\u0651\\1",
             "Unicode order puts the vowel before the shadda, and espeak then drops the "
             "vowel (مُحَمَّد is read muhammd); typed order keeps it"),
    ),
}


def read_source(source: str) -> str:
    """The decoded text of the file at ``source``, or of standard input for "-"."""
    if source == STDIN_SOURCE:
        return decode_text(sys.stdin.buffer.read(), STDIN_NAME)
    name = os.fspath(source)
    path = Path(name)
    if path.is_dir():
        raise InputError(f"{name} is a folder, not a text file: give the path of the article file inside it")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {name}: check the path and the spelling") from None
    except PermissionError:
        raise InputError(f"cannot read {name}: permission denied; check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror or exc}; check the path") from None
    return decode_text(data, name)


def decode_text(data: bytes, name: str) -> str:
    """``data`` as text with LF line ends; InputError names ``name`` when it is unusable."""
    reject_binary_bytes(data, name)
    text = decode_utf8(data, name)
    reject_control_characters(text, name)
    if not text.strip():
        detail = "" if not text else " (only whitespace)"
        raise InputError(f"{name} is empty{detail}: nothing to read; give a file holding the article's text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def reject_binary_bytes(data: bytes, name: str) -> None:
    """Refuse UTF-16 text and anything with NUL bytes, which no UTF-8 text holds."""
    if data.startswith(UTF16_BOMS):
        raise InputError(f"{name} is UTF-16 text, not UTF-8: convert it first, "
                         f"e.g. iconv -f UTF-16 -t UTF-8 {iconv_name(name)} > article-utf8.txt")
    if b"\x00" in data:
        raise InputError(f"{name} looks binary (it contains NUL bytes), not like text: "
                         "give a plain UTF-8 text file")


def decode_utf8(data: bytes, name: str) -> str:
    """``data`` decoded as UTF-8, a leading BOM dropped; the error gives the first bad byte."""
    bom = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 text (first bad byte at offset {bom + exc.start}): convert it first, "
            f"e.g. iconv -f WINDOWS-1256 -t UTF-8 {iconv_name(name)} > article-utf8.txt"
        ) from None


def iconv_name(name: str) -> str:
    """The file name to show in a suggested iconv command."""
    return "FILE" if name == STDIN_NAME else name


def reject_control_characters(text: str, name: str) -> None:
    """Refuse text that is mostly control characters: binary data that happens to decode."""
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in LAYOUT_CONTROLS)
    if controls and controls > CONTROL_SHARE_LIMIT * len(text):
        raise InputError(f"{name} looks binary (it is mostly control characters), not like text: "
                         "give a plain UTF-8 text file")


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks when the text has blank lines, else one paragraph per line.

    Blank lines before the first or after the last text line do not count, so a
    trailing empty line does not turn a one-paragraph-per-line file into one block.
    """
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if "" not in lines:
        return lines
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [" ".join(block) for block in blocks if block]


def apply_nfkc(text: str) -> str:
    """Compatibility forms to plain ones: presentation forms (ﻻ -> لا), "…" -> "...", NBSP -> space."""
    return unicodedata.normalize("NFKC", text)


def replace_persian_letters(text: str) -> str:
    """Persian/Urdu letter variants to their Arabic twins (ی excepted)."""
    return text.translate(PERSIAN_LETTERS)


def replace_persian_yeh(text: str) -> str:
    """ی to Arabic: ى at a word's end (ي for FINAL_YEH_WORDS), ي elsewhere."""
    return LETTER_RUN.sub(fix_yeh_in_word, text)


def fix_yeh_in_word(match: re.Match[str]) -> str:
    """One word with its Persian ی replaced."""
    word = match.group()
    stem = word.rstrip(ARABIC_MARKS)
    if stem.endswith(PERSIAN_YEH):
        as_yeh = (stem[:-1] + ARABIC_YEH).replace(PERSIAN_YEH, ARABIC_YEH)
        bare = "".join(ch for ch in as_yeh if ch not in ARABIC_MARKS)
        final = ARABIC_YEH if bare in FINAL_YEH_WORDS else ALEF_MAKSURA
        word = stem[:-1] + final + word[len(stem):]
    return word.replace(PERSIAN_YEH, ARABIC_YEH)


def remove_invisible_characters(text: str) -> str:
    """Drop tatweel, zero-width characters, bidi controls and stray control characters."""
    text = text.translate(INVISIBLE_CHARS)
    return "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) != "Cc")


def convert_digits(text: str) -> str:
    """Eastern Arabic and Persian digits and separators to ASCII."""
    return text.translate(DIGITS)


def replace_slashes(text: str) -> str:
    """A slash between words becomes "، " (a pause); one between digits (12/5/2020) stays."""
    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return match.group() if before.isdigit() and after.isdigit() else SLASH_PAUSE

    return SLASH.sub(replace, text)


def respell(text: str, rules: Sequence[Rule] = SPEECH_RULES) -> str:
    """``text`` with each rule applied in order."""
    for rule in rules:
        text = compiled(rule.pattern).sub(rule.replacement, text)
    return text


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    """The regex for a rule's pattern, compiled once."""
    return re.compile(pattern)


def respell_for(engine: str, text: str) -> str:
    """``text`` with the rules of ``engine`` alone (none for an engine without any)."""
    return respell(text, ENGINE_RULES.get(engine, ()))


def is_arabic(lang: str) -> bool:
    """True for an Arabic ``--lang`` code: ``ar`` or a regional one (``ar-EG``, ``ar_SA``)."""
    code = lang.lower()
    return code == "ar" or code.startswith(("ar-", "ar_"))


def collapse_whitespace(text: str) -> str:
    """Every run of whitespace (line breaks included) as one space; edges stripped."""
    return " ".join(text.split())


# Order matters: NFKC first so later steps see plain letters and digits
# (it turns Persian presentation forms into ی); slashes after digits so dates
# written in Eastern digits keep their slash; the speech rules after both, so
# they see ASCII digits and no tatweel; whitespace last to clean up after all.
NORMALIZERS: tuple[Callable[[str], str], ...] = (
    apply_nfkc,
    # Before the yeh rule: a joiner inside a word would make its ی look word-final.
    remove_invisible_characters,
    replace_persian_letters,
    replace_persian_yeh,
    convert_digits,
    replace_slashes,
    respell,
    collapse_whitespace,
)


# The steps that respell Arabic: text in any other language gets only the rest
# (NFKC, letters, invisible characters, digits, slashes, whitespace), so an
# English "5-10" is not read with an Arabic إلى.
ARABIC_ONLY: frozenset[Callable[[str], str]] = frozenset({respell})


def normalizers_for(lang: str) -> tuple[Callable[[str], str], ...]:
    """The normalization steps for text in ``lang``: all of them for Arabic."""
    return NORMALIZERS if is_arabic(lang) else tuple(s for s in NORMALIZERS if s not in ARABIC_ONLY)


def normalize(text: str, steps: Sequence[Callable[[str], str]] = NORMALIZERS) -> str:
    """``text`` passed through each step in order: the form sent to an engine."""
    for step in steps:
        text = step(text)
    return text


def spoken_for(engine: str, paragraphs: Sequence[Paragraph], tashkeel: bool,
               lang: str = "ar") -> list[Paragraph]:
    """The paragraphs as ``engine`` will say them: tashkeel if it takes it, then its own rules.

    Both are for Arabic: text in another ``lang`` is returned as it is.
    """
    texts = engine_texts(engine, [p.spoken for p in paragraphs], tashkeel, lang)
    return [replace(p, spoken=text) for p, text in zip(paragraphs, texts)]


def engine_texts(engine: str, texts: Sequence[str], tashkeel: bool, lang: str = "ar") -> list[str]:
    """Spoken texts as ``engine`` will say them (see ``spoken_for``)."""
    if not is_arabic(lang):
        return list(texts)
    if tashkeel and engine in TASHKEEL_ENGINES:
        texts = diacritize_texts(texts)
    return [respell_for(engine, text) for text in texts]


def is_speakable(spoken: str) -> bool:
    """True when ``spoken`` holds a letter or a digit; punctuation and emoji alone are not."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in spoken)


def parse_article(text: str, lang: str = "ar") -> list[Paragraph]:
    """The paragraphs with their spoken forms for ``lang``; InputError when nothing can be spoken."""
    steps = normalizers_for(lang)
    paragraphs = []
    for index, original in enumerate(split_paragraphs(text)):
        spoken = normalize(original, steps)
        paragraphs.append(Paragraph(index, original, spoken if is_speakable(spoken) else ""))
    if not paragraphs:
        raise InputError("the text is empty: nothing to read; give a file holding the article's text")
    if not any(p.speakable for p in paragraphs):
        raise InputError("the text holds only punctuation or symbols: nothing to speak; "
                         "check that the right file was given")
    return paragraphs
