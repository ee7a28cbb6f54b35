"""Mixed languages: Latin runs and English paragraphs in Arabic text, each spoken in its language."""

from __future__ import annotations

import itertools
import json
import unicodedata

import pytest
from conftest import FakeGoogle
from hypothesis import given, settings
from hypothesis import strategies as st

from tts import render
from tts.engines.espeak import EspeakEngine
from tts.errors import InputError
from tts.synth.cache import clip_key
from tts.text.chunk import chunk_article
from tts.text.langs import Run, has_speech, languages, runs, spell_acronyms
from tts.text.prepare import parse_article
from tts.types import Break


@pytest.mark.parametrize(("text", "expected"), [
    ("قال NATO إن", [("قال ", None), ("NATO", "en"), (" إن", None)]),
    ("قال Mike Pompeo، إن", [("قال ", None), ("Mike Pompeo،", "en"), (" إن", None)]),
    ("نظام Windows 11 Pro الجديد", [("نظام ", None), ("Windows 11 Pro", "en"), (" الجديد", None)]),
    ("طائرات F-16 و(BBC)", [("طائرات ", None), ("F-16", "en"), (" و(BBC)", None)]),
    ("— NATO، قال", [("— NATO،", "en"), (" قال", None)]),
    ("The BBC said on Monday (قال) that", [("The BBC said on Monday (قال) that", "en")]),
    ("قال [[Haft'ar]] إن", [("قال [[Haft'ar]] إن", None)]),
    ("منعت روسيا", [("منعت روسيا", None)]),
])
def test_runs(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(text[r.start:r.end], r.lang) for r in runs(text, "ar")] == expected


def test_other_languages_have_no_runs() -> None:
    assert [(r.start, r.end, r.lang) for r in runs("NATO قال", "en")] == [(0, 8, None)]
    assert languages("قال NATO", "ar") == ["ar", "en"] and languages("Hi", "en") == ["en"]


@pytest.mark.parametrize(("text", "expected"), [
    ("IMF", "I-M-F"), ("the WHO said", "the W-H-O said"), ("(BBC)", "(B-B-C)"),
    ("NATO", "NATO"), ("OPEC", "OPEC"), ("UNESCO", "UNESCO"), ("F-16", "F-16"),
    ("I said", "I said"), ("Reuters", "Reuters"), ("COVID-19", "COVID-19"),
])
def test_short_acronyms_are_spelled(text: str, expected: str) -> None:
    assert spell_acronyms(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # An English paragraph in an Arabic article keeps its signs and dashes.
    ("Sales rose 3% in 2019-2020 and/or fell.", "Sales rose 3% in 2019-2020 and, or fell."),
    # Arabic rules outside the Latin run, acronyms spelled inside it.
    ("قال IMF إن 5-10 و3% حمص/ حماة", "قال I-M-F إن 5 إلى 10 و3 بالمئة حمص، حماة"),
    ("نظام Windows 5-10 Pro", "نظام Windows 5-10 Pro"),
])
def test_arabic_rules_never_touch_latin_runs(text: str, expected: str) -> None:
    assert parse_article(text, "ar")[0].spoken == expected


def test_google_gets_each_run_as_a_chunk_joined_without_a_pause() -> None:
    paragraphs = parse_article("قال NATO إن القوات انسحبت. BBC News قالت ذلك.", "ar")
    chunks = chunk_article(paragraphs, 100, "ar", inline_languages=False)
    assert [(c.text, c.lang, c.brk) for c in chunks] == [
        ("قال", None, Break.WORD), ("NATO", "en", Break.WORD),
        ("إن القوات انسحبت.", None, Break.SENTENCE), ("B-B-C News", "en", Break.WORD),
        ("قالت ذلك.", None, Break.PARAGRAPH)]
    spoken = paragraphs[0].spoken
    assert all(spoken[c.start:c.end] == c.text for c in chunks)


