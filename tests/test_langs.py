"""Mixed languages: Latin runs and English paragraphs in Arabic text, each spoken in its language."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FakeGoogle
from tts import render
from tts.synth.cache import clip_key
from tts.text.chunk import chunk_article
from tts.engines.espeak import EspeakEngine
from tts.errors import InputError
from tts.text.langs import Run, languages, runs, spell_acronyms
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
            assert "".join(c.text for c in mine).replace(" ", "") == p.spoken.replace(" ", "")
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
