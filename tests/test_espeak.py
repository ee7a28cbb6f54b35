"""Tests for the in-process espeak-ng engine, run against the real library."""

from __future__ import annotations

import re
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydub import AudioSegment

from tts.engines import espeak
from tts.engines.base import Engine
from tts.engines.espeak import (
    SAMPLE_RATE,
    EspeakEngine,
    check_available,
    espeak_version,
    list_voices,
)
from tts.errors import ConfigError, EngineUnavailable

SENTENCE = "منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي."
SECOND = "وطالبت روسيا بتعديل صيغة البيان بحيث يطلب من كل الأطراف الليبية المسلحة وقف القتال."
# Peak 16-bit amplitude is 32767; espeak speech sits in the thousands, silence at 0.
MIN_RMS = 500


def test_arabic_sentence_gives_real_speech() -> None:
    audio = EspeakEngine().synthesize(SENTENCE)
    assert audio.channels == 1
    assert audio.frame_rate == SAMPLE_RATE
    assert audio.sample_width == 2
    assert 1.5 <= audio.duration_seconds <= 10
    assert audio.rms > MIN_RMS


def test_longer_text_gives_longer_audio() -> None:
    engine = EspeakEngine()
    short = engine.synthesize(SENTENCE)
    long = engine.synthesize(" ".join([SENTENCE] * 3))
    assert long.duration_seconds / short.duration_seconds > 2.0


def test_faster_rate_gives_shorter_audio() -> None:
    slow = EspeakEngine(rate=120).synthesize(SENTENCE)
    fast = EspeakEngine(rate=300).synthesize(SENTENCE)
    assert fast.duration_seconds < slow.duration_seconds * 0.7


def test_rate_does_not_leak_between_engines() -> None:
    default_before = EspeakEngine().synthesize(SENTENCE)
    EspeakEngine(rate=400).synthesize(SENTENCE)
    default_after = EspeakEngine().synthesize(SENTENCE)
    assert default_after.raw_data == default_before.raw_data


def test_unknown_voice_names_the_voice() -> None:
    # Found when the engine is made, before any synthesis: a usage error.
    with pytest.raises(ConfigError, match="no-such-voice") as info:
        EspeakEngine(voice="no-such-voice")
    assert "--voice ar" in str(info.value) and "article-tts voices" in str(info.value)


def test_unknown_voice_suggests_close_names() -> None:
    with pytest.raises(ConfigError, match=r"close: .*ar"):
        EspeakEngine(voice="arr")


def test_every_listed_voice_is_accepted() -> None:
    voices = list_voices()
    assert "ar" in voices and "en" in voices
    for voice in voices:
        EspeakEngine(voice=voice).phonemes("ok")  # raises EngineError if refused


@pytest.mark.parametrize("rate", [79, 451, 0, -5])
def test_rate_out_of_range_is_a_config_error(rate: int) -> None:
    with pytest.raises(ConfigError, match=str(rate)):
        EspeakEngine(rate=rate)


def test_empty_text_gives_empty_audio() -> None:
    audio = EspeakEngine().synthesize("  \n ")
    assert len(audio) == 0
    assert audio.frame_rate == SAMPLE_RATE


def test_phonemes_are_ascii_and_follow_diacritics() -> None:
    engine = EspeakEngine()
    plain = engine.phonemes("منعت")
    marked = engine.phonemes("مَنَعَتْ")
    because = engine.phonemes("بسبب")
    print(f"\nمنعت -> {plain!r}\nمَنَعَتْ -> {marked!r}\nبسبب -> {because!r}")
    assert plain and plain.isascii()
    assert marked.isascii()
    assert plain != marked


def test_phonemes_cover_every_clause() -> None:
    engine = EspeakEngine()
    first, second = engine.phonemes("منعت روسيا"), engine.phonemes("مجلس الأمن")
    both = engine.phonemes("منعت روسيا، مجلس الأمن.")
    assert both == f"{first} {second}"
    assert engine.phonemes("") == ""


