"""pydub stage: decode engine output, trim edge silence, bring clips to one layout."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import importlib.util
import os
import shutil
import struct
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
from pydub import AudioSegment
from pydub.silence import detect_leading_silence

from tts.errors import ArticleTTSError, ConfigError, EngineError, OutputError

# Below this level a clip's edge counts as silence. Google pads clips with
# near-digital silence and espeak with true zeros; speech onsets sit far above.
SILENCE_DBFS = -50.0
# Step of the edge scan: fine enough that a 700 ms pause lands within a few ms.
TRIM_STEP_MS = 5
# Kept on each side of a trimmed clip so consonant attacks and releases survive.
EDGE_KEEP_MS = 10
SAMPLE_WIDTH = 2  # 16-bit PCM all the way through
FULL_SCALE = 32768  # of 16-bit PCM, as pydub's dBFS counts it
# Silence is scanned for a second at a time: speech mostly starts in the first.
QUIET_WINDOW_MS = 1000
# RIFF and data sizes for a stream whose length is not known yet; players read to EOF.
STREAMING_SIZE = 0xFFFFFFFF
# A pipe into (or out of) ffmpeg holds this much (Linux; 1 MB is what an unprivileged process may
# ask for): 24 s of speech, a tenth of a second of an encoder's work. The default 64 kB
# is 7 ms of it, so any pause of the feeding thread (other threads hold the GIL while
# they synthesize and diacritize) left the encoder idle.
PIPE_BYTES = 1 << 20
# Names another ffmpeg than the pinned one (see find_ffmpeg); imageio-ffmpeg's own setting.
FFMPEG_ENV = "ARTICLE_TTS_FFMPEG"
IMAGEIO_FFMPEG_ENV = "IMAGEIO_FFMPEG_EXE"
# ``ffmpeg -version`` takes a few ms; a binary that hangs must not hang ``--version``.
VERSION_TIMEOUT_S = 10


@functools.lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """The ffmpeg every encode, decode and check runs (``find_ffmpeg``), found once; pydub's
    converter is pointed at it too, so nothing runs another ffmpeg behind our back."""
    path = find_ffmpeg()[0]
    AudioSegment.converter = path
    return path


def find_ffmpeg() -> tuple[str, str]:
    """(the ffmpeg to run, what chose it). The pinned build, so a render gives the same
    bytes on every machine, whatever else is installed:

    1. ``$ARTICLE_TTS_FFMPEG``, a path or a command name on PATH: ours, so it wins;
    2. ``$IMAGEIO_FFMPEG_EXE``, imageio-ffmpeg's own setting, honoured as it does;
    3. the binary in the imageio-ffmpeg wheel (the pinned build);
    4. ``ffmpeg`` on PATH, only where the wheel holds no binary (a platform without one).

    A variable naming nothing runnable is a ConfigError (exit 2), not a silent fallback.
    """
    for variable in (FFMPEG_ENV, IMAGEIO_FFMPEG_ENV):
        named = os.environ.get(variable)
        if named:
            return named_ffmpeg(named, variable), f"${variable}"
    bundled = bundled_ffmpeg()
    if bundled:
        return bundled, "bundled"
    found = shutil.which("ffmpeg")
    if found:
        return found, "PATH"
    raise ArticleTTSError("ffmpeg not found: install the imageio-ffmpeg package or put ffmpeg on PATH")


def named_ffmpeg(named: str, variable: str) -> str:
    """The executable ``named`` (by ``$variable``) stands for: a path, or a name on PATH."""
    found = shutil.which(named)
    if found is None:
        raise ConfigError(f"ffmpeg {named!r} (from ${variable}) does not exist or is not "
                          f"executable; point ${variable} at an ffmpeg, or unset it to use "
                          f"the bundled one")
    return found


def bundled_ffmpeg() -> str | None:
    """The binary in imageio-ffmpeg's wheel, found in its folder without importing the
    package: its import, and the ``ffmpeg -version`` it runs to try the binary, took 50 ms
    of a render's start. None where the package or its binary is missing."""
    spec = importlib.util.find_spec("imageio_ffmpeg")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for binary in sorted(Path(folder, "binaries").glob("ffmpeg-*")):
            if binary.is_file() and os.access(binary, os.X_OK):
                return str(binary)
    return None


