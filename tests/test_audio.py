"""The pydub stage: decoding without ffprobe, trimming, joining in one pass."""

from __future__ import annotations

import pytest
from pydub import AudioSegment
from pydub.generators import Sine

from conftest import encode_mp3
from tts.audio import decode, trim_silence
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