def test_espeak_keeps_the_paragraph_whole_but_an_english_one_in_english() -> None:
    paragraphs = parse_article("قال NATO إن.\n\nThe BBC said so.", "ar")
    chunks = chunk_article(paragraphs, None, "ar", inline_languages=True)
    assert [(c.text, c.lang) for c in chunks] == [("قال NATO إن.", None), ("The B-B-C said so.", "en")]


def test_espeak_switches_voice_inside_one_call() -> None:
    engine = EspeakEngine()
    text = "قال Windows 11 11 11 11 Pro إن"
    assert engine.markup(text) == '<speak>قال <voice name="en">Windows 11 11 11 11 Pro</voice> إن</speak>'
    # Phonemes: the numbers inside the run in English (Il'Ev@n), the rest in Arabic.
    phonemes = engine.phonemes(text)
    assert phonemes.count("Il'Ev@n") == 4 and phonemes.startswith("q'a:l")
    # Synthesis: four English "eleven"s are far shorter than four Arabic أحد عشر.
    switched = len(engine.synthesize(text))
    arabic = len(engine.synthesize("قال 11 11 11 11 إن"))
    assert switched < arabic
    assert engine.markup("منعت روسيا") is None
    assert engine.markup("a < b و") == '<speak><voice name="en">a &lt; b</voice> و</speak>'


def test_the_chunk_language_is_in_the_cache_key() -> None:
    key = {"engine": "gtts"}
    assert clip_key(key, "NATO", "en") != clip_key(key, "NATO")
    assert clip_key(key, "NATO", None) == clip_key(key, "NATO")


def test_dry_run_shows_each_chunks_language(run, google: FakeGoogle, write_text) -> None:  # type: ignore[no-untyped-def]
    path = write_text("قال NATO إن القوات انسحبت.\n\nThe BBC said 3% of 5-10 people.")
    result = run("render", str(path), "--engine", "gtts", "--dry-run")
    assert result.exit_code == 0, result.stderr
    # The article's metadata and paragraphs come first, then a "[n]" line per chunk.
    chunk_lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert chunk_lines[:4] == [
        "[1] ar: قال", "[1] en: NATO", "[1] ar: إن القوات انسحبت.",
        "[2] en: The B-B-C said 3% of 5-10 people."]
    result = run("render", str(path), "--engine", "espeak", "--no-tashkeel", "--dry-run")
    chunk_lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert chunk_lines[:2] == [
        "[1] ar+en: قال NATO إِن القوات انسحبت.", "[2] en: The B-B-C said 3% of 5-10 people."]


def test_an_english_paragraph_renders_with_google_in_english(run, google: FakeGoogle, write_text) -> None:  # type: ignore[no-untyped-def]
    path = write_text("منعت روسيا صدور البيان.\n\nThe BBC said so.")
    result = run("render", str(path), "--engine", "gtts", "-o", "out.mp3", "--no-loudness")
    assert result.exit_code == 0, result.stderr
    # Requests run concurrently: compare them in any order.
    assert sorted(zip(google.texts, google.langs, strict=True)) == sorted([
        ("منعت روسيا صدور البيان.", "ar"), ("The B-B-C said so.", "en")])


MIXED_TEXT = st.text(alphabet="أبتحسعلمنوة ABCINOTaeimnrst 0159/-.،,%$:()", max_size=80)


@settings(deadline=None, max_examples=150)
@given(MIXED_TEXT)
def test_runs_chunks_keep_every_word_in_order(text: str) -> None:
    try:
        paragraphs = parse_article(text, "ar")
    except InputError:
        return
    for inline in (False, True):
        chunks = chunk_article(paragraphs, 20, "ar", inline_languages=inline)
        for p in paragraphs:
            mine = [c for c in chunks if c.paragraph == p.index]
            assert all(p.spoken[c.start:c.end] == c.text for c in mine)
            assert all(has_speech(c.text) for c in mine), [c.text for c in mine]
            assert speech("".join(c.text for c in mine)) == speech(p.spoken)
            assert all(a.end <= b.start for a, b in itertools.pairwise(mine))


