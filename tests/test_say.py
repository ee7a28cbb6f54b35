"""`article-tts say`: speak a word at once through the player or into a file, with --show."""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from pydub import AudioSegment

from conftest import FakeGoogle
from tts.audio.clip import decode

FAKE_PLAYER = Path(__file__).with_name("fake_player.py")


def player(folder: Path) -> str:
    return " ".join([sys.executable, str(FAKE_PLAYER), str(folder)])


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def test_say_plays_at_once_through_the_player(run, offline: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("say", "منعت", "روسيا", "--engine", "espeak", "--player", player(tmp_path / "p"))
    assert result.exit_code == 0, result.stderr
    received = (tmp_path / "p" / "received.wav").read_bytes()
    heard = AudioSegment(data=received[44:], sample_width=2, frame_rate=22050, channels=1)
    assert 400 < len(heard) < 3000
    assert result.stderr.splitlines()[-1].startswith("Said 0:")


def test_say_show_prints_the_spoken_form_and_phonemes(run, offline: None, write_text) -> None:  # type: ignore[no-untyped-def]
    names = write_text("حفتر = [[Haft'ar]]\n", "names.lexicon")
    result = run("say", "قال حفتر و IMF", "--engine", "espeak", "--lexicon", str(names),
                 "--show", "-o", "out.wav")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ar+en: ") and "[[Haft'ar]]" in lines[0] and "I-M-F" in lines[0]
    assert lines[1].startswith("phonemes: ") and "Haft'ar" in lines[1]
    # The acronym is in the English voice: its letters' English names.
    assert "aI'Em'Ef" in lines[1]
    audio = decode(Path("out.wav").read_bytes(), 22050)
    assert len(audio) > 500


def test_say_with_google_sends_the_latin_run_as_english(run, google: FakeGoogle) -> None:  # type: ignore[no-untyped-def]
    result = run("say", "قال NATO إن", "--engine", "gtts", "--show", "-o", "out.mp3")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["ar: قال", "en: NATO", "ar: إن"]
    # Requests run concurrently: compare them in any order.
    assert sorted(zip(google.texts, google.langs, strict=True)) == sorted(
        [("قال", "ar"), ("NATO", "en"), ("إن", "ar")])


def test_say_needs_text(run) -> None:  # type: ignore[no-untyped-def]
    result = run("say")
    assert result.exit_code == 2 and "Missing argument" in result.stderr


def test_play_takes_the_lexicon_too(run, offline: None, write_text, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article = write_text("قال حفتر إن القوات تتقدم.\n\nوقال NATO إن الوضع خطير.")
    names = write_text("حفتر = [[Haft'ar]]\n", "names.lexicon")
    result = run("play", str(article), "--engine", "espeak", "--lexicon", str(names),
                 "--player", player(tmp_path / "p"), "-o", "saved.wav", "--manifest", "m.json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "[1/2] قال حفتر إن القوات تتقدم."  # as written
    manifest = Path("m.json").read_text(encoding="utf-8")
    assert "[[Haft'ar]]" in manifest
