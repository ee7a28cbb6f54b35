"""Write the joined audio to disk through ffmpeg, atomically, in the format the extension names:
tempo, loudness, tags and chapters included."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pydub import AudioSegment

from tts import fsutil, metadata, streams
from tts.audio import ffmpeg_exe
from tts.errors import ConfigError, OutputError
from tts.types import Chapter, Tags


@dataclass(frozen=True)
class Format:
    """How ffmpeg writes one output extension."""

    args: tuple[str, ...]
    """Muxer and codec arguments."""
    lossy: bool = True
    """Takes a bitrate (PCM and FLAC do not)."""
    streamable: bool = True
    """Can be written to a pipe (standard output); MP4 must seek back to finish its index."""
    ffmpeg_metadata: bool = False
    """Tags and chapters go in while encoding, from an ffmetadata input: mutagen cannot
    write RIFF INFO (WAV) or an MP4 chapter track. Other formats are tagged afterwards."""


# Opus runs only at 48 kHz (or 8/12/16/24); engines give 22.05 or 24 kHz, so resample.
# faststart puts the M4A index first, so podcast apps can play while downloading.
FORMATS: dict[str, Format] = {
    ".mp3": Format(("-f", "mp3", "-c:a", "libmp3lame")),
    ".ogg": Format(("-f", "ogg", "-c:a", "libopus", "-ar", "48000")),
    ".opus": Format(("-f", "opus", "-c:a", "libopus", "-ar", "48000")),
    ".m4a": Format(("-f", "ipod", "-c:a", "aac", "-movflags", "+faststart"), streamable=False,
                   ffmpeg_metadata=True),
    ".wav": Format(("-f", "wav", "-c:a", "pcm_s16le"), lossy=False, ffmpeg_metadata=True),
    ".flac": Format(("-f", "flac", "-c:a", "flac"), lossy=False),
}
# Loudness normalization: a plain gain to the target, measured by ebur128, and a
# limiter so peaks stay under -1.5 dBFS (0.84), the true-peak ceiling podcast
# platforms ask for. Measured against ffmpeg's two-pass loudnorm, this lands as
# close to the target at a tenth of the time (loudnorm resamples to 192 kHz).
LIMITER = "alimiter=limit=0.84:level=false:latency=true"
# The output name that means standard output.
STDOUT = "-"


def is_stdout(output: Path) -> bool:
    """True when ``output`` is ``-``: the audio goes to standard output, not a file."""
    return str(output) == STDOUT
# ebur128 reports -70 LUFS for silence: nothing to bring up.
SILENT_LUFS = -69.0
INTEGRATED = re.compile(r"I:\s+(-?[0-9.]+) LUFS")


def format_for(path: Path) -> str:
    """The output format's extension, or a ConfigError that lists the supported ones."""
    return check_format(path.suffix.lower(), path.name)


def check_format(suffix: str, shown_name: str) -> str:
    """``suffix`` (like ``.mp3``) when we can write it, else a ConfigError listing the others."""
    if suffix not in FORMATS:
        supported = ", ".join(FORMATS)
        shown = f"{suffix} files" if suffix else "a file without an extension"
        raise ConfigError(f"cannot write {shown} ({shown_name}); use one of: {supported}")
    return suffix


def prepare_output(path: Path) -> None:
    """Fail early, before any synthesis, when ``path`` cannot be written as audio."""
    format_for(path)
    check_writable(path)


def check_streamable(suffix: str, shown_name: str) -> str:
    """``suffix`` when it can go to standard output, else a ConfigError listing those that can."""
    check_format(suffix, shown_name)
    if not FORMATS[suffix].streamable:
        can = ", ".join(s[1:] for s, f in FORMATS.items() if f.streamable)
        raise ConfigError(f"{suffix[1:]} cannot be written to standard output (it must seek); "
                          f"use --format with one of: {can}, or -o FILE{suffix}")
    return suffix


