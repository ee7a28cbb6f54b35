"""Tests for tts.text.diacritize and the per-engine spoken form: tashkeel for espeak only."""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest
from conftest import ARTICLE, FakeGoogle

from tts.config import RenderConfig
from tts.engines.espeak import EspeakEngine
from tts.engines.google import GoogleEngine
from tts.errors import EngineUnavailable
from tts.pipeline import make_plan
from tts.text import diacritize
from tts.text.diacritize import MODEL, add_marks, diacritize_texts, is_written, needs_marks
from tts.text.prepare import parse_article, spoken_for
from tts.text.rules import respell

ROOT = Path(__file__).resolve().parent.parent
HARAKAT = re.compile("[\u064b-\u0652\u0670]")


def harakat(text: str) -> int:
    return len(HARAKAT.findall(text))


def load_bench(name: str = "consonant_clusters") -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A fresh process as far as the model goes; the list grows by one per load."""
    loads: list[int] = []
    real = diacritize.load_model

    def counting() -> diacritize.Predict:
        loads.append(1)
        return real()
    monkeypatch.setattr(diacritize, "_MODEL", None)
    monkeypatch.setattr(diacritize, "load_model", counting)
    return loads


def test_model_is_bundled_so_nothing_is_downloaded() -> None:
    from text2tashkeel import BUNDLED
    assert MODEL in BUNDLED


@pytest.mark.parametrize(("word", "written"), [
    ("منعت", False),
    ("فورًا", False),
    ("المسلّحة", False),
    ("مَنَعَتْ", True),
    ("الْكِتَابُ", True),
    ("بِسْمِ", True),
])
def test_is_written(word: str, written: bool) -> None:
    assert is_written(word) is written


@pytest.mark.parametrize(("text", "predicted", "expected"), [
    # The model's marks go onto our letters, even where it respells a hamza.
    ("منعت", "مَنَعَتْ", "مَنَعَتْ"),
    ("أكد", "اَكَّدَ", "أَكَّدَ"),
    # Symbols it drops and Latin letters it marks are kept as written.
    ("قال 😀 BBC:", "قَالَ  BَBC:", "قَالَ 😀 BBC:"),
    # A word the author diacritized is kept; a written mark wins unless the model's include it.
    ("مَنَعَتْ روسيا", "مَنَعْتُ رُوسْيَا", "مَنَعَتْ رُوسْيَا"),
    ("وحذّر", "وَحَذَّرَ", "وَحَذَّرَ"),
    # A written shadda the model did not predict keeps the model's vowel, and the
    # model's sukun before it (impossible before a doubled consonant) becomes a fatha.
    ("يعرّض", "يَعْرِضُ", "يَعَرِّضُ"),
    ("تشنّه", "تَشْنَهُ", "تَشَنَّهُ"),
    ("يَعْرّض", "يَعْرِضُ", "يَعْرّض"),
    # Letters that do not line up: no marks at all rather than wrong ones.
    ("منعت", "مَنَعَ", "منعت"),
    ("منعت", "مَنَعَتْكَ", "منعت"),
])
def test_add_marks(text: str, predicted: str, expected: str) -> None:
    assert unicodedata.normalize("NFC", add_marks(text, predicted)) == unicodedata.normalize("NFC", expected)


def test_diacritize_texts_adds_marks_and_keeps_letters() -> None:
    texts = [p.spoken for p in parse_article(ARTICLE.read_text(encoding="utf-8"))]
    marked = diacritize_texts(texts)
    for before, after in zip(texts, marked, strict=True):
        assert HARAKAT.sub("", after) == HARAKAT.sub("", before)
        assert harakat(after) > harakat(before) + len(before.split()) // 2


def test_text_needing_no_marks_does_not_load_the_model(count_loads: list[int]) -> None:
    texts = ["", "BBC 2019", "مَنَعَتْ رُوسْيَا"]
    assert not any(needs_marks(t) for t in texts)
    assert diacritize_texts(texts) == texts
    assert count_loads == []


def test_model_loads_once_per_process(count_loads: list[int], offline: None) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    first = make_plan(text, RenderConfig(engine="espeak"))
    second = make_plan(text, RenderConfig(engine="espeak"))
    assert len(first.paragraphs) == 13 and len(first.chunks) >= 13
    assert count_loads == [1]
    assert [c.text for c in first.chunks] == [c.text for c in second.chunks]


def test_a_broken_model_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    import text2tashkeel
    monkeypatch.setattr(text2tashkeel, "BUNDLED", frozenset())
    with pytest.raises(EngineUnavailable, match="--no-tashkeel"):
        diacritize.load_model()


def test_espeak_chunks_carry_harakat(offline: None) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    with_marks = make_plan(text, RenderConfig(engine="espeak"))
    without = make_plan(text, RenderConfig(engine="espeak", tashkeel=False))
    for marked, plain in zip(with_marks.chunks, without.chunks, strict=True):
        assert harakat(marked.text) > 2 * harakat(plain.text) + 10
        assert marked.text == with_marks.paragraphs[marked.paragraph].spoken[marked.start:marked.end]
    assert "مَنَعَتْ" in with_marks.chunks[0].text


def test_google_gets_no_tashkeel(google: FakeGoogle, tmp_path: Path, count_loads: list[int]) -> None:
    from tts.pipeline import render
    text = ARTICLE.read_text(encoding="utf-8")
    render(text, tmp_path / "out.mp3", RenderConfig(engine="gtts"))
    sent = "".join(google.texts)
    # Only the marks the author wrote (فورًا, المسلّحة ...) reach Google.
    written = "".join(p.spoken for p in parse_article(text))
    assert sent and harakat(sent) == harakat(written)
    assert count_loads == []


def test_spoken_for_gtts_leaves_text_as_normalized(count_loads: list[int]) -> None:
    paragraphs = parse_article("منعت روسيا صدور بيان\n\n* * *")
    assert spoken_for(GoogleEngine(), paragraphs, tashkeel=True) == paragraphs
    spoken = spoken_for(EspeakEngine(), paragraphs, tashkeel=True)
    assert [p.speakable for p in spoken] == [True, False]
    assert harakat(spoken[0].spoken) >= 8
    assert spoken_for(EspeakEngine(), paragraphs, tashkeel=False) == paragraphs


def test_spoken_for_other_languages_leaves_text_as_normalized(count_loads: list[int]) -> None:
    paragraphs = parse_article("منعت روسيا صدور بيان\n\nإقترحت مُحَمَّد", "en")
    assert spoken_for(EspeakEngine(), paragraphs, tashkeel=True, lang="en") == paragraphs
    assert count_loads == []


@pytest.mark.parametrize("word", ["منعت", "بسبب", "حفتر", "يطلب", "المتحدة", "بقلق"])
def test_tashkeel_gives_espeak_vowels(word: str) -> None:
    bench = load_bench()
    engine = EspeakEngine()
    plain = engine.phonemes(word, bench.SEPARATOR)
    (marked_text,) = [p.spoken for p in spoken_for(EspeakEngine(), parse_article(word), tashkeel=True)]
    marked = engine.phonemes(marked_text, bench.SEPARATOR)
    assert bench.longest_consonant_run(plain) >= 3
    assert bench.longest_consonant_run(marked) < 3


def test_the_article_word_with_a_written_shadda_has_no_cluster() -> None:
    bench = load_bench()
    text = "وحذّر من أن هذا الهجوم يعرّض الإستقرار في ليبيا للخطر."
    (spoken,) = [p.spoken for p in spoken_for(EspeakEngine(), parse_article(text), tashkeel=True)]
    word = next(w for w in spoken.split() if w.startswith("ي") and "ض" in w)
    assert bench.longest_consonant_run(EspeakEngine().phonemes(word, bench.SEPARATOR)) < 3


def test_cluster_count_falls_with_tashkeel() -> None:
    bench = load_bench()
    words = ["منعت", "بسبب", "حفتر", "يطلب", "المتحدة", "بقلق", "وبحسب", "رفضت", "دعت", "لكل"]
    engine = EspeakEngine()
    plain = bench.clustered(engine, words)
    spoken = spoken_for(EspeakEngine(), parse_article(" ".join(words)), True)
    marked_words = bench.distinct_words(p.spoken for p in spoken)
    marked = bench.clustered(engine, marked_words)
    assert len(plain) >= 8
    assert len(marked) <= 1


@pytest.mark.parametrize(("phonemes", "run"), [
    ("m|n|A|t", 4),
    ("m|'a|n|a|A|,a|t", 1),
    ("?|a|l|dZ|'a|j|S", 2),
    ("a|s[|s[|'a|H", 2),
    ("w|a|l|?|'i|dH|t[|R|a:|b", 3),
    ("b|s|b b|s", 3),
    ("x|'a (en)|s|l|'a|S|(ar) a", 2),
])
def test_longest_consonant_run(phonemes: str, run: int) -> None:
    assert load_bench().longest_consonant_run(phonemes) == run


def test_pausal_forms_stop_espeak_on_a_silent_ending() -> None:
    bench = load_bench("pausal_forms")
    text = "مَنَعَتْ رُوسِيَا صُدُورَ الْبَيَانِ. وَطَالَبَتْ بِتَعْدِيلِ صِيغَتِهِ، لِكَيْ يَصْدُرَ بَيَانًا رِئَاسِيًّا."
    engine = EspeakEngine()
    without = tuple(rule for rule in bench.ESPEAK_RULES if rule.name != bench.PAUSAL)
    total, vowel, tanween = bench.measure(engine, [text], without, show=False)
    assert total == 3 and vowel + tanween == 3
    total, vowel, tanween = bench.measure(engine, [text], bench.ESPEAK_RULES, show=False)
    assert total == 3 and vowel + tanween == 0
    # The long a of the pausal بَيَانًا رِئَاسِيَّا is heard: the clause ends in a:.
    assert engine.clause_phonemes(respell(text, bench.ESPEAK_RULES))[-1].endswith("a:")


def test_long_text_reaches_the_model_in_bounded_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 200,000-letter paragraph once took 4.3 GB in one model call; windows keep it small."""
    asked: list[int] = []

    def fake_model(text: str) -> str:
        asked.append(len(text))
        return "".join(ch + "\u064e" if diacritize.is_arabic_letter(ch) else ch for ch in text)
    monkeypatch.setattr(diacritize, "_MODEL", fake_model)
    no_spaces = "ب" * 5000
    sentences = "كتب الولد الدرس، ثم نام. " * 300
    for text in (no_spaces, sentences):
        asked.clear()
        (marked,) = diacritize_texts([text])
        assert max(asked) <= diacritize.MODEL_WINDOW and sum(asked) == len(text)
        assert harakat(marked) == sum(diacritize.is_arabic_letter(ch) for ch in text)
    pieces = diacritize.windows(sentences, 100)
    assert "".join(pieces) == sentences and all(p.endswith(("، ", ". ")) for p in pieces[:-1])
