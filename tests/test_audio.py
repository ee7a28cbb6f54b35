"""The pydub stage: decoding without ffprobe, trimming, joining in one pass."""

from __future__ import annotations

import pytest
from pydub import AudioSegment
from pydub.generators import Sine

from conftest import encode_mp3, silent_gaps
from tts.audio import decode, join, trim_silence
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


def test_join_places_clips_and_exact_pauses() -> None:
    joined, spans = join([(tone(1000), 700), (tone(500), 300), (tone(800), 0)], RATE)
    assert [(s.start_ms, s.end_ms) for s in spans] == [(0, 1000), (1700, 2200), (2500, 3300)]
    assert len(joined) == 3300
    assert silent_gaps(joined, 100) == [700, 300]


def test_join_conforms_other_rates() -> None:
    other = tone(1000).set_frame_rate(22_050)
    joined, _spans = join([(other, 0), (tone(1000), 0)], RATE)
    assert joined.frame_rate == RATE
    assert abs(len(joined) - 2000) <= 1


def test_join_is_linear_not_quadratic(monkeypatch: pytest.MonkeyPatch) -> None:
    # Count the audio bytes every AudioSegment made during the join holds: one pass copies
    # the track about once; repeated ``+`` (or append) copies the growing track each time,
    # about 1000x for 2000 clips.
    made: list[int] = []
    original = AudioSegment.__init__

    def counting(self: AudioSegment, data: bytes | None = None, *args: object, **kwargs: object) -> None:
        original(self, data, *args, **kwargs)
        made.append(len(self.raw_data))
    clips = [(tone(20), 10)] * 2000
    monkeypatch.setattr(AudioSegment, "__init__", counting)
    joined, spans = join(clips, RATE)
    monkeypatch.undo()
    assert len(spans) == 2000 and abs(len(joined) - 60_000) <= 2
    assert sum(made) <= 3 * len(joined.raw_data)
