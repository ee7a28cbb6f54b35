"""Writing files: formats by extension, a true duration header, atomic replacement."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mutagen.mp3 import MP3
from pydub import AudioSegment
from pydub.generators import Sine

from tts.audio import decode
from tts.errors import ConfigError, OutputError
from tts.export import export, prepare_output


def speech(ms: int = 3000) -> AudioSegment:
    return Sine(300).to_audio_segment(ms, volume=-10).set_frame_rate(22_050).set_channels(1)


def test_mp3_has_correct_duration_header(tmp_path: Path) -> None:
    out = tmp_path / "a.mp3"
    export(speech(61_000), out, "64k")
    info = MP3(out).info
    assert abs(info.length - 61.0) < 0.1
    assert info.bitrate == 64_000


def test_wav_by_extension(tmp_path: Path) -> None:
    out = tmp_path / "a.wav"
    export(speech(2000), out)
    assert out.read_bytes()[:4] == b"RIFF"
    assert abs(len(AudioSegment.from_wav(out)) - 2000) <= 1


def test_mp3_decodes_back_to_its_length(tmp_path: Path) -> None:
    out = tmp_path / "a.mp3"
    export(speech(5000), out)
    assert abs(len(decode(out.read_bytes(), 22_050)) - 5000) < 80


def test_unknown_extension_lists_supported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.mp3.*\.wav|\.wav.*\.mp3"):
        prepare_output(tmp_path / "a.xyz")


def test_failed_encode_keeps_existing_file_and_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "a.mp3"
    out.write_bytes(b"precious")
    monkeypatch.setattr("tts.export.ffmpeg_exe", lambda: "false")
    with pytest.raises(OutputError):
        export(speech(), out)
    assert out.read_bytes() == b"precious"
    assert os.listdir(tmp_path) == ["a.mp3"]


def test_unwritable_folder_fails_before_work(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores permission bits
            target = Path("/proc/article-tts/out.mp3")
        else:
            target = locked / "out.mp3"
        with pytest.raises(OutputError, match="cannot write"):
            prepare_output(target)
    finally:
        locked.chmod(0o700)


def test_folder_as_output(tmp_path: Path) -> None:
    folder = tmp_path / "dir.mp3"
    folder.mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        prepare_output(folder)
