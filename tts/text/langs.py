"""Which language each stretch of a text is in: Latin-script runs and English paragraphs in Arabic."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tts.chars import SCRIPT_LETTER, is_arabic, primary
from tts.text.numbers import UNITS

# Latin script inside Arabic news is names, acronyms and quotations, nearly always
# English (or read the English way): it is spoken by this language's voice.
LATIN_LANG = "en"
# Basic Latin and the Latin-1/Extended-A/B letters (names like Müller, Łódź).
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")
# A paragraph whose letters are at least this share Latin is an English paragraph
# (one that quotes an Arabic name still is); below it, Latin words are runs inside Arabic.
LATIN_PARAGRAPH_SHARE = 0.8
# espeak-ng's inline phoneme input, ``[[...]]`` (from a lexicon): it belongs to the
# voice around it, so it is never a Latin run although its phoneme names are Latin.
PHONEMES = re.compile(r"\[\[.*?\]\]")
# A word, or phonemes (``[[h@l'oU w'3:ld]]``, spaces and all, with what is joined to
# them): cut at their spaces, each half would be taken for English, or cut into two chunks.
TOKEN = re.compile(rf"(?:\S*?{PHONEMES.pattern})+\S*|\S+")
# Units written in Latin letters after a number (45°C, 45 °C, 120km/h, 10 km2, 3kg): the
# Arabic unit rule says them (tts.text.numbers.UNITS), so such a token is no Latin letter
# to the language split. Otherwise "بلغت الحرارة 45°C في الظل." went to three voices.
# Between two Latin words a unit stays in their run, as digits do (Model S 250 km/h).
LATIN_UNITS = sorted((unit for unit in UNITS if LATIN_LETTER.search(unit)), key=len, reverse=True)
UNIT_TOKEN = re.compile(r"\W*(?P<number>\d(?:[\d.,\-–]*\d)?)?(?i:"
                        + "|".join(map(re.escape, LATIN_UNITS)) + r")\W*")
# A token that ends a number (``45``, ``(45``): a unit may follow it as a token of its own.
NUMBER_END = re.compile(r"\d\W*$")

# Short all-capital words (2-4 letters) are acronyms; an English voice reads some
# as a word (IMF as "imf", WHO as "who"), so they are spelled: I-M-F. Hyphens, not
# spaces (espeak reads a lone "A" as the article) nor dots (a dot ends a sentence).
# These are said as words by every newsreader, so they are kept.
ACRONYMS_SAID_AS_WORDS = frozenset({
    "NATO", "NASA", "OPEC", "FIFA", "UEFA", "AIDS", "SARS", "ISIS", "OK",
})
ACRONYM = re.compile(r"(?<![\w-])([A-Z]{2,4})(?![\w-])")


@dataclass(frozen=True)
class Run:
    """A stretch ``text[start:end]`` in one language; ``lang`` None means the text's own."""

    start: int
    end: int
    lang: str | None = None


def token_script(token: str, after_number: bool = False) -> str:
    """``arabic`` when the token holds an Arabic letter, ``latin`` a Latin one, else ``neutral``.

    A unit's symbol (``45°C``, or ``°C`` ``after_number``) is ``neutral``: it is read in Arabic.
    """
    if SCRIPT_LETTER.search(token):  # any letter of the Arabic script keeps the Arabic voice
        return "arabic"
    bare = PHONEMES.sub("", token)
    if LATIN_LETTER.search(bare) and not is_unit(bare, after_number):
        return "latin"
    return "neutral"


def is_unit(token: str, after_number: bool) -> bool:
    """True when ``token`` is a unit in Latin letters with its number, or one after a number.

    Compared in NFKC, as the rules will see it: ``km²`` is ``km2``, ``℃`` is ``°C``.
    """
    match = UNIT_TOKEN.fullmatch(unicodedata.normalize("NFKC", token))
    return match is not None and (after_number or match.group("number") is not None)


def token_scripts(text: str) -> Iterator[tuple[re.Match[str], str]]:
    """Each token of ``text`` with its script, judged with the token before it."""
    after_number = False
    for token in TOKEN.finditer(text):
        yield token, token_script(token.group(), after_number)
        after_number = NUMBER_END.search(token.group()) is not None


def is_latin_paragraph(text: str) -> bool:
    """True when at least LATIN_PARAGRAPH_SHARE of the letters of ``text`` are Latin (units'
    letters, ``km``, ``C``, not counted)."""
    latin = arabic = 0
    for token, script in token_scripts(PHONEMES.sub("", text)):
        arabic += len(SCRIPT_LETTER.findall(token.group()))
        if script != "neutral":
            latin += len(LATIN_LETTER.findall(token.group()))
    return latin > 0 and latin >= LATIN_PARAGRAPH_SHARE * (latin + arabic)


def latin_spans(text: str) -> list[tuple[int, int]]:
    """The Latin runs of ``text``: whole tokens, from a Latin one to a Latin one.

    Digits, symbols and units between two Latin tokens (``Windows 11 Pro``) join the run;
    at its edges they stay with the Arabic around it.
    """
    spans: list[tuple[int, int]] = []
    start = end = None
    for token, script in token_scripts(text):
        if script == "latin":
            start = token.start() if start is None else start
            end = token.end()
        elif script == "arabic" and start is not None and end is not None:
            spans.append((start, end))
            start = end = None
    if start is not None and end is not None:
        spans.append((start, end))
    return spans


def runs(text: str, lang: str) -> list[Run]:
    """``text`` cut into runs by language, covering it whole.

    Only an Arabic ``lang`` has foreign runs: a paragraph mostly in Latin script is
    one English run, and otherwise each Latin run is one, the rest Arabic (lang None).
    """
    if not text or not is_arabic(lang):
        return [Run(0, len(text))]
    if is_latin_paragraph(text):
        return [Run(0, len(text), LATIN_LANG)]
    result: list[Run] = []
    pos = 0
    for start, end in latin_spans(text):
        if has_speech(text[pos:start]):
            result.append(Run(pos, start))
        elif result:  # only spaces and marks between: the Latin run before takes them
            start = result.pop().start
        else:
            start = 0
        result.append(Run(start, end, LATIN_LANG))
        pos = end
    if has_speech(text[pos:]):
        result.append(Run(pos, len(text)))
    elif result:
        result[-1] = Run(result[-1].start, len(text), result[-1].lang)
    return result


def has_speech(text: str) -> bool:
    """True when ``text`` holds a letter or a digit (a run of only ``، -`` is not spoken alone)."""
    return any(ch.isalnum() for ch in text)


def languages(text: str, lang: str) -> list[str]:
    """The languages ``text`` is spoken in, in order of first use (``["ar", "en"]``)."""
    return list(dict.fromkeys(run.lang or lang for run in runs(text, lang)))


def map_runs(text: str, lang: str, change: Callable[[str, str | None], str]) -> str:
    """``text`` with ``change(run text, run lang)`` applied to each run separately."""
    return "".join(change(text[run.start:run.end], run.lang) for run in runs(text, lang))


def spell_acronyms(text: str) -> str:
    """Short all-capital words spelled letter by letter (``IMF`` -> ``I-M-F``), but NATO kept."""
    def spell(match: re.Match[str]) -> str:
        word = match.group(1)
        return word if word in ACRONYMS_SAID_AS_WORDS else "-".join(word)

    return ACRONYM.sub(spell, text)


def same_language(one: str, other: str) -> bool:
    """True when two language codes name one language (``ar``, ``ar-EG``, ``AR_sa``)."""
    return primary(one) == primary(other)

