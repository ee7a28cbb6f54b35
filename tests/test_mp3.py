"""MP3 encoded in segments on every core: joined, it is the audio sample for sample (length,
every sound in place, silence where there was silence), with a header that ffmpeg, mutagen
and ffmpeg's own remux agree on."""

from __future__ import annotations

import logging
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest
from mutagen.mp3 import MP3

from tts.audio import mp3
from tts.audio.clip import ffmpeg_exe
from tts.audio.export import pcm_input
from tts.errors import OutputError

SOUND = 8000  # amplitude of the test bursts, about -12 dBFS


def bursts(rate: int, seed: int, seconds: float = 14.0) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Noise bursts (speech-like: 50-900 ms) between silences from 1 ms to 400 ms, so some
    silences are long enough to cut in and some are not; and where each burst is."""
    rng = random.Random(seed)
    pieces, spans, at = [], [], 0
    while at < seconds * rate:
        length = int(rng.uniform(0.05, 0.9) * rate)
        burst = np.random.default_rng(seed + at).integers(-SOUND, SOUND, length).astype(np.int16)
        burst[burst == 0] = 1  # a burst holds no digital silence of its own
        gap = int(rng.choice([0.001, 0.02, 0.1, 0.2, 0.4]) * rate)
        pieces += [burst, np.zeros(gap, np.int16)]
        spans.append((at, at + length))
        at += length + gap
    return np.concatenate(pieces), spans


def encode(samples: np.ndarray, rate: int, out: Path, scratch: Path, seed: int,
           workers: int = 2) -> mp3.SegmentedEncoder:
    """``samples`` through a SegmentedEncoder, written in blocks of random sizes (some
    ending inside a silence, some all silence)."""
    command = [*pcm_input(rate), "-f", "mp3", "-c:a", "libmp3lame", "-b:a", "64k", "-y"]
    encoder = mp3.SegmentedEncoder(command, rate, out, scratch, "write test.mp3", workers)
    rng, at = random.Random(seed), 0
    while at < len(samples):
        size = rng.choice([1, 300, 2_000, rate // 2, 3 * rate])
        encoder.write(samples[at:at + size].tobytes())
        at += size
    encoder.close()
    return encoder


def decode(path: Path, rate: int) -> np.ndarray:
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1",
                           "-ar", str(rate), "-"], capture_output=True, check=True)
    assert proc.stderr == b""
    return np.frombuffer(proc.stdout, np.int16)


def onset_shift(original: np.ndarray, decoded: np.ndarray, start: int, rate: int) -> int:
    """How many samples the burst at ``start`` moved in ``decoded`` (cross-correlation)."""
    window, reach = rate // 20, 40
    x = original[start:start + window].astype(float)
    scores = [np.dot(x, decoded[start + lag:start + lag + window].astype(float)) if start + lag >= 0
              else -np.inf for lag in range(-reach, reach + 1)]
    return int(np.argmax(scores)) - reach


@pytest.mark.parametrize(("rate", "seed"), [(22_050, 1), (24_000, 2), (44_100, 3), (16_000, 4)])
def test_segments_join_into_the_audio_sample_for_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       rate: int, seed: int) -> None:
    monkeypatch.setattr(mp3, "SEGMENT_S", 1.0)
    samples, spans = bursts(rate, seed)
    out = tmp_path / "out.mp3"
    encoder = encode(samples, rate, out, tmp_path, seed)
    assert encoder.segments >= 5  # it did cut, many times
    decoded = decode(out, rate)
    assert len(decoded) == len(samples)  # ffmpeg, trimming LAME's delay and padding
    info = MP3(out).info
    assert round(info.length * rate) == len(samples)  # mutagen, from the header
    assert encoder.samples == len(samples)  # what the render takes as the file's length
    # Every burst is where it was: a join neither adds nor drops a sample.
    assert [onset_shift(samples, decoded, a, rate) for a, _ in spans] == [0] * len(spans)
    # And each join is as quiet as the same stretch of one whole encode: no click.
    single = tmp_path / "single.mp3"
    subprocess.run([*pcm_input(rate), "-c:a", "libmp3lame", "-b:a", "64k", "-y", str(single)],
                   input=samples.tobytes(), check=True)
    whole = decode(single, rate)
    frame = mp3.samples_per_frame(rate)
    cuts = np.cumsum([h.frames * frame for h in encoder.headers[:-1]])
    for cut in cuts:
        near = slice(cut - mp3.JOIN_SAMPLES - frame, cut + frame)  # silence in the input
        assert not samples[near].any()
        assert np.abs(decoded[near]).max() <= np.abs(whole[near]).max() + 30, f"a click at {cut}"
    assert not list(tmp_path.glob("[0-9]*.mp3")), "segment files left behind"


def test_the_joined_header_is_the_one_ffmpeg_writes_for_the_same_frames(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mp3, "SEGMENT_S", 1.0)
    samples, _ = bursts(22_050, 5)
    out = tmp_path / "out.mp3"
    encode(samples, 22_050, out, tmp_path, 5)
    remuxed = tmp_path / "remux.mp3"  # ffmpeg counts the frames and bytes, and CRCs the audio
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(out), "-c", "copy", "-write_xing", "1",
                    "-id3v2_version", "0", "-y", str(remuxed)], check=True)
    ours, theirs = (mp3.read_header(p.read_bytes()[:mp3.HEAD_BYTES]) for p in (out, remuxed))
    assert ours is not None and ours == theirs
    head = out.read_bytes()[:mp3.HEAD_BYTES]
    _, lame = mp3.find_lame_tag(head) or (0, 0)
    assert head[lame:lame + 9] == b"LAME3.100"
    assert mp3.crc16(head[:lame + mp3.LAME_CRC_AT]) == int.from_bytes(
        head[lame + mp3.LAME_CRC_AT:lame + mp3.LAME_CRC_AT + 2], "big")


def test_the_last_stretch_is_shared_between_the_encoders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing is cut while the stream runs (segments would be 100 s); once it ends, the
    # 14.6 s left are cut again into pieces for the two encoders (three of 4.9 s at least
    # where a silence allows, none leaving a sliver after it), and still join sample for
    # sample.
    monkeypatch.setattr(mp3, "SEGMENT_S", 100.0)
    monkeypatch.setattr(mp3, "FIRST_SEGMENT_S", 100.0)
    rate = 22_050
    samples, spans = bursts(rate, 10)
    out = tmp_path / "out.mp3"
    encoder = encode(samples, rate, out, tmp_path, 10)
    assert 2 <= encoder.segments <= 3
    lengths = [h.frames * mp3.samples_per_frame(rate) for h in encoder.headers]
    assert min(lengths) >= len(samples) / 6  # shared, and no sliver at the end
    decoded = decode(out, rate)
    assert len(decoded) == len(samples)
    assert [onset_shift(samples, decoded, a, rate) for a, _ in spans] == [0] * len(spans)


def test_the_first_encoder_to_finish_is_the_one_waited_for() -> None:
    # Waiting for the oldest left a core idle while a later encoder, finished, waited to
    # be noticed. Here the later one ends at once and the older never would.
    import sys
    older = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    later = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        mp3.wait_for_any([older, later])
        assert older.poll() is None and later.poll() == 0
    finally:
        older.kill()
        older.wait()


def test_audio_without_a_long_silence_is_one_segment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mp3, "SEGMENT_S", 1.0)
    rate = 22_050
    tone = (np.sin(np.arange(5 * rate) * 0.05) * SOUND).astype(np.int16)
    tone[::rate // 3] = 0  # short silences only
    out = tmp_path / "out.mp3"
    assert encode(tone, rate, out, tmp_path, 6).segments == 1
    assert len(decode(out, rate)) == len(tone)


@pytest.mark.parametrize("rate", [22_050, 44_100])
def test_the_header_is_exact_where_lame_pads_past_what_ffmpeg_writes(tmp_path: Path, rate: int) -> None:
    # One more sample than whole frames: LAME pads 1151 samples (MPEG-2), and ffmpeg's
    # tag says 1105, so its own header is 46 samples long. The joined header says 1151.
    frame = mp3.samples_per_frame(rate)
    samples = np.random.default_rng(9).integers(-SOUND, SOUND, frame * 40 + 1).astype(np.int16)
    out = tmp_path / "out.mp3"
    encode(samples, rate, out, tmp_path, 9)
    info = MP3(out).info
    assert round(info.length * rate) == len(samples) == len(decode(out, rate))


def test_a_failing_encoder_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mp3, "SEGMENT_S", 1.0)
    monkeypatch.setattr(mp3, "SEGMENT_ARGS", ("-write_xing", "maybe"))
    samples, _ = bursts(22_050, 7)
    with pytest.raises(OutputError, match=r"^ffmpeg could not write test\.mp3: .+") as caught:
        encode(samples, 22_050, tmp_path / "out.mp3", tmp_path, 7)
    assert "\n" not in str(caught.value)


def test_abort_stops_the_encoders_and_keeps_no_segment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mp3, "SEGMENT_S", 1.0)
    samples, _ = bursts(22_050, 8)
    command = [*pcm_input(22_050), "-f", "mp3", "-c:a", "libmp3lame", "-y"]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    encoder = mp3.SegmentedEncoder(command, 22_050, tmp_path / "out.mp3", scratch, "write", 2)
    encoder.write(samples.tobytes())
    assert encoder.running
    processes = [process for _, process, _ in encoder.running]
    encoder.abort()
    assert all(p.returncode is not None for p in processes)
    assert not encoder.running and not encoder.waiting


@pytest.mark.parametrize("length", [0, 1, 7, 1000, 65_537])
def test_a_crc_is_combined_from_its_parts(length: int) -> None:
    rng = random.Random(length)
    first, second = bytes(rng.randrange(256) for _ in range(300)), rng.randbytes(length)
    combined = mp3.crc16_after_zeros(mp3.crc16(first), len(second)) ^ mp3.crc16(second)
    assert combined == mp3.crc16(first + second)


@pytest.mark.parametrize(("rate", "bitrate"), [(22_050, "64k"), (24_000, "32k"), (44_100, "128k"),
                                               (48_000, "96k"), (16_000, "24k"), (11_025, "32k")])
def test_frame_size_read_from_a_header_is_where_the_next_frame_starts(tmp_path: Path, rate: int,
                                                                     bitrate: str) -> None:
    out = tmp_path / "x.mp3"
    noise = np.random.default_rng(0).integers(-SOUND, SOUND, rate).astype(np.int16)
    subprocess.run([*pcm_input(rate), "-c:a", "libmp3lame", "-b:a", bitrate, "-id3v2_version", "0",
                    "-y", str(out)], input=noise.tobytes(), check=True)
    data = out.read_bytes()
    at = 0
    for _ in range(5):
        assert data[at] == 0xFF and data[at + 1] & 0xE0 == 0xE0, f"no frame at {at}"
        at += mp3.frame_bytes(data[at:at + 4])


@pytest.mark.parametrize("failing", ["first", "last"])
def test_a_segment_that_does_not_hold_its_samples_is_encoded_again_in_one_piece(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        failing: str) -> None:
    # Segments are an optimisation: one that cannot be joined (forced here; the first is
    # found while the stream still runs, the last once it has ended) sends the encoder
    # back to the plain path, one ffmpeg over the whole, and the file is what that gives.
    monkeypatch.setattr(mp3, "SEGMENT_S", 1.0)
    real_holds = mp3.SegmentedEncoder.holds

    def holds(self: mp3.SegmentedEncoder, header: mp3.Header, segment: mp3.Segment) -> bool:
        forced = segment.index == 0 if failing == "first" else segment.last
        return not forced and real_holds(self, header, segment)
    monkeypatch.setattr(mp3.SegmentedEncoder, "holds", holds)
    rate = 22_050
    samples, _ = bursts(rate, 11)
    out = tmp_path / "out.mp3"
    with caplog.at_level(logging.DEBUG, logger="tts.audio.mp3"):
        encoder = encode(samples, rate, out, tmp_path, 11)
    assert encoder.segments >= 5 and encoder.fallback is not None
    assert "does not hold exactly the" in caplog.text and "in one piece" in caplog.text
    single = tmp_path / "single.mp3"
    subprocess.run([*pcm_input(rate), "-f", "mp3", "-c:a", "libmp3lame", "-b:a", "64k", "-y",
                    str(single)], input=samples.tobytes(), check=True)
    decoded = decode(out, rate)
    assert len(decoded) == len(samples) == encoder.samples  # its LAME tag's padding made exact
    assert round(MP3(out).info.length * rate) == len(samples)
    whole = decode(single, rate)  # ffmpeg's own tag: up to 46 samples of padding more
    assert len(whole) - len(samples) <= 46
    assert np.array_equal(decoded, whole[:len(decoded)])  # the one-piece encode, sample for sample
    assert not list(tmp_path.glob("[0-9]*.mp3")), "segment files left behind"


def test_segments_that_join_leave_no_debug_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(mp3, "SEGMENT_S", 1.0)
    samples, _ = bursts(22_050, 12)
    with caplog.at_level(logging.DEBUG, logger="tts.audio.mp3"):
        encoder = encode(samples, 22_050, tmp_path / "out.mp3", tmp_path, 12)
    assert encoder.fallback is None and encoder.segments >= 5 and not caplog.records
