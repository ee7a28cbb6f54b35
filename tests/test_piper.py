"""The piper engine through the real piper-tts code, on tiny voices built here with onnx."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import ffmpeg_chapters
from mutagen.mp3 import MP3
from piper_voices import BASE_HZ, MS_PER_PHONEME, write_voice
from pydub import AudioSegment

from tts import engines
from tts.chars import HARAKAT
from tts.engines import piper as piper_engine
from tts.engines.piper import PiperEngine, word_times
from tts.types import WordTime

piper = pytest.importorskip("piper")

VOICE = "ar_JO-test-x_low"
MULTI = "ar_JO-chorus-x_low"
ARTICLE = ("كتب الولد رسالة طويلة إلى صديقه. ثم ذهب إلى المدرسة مبكرا.\n\n"
           "وفي المساء عاد إلى البيت سعيدا.\n")


@pytest.fixture
def voices(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A voices folder named by the environment variable, with a one-speaker and a three-speaker voice."""
    folder = tmp_path_factory.mktemp("voices")
    write_voice(folder, VOICE)
    write_voice(folder, MULTI, speakers=3)
    monkeypatch.setenv(piper_engine.VOICES_ENV, str(folder))
    return folder


@pytest.fixture
def article(write_text: Callable[..., Path]) -> Path:
    return write_text(ARTICLE)


def dominant_hz(path: Path) -> float:
    """The loudest frequency of a WAV file, as a listener would name its pitch."""
    audio = AudioSegment.from_file(path)
    samples = np.array(audio.get_array_of_samples(), dtype=np.float64)
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / audio.frame_rate)[int(np.argmax(spectrum))])


