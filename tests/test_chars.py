"""The character tables in tts.chars hold every character the modules' own sets held before."""

from __future__ import annotations

import re

import pytest

from tts import chars
from tts.sources import html, markdown, plain
from tts.text import chunk, diacritize, langs, lexicon, rules


def members(char_class: str) -> frozenset[str]:
    """The characters of U+0000-U+07FF and the punctuation block that a regex class body matches."""
    pattern = re.compile(f"[{char_class}]")
    points = [*range(0x0800), *range(0x2000, 0x2070)]
    return frozenset(ch for ch in map(chr, points) if pattern.fullmatch(ch))


# The sets as each module wrote them before tts.chars held them (literals, on purpose).
OLD_LETTERS = {
    "langs.py (script)": members("\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff"),
    "rules.py (pausal form)": members("\u0621-\u063a\u0641-\u064a"),
    "diacritize.py WORD": members("\u0621-\u063a\u0641-\u064a\u0671"),
    "diacritize.py is_arabic_letter": members("\u0621-\u063f\u0641-\u064a\u0671"),
}
OLD_SENTENCE_MARKS = {
    "chunk.py": frozenset(".!?\u061f\u2026\u06d4"),
    "plain.py SENTENCE_END": frozenset(".!?\u061f\u2026\u06d4"),
    "html.py list items": frozenset(".!?\u061f"),
}
OLD_PAUSE_MARKS = {
    "diacritize.py CLAUSE_END": frozenset(".!?؟؛،,;:"),
    "rules.py PAUSE_AHEAD": frozenset(".!?؟…،؛:,;"),
    "markdown.py SPACE_BEFORE_MARK": frozenset(".,;:!?\u060c\u061b\u061f"),
}
OLD_CLOSERS_AFTER_MARK = {
    "plain.py SENTENCE_END": frozenset("\"'\u00bb\u201d\u2019)]"),
    "rules.py PAUSE_AHEAD": frozenset("\"'»”’)]"),
    "chunk.py CLOSERS": frozenset("»\"\u201d\u2019)]}\u203a"),
}
TATWEEL = "\u0640"


@pytest.mark.parametrize("name", OLD_LETTERS)
def test_letter_sets_hold_the_old_ones(name: str) -> None:
    new = members(chars.SCRIPT_LETTER_RANGE) if "script" in name else members(chars.LETTER_RANGE)
    assert new >= OLD_LETTERS[name]


def test_lexicon_letters_differ_only_by_tatweel() -> None:
    # lexicon.py took U+0621-U+064A, tatweel included; entries are normalized (tatweel
    # dropped) before they are matched, so leaving it out changes no match.
    old = members("\u0621-\u064a\u0671")
    assert old - members(chars.LETTER_RANGE) == {TATWEEL}


def test_letters_are_one_set() -> None:
    assert members(chars.LETTER_RANGE) == chars.LETTERS
    assert TATWEEL not in chars.LETTERS
    assert members(chars.SCRIPT_LETTER_RANGE) >= chars.LETTERS
    assert {"ء", "ا", "ب", "ي", "ة", "ى", "أ", "إ", "آ", "ؤ", "ئ", "\u0671"} <= chars.LETTERS
    assert not set(chars.MARKS) & chars.LETTERS


@pytest.mark.parametrize("name", OLD_SENTENCE_MARKS)
def test_sentence_marks_hold_the_old_ones(name: str) -> None:
    assert frozenset(chars.SENTENCE_MARKS) >= OLD_SENTENCE_MARKS[name]


@pytest.mark.parametrize("name", OLD_PAUSE_MARKS)
def test_pause_marks_hold_the_old_ones(name: str) -> None:
    assert frozenset(chars.PAUSE_MARKS) >= OLD_PAUSE_MARKS[name]


@pytest.mark.parametrize("name", OLD_CLOSERS_AFTER_MARK)
def test_closers_after_a_mark_hold_the_old_ones(name: str) -> None:
    assert frozenset(chars.CLOSERS_AFTER_MARK) >= OLD_CLOSERS_AFTER_MARK[name]


def test_clause_marks_of_the_chunker_are_unchanged() -> None:
    assert frozenset("\u060c\u061b:,;-\u2013\u2014") == chunk.CLAUSE_MARKS
    assert OLD_SENTENCE_MARKS["chunk.py"] == chunk.SENTENCE_MARKS
    assert frozenset(chunk.CLOSERS) == OLD_CLOSERS_AFTER_MARK["chunk.py CLOSERS"]
    assert frozenset("«\"\u201c\u2018([{\u2039") == chunk.OPENERS


@pytest.mark.parametrize(("text", "ends"), [
    ("قال.", True), ("هل جاء؟", True), ("وقال.»", True), ("He left.'", True), ("(انتهى.)", True),
    ("ثم…", True), ("اردو۔", True), ("قال", False), ("قال،", False), ("a: b", False), ("", False),
])
def test_ends_sentence(text: str, ends: bool) -> None:
    assert chars.ends_sentence(text) is ends


def test_modules_use_the_tables() -> None:
    assert frozenset(chars.PAUSE_MARKS) == diacritize.CLAUSE_END
    assert frozenset(chars.TASHKEEL) == diacritize.MARKS
    assert all(diacritize.is_arabic_letter(ch) for ch in chars.LETTERS)
    assert not diacritize.is_arabic_letter(TATWEEL)
    assert rules.ARABIC_LETTERS == chars.LETTER_RANGE
    assert langs.token_script("\u06a9") == "arabic"  # keheh: a letter of the script
    assert lexicon.marked("ب") == f"ب[{chars.MARKS}]*"  # an Arabic letter may carry marks
    assert lexicon.marked("b") == "b"
    assert not hasattr(plain, "SENTENCE_END")
    assert markdown.items_as_sentences is html.items_as_sentences is plain.items_as_sentences


@pytest.mark.parametrize(("items", "paragraph"), [
    (["أولا", "ثانيا."], "أولا. ثانيا."),
    (["هل؟", "نعم…", "«قال.»"], "هل؟ نعم… «قال.»"),
    (["one", "", "two!"], "one. two!"),
])
def test_list_items_read_as_sentences(items: list[str], paragraph: str) -> None:
    assert plain.items_as_sentences(items) == paragraph
