"""The terminal as a remote control: keys read as they are pressed, one status line kept in place."""

from __future__ import annotations

import contextlib
import os
import shutil
import termios
import tty
from collections.abc import Iterator
from typing import TextIO

ESCAPE = b"\x1b"
# Erase from the cursor to the end of the line (ECMA-48 EL).
ERASE_LINE = "\x1b[K"


def is_foreground_terminal(fd: int) -> bool:
    """``fd`` is a terminal whose foreground job is this process: only then may its keys
    be read (a background job that changed its settings or read it would be stopped)."""
    try:
        return os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False


@contextlib.contextmanager
def keys_mode(fd: int) -> Iterator[None]:
    """Keys reach the program one at a time, unechoed, on the terminal ``fd``; cbreak, not
    raw, so Ctrl-C still interrupts. The terminal's settings come back however the block
    ends: its end, an error, Ctrl-C, or SIGTERM/SIGHUP (tts.util.signals turns those into
    an exception in the main thread, so this ``finally`` runs)."""
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def split_keys(data: bytes) -> list[bytes]:
    """Keys in what one read gave: an escape sequence (an arrow: ESC [ C) is one key."""
    keys, i = [], 0
    while i < len(data):
        if data[i:i + 1] == ESCAPE and data[i + 1:i + 2] in (b"[", b"O"):
            end = i + 2
            while end < len(data) and not 0x40 <= data[end] <= 0x7E:  # parameters, then the final byte
                end += 1
            keys.append(data[i:end + 1])
            i = end + 1
        else:
            keys.append(data[i:i + 1])
            i += 1
    return keys


class StatusLine:
    """One line on ``stream`` rewritten in place (carriage return, then erase to its end)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = ""

    def show(self, text: str) -> None:
        width = shutil.get_terminal_size((80, 24)).columns - 1  # a wrapped line cannot be rewritten
        text = text[:width]
        if text != self.shown:
            self.write(f"\r{text}{ERASE_LINE}")
            self.shown = text

    def clear(self) -> None:
        if self.shown:
            self.write(f"\r{ERASE_LINE}")
            self.shown = ""

    def write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):  # a status line is never worth failing for
            self.stream.write(text)
            self.stream.flush()
