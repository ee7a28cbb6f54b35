"""Each format checked by independent readers: decodes cleanly, true peak, loudness, bitrate,
header duration, tag version and chapters (ffmpeg and mutagen, not our own code)."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import mutagen
import pytest
from conftest import ARTICLE, ffmpeg_chapters
from mutagen.mp3 import MP3

from tts.audio.clip import ffmpeg_exe

# The first paragraphs of the article: about 70 s of espeak, enough for bitrates to settle.
PARAGRAPHS = 5
FORMATS = ["mp3", "m4a", "opus", "ogg", "flac", "wav"]
LOSSY = {"mp3", "m4a", "opus", "ogg"}


@pytest.fixture(scope="module")
def text(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lines = ARTICLE.read_text(encoding="utf-8").strip().splitlines()[:PARAGRAPHS]
    path = tmp_path_factory.mktemp("formats") / "news.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


Render = Callable[..., Path]


@pytest.fixture
def render_to(run, offline: None, text: Path, tmp_path: Path) -> Render:  # type: ignore[no-untyped-def]
    def render(suffix: str, *args: str) -> Path:
        out = tmp_path / f"out.{suffix}"
        result = run("render", str(text), "--engine", "espeak", "-o", str(out), *args)
        assert result.exit_code == 0, result.stderr
        return out
    return render


def ffmpeg(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", *args],
                          capture_output=True, check=False)


def decoded_seconds(path: Path) -> float:
    """The length of the audio as ffmpeg decodes it, checking it decodes without an error."""
    rate = 48_000 if path.suffix in (".opus", ".ogg") else 22_050
    proc = ffmpeg("-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate), "-")
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    return len(proc.stdout) / 2 / rate


def loudness_and_peak(path: Path) -> tuple[float, float]:
    """Integrated LUFS and true peak dBTP of the decoded file (ffmpeg's ebur128)."""
    text = ffmpeg("-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-").stderr.decode()
    return (float(re.findall(r"I:\s+(-?[0-9.]+) LUFS", text)[-1]),
            float(re.findall(r"Peak:\s+(-?[0-9.inf]+) dBFS", text)[-1]))


def header_seconds(path: Path) -> float:
    """The duration the product's ffmpeg (the pinned build) reads from the headers, as its
    ffprobe would show. Not another ffmpeg on PATH: Debian's 5.1 ignores the LAME tag's
    delay and padding, and read 89.5 s of a file that decodes to 89.437 s."""
    found = re.search(r"Duration: (\d+):(\d+):([\d.]+)", ffmpeg("-i", str(path)).stderr.decode())
    assert found is not None
    hours, minutes, seconds = found.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("args", [(), ("--loudness", "-14"), ("--speed", "1.5")],
                         ids=["defaults", "loudness-14", "speed-1.5"])
def test_true_peak_and_loudness_of_the_decoded_file(render_to: Render, fmt: str,
                                                    args: tuple[str, ...]) -> None:
    out = render_to(fmt, *args)
    decoded_seconds(out)
    loudness, peak = loudness_and_peak(out)
    target = float(args[1]) if args[:1] == ("--loudness",) else -16.0
    assert peak <= -1.0, f"true peak {peak} dBTP"
    assert abs(loudness - target) <= 1.0, f"{loudness} LUFS against {target}"


@pytest.mark.parametrize("fmt", ["mp3", "opus"])
def test_peaks_and_loudness_hold_whatever_espeaks_noise(render_to: Render, fmt: str) -> None:
    # espeak's noise (fricatives, bursts) differs from one call to the next in a process:
    # over renders of the same text the MP3's overshoot of the limited waveform ranged
    # 0.4-1.5 dB, and one render in eight came out at -0.7 dBTP with a -2 dBTP ceiling;
    # Opus's 0.8-3.3 dB, three renders in eight above -1 dBTP before its decoded check.
    for _ in range(4):
        out = render_to(fmt, "--loudness", "-14", "--no-cache")
        loudness, peak = loudness_and_peak(out)
        assert peak <= -1.0, f"true peak {peak} dBTP"
        assert abs(loudness + 14) <= 1.0, f"{loudness} LUFS"


# The bound is 15%; AAC, asked along its measured curve, is held to 6% (it overshot
# by 11-19% around 32k when asked a fixed share of the rate).
@pytest.mark.parametrize(("fmt", "bitrates", "within"), [
    ("mp3", ("64k", "32k"), 0.15), ("opus", ("64k", "32k"), 0.15),
    ("m4a", ("96k", "64k", "32k", "24k"), 0.06)])
def test_lossy_formats_average_the_bitrate(render_to: Render, fmt: str,
                                           bitrates: tuple[str, ...], within: float) -> None:
    for bitrate in bitrates:
        kbps = average_kbps(render_to(fmt, "--bitrate", bitrate))
        assert abs(kbps / int(bitrate[:-1]) - 1) <= within, f"{fmt} at {bitrate}: {kbps:.1f} kbit/s"


def average_kbps(out: Path) -> float:
    """The audio's bits per second of decoded length, an MP3's tag left out."""
    tags = mutagen.File(out).tags
    tag_bytes = tags.size if out.suffix == ".mp3" and tags is not None else 0
    return (out.stat().st_size - tag_bytes) * 8 / decoded_seconds(out) / 1000


@pytest.mark.parametrize(("fmt", "kbps"), [("opus", 32), ("ogg", 32), ("mp3", 64), ("m4a", 64)])
def test_default_bitrate_is_the_formats_own(render_to: Render, fmt: str, kbps: int) -> None:
    # Opus defaulted to MP3's 64k; speech in Opus sounds clean at 24-32k.
    assert abs(average_kbps(render_to(fmt)) / kbps - 1) <= 0.15


def test_mp3_header_duration_is_within_a_frame_of_the_decoded_length(render_to: Render) -> None:
    out = render_to("mp3")
    decoded = decoded_seconds(out)
    frame = 576 / 22_050  # an MPEG-2 layer III frame
    info = MP3(out).info
    assert abs(info.length - decoded) <= frame, (info.length, decoded)
    assert abs(header_seconds(out) - decoded) <= frame
    assert info.encoder_info.startswith("LAME")  # so readers trust its delay and padding


def test_mp3_tags_are_id3v23_with_chapters(render_to: Render) -> None:
    out = render_to("mp3")
    assert out.read_bytes()[:5] == b"ID3\x03\x00"
    tags = mutagen.File(out).tags
    assert tags.version == (2, 3, 0)
    assert all(frame.encoding == 1 for frame in tags.getall("TIT2"))  # UTF-16
    toc = tags.getall("CTOC")[0]
    assert len(toc.child_element_ids) == PARAGRAPHS == len(tags.getall("CHAP"))
    assert len(ffmpeg_chapters(out)) == PARAGRAPHS


def test_flac_is_16_bit(render_to: Render) -> None:
    assert mutagen.File(render_to("flac")).info.bits_per_sample == 16


@pytest.mark.parametrize("fmt", ["m4a", "opus", "flac"])
def test_chapters_read_back(render_to: Render, fmt: str) -> None:
    out = render_to(fmt)
    assert len(ffmpeg_chapters(out)) == PARAGRAPHS


def test_m4a_chapter_track_speaks_the_audios_language(render_to: Render) -> None:
    info = ffmpeg("-i", str(render_to("m4a"))).stderr.decode()
    streams = [line for line in info.splitlines() if "Stream #" in line]
    assert len(streams) == 2 and all("(ara)" in line for line in streams), streams


@pytest.mark.parametrize("speed", ["1.0", "1.5", "0.75", "2.0"])
def test_no_cue_or_chapter_ends_after_the_audio(render_to: Render, tmp_path: Path,
                                                speed: str) -> None:
    subs = tmp_path / "out.srt"
    out = render_to("mp3", "--speed", speed, "--subtitles", str(subs),
                    "--manifest", str(tmp_path / "m.json"))
    decoded_ms = decoded_seconds(out) * 1000
    ends = [int(h) * 3_600_000 + int(m) * 60_000 + int(s) * 1000 + int(ms) for h, m, s, ms in
            re.findall(r"--> (\d+):(\d+):(\d+),(\d+)", subs.read_text(encoding="utf-8"))]
    assert ends and max(ends) <= decoded_ms
    chapters = MP3(out).tags.getall("CHAP")
    assert max(c.end_time for c in chapters) <= decoded_ms


def test_wav_to_stdout_has_exact_sizes(run, offline: None, text: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("render", str(text), "--engine", "espeak", "-o", "-", "--format", "wav",
                 "--speed", "1.5")
    assert result.exit_code == 0, result.stderr
    data = result.stdout_bytes
    riff, = struct.unpack("<I", data[4:8])
    size, = struct.unpack("<I", data[40:44])
    assert data[36:40] == b"data" and riff == len(data) - 8 and size == len(data) - 44


def test_mp3_to_stdout_starts_with_its_tag_and_chapters(run, offline: None, text: Path,  # type: ignore[no-untyped-def]
                                                        tmp_path: Path) -> None:
    result = run("render", str(text), "--engine", "espeak", "-o", "-")
    assert result.exit_code == 0, result.stderr
    saved = tmp_path / "piped.mp3"
    saved.write_bytes(result.stdout_bytes)
    tags = mutagen.File(saved).tags
    assert tags.version == (2, 3, 0) and len(tags.getall("CHAP")) == PARAGRAPHS
    assert abs(MP3(saved).info.length - decoded_seconds(saved)) < 0.2


def test_opus_to_stdout_is_checked_and_tagged_like_a_file(run, offline: None, text: Path,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path) -> None:
    # Encoded whole, its decoded peak checked (at -14 LUFS libopus overshot -1 dBTP in
    # three renders of eight), tagged, then sent.
    result = run("render", str(text), "--engine", "espeak", "-o", "-", "--format", "opus",
                 "--loudness", "-14")
    assert result.exit_code == 0, result.stderr
    saved = tmp_path / "piped.opus"
    saved.write_bytes(result.stdout_bytes)
    loudness, peak = loudness_and_peak(saved)
    assert peak <= -1.0 and abs(loudness + 14) <= 1.0
    tags = mutagen.File(saved).tags
    chapters = {key.lower() for key, _ in tags if re.fullmatch(r"chapter\d+", key.lower())}
    assert tags["title"] and len(chapters) == PARAGRAPHS


def test_a_reader_that_stops_early_ends_the_render_quietly(text: Path) -> None:
    # `render -o - | head -c 1000`: the render must end, not hang on a full pipe, and end
    # quietly as `cat` would (exit 141, SIGPIPE's code), with no "Wrote" summary. The
    # timeout only guards the suite from a hang; nothing is timed.
    proc = subprocess.Popen([sys.executable, "-m", "tts", "render", str(text), "--engine", "espeak",
                             "--no-cache", "-o", "-", "--format", "wav"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert len(proc.stdout.read(1000)) == 1000
    proc.stdout.close()
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 141
    assert b"Wrote" not in stderr and b"Traceback" not in stderr
