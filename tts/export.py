"""Write the joined audio to disk through ffmpeg, atomically, in the format the extension names."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import BinaryIO

from pydub import AudioSegment

from tts.audio import ffmpeg_exe
from tts.errors import ConfigError, OutputError

# Output extension -> ffmpeg muxer and codec arguments. Lossy codecs get the
# bitrate appended; PCM and FLAC ignore it.
FORMATS: dict[str, tuple[str, ...]] = {
    ".mp3": ("-f", "mp3", "-c:a", "libmp3lame"),
    ".wav": ("-f", "wav", "-c:a", "pcm_s16le"),
}
LOSSY = {".mp3"}


def format_for(path: Path) -> str:
    """The output format's extension, or a ConfigError that lists the supported ones."""
    return check_format(path.suffix.lower(), path.name)


def check_format(suffix: str, shown_name: str = "") -> str:
    """``suffix`` (like ``.mp3``) when we can write it, else a ConfigError listing the others."""
    if suffix not in FORMATS:
        supported = ", ".join(sorted(FORMATS))
        shown = suffix or "no extension"
        raise ConfigError(f"cannot write {shown!s} files ({shown_name}); use one of: {supported}")
    return suffix


def prepare_output(path: Path) -> None:
    """Fail early, before any synthesis, when ``path`` cannot be written."""
    format_for(path)
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name such as {path / 'article.mp3'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".probe-", delete=True):
            pass
    except OSError as exc:
        raise OutputError(
            f"cannot write to {path.parent} ({exc.strerror or exc}); choose another -o/--output"
        ) from exc


STDOUT = "-"


def write_stdout(audio: AudioSegment, suffix: str, bitrate: str, sink: BinaryIO) -> None:
    """Encode to ``sink`` (standard output) for ``| mpv -``; nothing else goes there."""
    sink.write(encode(audio, "pipe:1", suffix, bitrate))
    sink.flush()


def export(audio: AudioSegment, path: Path, bitrate: str = "64k") -> None:
    """Encode ``audio`` to ``path``: temp file in the same folder, then ``os.replace``.

    A failed encode leaves no partial file, and an existing file stays as it was.
    """
    suffix = format_for(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        encode(audio, str(tmp), suffix, bitrate)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def encode(audio: AudioSegment, target: str, suffix: str, bitrate: str) -> bytes:
    """Pipe raw PCM into ffmpeg and return what it wrote to stdout (for ``pipe:1``).

    Writing to a seekable file lets the MP3 muxer go back and fill in the Xing
    header, so players show the right duration."""
    command = [
        ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "s16le", "-ar", str(audio.frame_rate), "-ac", str(audio.channels), "-i", "pipe:0",
        *FORMATS[suffix],
    ]
    if suffix in LOSSY:
        command += ["-b:a", bitrate]
    command.append(target)
    proc = subprocess.run(command, input=audio.raw_data, capture_output=True, check=False)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OutputError(f"ffmpeg could not write {Path(target).name}: "
                          f"{detail[-1] if detail else 'unknown error'}")
    return proc.stdout
