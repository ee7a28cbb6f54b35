"""Listening while it renders: a fake player gets WAV on stdin; Ctrl-C and dead players end cleanly."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ARTICLE, FakeGoogle
from pydub import AudioSegment

from tts.audio.clip import STREAMING_SIZE, decode
from tts.audio.player import KNOWN_PLAYERS
from tts.playback import LOOKAHEAD

FAKE_PLAYER = Path(__file__).with_name("fake_player.py")


def player(folder: Path, *extra: str) -> str:
    return " ".join([sys.executable, str(FAKE_PLAYER), str(folder), *extra])


def read_stream_wav(data: bytes) -> AudioSegment:
    """Parse the streamed WAV the player got: a header with open-ended sizes, then PCM."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE" and data[36:40] == b"data"
    assert struct.unpack("<I", data[40:44])[0] == STREAMING_SIZE
    fmt, channels, rate, _, _, bits = struct.unpack("<HHIIHH", data[20:36])
    assert fmt == 1 and bits == 16
    return AudioSegment(data=data[44:], sample_width=2, frame_rate=rate, channels=channels)


def test_player_gets_the_whole_article_as_wav(run, offline: None, tmp_path: Path) -> None:
    result = run("play", str(ARTICLE), "--engine", "espeak", "--player", player(tmp_path / "p"))
    assert result.exit_code == 0, result.stderr
    heard = read_stream_wav((tmp_path / "p" / "received.wav").read_bytes())
    # The same clips (now cached) rendered to a file: the player heard all of it.
    rendered = run("render", str(ARTICLE), "--engine", "espeak", "-o", "same.wav", "--no-loudness")
    assert rendered.exit_code == 0, rendered.stderr
    whole = decode(Path("same.wav").read_bytes(), heard.frame_rate)
    assert abs(len(heard) - len(whole)) <= 5 and len(heard) > 120_000
    announced = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in announced] == [f"[{i}/13" for i in range(1, 14)]
    assert announced[0].endswith("طرابلس.")  # the original text, not the spoken form
    assert "first audio after" in result.stderr.splitlines()[-1]


def test_first_byte_arrives_before_synthesis_ends(run, google: FakeGoogle, tmp_path: Path) -> None:
    google.latency = 0.05
    result = run("play", str(ARTICLE), "--engine", "gtts", "--player", player(tmp_path / "p"),
                 "-o", "saved.mp3")
    assert result.exit_code == 0, result.stderr
    first_byte = float((tmp_path / "p" / "first_byte").read_text())
    # Events of this run, not wall-clock slack: when the player got its first byte, at most
    # the look-ahead (plus the requests then in flight) had been answered, of many more.
    answered_before = sum(t < first_byte for t in google.answered_at)
    assert len(google.answered_at) > 2 * (LOOKAHEAD + 4 + 1)
    assert answered_before <= LOOKAHEAD + 4 + 1
    heard = read_stream_wav((tmp_path / "p" / "received.wav").read_bytes())
    saved = decode(Path("saved.mp3").read_bytes(), heard.frame_rate)
    assert abs(len(saved) - len(heard)) < 100  # -o also saves the same audio


def test_player_that_quits_early_ends_with_a_message(run, offline: None, tmp_path: Path) -> None:
    result = run("play", str(ARTICLE), "--engine", "espeak",
                 "--player", player(tmp_path / "p", "--quit-after", "2000"))
    assert result.exit_code == 1
    assert "stopped before the end" in result.stderr and "Traceback" not in result.stderr


