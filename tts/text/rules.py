"""Respellings that make Arabic read right: each rule a regex, its replacement and its reason."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tts.chars import (
    ARABIC_COMMA,
    CLOSERS_AFTER_MARK,
    FATHA,
    FATHATAN,
    HARAKAT_RANGE,
    LETTER_RANGE,
    PAUSE_MARKS,
    SHORT_VOWELS,
    SUKUN,
    TANWEEN,
)
from tts.text import numbers
from tts.types import Rule

# A letter (not a digit or "_"), and an Arabic short-vowel mark (harakat,
# tanween, shadda, sukun): the edges of an Arabic word in the rules below.
LETTER = r"[^\W\d_]"
HARAKAT = HARAKAT_RANGE
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
# The clitics a word may carry before an abbreviation that repeats it ("لوكالة أ.ف.ب",
# "وبالوكالة أ.ف.ب"): و or ف, then ل, ب or ك, with ال or as لل.
PROCLITICS = "[وف]?(?:لل|[بك]?ال|[لبك])?"


def abbreviation_pattern(letters: str, expansion: str) -> str:
    """The letters with dots or spaces between them, and the expansion's first word, when the
    text already has it just before them (perhaps with a clitic or ال), as group ``said``."""
    first = expansion.split()[0]
    said = rf"(?:(?P<said>{PROCLITICS}{first}[{HARAKAT}]*)\s+)?" if " " in expansion else ""
    return (NOT_AFTER_LETTER + said + ABBREVIATION_DOT.join(letters.replace("أ", "[أا]").split())
            + NOT_BEFORE_LETTER)


def expand_abbreviation(expansion: str) -> Callable[[re.Match[str]], str]:
    """The replacement for one abbreviation: its expansion, without the first word when the
    text already says it ("وكالة أ.ف.ب" is وكالة الصحافة الفرنسية, not وكالة وكالة ...)."""
    def expand(match: re.Match[str]) -> str:
        said = match.groupdict().get("said")
        return f"{said} {expansion.split(' ', 1)[1]}" if said else expansion
    return expand

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


# --- second round: money, units, times, dates, ordinals, phones (readings in tts.text.numbers) ---

# Not after a digit, a decimal point or a thousands comma: the start of a number.
NUMBER_START = r"(?<![\d.,])"
# The currency signs before or after an amount; the Arabic abbreviations may have a
# space after their dot (ر. س).
SIGN_BEFORE = r"\$|€|£"
SIGN_AFTER = r"\$|€|£|ر\.\s?س|د\.\s?إ|ج\.\s?م|ل\.\s?ل"
SCALE = "|".join(numbers.SCALES)
# Longest first (كم2 before كم); any case, for the units written in Latin letters (KM, Kg).
UNIT = "(?i:" + "|".join(sorted((re.escape(u).replace("°", "°\\s?") for u in numbers.UNITS),
                                key=len, reverse=True)) + ")"
FRACTION = "".join(numbers.FRACTIONS)
MONTH_PAIR = "|".join(rf"{a}\s*[،,/]\s*{b}|{b}\s*[،,/]\s*{a}" for a, b in numbers.MONTH_PAIRS)


def join_month_pair(match: re.Match[str]) -> str:
    """``نيسان، أبريل`` as ``نيسان أبريل``: one month said twice, without a pause."""
    return re.sub(r"\s*[،,/]\s*", " ", match.group())


def share_rules() -> tuple[Rule, ...]:
    """The range, after and before rules of each share sign (``%``, ``‰``; numbers.SHARES)."""
    return tuple(rule for name, (signs, word) in numbers.SHARES.items() for rule in (
        Rule(f"{name} range", rf"(?<![\d.,])({NUMBER})\s*[{signs}]\s*[-–]\s*({NUMBER})\s*[{signs}]",
             rf"\1 إلى \2 {word}", f"each sign read on its own leaves a dash between words "
             f"(50 {word}-60 {word}), which espeak drops: one range, one {word}"),
        Rule(f"{name} after", rf"({NUMBER})\s*[{signs}]", rf"\1 {word}",
             f"espeak drops {' and '.join(signs)} silently: 50{signs[0]} is heard as fifty"),
        Rule(f"{name} before", rf"[{signs}]\s*({NUMBER})", rf"\1 {word}",
             "the same sign typed first, as Arabic keyboards often leave it"),
    ))


GREGORIAN = Era("م", "ميلادي", attached=range(1000, 2100), spaced=range(1900, 2100))
HIJRI = Era("هـ?", "هجري", attached=range(1000, 10000), spaced=range(1300, 1500))


# Respellings for every engine, applied in this order after the digits are
# ASCII and the tatweel is gone (so هـ arrives as ه). Each one makes a form
# read right that at least espeak misreads (checked with its phoneme output);
# none of them makes Google worse. Numbers stay digits: espeak-ng and Google
# both read ASCII digits as correct MSA cardinals.
SPEECH_RULES: tuple[Rule, ...] = (
    *(Rule(f"abbreviation {letters}", abbreviation_pattern(letters, expansion),
           expand_abbreviation(expansion), "letters read one by one mean nothing to a "
           "listener; a first word the text already has before them is not said twice")
      for letters, expansion in ABBREVIATIONS.items()),
    Rule("etcetera", NOT_AFTER_LETTER + "إلخ" + NOT_BEFORE_LETTER, "إلى آخره",
         "espeak reads إلخ as a consonant cluster, ilkh"),
    Rule("doctor", rf"(?<!\d)(?<!\d\s){NOT_AFTER_LETTER}د\.(?:\s+(?={LETTER})|(?={LETTER}{{2}}))",
         "الدكتور ", "a lone د. before a name is a title, and its dot would otherwise end a "
         "sentence; after a number (45 د.) or before one letter (د.ل, د.م.) it is a unit"),
    Rule("phone number", r"(?<![\w+.,/])(?:\+\d|0)\d*(?:[-\s]\d{2,})*(?!\d)", numbers.read_phone,
         "espeak reads 050-1234567 as zero fifty, one million two hundred...; a phone number "
         "(0 or + first, 8 digits or more) is read in groups with a short pause between"),
    Rule("hijri date", NUMBER_START + r"(?:(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})"
         r"|(?P<year2>\d{4})/(?P<month2>\d{1,2})/(?P<day2>\d{1,2}))\s*ه" + NOT_BEFORE_LETTER,
         numbers.read_hijri_date, "15/9/1445هـ is read as three numbers and a bare h; said as "
         "a date with the month's name: 15 رمضان 1445 هجري"),
    Rule("gregorian year", GREGORIAN.pattern, GREGORIAN.read,
         "espeak says the letter's name (mim) after the year; only a sure year, as م is "
         "also metres (1500 م): attached 2019م, after عام/سنة, or spaced 1900-2099"),
    Rule("hijri year", HIJRI.pattern, HIJRI.read,
         "espeak says a bare h after the year; only a sure year: attached 1440هـ, "
         "after عام/سنة, or spaced 1300-1499"),
    Rule("clock time", r"(?<![\d:.,/])(?P<hour>[01]?\d|2[0-3]):(?P<minutes>[0-5]\d)(?![\d:]|[.,]\d)",
         numbers.read_time, "espeak reads 10:30 as ten thirty with nothing between; said as "
         "a time: العاشرة والنصف, التاسعة و5 دقائق"),
    Rule("thousands separator", NUMBER_START + r"\d{1,3}(?:,\d{3})+(?!\d|,\d)",
         lambda match: match.group().replace(",", ""),
         "espeak pauses at the comma of 1,500 (one thousand. and five hundred); the rules "
         "below would read it as a decimal"),
    Rule("currency before", NUMBER_START + rf"(?P<sign>{SIGN_BEFORE})\s?(?P<number>{NUMBER})"
         rf"(?:\s+(?P<scale>{SCALE}){NOT_BEFORE_LETTER})?", numbers.read_currency,
         "espeak reads $5 as dollar five; the currency goes after the amount, agreeing "
         "with it (5 دولارات, 20 دولارًا), after a scale word (5 مليون دولار)"),
    Rule("currency after", NUMBER_START + rf"(?P<number>{NUMBER})\s?(?P<sign>{SIGN_AFTER})"
         + NOT_BEFORE_LETTER, numbers.read_currency,
         "5$ is read five dollar (singular), and ر.س, د.إ, ج.م, ل.ل letter by letter"),
    Rule("currency word", NUMBER_START + rf"(?P<number>\d+)\s+(?P<sign>دولار){NOT_BEFORE_LETTER}",
         numbers.read_currency, "5 دولار is heard as five dollar: the noun agrees with "
         "the number (5 دولارات); يورو has one form"),
    *share_rules(),
    Rule("fraction", rf"(?:(?P<whole>\d+)\s?)?(?P<fraction>[{FRACTION}])", numbers.read_fraction,
         "espeak reads ½ in English (a half); 2½ is 2 ونصف"),
    Rule("unit", NUMBER_START + rf"(?P<number>{NUMBER})\s?(?P<unit>{UNIT})(?!{LETTER}|\d)",
         numbers.read_unit, "espeak reads م2 as mim two and °C in English, and no unit in "
         "the plural; Google reads كم as how much. Said in full, agreeing with the number"),
    Rule("range", rf"(?<![\d.,/-])({NUMBER})\s*[-–]\s*({NUMBER})(?![\d/-]|[.,]\d)", read_range,
         "espeak drops the dash: 5-10 is heard as fifteen; phone numbers, month-year "
         "dates and scores (050-1234567, 5-2020, 3-1) are kept, see is_range"),
    Rule("sign", r"(?<![^\s(وف])(?<!\w[وف])(?<!\d\s)(?P<sign>[+\u2212-])(?=\d)",
         lambda match: "زائد " if match.group("sign") == "+" else "سالب ",
         "espeak says + and − in English (plus, minus) and drops -: -5 is heard as 5"),
    Rule("definite ordinal", rf"(?P<before>(?<![\w{HARAKAT}]){LETTER}[\w{HARAKAT}]*\s+)?"
         rf"(?P<prefix>{NOT_AFTER_LETTER}[وف]?(?:[بك]?ال|لل))\s?(?P<number>\d{{1,2}})(?![\d]|[.,]\d)"
         r"(?=(?P<next>\s+\S+)?)", numbers.read_definite_ordinal,
         "espeak reads الـ15 as the letters aal and a cardinal; said as an ordinal "
         "(الخامس عشر, الخامسة عشرة after a feminine noun); before عامًا, سنة ... it is a count, kept"),
    Rule("century", rf"(?P<noun>{NOT_AFTER_LETTER}[وف]?(?:[بك]?ال|لل)قرن)\s+(?P<number>\d{{1,2}})"
         r"(?![\d]|[.,]\d)", numbers.read_century,
         "القرن 21 is the twenty-first century, an ordinal: القرن الحادي والعشرين"),
    Rule("decimal", NUMBER_START + r"(\d+)\.(\d+)(?!\d|[.,]\d)", r"\1 فاصلة \2",
         "3.5 and ٣٫٥ are read with فاصلة, as a newsreader says them; Google may read "
         "the point as a pause, and a dot before a space ends a sentence"),
    Rule("dateline dash", rf"(?<={LETTER})\s?[-–—](?=\s)", ARABIC_COMMA,
         "a dash after a word (برس- اوروبا, or an aside) is a pause, not a sound"),
    Rule("ila", NOT_AFTER_LETTER + "(و?)الى" + NOT_BEFORE_LETTER, r"\1إلى",
         "espeak spells the misspelled preposition out: alif maqsura; والى in news is "
         "almost always و + الى (the verb والى, to side with, is rare)"),
    Rule("tanween fath", rf"اً{NOT_BEFORE_LETTER}", "\u064bا",
         "espeak reads tanween only on the letter before the alif: فوراً loses its -an"),
    Rule("month pair", NOT_AFTER_LETTER + f"(?:{MONTH_PAIR})" + NOT_BEFORE_LETTER, join_month_pair,
         "نيسان/ أبريل names one month twice: the slash's pause would split one date in two"),
)

# --- pausal forms (waqf) ---------------------------------------------------------------

# Where a reader pauses: before a sentence or clause mark (closing quotes and brackets
# may come between), before an opening bracket, and at the end of the paragraph.
PAUSE_AHEAD = rf"(?=[{re.escape(CLOSERS_AFTER_MARK)}]*(?:[{re.escape(PAUSE_MARKS)}]|\s+\(|\s*$))"
ARABIC_LETTERS = LETTER_RANGE
VOWELS_AND_TANWEEN = TANWEEN + SHORT_VOWELS
TA_MARBUTA = "\u0629"


def read_pausal(match: re.Match[str]) -> str:
    """The last word's ending as read before a pause (waqf).

    A final short vowel or tanween becomes a sukun; fathatan before alif becomes a
    fatha (a long a: بيانًا -> bayānā); a ta marbuta is read h (مدرسةٌ -> madrasah).
    """
    letter, marks, alif = match.group("letter"), match.group("marks"), match.group("alif") or ""
    if alif:  # a long vowel stays; only fathatan before it changes
        return letter + marks.replace(FATHATAN, FATHA) + alif
    if letter == TA_MARBUTA:
        return "\u0647" + SUKUN
    kept = "".join(mark for mark in marks if mark not in VOWELS_AND_TANWEEN)
    if kept == marks:  # no vowel to drop: an unvowelled ending is left to espeak
        return match.group()
    return letter + kept.replace(SUKUN, "") + SUKUN


# Respellings for espeak alone, applied to its spoken form after tashkeel
# (tts.engines.espeak names them as its own).
ESPEAK_RULES: tuple[Rule, ...] = (
        Rule("pausal form",
             rf"(?<=[{ARABIC_LETTERS}{HARAKAT}])(?P<letter>[{ARABIC_LETTERS}])(?P<marks>[{HARAKAT}]*)"
             rf"(?P<alif>[اى])?(?![{ARABIC_LETTERS}{HARAKAT}\w]){PAUSE_AHEAD}",
             read_pausal, "a trained reader stops on a silent ending, but espeak reads every "
             "case ending the tashkeel adds, also before a pause (طرابلسَ. -> t[,a.Ra:b'ulus,a): "
             "the last word before a pause loses its short vowel or tanween (sukun), "
             "fathatan on alif is a long a, and ta marbuta is read h"),
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
)


def respell(text: str, rules: Sequence[Rule] = SPEECH_RULES) -> str:
    """``text`` with each rule applied in order."""
    for rule in rules:
        text = compiled(rule.pattern).sub(rule.replacement, text)
    return text


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    """The regex for a rule's pattern, compiled once."""
    return re.compile(pattern)