@settings(deadline=None, max_examples=150)
@given(MIXED_TEXT)
def test_no_arabic_punctuation_for_another_lang(text: str) -> None:
    try:
        paragraphs = parse_article(text, "en")
    except InputError:
        return
    for p in paragraphs:
        assert p.spoken.count("\u060c") <= p.original.count("\u060c")


def test_google_runs_are_joined_without_a_pause(google: FakeGoogle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = render("قال NATO إن القوات انسحبت.", tmp_path / "a.wav", engine="gtts", cache_dir=None,
                    loudness=None)
    placed = result.timeline
    assert [p.chunk.lang for p in placed] == [None, "en", None]
    render("قال NATO إن.", tmp_path / "b.wav", engine="gtts", manifest=tmp_path / "b.json")
    chunks = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["paragraphs"][0]["chunks"]
    assert [c["lang"] for c in chunks] == [None, "en", None]
    # Each clip starts where the one before it ends: no silence is added between the voices.
    assert all(b.start_ms - a.end_ms <= 1 for a, b in itertools.pairwise(placed))


def test_phonemes_with_spaces_stay_in_the_voice_around_them() -> None:
    # Cut at its space, each half of a lexicon's [[...]] was taken for English: espeak
    # then read the phonemes inside an English <voice>.
    assert runs("قال حفتر [[h@l'oU w'3:ld]] اليوم", "ar") == [Run(0, 32, None)]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def speech(text: str) -> str:
    """The letters and digits of ``text``, in order: what a listener must hear."""
    return "".join(ch for ch in text if ch.isalnum())


# Units and shares in Latin symbols, as Arabic news writes them, and what the Arabic voice says.
ARABIC_UNITS = [
    ("بلغت الحرارة 45°C في الظل.", "بلغت الحرارة 45 درجةً مئويةً في الظل."),
    ("بلغت الحرارة 45 °C في الظل.", "بلغت الحرارة 45 درجةً مئويةً في الظل."),
    ("بلغت الحرارة 45℃ في الظل.", "بلغت الحرارة 45 درجةً مئويةً في الظل."),
    ("سجلت 3°C فقط", "سجلت 3 درجات مئوية فقط"),
    ("سجلت 1°C فقط", "سجلت درجة مئوية واحدة فقط"),
    ("ما يعادل 113°F تقريبا", "ما يعادل 113 درجةً فهرنهايت تقريبا"),
    ("بين 40-45°C اليوم", "بين 40 إلى 45 درجةً مئويةً اليوم"),
    ("بسرعة 120km/h على الطريق", "بسرعة 120 كيلومترًا في الساعة على الطريق"),
    ("بسرعة 120 km/h على الطريق", "بسرعة 120 كيلومترًا في الساعة على الطريق"),
    ("رياح سرعتها 2 km/h", "رياح سرعتها كيلومتران في الساعة"),
    ("مساحتها 10 km² فقط", "مساحتها 10 كيلومترات مربعة فقط"),
    ("شقة مساحتها 100m² للبيع", "شقة مساحتها 100 متر مربع للبيع"),
    ("شقة مساحتها 85 m2 للبيع", "شقة مساحتها 85 مترًا مربعًا للبيع"),
    ("ضبط 3kg من المخدرات", "ضبط 3 كيلوغرامات من المخدرات"),
    ("ضبط 25 KG من المخدرات", "ضبط 25 كيلوغرامًا من المخدرات"),
    ("ارتفع بنسبة 50% أمس", "ارتفع بنسبة 50 بالمئة أمس"),
    ("معدل 5‰ من المواليد", "معدل 5 بالألف من المواليد"),
    ("قال Reuters إن الحرارة 45°C", "قال Reuters إن الحرارة 45 درجةً مئويةً"),
]


@pytest.mark.parametrize(("text", "expected"), ARABIC_UNITS)
def test_units_in_arabic_sentences_are_spoken_in_arabic(text: str, expected: str) -> None:
    (paragraph,) = parse_article(text, "ar")
    assert nfc(paragraph.spoken) == nfc(expected)


@pytest.mark.parametrize("text", [text for text, _ in ARABIC_UNITS if "Reuters" not in text])
def test_a_unit_never_starts_a_latin_run(text: str) -> None:
    # 45°C became a request of its own to Google's English voice: ar, en, ar.
    assert runs(text, "ar") == [Run(0, len(text))]
    (paragraph,) = parse_article(text, "ar")
    chunks = chunk_article([paragraph], 100, "ar", inline_languages=False)
    assert [c.lang for c in chunks] == [None]


@pytest.mark.parametrize(("text", "expected"), [
    # An English paragraph keeps its units, for the English voice to say.
    ("It was 45°C in the shade, and 120 km/h winds.", [("It was 45°C in the shade, and 120 km/h winds.", "en")]),
    # Between Latin words a unit stays in their run, as digits do; at its edge it is Arabic.
    ("سيارة Model S 250 km/h Plaid الجديدة",
     [("سيارة ", None), ("Model S 250 km/h Plaid", "en"), (" الجديدة", None)]),
    ("سيارة Model S بسرعة 250 km/h", [("سيارة ", None), ("Model S", "en"), (" بسرعة 250 km/h", None)]),
    # A line of units alone is not English: their letters are not counted as Latin.
    ("10 km2 و5 kg", [("10 km2 و5 kg", None)]),
    # A Latin word that is not a unit, or a unit after no number, is still Latin.
    ("وزنه 5 kgs", [("وزنه 5 ", None), ("kgs", "en")]),
    ("وحدة kg المعروفة", [("وحدة ", None), ("kg", "en"), (" المعروفة", None)]),
])
def test_units_stay_within_their_run(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(text[r.start:r.end], r.lang) for r in runs(text, "ar")] == expected


def test_an_english_text_keeps_its_units() -> None:
    text = "It was 45°C, 120 km/h and 5‰."
    assert parse_article(text, "en")[0].spoken == text
    assert parse_article(f"قال الخبير.\n\n{text}", "ar")[1].spoken == text


def test_dry_run_sends_a_temperature_in_arabic(run, google: FakeGoogle, write_text) -> None:  # type: ignore[no-untyped-def]
    path = write_text("بلغت الحرارة 45°C في الظل.")
    result = run("render", str(path), "--engine", "gtts", "--dry-run")
    assert result.exit_code == 0, result.stderr
    chunk_lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert [nfc(line) for line in chunk_lines] == [nfc("[1] ar: بلغت الحرارة 45 درجةً مئويةً في الظل.")]


# Texts of the kind Arabic sites publish, where punctuation stands alone between spaces.
LONE_PUNCTUATION = [
    "0000/.",
    "قال 0000/. ثم مضى",
    "قال المتحدث (AFP) .",
    'وذكرت "BBC" ، أن الوفد وصل .',
    "قال المتحدث باسم الوزارة ( AFP ) . . . ثم غادر « » .",
    "نقلت Reuters : « ... » ؛ - CNN ، .",
    "« قال » ( ) [ ] - — ، ؛ . ! ؟",
    "The minister said ( AFP ) . . . « »",
    "مرحبا . . . كيف الحال ؟ ! ، ؛",
    "https://example.com/a/very/long/path/to/some/page/with/a/very/long/tail////////////// .",
]


@pytest.mark.parametrize("text", LONE_PUNCTUATION)
@pytest.mark.parametrize("max_chars", [None, 100, 20, 8, 3])
@pytest.mark.parametrize("inline", [True, False])
def test_no_chunk_is_punctuation_alone(text: str, max_chars: int | None, inline: bool) -> None:
    paragraphs = parse_article(text, "ar")
    chunks = chunk_article(paragraphs, max_chars, "ar", inline_languages=inline)
    assert chunks and all(has_speech(c.text) for c in chunks), [c.text for c in chunks]
    for p in paragraphs:
        mine = [c for c in chunks if c.paragraph == p.index]
        assert all(p.spoken[c.start:c.end] == c.text for c in mine)
        assert speech("".join(c.text for c in mine)) == speech(p.spoken)  # no letter or digit lost
