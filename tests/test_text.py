"""Tests for tts.text: normalization, paragraphs with their spoken forms, and their errors."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tts.errors import InputError
from tts.arabic import is_arabic
from tts.engines.espeak import EspeakEngine
from tts.engines.google import GoogleEngine
from tts.normalize import (
    NORMALIZERS,
    apply_nfkc,
    collapse_whitespace,
    convert_digits,
    normalize,
    normalizers_for,
    remove_invisible_characters,
    replace_persian_letters,
    replace_persian_yeh,
    replace_slashes,
)
from tts.rules import ESPEAK_RULES, SPEECH_RULES, Rule, respell
from tts.sources.text import read_source
from tts.text import is_speakable, parse_article
from tts.types import Paragraph

ARTICLE = Path(__file__).resolve().parent.parent / "data" / "article.txt"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


STEP_CASES = [
    # 1. NFKC
    (apply_nfkc, "\ufefb", "\u0644\u0627"),           # ﻻ lam-alef ligature -> لا
    (apply_nfkc, "\ufef9", "\u0644\u0625"),           # ﻹ with hamza below -> لإ
    (apply_nfkc, "\ufefc", "\u0644\u0627"),           # ﻼ -> لا
    (apply_nfkc, "قال…", "قال..."),
    (apply_nfkc, "عام\u00a02020", "عام 2020"),
    (apply_nfkc, "\ufbfc", "\u06cc"),                 # Persian yeh presentation form -> ی
    # 2. Persian / Urdu letters
    (replace_persian_letters, "کتاب", "كتاب"),
    (replace_persian_letters, "ڪتاب", "كتاب"),
    (replace_persian_letters, "\u06d5", "ه"),
    (replace_persian_letters, "\u06c1", "ه"),
    (replace_persian_letters, "مدرس\u06c0", "مدرسة"),
    (replace_persian_letters, "\u06d0", "ي"),
    (replace_persian_letters, "arabic ك stays", "arabic ك stays"),
    (replace_persian_yeh, "علی", "على"),
    (replace_persian_yeh, "الی", "الى"),
    (replace_persian_yeh, "حتی", "حتى"),
    (replace_persian_yeh, "فی", "في"),
    (replace_persian_yeh, "وفی", "وفي"),
    (replace_persian_yeh, "الذی", "الذي"),
    (replace_persian_yeh, "التی", "التي"),
    (replace_persian_yeh, "تقریر", "تقرير"),
    (replace_persian_yeh, "المیادین", "الميادين"),
    (replace_persian_yeh, "مصطفی،", "مصطفى،"),
    (replace_persian_yeh, "علیً", "علىً"),
    (replace_persian_yeh, "یوم", "يوم"),
    (replace_persian_yeh, "في على", "في على"),
    # 3. invisible characters
    (remove_invisible_characters, "كـتـــاب", "كتاب"),
    (remove_invisible_characters, "نص\u200bآخر", "نصآخر"),
    (remove_invisible_characters, "a\u200c\u200d\u2060b", "ab"),
    (remove_invisible_characters, "\ufeffنص", "نص"),
    (remove_invisible_characters, "\u200fنص\u200e", "نص"),
    (remove_invisible_characters, "\u202bنص\u202c", "نص"),
    (remove_invisible_characters, "\u2067نص\u2069\u061c", "نص"),
    (remove_invisible_characters, "a\u00adb", "ab"),
    (remove_invisible_characters, "a\x07b\x1bc", "abc"),
    (remove_invisible_characters, "a\tb\nc", "a\tb\nc"),
    # 4. digits
    (convert_digits, "٠١٢٣٤٥٦٧٨٩", "0123456789"),
    (convert_digits, "۰۱۲۳۴۵۶۷۸۹", "0123456789"),
    (convert_digits, "١٬٠٠٠", "1,000"),
    (convert_digits, "٣٫٥", "3.5"),
    # 5. slashes
    (replace_slashes, "أ/ب", "أ، ب"),
    (replace_slashes, "أ / ب", "أ، ب"),
    (replace_slashes, "نيسان/ أبريل", "نيسان، أبريل"),
    (replace_slashes, "and/or", "and، or"),
    (replace_slashes, "12/5/2020", "12/5/2020"),
    (replace_slashes, "في 12/5 الماضي", "في 12/5 الماضي"),
    (replace_slashes, "12/ أبريل", "12، أبريل"),
    # 6. whitespace
    (collapse_whitespace, "  أ \n\t ب  ", "أ ب"),
    (collapse_whitespace, "أ\u2028ب\u3000ج", "أ ب ج"),
    (collapse_whitespace, "", ""),
]


@pytest.mark.parametrize(("step", "given_text", "expected"), STEP_CASES)
def test_each_normalization_step(step: Callable[[str], str], given_text: str, expected: str) -> None:
    assert nfc(step(given_text)) == nfc(expected)


@pytest.mark.parametrize(("given_text", "expected"), [
    ("وفي ٦ نيسان/ أبريل", "وفي 6 نيسان، أبريل"),
    ("المیادین نت فی تقریر", "الميادين نت في تقرير"),
    ("\ufefb\u200f يـوجد", "لا يوجد"),
    ("في ١٢/٥/٢٠٢٠ وقع", "في 12/5/2020 وقع"),
    ("کان  \n  علی\u00a0الطاولة…", "كان على الطاولة..."),
    ("  ", ""),
])
def test_normalize_runs_all_steps(given_text: str, expected: str) -> None:
    assert nfc(normalize(given_text)) == nfc(expected)


# (rule name, input, expected): at least one pair for every rule in the tables.
RULE_CASES = [
    ("abbreviation أ ف ب", "(أ ف ب)", "(وكالة الصحافة الفرنسية)"),
    ("abbreviation أ ف ب", "أ.ف.ب", "وكالة الصحافة الفرنسية"),
    ("abbreviation أ ف ب", "ا. ف. ب:", "وكالة الصحافة الفرنسية:"),
    ("abbreviation أ ش أ", "أ.ش.أ", "وكالة أنباء الشرق الأوسط"),
    ("abbreviation ص ب", "ص.ب 1234", "صندوق البريد 1234"),
    ("abbreviation ق م", "عام 300 ق.م", "عام 300 قبل الميلاد"),
    ("abbreviation ق م", "فقم", "فقم"),
    ("etcetera", "الخبز والماء إلخ.", "الخبز والماء إلى آخره."),
    ("doctor", "قال د. محمد", "قال الدكتور محمد"),
    ("doctor", "د.محمد", "الدكتور محمد"),
    ("doctor", "ولد. ثم", "ولد. ثم"),
    ("doctor", "(د. سمير)", "(الدكتور سمير)"),
    ("doctor", "بقيمة 10 د.ل", "بقيمة 10 د.ل"),
    ("doctor", "مليون د.ل.", "مليون د.ل."),
    ("doctor", "بعد 45 د. من البداية", "بعد 45 د. من البداية"),
    ("doctor", "في الدقيقة 45د. سجل", "في الدقيقة 45د. سجل"),
    ("doctor", "20 د.م.", "20 د.م."),
    ("doctor", "سعره د.م. واحد", "سعره د.م. واحد"),
    ("gregorian year", "عام 2019م", "عام 2019 ميلادي"),
    ("gregorian year", "عام 2019 م.", "عام 2019 ميلادي."),
    ("gregorian year", "2019 منعت", "2019 منعت"),
    ("gregorian year", "في 2019م", "في 2019 ميلادي"),
    ("gregorian year", "منذ 2019 م", "منذ 2019 ميلادي"),
    ("gregorian year", "ولد سنة 1500 م", "ولد سنة 1500 ميلادي"),
    ("gregorian year", "وللعام 622م", "وللعام 622 ميلادي"),
    ("gregorian year", "في العام 70 م", "في العام 70 ميلادي"),
    ("gregorian year", "سباق 1500 م", "سباق 1500 م"),
    ("gregorian year", "سباق 5000 م", "سباق 5000 م"),
    ("gregorian year", "سباق 5000م", "سباق 5000م"),
    ("gregorian year", "سباق 100م", "سباق 100م"),
    ("gregorian year", "الساعة 8 م", "الساعة 8 م"),
    ("gregorian year", "نظام 1500 م", "نظام 1500 م"),
    ("gregorian year", "12019م", "12019م"),
    ("hijri year", "عام 1440هـ", "عام 1440 هجري"),
    ("hijri year", "عام 1440 ه،", "عام 1440 هجري،"),
    ("hijri year", "في 1445 هـ", "في 1445 هجري"),
    ("hijri year", "سنة 23 هـ", "سنة 23 هجري"),
    ("hijri year", "البند 1200 ه", "البند 1200 ه"),
    ("percent after", "50%", "50 بالمئة"),
    ("percent after", "نسبة 12.5 ٪ من", "نسبة 12.5 بالمئة من"),
    ("percent before", "%50", "50 بالمئة"),
    ("percent range", "50%-60%", "50 إلى 60 بالمئة"),
    ("percent range", "بين 2.5 ٪ – 3 ٪", "بين 2.5 إلى 3 بالمئة"),
    ("percent range", "10-15%", "10-15%"),
    ("range", "5-10", "5 إلى 10"),
    ("range", "من 2019 – 2020", "من 2019 إلى 2020"),
    ("range", "1.5-2", "1.5 إلى 2"),
    ("range", "12-5-2020", "12-5-2020"),
    ("range", "12/5-6", "12/5-6"),
    ("range", "10-15 بالمئة", "10 إلى 15 بالمئة"),
    ("range", "1990-2020", "1990 إلى 2020"),
    ("range", "0.5-1", "0.5 إلى 1"),
    ("range", "9999-10000", "9999-10000"),
    ("range", "هاتف 050-1234567", "هاتف 050-1234567"),
    ("range", "1-07", "1-07"),
    ("range", "في 5-2020", "في 5-2020"),
    ("range", "12-2019", "12-2019"),
    ("range", "فاز 3-1", "فاز 3-1"),
    ("range", "2-2", "2-2"),
    ("dateline dash", "إيران برس- اوروبا:", "إيران برس، اوروبا:"),
    ("dateline dash", "نص - نص", "نص، نص"),
    ("dateline dash", "شمال-غرب", "شمال-غرب"),
    ("ila", "الى بيروت", "إلى بيروت"),
    ("ila", "(الى)", "(إلى)"),
    ("ila", "والى", "وإلى"),
    ("ila", "من طرابلس والى بنغازي", "من طرابلس وإلى بنغازي"),
    ("ila", "الوالى", "الوالى"),
    ("ila", "تعالى", "تعالى"),
    ("tanween fath", "فوراً،", "فور\u064bا،"),
    ("tanween fath", "اًلف", "اًلف"),
    ("sun letter", "اللِّيبِيِّ", "اللِيبِيِّ"),
    ("sun letter", "الرَّاهِنِ", "الرَاهِنِ"),
    ("sun letter", "وَالشَّمْسُ", "وَالشَّمْسُ"),
    ("sun letter", "الْقَمَرُ", "الْقَمَرُ"),
    ("hamza below", "إقترحت", "إِقترحت"),
    ("hamza below", "إِيرَان", "إِيرَان"),
    ("shadda first", "\u0645\u064f\u062d\u064e\u0645\u064e\u0651\u062f",
     "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f"),
    ("shadda first", "\u0645\u0651\u062f", "\u0645\u0651\u062f"),
]
ALL_RULES = {rule.name: rule for rule in (*SPEECH_RULES, *ESPEAK_RULES)}


@pytest.mark.parametrize(("name", "given_text", "expected"), RULE_CASES)
def test_each_speech_rule(name: str, given_text: str, expected: str) -> None:
    assert respell(given_text, [ALL_RULES[name]]) == expected


def test_every_rule_has_a_case_and_a_reason() -> None:
    assert {name for name, _, _ in RULE_CASES} == set(ALL_RULES)
    assert all(isinstance(r, Rule) and r.reason for r in ALL_RULES.values())


@pytest.mark.parametrize(("given_text", "expected"), [
    ("إيران برس- اوروبا: نسبة ٥٠٪ الى ١٠-١٥ عام ١٤٤٠هـ",
     "إيران برس، اوروبا: نسبة 50 بالمئة إلى 10 إلى 15 عام 1440 هجري"),
    ("قال د. سمير (أ ف ب) فوراً", "قال الدكتور سمير (وكالة الصحافة الفرنسية) فور\u064bا"),
    ("ارتفع ٥٠٪-٦٠٪ و١٠-١٥٪", "ارتفع 50 إلى 60 بالمئة و10 إلى 15 بالمئة"),
])
def test_normalize_applies_the_speech_rules(given_text: str, expected: str) -> None:
    assert normalize(given_text) == expected


@pytest.mark.parametrize(("lang", "expected"), [
    ("ar", True), ("AR", True), ("ar-EG", True), ("ar_SA", True),
    ("en", False), ("fa", False), ("arz", False), ("en-ar", False),
])
def test_is_arabic(lang: str, expected: bool) -> None:
    assert is_arabic(lang) is expected


def test_other_languages_keep_only_the_neutral_steps() -> None:
    assert normalizers_for("ar-EG") == NORMALIZERS
    assert respell not in normalizers_for("en")
    assert normalizers_for("en") == tuple(step for step in NORMALIZERS if step is not respell)
    text = "Sales rose ٥% in 2019-2020, d. Smith said (50%-60%) \u200b etc/etc"
    (paragraph,) = parse_article(text, "en")
    assert paragraph.spoken == "Sales rose 5% in 2019-2020, d. Smith said (50%-60%) etc، etc"
    assert parse_article("الى ٥-١٠", "ar")[0].spoken == "إلى 5 إلى 10"


def test_engine_rules_are_per_engine() -> None:
    marked = "مُحَمَّد"
    assert respell(marked, GoogleEngine().rules) == marked
    assert respell(marked, EspeakEngine().rules) != marked


def test_normalize_takes_custom_steps() -> None:
    assert normalize("  a  b ", [str.upper, collapse_whitespace]) == "A B"
    assert normalize("x", []) == "x"


def test_normalizers_are_in_documented_order() -> None:
    assert NORMALIZERS[0] is apply_nfkc
    assert NORMALIZERS[-1] is collapse_whitespace
    assert NORMALIZERS.index(convert_digits) < NORMALIZERS.index(replace_slashes)


REMOVED_CHARS = "\u0640\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202e\u2066\u2069\u061c\u06cc\u06a9"
MIXED = st.text(alphabet="أبتثجحخدذرسشصضطظعغفقكلمنهويىةءـیکە٠١٩۰۹٬٫ab1 \n\t/.،؟\u200b\u200f\ufeff", max_size=80)


@settings(deadline=None, max_examples=200)
@given(st.one_of(MIXED, st.text(max_size=80)))
def test_normalized_text_is_clean(text: str) -> None:
    spoken = normalize(text)
    assert spoken == spoken.strip()
    assert "  " not in spoken
    assert all(ch == " " or not ch.isspace() for ch in spoken)
    assert not set(spoken) & set(REMOVED_CHARS)
    assert not any("\u0660" <= ch <= "\u0669" or "\u06f0" <= ch <= "\u06f9" for ch in spoken)


@pytest.mark.parametrize(("spoken", "expected"), [
    ("نص", True),
    ("a", True),
    ("٣", True),
    ("3", True),
    ("* * *", False),
    ("...", False),
    ("—", False),
    ("،؟!", False),
    ("😀🎉", False),
    ("\u064e\u0651", False),
    ("", False),
])
def test_is_speakable(spoken: str, expected: bool) -> None:
    assert is_speakable(spoken) is expected


def test_parse_article_keeps_unspeakable_paragraphs_in_place() -> None:
    paragraphs = parse_article("سطر\nأول\n\n* * *\n\nفقرة ٣")
    assert paragraphs == [
        Paragraph(0, "سطر أول", "سطر أول"),
        Paragraph(1, "* * *", ""),
        Paragraph(2, "فقرة ٣", "فقرة 3"),
    ]
    assert [p.speakable for p in paragraphs] == [True, False, True]


@pytest.mark.parametrize("text", ["", "\n \n", "\r\n"])
def test_parse_article_refuses_empty_text(text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        parse_article(text)


@settings(deadline=None, max_examples=200)
@given(st.one_of(MIXED, st.text(max_size=120)), st.sampled_from(["ar", "en"]))
def test_parse_article_on_any_text(text: str, lang: str) -> None:
    # Checked against facts computed here, not with the functions under test. Where lines
    # are joined or kept apart is tests/test_sources_text.py's business (the line shapes);
    # whatever the split, no word is lost, added or moved.
    def heard(written: str) -> bool:
        """A letter or digit: tatweel is a letter to Unicode, but only stretches the line."""
        return any(ch.isalnum() and ch != "\u0640" for ch in unicodedata.normalize("NFKC", written))
    try:
        paragraphs = parse_article(text, lang)
    except InputError:
        assert not heard(text)
        return
    assert [p.index for p in paragraphs] == list(range(len(paragraphs)))
    assert " ".join(" ".join(p.original.split()) for p in paragraphs) == " ".join(text.split())
    for paragraph in paragraphs:
        block = paragraph.original
        assert block == block.strip() and "\n" not in block
        assert paragraph.speakable == heard(block)
        spoken = paragraph.spoken
        assert spoken == spoken.strip() and "  " not in spoken and "\n" not in spoken
        if lang == "en":  # no respelling: every ASCII letter and digit is spoken, in order
            kept = iter(spoken)
            ascii_words = [ch for ch in unicodedata.normalize("NFKC", block) if ch.isascii() and ch.isalnum()]
            assert all(ch in kept for ch in ascii_words)


def test_seed_article() -> None:
    text = read_source(str(ARTICLE))
    lines = [line for line in ARTICLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    paragraphs = parse_article(text)
    assert len(paragraphs) == len(lines)
    assert all(p.speakable for p in paragraphs)
    assert [p.original for p in paragraphs] == [line.strip() for line in lines]
    assert "المیادین نت فی تقریر" in paragraphs[2].original
    assert "الميادين نت في تقرير" in paragraphs[2].spoken
    assert not any(ch in p.spoken for p in paragraphs for ch in "\u06cc\u06a9/")