def test_no_player_names_them_and_suggests_render(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("ARTICLE_TTS_PLAYER", raising=False)
    result = run("play", str(ARTICLE), "--engine", "espeak")
    assert result.exit_code == 1
    assert all(argv[0] in result.stderr for argv in KNOWN_PLAYERS)
    assert "article-tts render" in result.stderr


def test_ctrl_c_stops_promptly_and_ends_the_player(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    env = {**os.environ, "ARTICLE_TTS_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tts", "play", str(ARTICLE), "--engine", "espeak",
         "--player", player(folder, "--realtime")],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    first_line = proc.stdout.readline()  # playback has reached paragraph 1
    assert first_line.startswith("[1/13]")
    deadline = time.monotonic() + 10
    while not (folder / "first_byte").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the player has started and is playing
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    _out, err = proc.communicate(timeout=20)
    assert time.monotonic() - started < 5
    assert proc.returncode == 130 and "Interrupted" in err and "Traceback" not in err
    pid = int((folder / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_render_to_stdout_is_only_mp3(run, offline: None) -> None:
    result = run("render", str(ARTICLE), "--engine", "espeak", "-o", "-", "--no-loudness")
    assert result.exit_code == 0, result.stderr
    data = result.stdout_bytes
    assert data[:3] == b"ID3" or data[:2] == b"\xff\xfb"
    audio = decode(data, 22_050)
    file_result = run("render", str(ARTICLE), "--engine", "espeak", "-o", "f.wav", "--no-loudness")
    assert file_result.exit_code == 0
    expected = decode(Path("f.wav").read_bytes(), 22_050)
    assert abs(len(audio) - len(expected)) < 100
    assert "Wrote standard output" in result.stderr.splitlines()[-1]


def test_render_to_stdout_with_format(run, offline: None, write_text) -> None:
    result = run("render", str(write_text("مرحبا بكم.")), "--engine", "espeak", "-o", "-",
                 "--format", "wav")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes[:4] == b"RIFF"


def test_format_must_match_a_file_extension(run, write_text) -> None:
    result = run("render", str(write_text("مرحبا.")), "--engine", "espeak", "-o", "a.mp3",
                 "--format", "wav")
    assert result.exit_code == 2 and "--format wav is for -o -" in result.stderr


@pytest.mark.parametrize("speed", ["1", "1.5"])
def test_paragraphs_are_announced_as_playback_reaches_them(tmp_path: Path, speed: str) -> None:
    src = tmp_path / "three.txt"
    src.write_text("الفقرة الأولى من الخبر هنا.\n\nثم تأتي الفقرة الثانية بعدها.\n\n"
                   "وأخيرا الفقرة الثالثة.", encoding="utf-8")
    env = {**os.environ, "ARTICLE_TTS_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tts", "play", str(src), "--engine", "espeak", "--pause", "1000",
         "--player", player(tmp_path / "p", "--realtime"), "-o", str(tmp_path / "saved.wav"),
         "--manifest", str(tmp_path / "m.json"), "--no-loudness", "--speed", speed],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    announced_at = [time.time() for line in proc.stdout if line.startswith("[")]
    proc.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    # When the player (reading at the pace of playback) reached each paragraph's first byte;
    # the manifest's times are those of the file, after --speed, as the player hears them.
    log = [tuple(map(float, line.split())) for line in
           (tmp_path / "p" / "log").read_text().splitlines()]
    byte_rate = 22_050 * 2
    starts = [p["start_ms"] for p in json.loads((tmp_path / "m.json").read_text())["paragraphs"]]
    reached_at = [next(t for t, offset in log if offset >= 44 + start * byte_rate / 1000)
                  for start in starts]
    assert len(announced_at) == 3
    # Against the player's own clock (its log), not wall-clock slack: each paragraph is
    # printed after the player has passed the previous paragraph's start and before it
    # reaches the next one's, however loaded the machine is.
    ends = [*reached_at[1:], float("inf")]
    lower = [float("-inf"), *reached_at[:-1]]
    for low, announced, high in zip(lower, announced_at, ends, strict=True):
        assert low < announced < high, (low, announced, high)


def test_quiet_play_prints_nothing(run, offline: None, tmp_path: Path) -> None:
    result = run("play", str(ARTICLE), "--engine", "espeak", "-q", "--player", player(tmp_path / "p"))
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""


def test_player_failing_after_all_audio_is_reported(run, offline: None, write_text) -> None:
    result = run("play", str(write_text("مرحبا.")), "--engine", "espeak",
                 "--player", f"{sys.executable} -c \"import sys; sys.stdin.buffer.read(); sys.exit(3)\"")
    assert result.exit_code == 1 and "exit code 3" in result.stderr


def test_play_refuses_stdout_output(run) -> None:
    result = run("play", str(ARTICLE), "-o", "-")
    assert result.exit_code == 2 and "render -o -" in result.stderr


def test_m4a_cannot_go_to_stdout(run, write_text) -> None:
    result = run("render", str(write_text("مرحبا.")), "--engine", "espeak", "-o", "-",
                 "--format", "m4a")
    assert result.exit_code == 2 and "cannot be written to standard output" in result.stderr


def test_espeak_play_starts_before_the_whole_article_has_tashkeel(
        offline: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tts.audio.player import PlayerCommand
    from tts.config import RenderConfig
    from tts.playback import play
    from tts.text import prepare as text_module

    original, calls = text_module.diacritize_texts, []

    def timed(texts):  # type: ignore[no-untyped-def]
        calls.append(time.time())
        return original(texts)
    monkeypatch.setattr(text_module, "diacritize_texts", timed)
    command = PlayerCommand((sys.executable, str(FAKE_PLAYER), str(tmp_path / "p")))
    result = play(ARTICLE.read_text(encoding="utf-8"), RenderConfig(engine="espeak"), command)
    first_byte = float((tmp_path / "p" / "first_byte").read_text())
    assert len(calls) == result.paragraphs == 13  # one paragraph at a time, as it is spoken
    assert first_byte < calls[-1]
    heard = read_stream_wav((tmp_path / "p" / "received.wav").read_bytes())
    assert abs(len(heard) - result.duration_ms) <= 5


def test_play_at_speed_hears_what_render_at_speed_writes(run, offline: None, tmp_path: Path) -> None:
    result = run("play", str(ARTICLE), "--engine", "espeak", "--speed", "1.5", "--no-loudness",
                 "--player", player(tmp_path / "p"), "-o", "fast.wav")
    assert result.exit_code == 0, result.stderr
    heard = read_stream_wav((tmp_path / "p" / "received.wav").read_bytes())
    saved = decode(Path("fast.wav").read_bytes(), heard.frame_rate)
    assert abs(len(heard) - len(saved)) <= 50  # the same atempo as the file
    normal = run("render", str(ARTICLE), "--engine", "espeak", "-o", "normal.wav", "--no-loudness")
    assert normal.exit_code == 0, normal.stderr
    whole = decode(Path("normal.wav").read_bytes(), heard.frame_rate)
    assert abs(len(heard) * 1.5 - len(whole)) < len(whole) * 0.01
    minutes, seconds = result.stderr.splitlines()[-1].split()[1].split(":")
    assert abs(int(minutes) * 60 + float(seconds) - len(heard) / 1000) <= 0.1  # the time heard
