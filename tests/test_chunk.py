"""Tests for tts.text.chunk: boundary levels, packing, the length limit and the no-text-lost invariant."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tts.errors import ConfigError
from tts.sources.plain import read_source
from tts.text.chunk import (
    CLAUSE_LEVEL,
    MAX_CLIP_CHARS,
    SENTENCE_LEVEL,
    SPACE_LEVEL,
    chunk_article,
    chunk_text,
    classify_gap,
)
from tts.text.normalize import normalize
from tts.text.prepare import parse_article
from tts.types import Break, Chunk

ARTICLE = Path(__file__).resolve().parent.parent / "data" / "article.txt"
# Written out here, not imported, so a change to the module's table cannot
# silently make the seed-article test pass.
PREPOSITIONS = {"في", "من", "إلى", "على", "عن", "مع", "ب", "ل", "و", "لدى", "حتى", "منذ"}
P, S, C, W = Break.PARAGRAPH, Break.SENTENCE, Break.CLAUSE, Break.WORD
URL = "https://example.com/a/very/long/path/to/page"


def pieces(spoken: str, max_chars: int | None) -> list[tuple[str, Break]]:
    return [(c.text, c.brk) for c in chunk_text(spoken, max_chars)]


CASES = [
    # no limit, or a limit the text already meets: one chunk
    ("ذهب الولد. عاد البنت؟ نام الجميع", None, [("ذهب الولد. عاد البنت؟ نام الجميع", P)]),
    ("ذهب الولد. عاد البنت؟", 21, [("ذهب الولد. عاد البنت؟", P)]),
    # 1. sentences, including ؟ and ! which gTTS ignores, packed greedily
    ("ذهب الولد. عاد البنت؟ نام الجميع", 20, [("ذهب الولد.", S), ("عاد البنت؟", S), ("نام الجميع", P)]),
    ("قال نعم. ثم ذهب. وانتهى الأمر", 20, [("قال نعم. ثم ذهب.", S), ("وانتهى الأمر", P)]),
    ("أ. ب. ج. د.", 5, [("أ. ب.", S), ("ج. د.", P)]),
    ("يا للهول! ما هذا؟ لا أعرف", 10, [("يا للهول!", S), ("ما هذا؟", S), ("لا أعرف", P)]),
    ('قال "انتهى." ثم غادر', 15, [('قال "انتهى."', S), ("ثم غادر", P)]),
    ("انتظر… ثم عاد", 8, [("انتظر…", S), ("ثم عاد", P)]),
    # 2. clauses: ، ؛ : , and quotes / brackets
    ("وصل الوفد، وبدأ الاجتماع؛ ثم انتهى", 20, [("وصل الوفد،", C), ("وبدأ الاجتماع؛", C), ("ثم انتهى", P)]),
    ("وأضافت الوزارة: إن الموقف ثابت", 20, [("وأضافت الوزارة:", C), ("إن الموقف ثابت", P)]),
    ("first part, second part", 15, [("first part,", C), ("second part", P)]),
    ("قال «لن نتراجع» وغادر المكان", 16, [("قال «لن نتراجع»", C), ("وغادر المكان", P)]),
    ("أعلنت القيادة (أفريكوم) سحب قواتها", 20, [("أعلنت القيادة", C), ("(أفريكوم) سحب قواتها", P)]),
    ("جملة قصيرة. وأخرى، أطول منها بكثير جدا", 26, [("جملة قصيرة.", S), ("وأخرى، أطول منها بكثير جدا", P)]),
    # 3. connectors: cut before وقال / لكن rather than at the last space
    ("أعلن الوزير الخطة وقال إنها ستنجح قريبا", 25, [("أعلن الوزير الخطة", W), ("وقال إنها ستنجح قريبا", P)]),
    ("كان الجو باردا لكن الناس خرجوا إلى الشوارع", 30, [("كان الجو باردا", W), ("لكن الناس خرجوا إلى الشوارع", P)]),
    # 4. last space, never ending on a preposition
    ("one two three four five", 10, [("one two", W), ("three four", W), ("five", P)]),
    ("ذهب الرجل إلى السوق القديم", 14, [("ذهب الرجل", W), ("إلى السوق", W), ("القديم", P)]),
    ("انتظر... ثم عاد إلى البيت", 12, [("انتظر...", S), ("ثم عاد", W), ("إلى البيت", P)]),
    ("في من على", 6, [("في من", W), ("على", P)]),
    # 5. a word longer than the limit is the one thing hard-cut
    (f"افتح {URL} الآن", 20, [("افتح", W), (URL[:20], W), (URL[20:40], W), (URL[40:] + " الآن", P)]),
    ("abcdefgh", 3, [("abc", W), ("def", W), ("gh", P)]),
]


@pytest.mark.parametrize(("spoken", "max_chars", "expected"), CASES)
def test_boundaries(spoken: str, max_chars: int | None, expected: list[tuple[str, Break]]) -> None:
    assert pieces(spoken, max_chars) == expected


@pytest.mark.parametrize("spoken", [
    "بلغ النمو 3.5 بالمئة في عام 2020. وخسر 1,000,000 دولار في 12/5/2020 تقريبا",
    "الرقم 3.14159. التالي 2,5 ثم 10:30 صباحا، أو 1.000.000",
])
@pytest.mark.parametrize("max_chars", [9, 12, 17, 25, 40])
def test_numbers_are_never_split(spoken: str, max_chars: int) -> None:
    chunks = chunk_text(spoken, max_chars)
    for number in re.findall(r"\d[\d.,:/]*\d", spoken):
        assert any(number in c.text for c in chunks), number
    assert " ".join(c.text for c in chunks) == spoken


def test_chunk_fields() -> None:
    chunks = chunk_text("  أولى. ثانية  ", 7, paragraph=4)
    assert chunks == [Chunk(4, 0, "أولى.", 2, 7, S), Chunk(4, 1, "ثانية", 8, 13, P)]


@pytest.mark.parametrize("spoken", ["", "   ", "\n"])
def test_nothing_to_chunk(spoken: str) -> None:
    assert chunk_text(spoken, 10) == []
    assert chunk_text(spoken, None) == []


@pytest.mark.parametrize("max_chars", [0, -5])
def test_limit_must_be_positive(max_chars: int) -> None:
    with pytest.raises(ConfigError, match="max_chars must be at least 1"):
        chunk_text("نص", max_chars)


def test_chunk_article_skips_unspeakable_paragraphs() -> None:
    paragraphs = parse_article("فقرة أولى طويلة جدا وممتدة\n* * *\nفقرة ثالثة")
    chunks = chunk_article(paragraphs, 12)
    assert [(c.paragraph, c.index, c.text) for c in chunks] == [
        (0, 0, "فقرة أولى"), (0, 1, "طويلة جدا"), (0, 2, "وممتدة"), (2, 0, "فقرة ثالثة"),
    ]
    assert [c.brk for c in chunks] == [W, W, P, P]


def test_seed_article_at_gtts_limit() -> None:
    paragraphs = parse_article(read_source(str(ARTICLE)))
    chunks = chunk_article(paragraphs, 100)
    assert len(chunks) > len(paragraphs)
    for p in paragraphs:
        own = [c for c in chunks if c.paragraph == p.index]
        assert " ".join(c.text for c in own) == p.spoken
        assert [c.index for c in own] == list(range(len(own)))
        assert own[-1].brk is P
    for c in chunks:
        assert 0 < len(c.text) <= 100
        assert c.text.split()[-1] not in PREPOSITIONS, c.text
    assert {C, W} <= {c.brk for c in chunks}


def speech(text: str) -> str:
    """The letters and digits of ``text``, in order: what a listener must hear."""
    return "".join(ch for ch in text if ch.isalnum())


def check_invariant(spoken: str, chunks: list[Chunk], max_chars: int | None) -> None:
    """No text lost: offsets match, every chunk fits, is non-empty and has something to say;
    between chunks only spaces, or punctuation that no chunk within the limit could take."""
    position = 0
    for i, c in enumerate(chunks):
        assert c.index == i
        assert spoken[c.start:c.end] == c.text
        assert c.text and c.text == c.text.strip()
        assert max_chars is None or len(c.text) <= max_chars
        assert speech(c.text), c.text
        assert not speech(spoken[position:c.start])
        assert c.start >= position
        position = c.end
        assert (c.brk is P) == (i == len(chunks) - 1)
    assert not speech(spoken[position:])
    assert speech("".join(c.text for c in chunks)) == speech(spoken)
    assert bool(chunks) == bool(speech(spoken))


ALPHABET = (
    "ابتثجحخدذرسشصضطظعغفقكلمنهويىةءأإآؤئ"
    "abcXYZ0123456789٣"
    "      \n"
    ".!?؟…،؛:,;«»\"“”()[]-/ـ"
)
TEXTS = st.one_of(st.text(alphabet=ALPHABET, max_size=400), st.text(max_size=200))
LIMITS = st.one_of(st.none(), st.integers(1, 200))


@settings(deadline=None, max_examples=300)
@given(TEXTS, LIMITS)
def test_no_text_is_lost(text: str, max_chars: int | None) -> None:
    spoken = normalize(text)
    chunks = chunk_text(spoken, max_chars, paragraph=3)
    check_invariant(spoken, chunks, max_chars)
    assert all(c.paragraph == 3 for c in chunks)
    if max_chars is None and speech(spoken):
        assert " ".join(c.text for c in chunks) == spoken


@settings(deadline=None, max_examples=200)
@given(TEXTS, LIMITS)
def test_no_text_is_lost_from_raw_text(text: str, max_chars: int | None) -> None:
    check_invariant(text, chunk_text(text, max_chars), max_chars)


def test_no_chunk_is_longer_than_a_clip_may_be_whatever_the_engine() -> None:
    # An engine that takes a whole paragraph per call (max_chars None) still gets a
    # paragraph of 200,000 letters in bounded chunks: one clip of hours would be held whole.
    sentence = "قالت الوزارة إن الاجتماع سيعقد غدا في العاصمة. "
    [paragraph] = parse_article((sentence * 400).strip())
    chunks = chunk_article([paragraph], None)
    assert len(chunks) > 1
    assert [c.brk for c in chunks] == [S] * (len(chunks) - 1) + [P]  # cut between sentences
    check_invariant(paragraph.spoken, chunks, MAX_CLIP_CHARS)
    no_spaces = "ب" * 200_000
    chunks = chunk_article(parse_article(no_spaces), None)
    assert "".join(c.text for c in chunks) == no_spaces
    assert max(len(c.text) for c in chunks) <= MAX_CLIP_CHARS


def test_news_paragraphs_stay_whole_for_a_whole_paragraph_engine() -> None:
    paragraphs = parse_article(read_source(str(ARTICLE)))
    chunks = chunk_article(paragraphs, None)
    assert [(c.paragraph, c.text) for c in chunks] == [
        (p.index, p.spoken) for p in paragraphs if p.speakable]


@pytest.mark.parametrize(("spoken", "max_chars"), [
    ("قال 0000، . ثم مضى", 6),             # "0000/." normalized: the stop was left alone
    ("مرحبا . . . كيف الحال", 9),
    ("نهاية الجملة هنا .", 16),             # a full chunk, then a lone final stop
    ("العدد 2024، . والباقي هنا", 12),
    ("قال: « نعم » ثم ذهب", 6),             # a lone closing quote
])
def test_no_chunk_is_punctuation_alone(spoken: str, max_chars: int) -> None:
    chunks = chunk_text(spoken, max_chars)
    check_invariant(spoken, chunks, max_chars)
    assert all(re.search(r"[^\W_]", c.text) for c in chunks), [c.text for c in chunks]


@pytest.mark.parametrize(("before", "after", "level"), [
    ("و[[h@l'oU]]", "كلمة", SPACE_LEVEL), ("كلمة", "[[h@l'oU]]", SPACE_LEVEL),
    ("[[h@l'oU]].", "كلمة", SENTENCE_LEVEL), ("«[[h@l'oU]]»", "كلمة", CLAUSE_LEVEL),
    ("كلمة", "([[h@l'oU]]", CLAUSE_LEVEL)])
def test_a_lexicons_phonemes_weigh_as_a_word(before: str, after: str, level: int) -> None:
    # Their brackets were read as the text's: every gap beside a lexicon entry was a
    # clause break, where a long paragraph was cut first, with a clause's pause.
    assert classify_gap(before, after) == level


@pytest.mark.parametrize("max_chars", [20, 25, 40])
def test_phonemes_from_a_lexicon_are_never_cut(max_chars: int) -> None:
    # espeak reads half of a "[[...]]" as letters; a paragraph longer than a clip may be
    # cut anywhere between words, and phonemes hold spaces.
    spoken = "كلمة " * 5 + "و[[h@l oU w3:ld]]." + " كلمة" * 5
    chunks = chunk_text(spoken, max_chars)
    check_invariant(spoken, chunks, max_chars)
    assert [c.text for c in chunks if "[[" in c.text or "]]" in c.text] == [
        c.text for c in chunks if "و[[h@l oU w3:ld]]." in c.text]