def check_writable(path: Path, option: str = "-o/--output") -> None:
    """Fail early when ``path`` is a folder, read-only, or its folder cannot take a new file.

    No folder is made yet (a failed render must not leave empty ones): the probe goes
    in the closest folder that exists. Temp files of killed runs there are removed.
    """
    if path.is_dir():
        example = path / f"article{path.suffix or '.mp3'}"
        raise OutputError(f"{path} is a folder; give a file name such as {example}")
    blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise OutputError(f"cannot write to {path.parent}: {blocker} is a file, not a folder; "
                          f"choose another {option}")
    read_only = fsutil.refuse_read_only(path)
    if read_only is not None:
        raise OutputError(f"{path} is {read_only}; make it writable (chmod u+w) or choose "
                          f"another {option}")
    folder = fsutil.nearest_existing(path)
    try:
        fsutil.make_temp(folder).unlink()
    except OSError as exc:
        raise OutputError(
            f"cannot write to {path.parent} ({exc.strerror or exc}); choose another {option}"
        ) from exc
    fsutil.remove_stale_temps(folder)


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temp file beside ``path`` that replaces it on success and vanishes on failure.

    A failed write leaves no partial file, and an existing file stays as it was.
    """
    tmp = fsutil.temp_beside(path)
    try:
        yield tmp
        # mkstemp makes the file private (0600); give it the mode the user's
        # umask gives new files, or the mode of the file it replaces.
        tmp.chmod(path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~current_umask())
        fsutil.commit(tmp, path)  # now, or with the rest of the render's outputs
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path: Path, text: str) -> None:
    """Write a UTF-8 side file (subtitles, manifest) atomically."""
    try:
        with atomic_target(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {path} ({exc.strerror or exc}); choose another path") from exc


def export(audio: AudioSegment, path: Path, bitrate: str = "64k", *, speed: float = 1.0,
           loudness: float | None = None, tags: Tags | None = None,
           chapters: Sequence[Chapter] = ()) -> None:
    """Encode ``audio`` to ``path`` at ``speed``, normalized to ``loudness`` LUFS, tagged."""
    suffix = format_for(path)
    filters = filters_for(audio, speed, loudness)
    with atomic_target(path) as tmp:
        encode(audio, str(tmp), suffix, bitrate, filters, tags, chapters)
        if tags is not None:
            metadata.write_tags(tmp, suffix, tags, chapters)


def write_stream(audio: AudioSegment, suffix: str, sink: BinaryIO, bitrate: str = "64k", *,
                 speed: float = 1.0, loudness: float | None = None) -> None:
    """Encode to ``sink`` (standard output, for ``| mpv -``): audio only, no tags or chapters,
    since those are written into a finished file."""
    streams.write_all(sink, encode(audio, "pipe:1", check_format(suffix, f"--format {suffix[1:]}"),
                                   bitrate, filters_for(audio, speed, loudness)))


def filters_for(audio: AudioSegment, speed: float, loudness: float | None) -> list[str]:
    """The ffmpeg filter chain: tempo first, then the gain that reaches ``loudness``."""
    filters = [f"atempo={speed:g}"] if speed != 1.0 else []
    if loudness is not None:
        filters += loudness_filters(audio, filters, loudness)
    return filters


def loudness_filters(audio: AudioSegment, before: Sequence[str], target: float) -> list[str]:
    """The gain (and limiter) that bring ``audio``, after the ``before`` filters, to ``target`` LUFS."""
    measured = measure_loudness(audio, before)
    if measured <= SILENT_LUFS:
        return []
    gain = target - measured
    # Where the limiter pulls peaks down it takes some loudness back (0.5 LU on
    # espeak's voice); measuring once more through it says how much to add.
    limited = measure_loudness(audio, [*before, f"volume={gain:.2f}dB", LIMITER])
    return [f"volume={gain + target - limited:.2f}dB", LIMITER]


def measure_loudness(audio: AudioSegment, before: Sequence[str] = ()) -> float:
    """Integrated loudness in LUFS (EBU R128), as ffmpeg's ebur128 filter measures it."""
    chain = ",".join([*before, "ebur128"])
    command = [*pcm_input(audio, "info"), "-af", chain, "-f", "null", "-"]
    stderr = run_ffmpeg(command, audio, "measure the loudness of the audio").stderr
    found = INTEGRATED.findall(stderr.decode("utf-8", "replace"))
    if not found:
        raise OutputError("ffmpeg gave no loudness measurement; rerun with --no-loudness")
    return float(found[-1])


def encode(audio: AudioSegment, target: str, suffix: str, bitrate: str,
           filters: Sequence[str] = (), tags: Tags | None = None,
           chapters: Sequence[Chapter] = ()) -> bytes:
    """Pipe raw PCM into ffmpeg; what it wrote to stdout comes back (for ``pipe:1``).

    Writing to a seekable file lets the MP3 muxer go back and fill in the Xing
    header, so players show the right duration."""
    fmt = FORMATS[suffix]
    fsutil.remove_stale_temps(Path(tempfile.gettempdir()))  # scratch of killed runs
    with tempfile.TemporaryDirectory(prefix=fsutil.temp_prefix()) as scratch:
        command = pcm_input(audio)
        if tags is not None and fmt.ffmpeg_metadata:
            meta = Path(scratch) / "metadata.txt"
            meta.write_text(metadata.ffmetadata(tags, chapters), encoding="utf-8")
            command += ["-i", str(meta), "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
                        "-metadata:s:a:0", f"language={tags.language}"]
        if filters:
            command += ["-af", ",".join(filters)]
        command += [*fmt.args, *(["-b:a", bitrate] if fmt.lossy else []), "-y", target]
        return run_ffmpeg(command, audio, f"write {Path(target).name}").stdout


def pcm_input(audio: AudioSegment, loglevel: str = "error") -> list[str]:
    """An ffmpeg command line so far: ``audio``'s raw PCM read from stdin."""
    return [ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-loglevel", loglevel,
            "-f", "s16le", "-ar", str(audio.frame_rate), "-ac", str(audio.channels), "-i", "pipe:0"]


def run_ffmpeg(command: list[str], audio: AudioSegment,
               action: str) -> subprocess.CompletedProcess[bytes]:
    """Run ``command`` with ``audio`` on stdin, or raise an OutputError naming ``action``."""
    proc = subprocess.run(command, input=audio.raw_data, capture_output=True, check=False)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OutputError(f"ffmpeg could not {action}: {detail[-1] if detail else 'unknown error'}")
    return proc