def test_concurrent_calls_match_sequential() -> None:
    engines = [EspeakEngine(), EspeakEngine(rate=300), EspeakEngine(rate=120), EspeakEngine()]
    texts = [SENTENCE, SECOND, SENTENCE, SECOND]
    jobs = list(zip(engines, texts, strict=True)) * 3
    expected = [engine.synthesize(text) for engine, text in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda job: job[0].synthesize(job[1]), jobs))
    mismatched = [i for i, (a, b) in enumerate(zip(got, expected, strict=True))
                  if a.raw_data != b.raw_data]
    assert mismatched == []


def test_check_available_reports_bundled_library() -> None:
    ok, detail = check_available()
    assert ok, detail
    assert espeak_version() in detail


def test_cache_key_follows_voice_and_rate() -> None:
    base = EspeakEngine().cache_key()
    assert base["engine"] == "espeak"
    assert base["version"] == espeak_version()
    assert EspeakEngine(voice="en").cache_key() != base
    assert EspeakEngine(rate=200).cache_key() != base
    assert EspeakEngine(rate=espeak.RATE_DEFAULT).cache_key() == base


def test_engine_matches_protocol() -> None:
    engine = EspeakEngine()
    assert isinstance(engine, Engine)
    assert engine.max_chars is None
    assert isinstance(engine.synthesize("نعم"), AudioSegment)


def test_no_library_anywhere_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)
    monkeypatch.setattr(espeak.ctypes.util, "find_library", lambda name: None)
    assert list(espeak._candidates()) == []
    with pytest.raises(EngineUnavailable, match="pip install espeakng-loader"):
        espeak._load_first([])


def test_the_system_library_is_looked_for_only_when_the_bundled_one_fails(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # find_library runs ldconfig and a gcc link: every start would pay 35 ms for it.
    looked: list[str] = []
    monkeypatch.setattr(espeak.ctypes.util, "find_library", lambda name: looked.append(name))
    _, chosen = espeak._load_first(espeak._candidates())
    assert chosen.label == "bundled" and looked == []
    monkeypatch.setitem(sys.modules, "espeakng_loader", None)  # no bundled library
    assert list(espeak._candidates()) == [] and looked == ["espeak-ng"]


def test_broken_bundled_library_falls_back_to_next() -> None:
    bundled = next(espeak._candidates())
    broken = espeak._Candidate("/nonexistent/libespeak-ng.so", None, "bundled")
    _, chosen = espeak._load_first([broken, bundled])
    assert chosen == bundled
    with pytest.raises(EngineUnavailable, match=re.escape("/nonexistent/libespeak-ng.so")):
        espeak._load_first([broken])


def test_phonemes_in_double_brackets_are_spoken_as_phonemes() -> None:
    engine = EspeakEngine()
    # As phoneme input, [[n'eItoU]] is four sounds; read as text it would be spelled out.
    as_phonemes = len(engine.synthesize("قال [[n'eItoU]] إن"))
    as_text = len(engine.synthesize("قال [ [n'eItoU] ] إن"))
    assert as_phonemes < 0.75 * as_text
    assert engine.phonemes("قال [[n'eItoU]] إن") == "q'a:l n'eItoU ?'in"


def test_speech_keeps_its_pace_beside_a_busy_python_thread() -> None:
    # The synthesis callback needs the GIL for every buffer it hands over; beside a thread
    # running Python (the streamed pass, tashkeel) each hand-over waited up to 5 ms. With
    # espeak's 60 ms buffers the article's speech took 70 times as long beside a busy
    # thread as alone; both are timed here in one run.
    import threading
    import time
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "data" / "article.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n") if p.strip()][:6]
    engine = EspeakEngine("ar")

    def speak() -> float:
        started = time.perf_counter()
        for paragraph in paragraphs:
            engine.synthesize(paragraph)
        return time.perf_counter() - started

    alone = min(speak() for _ in range(2))
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            sum(range(1000))

    thread = threading.Thread(target=busy)
    thread.start()
    try:
        beside = speak()
    finally:
        stop.set()
        thread.join()
    assert beside < 10 * alone, (alone, beside)


