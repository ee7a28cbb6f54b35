"""Read an input's bytes with bounded memory: size-checked files, FIFOs and stdin in blocks, devices refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from tts.errors import InputError
from tts.options import DEFAULT_MAX_INPUT, MAX_INPUT_ENV
from tts.util.fsutil import describe_kind

__all__ = ["DEFAULT_MAX_INPUT", "read_path", "read_stream"]

ENV_VAR = MAX_INPUT_ENV
BLOCK = 64 * 1024


def too_large(name: str, limit: int) -> InputError:
    """The error for an input past ``limit`` bytes: says how to raise the limit."""
    return InputError(f"{name} is larger than {limit / 1_000_000:g} MB, more than any article "
                      f"or book; if it really is text to read, raise the limit with "
                      f"--max-input (e.g. --max-input 50M) or ${ENV_VAR}")


def read_stream(stream: BinaryIO, name: str, limit: int) -> bytes:
    """Read a pipe, FIFO or terminal to its end, as ``cat`` does, but never past ``limit`` bytes.

    Reading stops at the first block holding a NUL byte, which no UTF-8 text has
    (``/dev/zero`` ends at once); decoding then says binary, or UTF-16.
    """
    parts: list[bytes] = []
    total = 0
    while True:
        block = stream.read(BLOCK)
        if not block:
            return b"".join(parts)
        total += len(block)
        if total > limit:
            raise too_large(name, limit)
        parts.append(block)
        if b"\x00" in block:
            return b"".join(parts)


def read_path(path: Path, name: str, limit: int) -> bytes:
    """The bytes of the file at ``path``: a plain file or a FIFO; anything else is refused."""
    info = os.stat(path)
    if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) or stat.S_ISSOCK(info.st_mode):
        raise InputError(f"{name} is {describe_kind(info.st_mode)}, not a text file: "
                         f"give the path of the article's text")
    if stat.S_ISREG(info.st_mode) and info.st_size > limit:
        raise too_large(name, limit)
    with open(path, "rb") as handle:
        return read_stream(handle, name, limit)
