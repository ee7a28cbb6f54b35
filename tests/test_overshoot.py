"""A lossy codec's overshoot is found in the decoded file and taken out where it happens:
the file decodes under -1 dBTP in independent tools, the rest of it as loud as before,
and an Opus file that still overshoots is brought down by the gain in its header."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tts.audio import export, formats, mp3, overshoot
from tts.audio.clip import ffmpeg_exe, wav_header
from tts.audio.export import AudioTarget, pcm_input
from tts.errors import OutputError
from tts.types import Layout

RATE = 22_050
QUIET = 0.5  # the speech-like noise: about -6 dBFS at its highest sample
LOUD_AT = 2.0  # one loud burst, 10 ms from here: -0.3 dBFS, over what any codec keeps
LOUD_S = 0.01
LOUD_HZ = 300  # three periods of a square wave, as a shout clipped flat


def ffmpeg(*args: str) -> str:
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", *args],
                          capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr[-300:]
    return proc.stderr.decode()


def loudness_and_peak(path: Path) -> tuple[float, float]:
    """Integrated LUFS and true peak dBTP of the decoded file, by ffmpeg's ebur128."""
    text = ffmpeg("-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-")
    return (float(re.findall(r"I:\s+(-?[0-9.]+) LUFS", text)[-1]),
            float(re.findall(r"Peak:\s+(-?[0-9.inf]+) dBFS", text)[-1]))


def decoded(path: Path, rate: int) -> np.ndarray:
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1",
                           "-ar", str(rate), "-"], capture_output=True, check=True)
    return np.frombuffer(proc.stdout, np.float32)


def speech_with_one_loud_burst(seconds: float = 20.0) -> np.ndarray:
    """Noise in syllable-like bursts, and at LOUD_AT a short square wave at -0.3 dBFS (a
    shout clipped flat). Whatever the encoder, a lossy codec keeps a band of it, and the
    band's edges ring over the flat top (Gibbs: 9% of each jump): each format decoded at
    +1.2 to +1.8 dBTP with the bundled ffmpeg and with Debian's 5.1, where a noise burst at
    the same level decoded anywhere from -1.3 to 0 dBTP, depending on the encoder. Short,
    so that the dip over it leaves the file's loudness as it was."""
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = (np.sin(2 * np.pi * 4 * t) > 0.2).astype(np.float32)
    audio = rng.standard_normal(len(t)).astype(np.float32) * envelope
    audio *= QUIET / np.abs(audio).max()
    loud = slice(int(LOUD_AT * RATE), int((LOUD_AT + LOUD_S) * RATE))
    phase = (t[loud] - LOUD_AT) * LOUD_HZ % 1
    audio[loud] = np.where(phase < 0.5, 1.0, -1.0) * 10 ** (-0.3 / 20)
    return np.rint(audio * 32767).astype(np.int16)


def plain_encode(samples: np.ndarray, out: Path, suffix: str, speed: float = 1.0) -> Path:
    """The same audio through the same ffmpeg arguments, without the check."""
    fmt = export.FORMATS[suffix]
    filters = ["-af", f"atempo={speed:g}"] if speed != 1.0 else []
    subprocess.run([*pcm_input(RATE), *filters, *fmt.args, *export.bitrate_args(fmt, "64k"), "-y",
                    str(out)], input=samples.tobytes(), check=True, capture_output=True)
    return out


def render(samples: np.ndarray, out: Path, speed: float = 1.0, loudness: float = -16.0) -> Path:
    """The audio written as the render writes it (tags aside), in blocks, for a render
    levelled to ``loudness`` (the levelling itself left out)."""
    with AudioTarget(out, out.suffix, "64k", speed, None) as target:
        target.outlet(loudness)
        write = target.open(RATE, None)
        for start in range(0, len(samples), 4096):
            write(samples[start:start + 4096].tobytes())
        target.finish()
    return out


@pytest.mark.parametrize(("suffix", "speed"), [(".opus", 1.0), (".m4a", 1.0), (".ogg", 1.0),
                                               (".mp3", 1.5)])
def test_the_decoded_file_is_under_minus_1_dbtp_and_as_loud(tmp_path: Path, suffix: str,
                                                             speed: float) -> None:
    samples = speech_with_one_loud_burst()
    plain = plain_encode(samples, tmp_path / f"plain{suffix}", suffix, speed)
    plain_loudness, plain_peak = loudness_and_peak(plain)
    assert plain_peak > -1.0  # what the codec does unchecked
    out = render(samples, tmp_path / f"out{suffix}", speed)
    loudness, peak = loudness_and_peak(out)
    assert peak <= -1.0, f"{suffix}: {peak} dBTP"
    assert abs(loudness - plain_loudness) <= 0.2  # a dip where the burst is (a tenth of a second)
    if suffix in (".opus", ".ogg"):
        assert overshoot.opus_output_gain_db(out) == 0.0  # taken out where it was, not overall