# What exec reports for an ffmpeg that exists but cannot run here: another machine's build,
# a file that is not a program, one we may not execute.
UNRUNNABLE = frozenset({errno.ENOEXEC, errno.EACCES, errno.ENOENT, errno.ENOTDIR, errno.EISDIR})


def popen_ffmpeg(command: Sequence[str], **options: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(command)`` for an ffmpeg command; see ``cannot_run``."""
    try:
        return subprocess.Popen(command, **options)
    except OSError as exc:
        raise cannot_run(command[0], exc) from exc


def run_ffmpeg(command: Sequence[str], **options: Any) -> subprocess.CompletedProcess[bytes]:
    """``subprocess.run(command)`` for an ffmpeg command; see ``cannot_run``."""
    try:
        return subprocess.run(command, **options)  # callers say check=
    except OSError as exc:
        raise cannot_run(command[0], exc) from exc


def cannot_run(path: str, exc: OSError) -> Exception:
    """A one-line ConfigError when exec refused the ffmpeg binary itself; ``exc`` otherwise."""
    if exc.errno not in UNRUNNABLE:
        return exc
    return ConfigError(f"ffmpeg {path!r} cannot run here ({exc.strerror or exc}); point "
                       f"${FFMPEG_ENV} at an ffmpeg built for this machine, or unset it to use "
                       f"the bundled one")


def ffmpeg_in_use() -> str:
    """Which ffmpeg runs, what chose it, and its version line, for ``--version`` and
    ``engines``: only they pay for running it (a render never asks)."""
    try:
        path, source = find_ffmpeg()
    except ArticleTTSError as exc:
        return f"none usable ({exc})"
    try:
        proc = subprocess.run([path, "-version"], capture_output=True, timeout=VERSION_TIMEOUT_S,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{path} ({source}), which does not run: {exc}"
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    version = (lines[0].split(" Copyright")[0] if proc.returncode == 0 and lines
               else f"exit code {proc.returncode}")
    return f"{path} ({source}): {version}"


def ffmpeg_error(action: str, messages: IO[bytes], code: int) -> OutputError:
    """One line for an ffmpeg that could not do ``action``: its last message (read from
    the start of ``messages``, which is closed), else its exit code."""
    with messages:
        messages.seek(0)
        detail = messages.read().decode("utf-8", "replace").strip().splitlines()
    return OutputError(f"ffmpeg could not {action}: {detail[-1] if detail else f'exit code {code}'}")


def widen_pipe(pipe: IO[bytes] | None) -> None:
    """Ask for a PIPE_BYTES pipe; where that cannot be had (not Linux, a lower limit) the
    default one works, only with ffmpeg (or its reader) waiting more often."""
    if pipe is None or not hasattr(fcntl, "F_SETPIPE_SZ"):
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def wav_header(rate: int, frames: int | None = None) -> bytes:
    """A 44-byte header of mono 16-bit WAV holding exactly ``frames``; without them, of a
    stream whose length is not known (the largest sizes: players read to the end)."""
    data = STREAMING_SIZE if frames is None else frames * SAMPLE_WIDTH
    riff = STREAMING_SIZE if frames is None else 36 + data
    return (b"RIFF" + struct.pack("<I", riff) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * SAMPLE_WIDTH,
                                    SAMPLE_WIDTH, 8 * SAMPLE_WIDTH)
            + b"data" + struct.pack("<I", data))


def decode(data: bytes, frame_rate: int, channels: int = 1) -> AudioSegment:
    """Decode compressed audio (MP3...) with ffmpeg alone.

    pydub's ``from_mp3`` asks ffprobe for stream details, and the bundled ffmpeg
    has no ffprobe, so we ask ffmpeg for raw PCM in a layout we choose.
    """
    command = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
        "-i", "pipe:0", "-f", "s16le", "-acodec", "pcm_s16le",
        "-ac", str(channels), "-ar", str(frame_rate), "pipe:1",
    ]
    proc = run_ffmpeg(command, input=data, capture_output=True, check=False)
    if proc.returncode != 0 or not proc.stdout:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else "no audio decoded"
        raise EngineError(f"could not decode the engine's audio ({reason})")
    return AudioSegment(
        data=proc.stdout, sample_width=SAMPLE_WIDTH, frame_rate=frame_rate, channels=channels
    )


def trim_silence(clip: AudioSegment) -> AudioSegment:
    """Cut the silence an engine leaves at both edges, keeping a few ms of margin."""
    start, end = speech_bounds(clip)
    return clip[start:end]


def speech_bounds(clip: AudioSegment) -> tuple[int, int]:
    """Where ``trim_silence`` cuts ``clip``, in ms: (0, 0) when it is all silence."""
    lead = quiet_ms(clip, TRIM_STEP_MS)
    tail = quiet_ms(clip, TRIM_STEP_MS, at_end=True)
    if lead >= len(clip):
        return 0, 0
    return max(0, lead - EDGE_KEEP_MS), min(len(clip), len(clip) - tail + EDGE_KEEP_MS)


def quiet_ms(clip: AudioSegment, step_ms: int, at_end: bool = False) -> int:
    """How long ``clip`` is silent from its start (or end), in steps of ``step_ms`` whose
    level is under SILENCE_DBFS: pydub's ``detect_leading_silence`` (of the reversed clip),
    to the same ms, from one pass of numpy instead of a slice and an RMS per step."""
    if clip.sample_width != SAMPLE_WIDTH or clip.channels != 1:
        return int(detect_leading_silence(clip.reverse() if at_end else clip, SILENCE_DBFS, step_ms))
    samples = np.frombuffer(clip.raw_data, np.int16)
    samples = samples[::-1] if at_end else samples
    length = len(clip)
    for window in range(0, length, QUIET_WINDOW_MS):  # speech mostly starts in the first
        starts = np.arange(window, min(window + QUIET_WINDOW_MS, length), step_ms)
        loud = loud_steps(samples, starts, step_ms, length, clip.frame_rate / 1000.0)
        if len(loud):
            return int(starts[loud[0]])
    return length


def loud_steps(samples: npt.NDArray[np.int16], starts: npt.NDArray[np.int64], step_ms: int,
               length: int, per_ms: float) -> npt.NDArray[np.intp]:
    """Which steps starting at ``starts`` (ms) are at or over SILENCE_DBFS, as pydub
    measures a slice: frames from int(ms * per_ms), RMS truncated, past the end zeros."""
    first = (starts * per_ms).astype(np.int64)
    last = (np.minimum(starts + step_ms, length) * per_ms).astype(np.int64)
    piece = samples[first[0]:min(last[-1], len(samples))].astype(np.int64)
    squares = np.concatenate([[0], np.cumsum(piece * piece)])
    ends = np.minimum(last, len(samples)) - first[0]
    sums = squares[ends] - squares[np.minimum(first, len(samples)) - first[0]]
    rms = np.floor(np.sqrt(sums / np.maximum(last - first, 1)))  # audioop.rms truncates
    with np.errstate(divide="ignore"):
        return np.flatnonzero(20 * np.log10(rms / FULL_SCALE) >= SILENCE_DBFS)


def conform(clip: AudioSegment, frame_rate: int, channels: int) -> AudioSegment:
    """Bring a clip to the timeline's layout (a cache may hold clips of another rate)."""
    if clip.frame_rate != frame_rate:
        clip = clip.set_frame_rate(frame_rate)
    if clip.channels != channels:
        clip = clip.set_channels(channels)
    if clip.sample_width != SAMPLE_WIDTH:
        clip = clip.set_sample_width(SAMPLE_WIDTH)
    return clip


# pydub's converter is "ffmpeg" on PATH from its import on; point it at ours now, so a
# pydub conversion never runs another. A bad setting is reported when ffmpeg is needed.
with contextlib.suppress(ArticleTTSError):
    ffmpeg_exe()