def one_line_error(result: Any) -> str:
    """The error a failed command printed: exactly one line, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("voice", [VOICE, f"{MULTI}:1"])
def test_a_voice_renders_an_mp3_with_chapters_and_word_timed_subtitles(voices: Path, article: Path, voice: str,
                                                                         run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("render", str(article), "--engine", "piper", "--voice", voice, "-o", "a.mp3",
                 "--subtitles", "a.vtt", "--word-timing", "--manifest", "a.json")
    assert result.exit_code == 0, result.stderr
    seconds = MP3(tmp_path / "a.mp3").info.length
    manifest = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    # Each phoneme (and the pad after it) lasts MS_PER_PHONEME: some 130 phonemes, two pauses.
    assert 4.0 < seconds < 12.0
    assert abs(manifest["duration_ms"] / 1000 - seconds) < 0.2
    titles = [title for _, _, title in ffmpeg_chapters(tmp_path / "a.mp3")]
    assert len(titles) == 2 and titles[0].startswith("كتب الولد") and titles[1].startswith("وفي المساء")
    vtt = (tmp_path / "a.vtt").read_text(encoding="utf-8")
    assert len(re.findall(r"<\d\d:\d\d:\d\d\.\d{3}>", vtt)) >= 15  # inline word times
    assert manifest["engine"]["word_timing"] == "piper alignments"
    assert manifest["engine"]["options"]["speaker"] == ("1" if ":" in voice else "")
    assert manifest["engine"]["voice"] == voice  # the voice's name, and its speaker if asked for
    words = [w for p in manifest["paragraphs"] for c in p["chunks"] for w in c["words"]]
    assert len(words) == 17
    # Measured, not spread end to end: piper's spaces lie between the words.
    assert all(a["end_ms"] < b["start_ms"] for a, b in itertools.pairwise(words[:10]))


def test_the_speaker_is_heard(voices: Path, article: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pitches = []
    for speaker in ("0", "1", "reader2"):
        result = run("render", str(article), "--engine", "piper", "--voice", f"{MULTI}:{speaker}",
                     "-o", f"{speaker}.wav", "--no-loudness")
        assert result.exit_code == 0, result.stderr
        pitches.append(dominant_hz(tmp_path / f"{speaker}.wav"))
    # The test voice sings BASE_HZ times (speaker + 1); reader2 is speaker 2 by its name.
    assert pitches == pytest.approx([BASE_HZ, 2 * BASE_HZ, 3 * BASE_HZ], abs=5)


def test_piper_reads_our_tashkeel_and_never_runs_its_own(voices: Path, article: Path, run,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    heard: list[tuple[str, bool]] = []
    synthesize = piper.PiperVoice.synthesize

    def spy(self: Any, text: str, *args: Any, **kwargs: Any) -> Iterator[Any]:
        heard.append((text, self.use_tashkeel))
        return synthesize(self, text, *args, **kwargs)  # type: ignore[no-any-return]

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("piper's own tashkeel model was loaded")

    monkeypatch.setattr(piper.PiperVoice, "synthesize", spy)
    monkeypatch.setattr(piper.voice, "TashkeelDiacritizer", refuse)
    result = run("render", str(article), "--engine", "piper", "--voice", VOICE, "-o", "a.mp3")
    assert result.exit_code == 0, result.stderr
    assert len(heard) == 2 and not any(use for _, use in heard)
    assert all(sum(ch in HARAKAT for ch in text) > 10 for text, _ in heard)


def test_rate_sets_the_voices_pace_and_the_cache_identity(voices: Path) -> None:
    text = "كَتَبَ الوَلَدُ رِسالَةً."
    normal, fast = PiperEngine(VOICE), PiperEngine(VOICE, rate=350)
    assert len(fast.synthesize(text)) == pytest.approx(len(normal.synthesize(text)) / 2, abs=2)
    assert normal.cache_key()["length_scale"] == "1" and fast.cache_key()["length_scale"] == "0.5"
    key = normal.cache_key()
    assert key["version"] == piper_engine.piper_version() and len(key["voice_sha256"]) == 16
    assert PiperEngine(f"{MULTI}:2").cache_key()["speaker"] == "2"
    assert PiperEngine(f"{MULTI}:reader2").voice == f"{MULTI}:2"  # by its number, as the manifest says it


def test_the_cache_key_follows_the_voice_files_bytes(voices: Path) -> None:
    before = PiperEngine(VOICE).cache_key()["voice_sha256"]
    config = voices / f"{VOICE}.onnx.json"
    data = json.loads(config.read_text(encoding="utf-8"))
    data["inference"]["noise_scale"] = 0.5
    config.write_text(json.dumps(data), encoding="utf-8")
    assert PiperEngine(VOICE).cache_key()["voice_sha256"] != before


def test_word_times_come_from_the_voices_alignments(voices: Path) -> None:
    audio, words = PiperEngine(VOICE).synthesize_words("كَتَبَ وَلَدٌ")
    assert [(w.start, w.end) for w in words] == [(0, 6), (7, 13)]
    # The sentence starts with piper's ^ marker (one phoneme long), then the first word.
    assert words[0].start_ms == pytest.approx(MS_PER_PHONEME, abs=1)
    assert words[0].end_ms < words[1].start_ms < words[1].end_ms <= len(audio)


def test_a_voice_without_alignments_gets_estimated_word_times(voices: Path, article: Path, run,
                                                              tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_voice(voices, "ar_JO-plain-x_low", aligned=False)
    assert PiperEngine("ar_JO-plain-x_low").synthesize_words("كَتَبَ وَلَدٌ")[1] == ()
    result = run("render", str(article), "--engine", "piper", "--voice", "ar_JO-plain-x_low",
                 "-o", "a.mp3", "--manifest", "a.json")
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["word_timing"] == "estimated"
    assert all(c["words"] for p in manifest["paragraphs"] for c in p["chunks"])


def test_words_that_do_not_line_up_are_left_to_the_estimate() -> None:
    assert word_times("واحد، اثنان", [(0, 10), (10, 20)]) == (WordTime(0, 5, 0, 10), WordTime(6, 11, 10, 20))
    assert word_times("واحد - اثنان", [(0, 10), (10, 20)]) == (WordTime(0, 4, 0, 10), WordTime(7, 12, 10, 20))
    assert word_times("٢٠١٩", [(0, 10), (10, 20), (20, 30)]) == ()


def test_a_path_to_an_onnx_file_needs_no_voices_folder(tmp_path: Path, article: Path, run,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(piper_engine.VOICES_ENV, str(tmp_path / "none"))
    model = write_voice(tmp_path / "elsewhere", "mine")
    result = run("render", str(article), "--engine", "piper", "--voice", str(model), "-o", "a.wav")
    assert result.exit_code == 0, result.stderr


def test_the_voices_folder_is_listed_with_language_quality_and_speakers(voices: Path) -> None:
    write_voice(voices, "en_US-other-x_low", language="en_US", espeak="en-us")
    (voices / "broken.onnx").write_bytes(b"x")
    listed = {v.name: v for v in engines.spec_for("piper").voices()}
    assert listed[VOICE].lang == "ar-JO" and listed[VOICE].notes == "quality x_low, 1 speaker"
    assert listed[MULTI].notes == "quality x_low, 3 speakers (NAME:N)"
    assert listed["en_US-other-x_low"].lang == "en-US"
    assert listed["broken"].notes.startswith("unusable: ") and listed["broken"].lang == ""


def test_the_default_voices_folder_is_in_the_users_data_folder(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(piper_engine.VOICES_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert piper_engine.voices_dir() == tmp_path / "article-tts" / "piper-voices"
    write_voice(tmp_path / "article-tts" / "piper-voices", VOICE)
    assert [v.name for v in engines.spec_for("piper").voices()] == [VOICE]


@pytest.mark.parametrize(("spoil", "voice", "expected"), [
    (None, None, "the piper engine needs a voice: --voice NAME"),
    (None, "ar_JO-nobody", f"no piper voice 'ar_JO-nobody' in .* \\(it has {MULTI}, {VOICE}\\)"),
    (None, "/nowhere/x.onnx", "piper voice file /nowhere/x.onnx not found"),
    ("no-config", VOICE, f"piper voice {VOICE}.onnx has no config beside it"),
    ("bad-json", VOICE, f"piper voice config {VOICE}.onnx.json cannot be read .*download it again"),
    ("no-fields", VOICE, f"piper voice config {VOICE}.onnx.json is not a piper voice's \\(no audio.sample_rate\\)"),
    ("bad-onnx", VOICE, f"piper voice file {VOICE}.onnx cannot be loaded .*download it again"),
    (None, f"{VOICE}:1", f"piper voice {VOICE} has one speaker: drop ':1'"),
    (None, f"{MULTI}:7", f"piper voice {MULTI} has no speaker '7': give a number from 0 to 2 or a name"),
])
def test_an_unusable_voice_is_one_line_and_exit_2(voices: Path, article: Path, run, spoil: str | None,  # type: ignore[no-untyped-def]
                                                  voice: str | None, expected: str) -> None:
    model, config = voices / f"{VOICE}.onnx", voices / f"{VOICE}.onnx.json"
    if spoil == "no-config":
        config.unlink()
    elif spoil == "bad-json":
        config.write_text("{not json", encoding="utf-8")
    elif spoil == "no-fields":
        config.write_text('{"espeak": {"voice": "ar"}}', encoding="utf-8")
    elif spoil == "bad-onnx":
        model.write_bytes(b"not an onnx model" * 10)
    result = run("render", str(article), "--engine", "piper", *(["--voice", voice] if voice else []),
                 "-o", "a.mp3")
    assert re.search(expected, one_line_error(result)), result.stderr


def test_a_voice_in_another_language_than_the_article_is_refused(voices: Path, article: Path, run) -> None:  # type: ignore[no-untyped-def]
    write_voice(voices, "en_US-other-x_low", language="en_US", espeak="en-us")
    line = one_line_error(run("render", str(article), "--engine", "piper", "--voice",
                              "en_US-other-x_low", "-o", "a.mp3"))
    assert line == ("Error: piper voice en_US-other-x_low speaks en-US, not ar: choose a voice for ar "
                    "(`article-tts voices`), or give --lang en")


def test_without_the_extra_piper_says_how_to_install_it(voices: Path, article: Path, run,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # what Python does for a package not installed
    line = one_line_error(run("render", str(article), "--engine", "piper", "--voice", VOICE, "-o", "a.mp3"))
    assert line == ("Error: the piper engine needs the piper-tts package; install the piper extra: "
                    "pip install -e '.[piper]' in a clone of article-tts (pip install "
                    "'article-tts[piper]' where it is installed from a package index)")
    listing = run("engines").stdout
    assert re.search(r"piper\s+usable: no .*; install the piper extra: pip install -e '\.\[piper\]' "
                     r"in a clone of article-tts \(pip install 'article-tts\[piper\]' where", listing), listing


def test_engines_says_whether_piper_has_voices(voices: Path, run, tmp_path: Path,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert re.search(r"piper\s+usable: yes .*piper-tts [0-9.]+, 2 voices in ", run("engines").stdout)
    monkeypatch.setenv(piper_engine.VOICES_ENV, str(tmp_path / "empty"))
    assert re.search(r"piper\s+usable: no .*no voice files in ", run("engines").stdout)


def test_starting_the_command_loads_neither_piper_nor_onnx() -> None:
    script = "import sys, tts.cli; print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = set(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                check=True).stdout.split())
    assert "tts" in loaded and not loaded & {"piper", "onnx", "onnxruntime"}
