"""The pydub stage: decoding without ffprobe, trimming, joining in one pass."""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import encode_mp3
from pydub import AudioSegment
from pydub.generators import Sine
from pydub.silence import detect_leading_silence

from tts.audio.clip import decode, quiet_ms, trim_silence
from tts.audio.player import AudioPlayer, PlayerCommand
from tts.errors import EngineError

RATE = 24_000


def tone(ms: int) -> AudioSegment:
    return Sine(300).to_audio_segment(ms, volume=-10).set_frame_rate(RATE).set_channels(1)


def padded(ms: int, pad: int = 400) -> AudioSegment:
    silence = AudioSegment.silent(pad, frame_rate=RATE)
    return silence + tone(ms) + silence


def test_decode_mp3_without_ffprobe() -> None:
    clip = decode(encode_mp3(padded(1000)), RATE)
    assert clip.frame_rate == RATE and clip.channels == 1 and clip.sample_width == 2
    assert abs(len(clip) - 1800) < 80  # MP3 adds encoder delay, not seconds


def test_decode_garbage_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="could not decode"):
        decode(b"not audio at all" * 10, RATE)


@pytest.mark.parametrize("pad", [0, 50, 400, 1200])
def test_trim_removes_edge_silence_only(pad: int) -> None:
    trimmed = trim_silence(padded(1000, pad))
    assert 1000 <= len(trimmed) <= 1030


def test_trim_of_silence_is_empty() -> None:
    assert len(trim_silence(AudioSegment.silent(500, frame_rate=RATE))) == 0


def random_clip(seed: int) -> AudioSegment:
    """Speech-like: bursts of noise at random levels (some near the -50 dBFS line) between
    silences and near-silences, at one of the engines' rates, of any length."""
    rng = np.random.default_rng(seed)
    rate = int(rng.choice([22_050, 24_000, 16_000]))
    pieces = []
    for _ in range(int(rng.integers(0, 8))):
        length = int(rng.integers(0, rate // 2))
        level = float(rng.choice([0, 1, 60, 100, 104, 110, 3000]))
        pieces.append((rng.standard_normal(length) * level).astype(np.int16))
    samples = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
    return AudioSegment(samples.tobytes(), sample_width=2, frame_rate=rate, channels=1)


@pytest.mark.parametrize("seed", range(60))
def test_quiet_ms_is_pydubs_silence_scan(seed: int) -> None:
    # The trim and the word ends once scanned 5 ms slices through pydub, one RMS each
    # (0.14 s of the article's render); the numpy scan must give the same ms.
    clip = random_clip(seed)
    for step in (5, 10):
        assert quiet_ms(clip, step) == detect_leading_silence(clip, -50.0, step)
        assert quiet_ms(clip, step, at_end=True) == detect_leading_silence(clip.reverse(), -50.0, step)


def test_bundled_ffmpeg_is_the_one_imageio_ffmpeg_finds(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path) -> None:
    # Found without importing imageio-ffmpeg (50 ms of every start): the same binary, and
    # it runs; IMAGEIO_FFMPEG_EXE, imageio-ffmpeg's own setting, still names another.
    import subprocess
    import sys

    import imageio_ffmpeg

    from tts.audio.clip import ffmpeg_exe

    monkeypatch.setenv("PATH", str(tmp_path))  # no ffmpeg on PATH
    monkeypatch.delenv("IMAGEIO_FFMPEG_EXE", raising=False)
    monkeypatch.delenv("ARTICLE_TTS_FFMPEG", raising=False)
    monkeypatch.setattr(AudioSegment, "converter", AudioSegment.converter)  # set by ffmpeg_exe
    ffmpeg_exe.cache_clear()
    found = ffmpeg_exe()
    assert found == imageio_ffmpeg.get_ffmpeg_exe()
    assert subprocess.run([found, "-version"], capture_output=True, check=True).stdout.startswith(b"ffmpeg")
    script = "import sys; from tts.audio.clip import ffmpeg_exe; ffmpeg_exe(); print('imageio_ffmpeg' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"
    other = tmp_path / "other-ffmpeg"
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(other))
    ffmpeg_exe.cache_clear()
    assert ffmpeg_exe() == str(other)
    ffmpeg_exe.cache_clear()


def test_a_player_that_needs_a_file_gets_a_whole_wav(tmp_path: Path) -> None:
    # afplay reads only files: the audio is spooled, its header rewritten with the real
    # sizes. Python's wave module, not our code, reads what the player was given.
    copy = tmp_path / "played.wav"
    script = f"import shutil, sys; shutil.copy(sys.argv[1], {str(copy)!r})"
    command = PlayerCommand((sys.executable, "-c", script), needs_file=True)
    pcm = np.arange(-500, 500, dtype="<i2").tobytes()
    with AudioPlayer(command, 22_050) as player:
        player.write(pcm[:1000])
        player.write(pcm[1000:])
        player.finish()
    with wave.open(str(copy), "rb") as played:
        assert (played.getframerate(), played.getnchannels(), played.getsampwidth()) == (22_050, 1, 2)
        assert played.readframes(played.getnframes()) == pcm
    assert copy.stat().st_size == 44 + len(pcm)