@pytest.mark.parametrize("suffix", [".opus", ".ogg"])
def test_opus_to_standard_output_is_checked_before_it_is_sent(tmp_path: Path, suffix: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    samples = speech_with_one_loud_burst()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the render's scratch goes here
    sink = io.BytesIO()
    with AudioTarget(Path("-"), suffix, "64k", 1.0, None, sink) as target:
        target.outlet(-16.0)
        write = target.open(RATE, Layout(len(samples)))
        for start in range(0, len(samples), 4096):
            write(samples[start:start + 4096].tobytes())
        assert sink.getvalue() == b""  # nothing is sent before the check
        assert target.finish() == len(samples)
    sent = tmp_path / f"sent{suffix}"
    sent.write_bytes(sink.getvalue())
    assert loudness_and_peak(sent)[1] <= -1.0
    assert len(decoded(sent, RATE)) == len(samples)
    assert [p.name for p in tmp_path.iterdir()] == [sent.name]  # no scratch left


def test_only_the_overshoot_is_dipped(tmp_path: Path) -> None:
    samples = speech_with_one_loud_burst()
    plain = decoded(plain_encode(samples, tmp_path / "plain.m4a", ".m4a"), RATE)
    ours = decoded(render(samples, tmp_path / "out.m4a"), RATE)
    assert len(ours) == len(plain)
    loud = slice(int(LOUD_AT * RATE), int((LOUD_AT + LOUD_S) * RATE))
    reach = int((overshoot.DIP_HOLD_S + overshoot.DIP_RAMP_S + 0.05) * RATE)  # and the codec's frames
    away = np.ones(len(ours), bool)
    away[loud.start - reach:loud.stop + reach] = False
    # Away from the burst the file is the plain encode's, but for the codec's own noise.
    level = np.sqrt(np.mean(plain[away] ** 2))
    assert np.sqrt(np.mean((ours[away] - plain[away]) ** 2)) < level * 0.05
    # At the burst it is lower.
    assert np.abs(ours[loud]).max() < np.abs(plain[loud]).max() * 10 ** (-0.5 / 20)


def test_a_file_under_the_limit_is_encoded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    samples = (speech_with_one_loud_burst().astype(np.float32) * 0.3).astype(np.int16)  # -11 dBFS
    encodes = []
    real = export.Encoder.__init__

    def counting(self, command, *args, **kwargs):  # type: ignore[no-untyped-def]
        encodes.append(command)
        real(self, command, *args, **kwargs)
    monkeypatch.setattr(export.Encoder, "__init__", counting)
    out = render(samples, tmp_path / "out.opus")
    assert len(encodes) == 1
    assert loudness_and_peak(out)[1] < -6.0  # the codec's overshoot left far under the limit


def test_opus_that_still_overshoots_is_brought_down_by_its_header_gain(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overshoot, "GUARD_TRIES", 0)  # no encode again: the header alone
    samples = speech_with_one_loud_burst()
    plain_loudness, _ = loudness_and_peak(plain_encode(samples, tmp_path / "plain.opus", ".opus"))
    out = render(samples, tmp_path / "out.opus")
    loudness, peak = loudness_and_peak(out)
    gain = overshoot.opus_output_gain_db(out)
    assert gain < 0
    assert peak <= -1.0
    assert loudness == pytest.approx(plain_loudness + gain, abs=0.15)  # the whole file, by that much


def test_opus_header_gain_is_what_decoders_apply(tmp_path: Path) -> None:
    out = plain_encode(speech_with_one_loud_burst(), tmp_path / "a.opus", ".opus")
    before = decoded(out, 48_000)
    overshoot.set_opus_output_gain(out, -6.0)
    assert overshoot.opus_output_gain_db(out) == -6.0
    after = decoded(out, 48_000)  # the page's CRC is right, or ffmpeg would not read it
    assert np.abs(after).max() / np.abs(before).max() == pytest.approx(10 ** (-6 / 20), rel=1e-3)
    ffmpeg("-v", "error", "-i", str(out), "-f", "null", "-")


def test_scan_finds_peaks_between_samples(tmp_path: Path) -> None:
    # A tone at a quarter of the rate, 45 degrees off its samples: every sample is at 0.707
    # of the wave's height (-3 dB), which peaks between them at 0 dBFS... here -0.5.
    t = np.arange(RATE * 3)
    height = 10 ** (-0.5 / 20)
    tone = np.zeros(len(t))
    fade = np.minimum(1, np.minimum(t - RATE, 2 * RATE - t) / (0.01 * RATE))  # no onset click
    tone[RATE:2 * RATE] = (height * np.sin(np.pi / 2 * t + np.pi / 4) * fade)[RATE:2 * RATE]
    wav = tmp_path / "tone.wav"
    wav.write_bytes(wav_header(RATE, len(t)) + np.rint(tone * 32767).astype(np.int16).tobytes())
    assert 20 * np.log10(np.abs(tone).max()) < -3.4  # no sample anywhere near -1.2
    found = overshoot.scan(wav, RATE, -1.2, "read it")
    assert found.peak_db == pytest.approx(-0.5, abs=0.1)
    assert len(found.overs) == 1
    over = found.overs[0]
    assert over.start_s == pytest.approx(1.0, abs=0.01) and over.end_s == pytest.approx(2.0, abs=0.01)
    assert over.excess_db == pytest.approx(0.7, abs=0.1)


def test_dips_ramp_in_and_out_and_leave_the_rest_untouched() -> None:
    dips = overshoot.Dips(RATE)
    dips.add([overshoot.Over(1.0, 1.01, 1.5)], speed=1.0)
    gains = dips.gains(0, 2 * RATE)
    depth = 10 ** (-(1.5 + overshoot.DIP_MARGIN_DB) / 20)
    hold = round(overshoot.DIP_HOLD_S * RATE)
    ramp = round(overshoot.DIP_RAMP_S * RATE)
    assert gains[int(1.0 * RATE):int(1.01 * RATE)].max() == pytest.approx(depth)
    assert gains[int(1.0 * RATE) - hold] == pytest.approx(depth)
    untouched = np.ones(len(gains), bool)
    untouched[RATE - hold - ramp:int(1.01 * RATE) + hold + ramp + 1] = False
    assert np.all(gains[untouched] == 1.0)
    assert np.abs(np.diff(gains)).max() <= (1 - depth) / ramp + 1e-6  # no step: a ramp
    # A second dip in the same place goes deeper, from where the first left it.
    dips.add([overshoot.Over(1.0, 1.01, 0.5)], speed=1.0)
    assert dips.gains(RATE, 1)[0] == pytest.approx(depth * 10 ** (-(0.5 + overshoot.DIP_MARGIN_DB) / 20))


def test_a_file_that_cannot_be_decoded_is_a_one_line_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.opus"
    broken.write_bytes(b"OggS not really")
    with pytest.raises(OutputError, match=r"^ffmpeg could not write broken.opus: "):
        overshoot.scan(broken, 48_000, -1.2, "write broken.opus")


def test_a_scan_stopped_early_leaves_no_decoder_running(tmp_path: Path) -> None:
    out = plain_encode(speech_with_one_loud_burst(), tmp_path / "a.opus", ".opus")
    blocks = overshoot.decoded_blocks(out, "read it")
    next(blocks)
    frame = blocks.gi_frame
    assert frame is not None
    process = frame.f_locals["process"]
    blocks.close()  # as when the render is stopped while the file is checked
    assert process.poll() is not None


def test_a_gain_for_a_file_that_is_not_opus_is_refused(tmp_path: Path) -> None:
    out = plain_encode(speech_with_one_loud_burst(4.0), tmp_path / "a.ogg", ".ogg")
    data = bytearray(out.read_bytes())
    data[28:36] = b"NotOpus!"  # the first packet's magic
    out.write_bytes(bytes(data))
    with pytest.raises(OutputError, match="does not start with an Opus header"):
        overshoot.set_opus_output_gain(out, -1.0)
    assert out.read_bytes() == bytes(data)  # left as it was


def test_a_loud_mp3_in_segments_is_checked_and_joins_sample_for_sample(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mp3, "encoders_wanted", lambda: 2)  # segments, whatever the machine
    samples = speech_with_one_loud_burst()
    assert loudness_and_peak(render(samples, tmp_path / "plain.mp3", loudness=-16.0))[1] > -1.0
    out = render(samples, tmp_path / "out.mp3", loudness=-14.0)
    assert loudness_and_peak(out)[1] <= -1.0
    ours, plain = decoded(out, RATE), decoded(tmp_path / "plain.mp3", RATE)
    assert len(ours) == len(plain) == len(samples)  # the re-encoded segment joins exactly
    # The segments away from the burst are the same encodes, sample for sample.
    assert np.array_equal(ours[-10 * RATE:], plain[-10 * RATE:])


def test_an_mp3_at_the_default_loudness_is_not_decoded_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Its overshoot left 1.2 dB under -1 dBTP over renders; the decode would cost an
    # eighth of the render's CPU.
    monkeypatch.setattr(mp3, "encoders_wanted", lambda: 2)
    scans = []
    monkeypatch.setattr(overshoot, "scan", lambda *args: scans.append(args))
    render(speech_with_one_loud_burst(4.0), tmp_path / "out.mp3", loudness=-16.0)
    assert scans == []


@pytest.mark.parametrize(("suffix", "speed", "loudness", "ceiling"), [
    (".mp3", 1.0, -16.0, formats.MP3_UNCHECKED_CEILING_DB),  # segments, not decoded again
    (".mp3", 1.0, -14.0, formats.LOSSY_CEILING_DB),  # checked: the codec gets the usual room
    (".mp3", 1.5, -16.0, formats.LOSSY_CEILING_DB),  # one encoder: always checked
    (".opus", 1.0, -16.0, formats.LOSSY_CEILING_DB),
    (".flac", 1.0, -14.0, formats.LOSSLESS_CEILING_DB)])
def test_the_limiter_leaves_more_room_where_the_file_is_not_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, speed: float,
        loudness: float, ceiling: float) -> None:
    monkeypatch.setattr(mp3, "encoders_wanted", lambda: 2)
    target = AudioTarget(tmp_path / f"out{suffix}", suffix, "64k", speed, None)
    try:
        assert target.outlet(loudness).ceiling_db == ceiling
    finally:
        target.abort()  # nothing was written: its scratch folder goes
