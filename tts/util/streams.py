"""Standard output as a sink for audio or text: refused when a terminal, closed pipes end quietly."""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import BinaryIO

from tts.errors import ConfigError, OutputError, StdoutClosed


def stdout_error(exc: OSError) -> OutputError | StdoutClosed:
    """What a failed write to standard output means: a reader gone (quiet), or a real error."""
    if isinstance(exc, BrokenPipeError):
        return StdoutClosed("standard output was closed")
    return OutputError(f"cannot write to standard output ({exc.strerror or exc}); "
                       f"check where it goes, or use -o FILE")


def audio_sink() -> BinaryIO:
    """Standard output for audio: refused when it is closed or a terminal (raw bytes fill the screen)."""
    stream: BinaryIO | None = getattr(sys.stdout, "buffer", None)
    if stream is None:  # started with standard output closed (>&-)
        raise OutputError("cannot write to standard output (it is closed); use -o FILE")
    if is_terminal(stream):
        raise ConfigError("standard output is a terminal: audio there would fill the screen; "
                          "pipe it (-o - | mpv -) or write a file with -o FILE")
    return stream


def is_terminal(stream: BinaryIO) -> bool:
    """True when ``stream`` is a terminal; an in-memory stream (in tests) is not."""
    try:
        return os.isatty(stream.fileno())
    except io.UnsupportedOperation:
        return False
    except (OSError, ValueError) as exc:
        raise OutputError(f"cannot write to standard output ({exc}); use -o FILE") from None


def write_all(sink: BinaryIO, data: bytes) -> None:
    """Write ``data`` to ``sink`` and flush; a closed or failing stream becomes our error."""
    view = memoryview(data)
    try:
        # A pipe may take part of a large write and report it as done; the next
        # write then says why (EPIPE when the reader left), so loop until all is out.
        while view:
            written = sink.write(view)
            if not written:
                raise OSError(errno.EIO, "short write")
            view = view[written:]
        sink.flush()
    except OSError as exc:
        raise stdout_error(exc) from exc


def silence_stdout() -> None:
    """Point standard output at /dev/null so exiting does not fail on the closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