# What a clip's samples are, spoken by a process that has spoken nothing else: a mixed
# Arabic-English paragraph, an English run, and voices whose noise is random (breath, whisper).
CLIPS = [("ar", None, SENTENCE), ("ar", None, "قال بومبيو Hello world إن بلاده."),
         ("ar", "en", "The council met on Sunday."), ("ar+whisper", None, SECOND),
         ("ar+f5", None, SECOND)]
ALONE = """
import hashlib, sys
from tts.engines.espeak import EspeakEngine
voice, lang, text = sys.argv[1:4]
audio, words = EspeakEngine(voice).synthesize_words(text, lang or None)
print(hashlib.sha256(audio.raw_data + repr(words).encode()).hexdigest())
"""


def _fingerprint(voice: str, lang: str | None, text: str) -> str:
    import hashlib

    audio, words = EspeakEngine(voice).synthesize_words(text, lang)
    return hashlib.sha256(audio.raw_data + repr(words).encode()).hexdigest()


def _alone(voice: str, lang: str | None, text: str) -> str:
    import subprocess

    done = subprocess.run([sys.executable, "-c", ALONE, voice, lang or "", text],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _speak_a_history() -> None:
    """Clips of other kinds, as a render speaks before a given one."""
    arabic, english = EspeakEngine("ar"), EspeakEngine("en", rate=300)
    arabic.synthesize(SECOND)
    arabic.synthesize("الحرارة 45 درجة Windows 11 Pro في الظل.")
    arabic.synthesize("Reuters said so.", "en")
    english.synthesize("A different voice and rate, left behind.")
    EspeakEngine("ar+whisper").synthesize(SENTENCE)
    arabic.phonemes("منعت روسيا")


@pytest.mark.parametrize(("voice", "lang", "text"), CLIPS)
def test_a_clip_is_the_same_after_other_clips_as_alone(voice: str, lang: str | None,
                                                       text: str) -> None:
    # espeak's wave generator keeps its pitch flutter, waveform phase and gain in statics,
    # and seeds its noise with the time: the same text came back 200 samples longer after
    # other clips, and breathy voices differed from one second to the next.
    _speak_a_history()
    assert _fingerprint(voice, lang, text) == _alone(voice, lang, text)


def test_a_clip_is_the_same_when_another_module_holds_the_library() -> None:
    # Unloading gives fresh statics only with no other handle on the file: then clips come
    # from a private copy of it.
    import ctypes

    with espeak._LOCK:
        held = ctypes.CDLL(espeak._library().candidate.library)
    try:
        first = _fingerprint("ar", None, SENTENCE)
        _speak_a_history()
        assert _fingerprint("ar", None, SENTENCE) == first
        assert espeak._library().candidate.library in espeak._COPIES.values()
    finally:
        espeak._unload(held)
    bundled = next(espeak._candidates()).library
    assert espeak._loaded_path(bundled) == bundled  # how the system's, found by name, is copied


def test_where_unloading_cannot_be_checked_one_private_copy_serves(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(espeak.os, "RTLD_NOLOAD")  # as on Windows
    first = _fingerprint("ar", None, SENTENCE)
    copies = dict(espeak._COPIES)
    _speak_a_history()
    assert _fingerprint("ar", None, SENTENCE) == first
    assert copies == espeak._COPIES and espeak._library().candidate.library in copies.values()


def test_a_voice_is_loaded_by_its_file_and_sounds_the_same() -> None:
    # By name espeak lists every voice file for each clip (2 ms, and a 2 KB list lost at
    # each unload); by its file it loads just that voice.
    with espeak._LOCK:
        state = espeak._fresh_library()
        assert espeak._voice_files(state)["ar"].endswith("/ar")
        espeak._select(state, "ar", espeak.RATE_DEFAULT)
        by_file = espeak._synth(state, SENTENCE)
        state = espeak._fresh_library()
        assert state.lib.espeak_SetVoiceByName(b"ar") == espeak.EE_OK
        state.lib.espeak_SetParameter(espeak.ESPEAK_RATE, espeak.RATE_DEFAULT, 0)
        by_name = espeak._synth(state, SENTENCE)
    assert by_file == by_name
