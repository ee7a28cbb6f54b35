"""`article-tts say`: speak a word at once through the player or into a file, with --show."""

from __future__ import annotations

import shlex
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import FakeGoogle
from pydub import AudioSegment

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


@pytest.mark.parametrize("words", [("",), (" ", "  ")])
def test_say_with_no_words_asks_for_them(run, words: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    # Before looking for a player: the words are what is missing.
    result = run("say", *words, "--player", "no-such-player-here")
    assert result.exit_code == 2
    assert result.stderr == "Error: the text is empty: nothing to say; give the words to say\n"


def test_say_offline_with_google_says_what_to_do_next(run, offline: None) -> None:  # type: ignore[no-untyped-def]
    result = run("say", "مرحبا", "--engine", "gtts", "--retries", "0", "-o", "out.mp3", "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: cannot reach Google TTS at https://translate.google.com (gave up after 1 try). "
        "Rerun to try again, or use --engine espeak to speak it offline")


def test_play_takes_the_lexicon_too(run, offline: None, write_text, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article = write_text("قال حفتر إن القوات تتقدم.\n\nوقال NATO إن الوضع خطير.")
    names = write_text("حفتر = [[Haft'ar]]\n", "names.lexicon")
    result = run("play", str(article), "--engine", "espeak", "--lexicon", str(names),
                 "--player", player(tmp_path / "p"), "-o", "saved.wav", "--manifest", "m.json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "[1/2] قال حفتر إن القوات تتقدم."  # as written
    manifest = Path("m.json").read_text(encoding="utf-8")
    assert "[[Haft'ar]]" in manifest


# What each player prints when it cannot open an audio device, and how it then exits.
NO_DEVICE = [
    pytest.param("No more combinations to try, audio open failed", "audio open failed", 0, id="ffplay"),
    pytest.param("[ao] Failed to initialize audio driver 'pulse'", "[ao] Failed", 2, id="mpv-ao"),
    pytest.param("Could not open/initialize audio device -> no sound.",
                 "Could not open/initialize audio device", 0, id="mpv"),
    pytest.param("Connection failure: Connection refused", "Connection refused", 1, id="paplay"),
    pytest.param("pw_context_connect() failed: Host is down", "pw_context_connect() failed: Host is down",
                 1, id="pw-play"),
    pytest.param("aplay: main:831: audio open error: No such file or directory", "audio open error",
                 1, id="aplay"),
]


def without_a_device(monkeypatch: pytest.MonkeyPatch) -> None:
    """ffplay (SDL) pointed at a sound card that does not exist: it fails as with none."""
    monkeypatch.delenv("ARTICLE_TTS_PLAYER", raising=False)
    monkeypatch.setenv("SDL_AUDIODRIVER", "alsa")
    monkeypatch.setenv("AUDIODEV", "hw:99")


@pytest.mark.skipif(shutil.which("ffplay") is None, reason="ffplay is not installed")
@pytest.mark.parametrize("command", ["say", "play"])
def test_ffplay_without_an_audio_device_fails_in_one_line(run, offline: None, write_text,  # type: ignore[no-untyped-def]
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           command: str) -> None:
    without_a_device(monkeypatch)
    words = "منعت روسيا" if command == "say" else str(write_text("منعت روسيا صدور بيان.\n\nثم ماذا."))
    result = run(command, words, "--engine", "espeak")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: no audio device: ffplay could not open one (audio open failed); render to a "
        "file instead with `article-tts render ... -o out.mp3`, or name a player with --player")
    assert "Said" not in result.stderr and "Played" not in result.stderr


@pytest.mark.parametrize(("complaint", "words", "code"), NO_DEVICE)
@pytest.mark.parametrize("command", ["say", "play"])
def test_players_words_for_no_device_are_reported(run, offline: None, tmp_path: Path, write_text,  # type: ignore[no-untyped-def]
                                                  command: str, complaint: str, words: str,
                                                  code: int) -> None:
    fake = f"{player(tmp_path / 'p')} --complain {shlex.quote(complaint)} --exit {code}"
    text = "منعت روسيا" if command == "say" else str(write_text("منعت روسيا صدور بيان."))
    result = run(command, text, "--engine", "espeak", "--player", fake)
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: no audio device: ") and f"({words})" in last, last


@pytest.mark.parametrize("command", ["say", "play"])
def test_player_exiting_0_before_reading_everything_fails(run, offline: None, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                          write_text, command: str) -> None:
    fake = f"{player(tmp_path / 'p')} --quit-after 100"  # reads one block, then exits 0
    text = "منعت روسيا في مجلس الأمن" if command == "say" else str(write_text("منعت روسيا صدور بيان."))
    result = run(command, text, "--engine", "espeak", "--player", fake)
    assert result.exit_code == 1
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: the player (") and "exit code 0" in last, last
    assert "Said" not in result.stderr


def test_player_failing_says_its_last_words(run, offline: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake = f"{player(tmp_path / 'p')} --complain 'cannot decode the stream' --exit 4"
    result = run("say", "مرحبا", "--engine", "espeak", "--player", fake)
    assert result.exit_code == 1
    assert "failed with exit code 4: cannot decode the stream" in result.stderr
