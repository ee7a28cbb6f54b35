"""File-system safety: recognizable temp files, stale ones swept, regular files read with a bound."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

# Every temporary file this package makes starts with this prefix and the pid of its
# process, so the next run can tell a stale one (its process gone) from a live one.
TEMP_PREFIX = ".article-tts-"


class NotRegularFile(OSError):
    """A path that is a folder, FIFO, device, socket or symlink where a plain file was expected."""


class TooLarge(OSError):
    """A file larger than the caller is willing to read."""


def temp_prefix() -> str:
    """``.article-tts-<pid>-``: the start of this process's temporary file names."""
    return f"{TEMP_PREFIX}{os.getpid()}-"


def make_temp(folder: Path, suffix: str = "") -> Path:
    """A new empty temporary file in ``folder``, named so it is recognizably ours."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=temp_prefix(), suffix=suffix)
    os.close(fd)
    return Path(name)


def owner_pid(name: str) -> int | None:
    """The pid in a temp file name of ours, or None for any other name."""
    if not name.startswith(TEMP_PREFIX):
        return None
    pid = name[len(TEMP_PREFIX):].split("-", 1)[0]
    return int(pid) if pid.isdigit() else None


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(folder: Path) -> int:
    """Delete temp files in ``folder`` left by runs that were killed; returns how many."""
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        pid = owner_pid(entry.name)
        if pid is None or pid == os.getpid() or pid_alive(pid):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            pass  # another run swept it first, or it is not ours to remove
    return removed


def describe_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link"),
             (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


@contextmanager
def open_regular(path: Path) -> Iterator[tuple[BinaryIO, int]]:
    """``path`` opened for reading with its size, when it is a plain file.

    Never follows a symlink and never opens a FIFO or device (which could block
    or never end): raises NotRegularFile instead, FileNotFoundError when absent.
    """
    before = os.lstat(path)
    if not stat.S_ISREG(before.st_mode):
        raise NotRegularFile(errno.EINVAL, describe_kind(before.st_mode), str(path))
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise NotRegularFile(errno.EINVAL, "replaced while being opened", str(path))
        yield handle, now.st_size


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path`` when it is a plain file (see open_regular) of at most ``max_bytes``.

    A larger one is not read: TooLarge.
    """
    with open_regular(path) as (handle, size):
        if size > max_bytes:
            raise TooLarge(errno.EFBIG, f"{size} bytes, more than {max_bytes}", str(path))
        return handle.read(max_bytes + 1)[:max_bytes]
