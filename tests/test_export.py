"""Writing files: formats by extension, a true duration header, atomic replacement, speed, loudness."""

from __future__ import annotations

import itertools
import logging
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import fake_speech, integrated_loudness
from mutagen.mp3 import MP3
from pydub import AudioSegment
from pydub.generators import Sine

from tts.audio import mp3
from tts.audio.clip import decode, ffmpeg_exe
from tts.audio.export import export, prepare_output, write_text
from tts.engines.espeak import EspeakEngine
from tts.errors import ConfigError, OutputError


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
    monkeypatch.setattr("tts.audio.export.ffmpeg_exe", lambda: "false")
    with pytest.raises(OutputError):
        export(speech(), out)
    assert out.read_bytes() == b"precious"
    assert os.listdir(tmp_path) == ["a.mp3"]


def test_unwritable_folder_fails_before_work(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        # root ignores permission bits: then a path no one can create stands in.
        target = Path("/proc/article-tts/out.mp3") if os.access(locked, os.W_OK) else locked / "out.mp3"
        with pytest.raises(OutputError, match="cannot write"):
            prepare_output(target)
    finally:
        locked.chmod(0o700)


def test_folder_as_output(tmp_path: Path) -> None:
    folder = tmp_path / "dir.mp3"
    folder.mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        prepare_output(folder)


SUPPORTED = [".mp3", ".ogg", ".opus", ".m4a", ".wav", ".flac"]


@pytest.mark.parametrize("suffix", SUPPORTED)
def test_every_format_decodes_back_to_its_length(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"a{suffix}"
    export(speech(4000), out)
    assert abs(len(decode(out.read_bytes(), 22_050)) - 4000) < 80


def test_format_is_chosen_by_extension(tmp_path: Path) -> None:
    magic = {".ogg": b"OggS", ".opus": b"OggS", ".flac": b"fLaC", ".wav": b"RIFF"}
    for suffix, head in magic.items():
        export(speech(500), tmp_path / f"a{suffix}")
        assert (tmp_path / f"a{suffix}").read_bytes()[:4] == head
    export(speech(500), tmp_path / "a.m4a")
    assert (tmp_path / "a.m4a").read_bytes()[4:8] == b"ftyp"


def test_unknown_extension_names_every_format(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        prepare_output(tmp_path / "a.aiff")
    assert ".aiff" in str(info.value)
    assert all(suffix in str(info.value) for suffix in SUPPORTED)


@pytest.mark.parametrize("speed", [0.5, 1.5, 2.0])
def test_speed_changes_duration_by_its_ratio(tmp_path: Path, speed: float) -> None:
    clip = espeak_clip()
    export(clip, tmp_path / "x1.wav", loudness=None)
    export(clip, tmp_path / "xs.wav", speed=speed, loudness=None)
    normal = len(AudioSegment.from_wav(tmp_path / "x1.wav"))
    fast = len(AudioSegment.from_wav(tmp_path / "xs.wav"))
    assert abs(normal / fast - speed) / speed < 0.03, (normal, fast)


def test_speed_keeps_the_pitch(tmp_path: Path) -> None:
    export(Sine(440).to_audio_segment(2000, volume=-10).set_channels(1), tmp_path / "f.wav",
           speed=1.5)
    sped = AudioSegment.from_wav(tmp_path / "f.wav")
    samples = sped.get_array_of_samples()
    rises = sum(1 for a, b in itertools.pairwise(samples) if a < 0 <= b)
    assert abs(rises / (len(sped) / 1000) - 440) < 10


def espeak_clip() -> AudioSegment:
    return EspeakEngine("ar").synthesize("منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي.")


def google_clip() -> AudioSegment:
    return decode(fake_speech(60), 24_000)


@pytest.mark.parametrize("make", [espeak_clip, google_clip], ids=["espeak", "google"])
@pytest.mark.parametrize(("target", "suffix"), [(-16.0, ".mp3"), (-23.0, ".m4a")])
def test_loudness_lands_within_1_lu(tmp_path: Path, make, target: float, suffix: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"loud{suffix}"
    export(make(), out, loudness=target)
    assert abs(integrated_loudness(out) - target) <= 1.0


def test_loudness_is_the_same_whichever_engine_spoke(tmp_path: Path) -> None:
    export(espeak_clip(), tmp_path / "e.wav", loudness=-16)
    export(google_clip(), tmp_path / "g.wav", loudness=-16)
    assert abs(integrated_loudness(tmp_path / "e.wav") - integrated_loudness(tmp_path / "g.wav")) < 1


def test_no_loudness_keeps_the_level(tmp_path: Path) -> None:
    clip = google_clip()
    export(clip, tmp_path / "raw.wav", loudness=None)
    assert AudioSegment.from_wav(tmp_path / "raw.wav").raw_data == clip.raw_data


def test_write_text_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "subs.srt"
    out.write_text("old")
    write_text(out, "new ٣")
    assert out.read_text(encoding="utf-8") == "new ٣"

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(Path, "write_text", fail)
    said = f"cannot write {out}: no space left on device; free some space and rerun"
    with pytest.raises(OutputError, match=f"^{re.escape(said)}$"):
        write_text(out, "newer")
    monkeypatch.undo()
    assert out.read_text(encoding="utf-8") == "new ٣"
    assert os.listdir(tmp_path) == ["subs.srt"]


def test_the_encoder_is_fed_through_a_wide_pipe(tmp_path: Path) -> None:
    # A 64 kB pipe holds 7 ms of the MP3 encoder's work: whenever the feeding thread
    # waited for the GIL (synthesis and tashkeel run beside it), the encoder sat idle.
    import fcntl
    import sys

    from tts.audio.clip import PIPE_BYTES
    from tts.audio.export import Encoder

    encoder = Encoder([sys.executable, "-c", "import sys; sys.stdin.buffer.read()"], "test")
    assert encoder.process.stdin is not None
    assert fcntl.fcntl(encoder.process.stdin.fileno(), fcntl.F_GETPIPE_SZ) >= PIPE_BYTES
    encoder.write(b"\x00" * PIPE_BYTES)
    encoder.close()


def spoken_bursts(seconds: int = 12) -> AudioSegment:
    """Tones of 0.7 s between 0.3 s of digital silence: segments can be cut between them."""
    burst = speech(700) + AudioSegment.silent(300, frame_rate=22_050)
    return sum(itertools.repeat(burst, seconds - 1), burst)


def test_a_segment_that_cannot_join_gives_the_file_one_encoder_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    # Louder than -16 LUFS, so every segment is decoded and checked (as the whole is on the
    # plain path): both paths give the encoders the same audio.
    monkeypatch.setattr(mp3, "encoders_wanted", lambda: 1)
    single = tmp_path / "single.mp3"
    export(spoken_bursts(), single, loudness=-14.0)
    monkeypatch.setattr(mp3, "encoders_wanted", lambda: 2)
    monkeypatch.setattr(mp3.SegmentedEncoder, "holds", lambda self, header, segment: segment.index != 1)
    out = tmp_path / "out.mp3"
    with caplog.at_level(logging.DEBUG, logger="tts.audio.mp3"):
        export(spoken_bursts(), out, loudness=-14.0)
    assert "MP3 segment 2" in caplog.text and "in one piece" in caplog.text
    decoded, whole = (decode_samples(p) for p in (out, single))
    assert len(decoded) == 12 * 22_050  # exact: the LAME tag is given the padding counted
    assert 0 <= len(whole) - len(decoded) <= 46 and np.array_equal(decoded, whole[:len(decoded)])
    assert sorted(os.listdir(tmp_path)) == ["out.mp3", "single.mp3"]


@pytest.mark.parametrize(("speed", "samples"), [(1.0, 88_138), (1.25, 87_853)])
def test_an_mp3_in_one_piece_decodes_to_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   speed: float, samples: int) -> None:
    # One encoder (one CPU, or --speed): where LAME pads more than 1105 samples (a length
    # 1 to 46 past whole frames of 576, as both are once played at ``speed``), ffmpeg's
    # tag says less and the file decoded long; with the length known before encoding
    # (levelled), the tag says what the frames hold.
    monkeypatch.setattr(mp3, "encoders_wanted", lambda: 1)
    wanted = round(samples / speed)
    assert 1 <= wanted % 576 <= 46
    pcm = np.frombuffer(spoken_bursts(4).raw_data, np.int16)[:samples]
    out = tmp_path / "a.mp3"
    export(AudioSegment(pcm.tobytes(), sample_width=2, frame_rate=22_050, channels=1), out,
           speed=speed, loudness=-18.0)
    assert len(decode_samples(out)) == wanted
    assert round(MP3(out).info.length * 22_050) == wanted


def decode_samples(path: Path) -> np.ndarray:
    """The file decoded by the ffmpeg the product runs, as 16-bit samples at its own rate."""
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                          capture_output=True, check=True)
    return np.frombuffer(proc.stdout, np.int16)
