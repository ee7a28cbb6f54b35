"""File-system safety: recognizable temp files swept when stale, bounded reads of plain files,
outputs locked and replaced as one set."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import BinaryIO

from tts.errors import OutputError

# Every temporary file this package makes starts with this prefix and the pid of its
# process, so the next run can tell a stale one (its process gone) from a live one.
TEMP_PREFIX = ".article-tts-"


# What a failed write says, by its errno: the cause in words, and what to do next. Any
# other errno is said in the system's words, with the last step.
WRITE_FAILURES = {
    errno.ENOSPC: ("no space left on device", "free some space and rerun"),
    errno.EDQUOT: ("disk quota exceeded", "free some space and rerun"),
    errno.EFBIG: ("the file is too large for its file system", "choose another folder"),
    errno.EROFS: ("read-only file system", "choose another folder"),
    errno.EACCES: ("permission denied", "choose another folder"),
    errno.EPERM: ("operation not permitted", "choose another folder"),
    errno.EIO: ("input/output error", "check the disk and rerun"),
}
OTHER_WRITE_STEP = "choose another folder or rerun"


class NotRegularFile(OSError):
    """A path that is a folder, FIFO, device, socket or symlink where a plain file was expected."""


class TooLarge(OSError):
    """A file larger than the caller is willing to read."""


def write_failure(shown: str, exc: OSError, step: str | None = None) -> OutputError:
    """One line for an OSError met writing ``shown`` (a file's name as the user gave it):
    "cannot write out.mp3: no space left on device; free some space and rerun". ``step``,
    when given, is the next step whatever the cause (a temp folder's asks for TMPDIR)."""
    cause, next_step = WRITE_FAILURES.get(exc.errno or 0, (None, OTHER_WRITE_STEP))
    if cause is None:
        cause = (exc.strerror or str(exc) or type(exc).__name__).lower()
    return OutputError(f"cannot write {shown}: {cause}; {step or next_step}")


def errno_in(message: str) -> int | None:
    """The write errno whose system words end ``message`` (an encoder's last line, such as
    ffmpeg's "Error closing file: No space left on device"), else None."""
    return next((code for code in WRITE_FAILURES if message.endswith(os.strerror(code))), None)


@contextmanager
def write_errors(shown: str, step: str | None = None) -> Iterator[None]:
    """An OSError inside becomes write_failure's one-line OutputError naming ``shown``."""
    try:
        yield
    except OSError as exc:
        raise write_failure(shown, exc, step) from exc


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
        if entry.name.endswith(LOCK_SUFFIX):
            removed += remove_abandoned_lock(Path(entry.path))
            continue
        pid = owner_pid(entry.name)
        if pid is None or pid == os.getpid() or pid_alive(pid):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)  # a scratch folder
            else:
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


# --- outputs written as one set ------------------------------------------------------------

# Replacements deferred until every file of the set is written (see all_or_nothing).
_PENDING: ContextVar[list[tuple[Path, Path]] | None] = ContextVar("pending", default=None)
_CREATED: ContextVar[list[Path] | None] = ContextVar("created", default=None)


def make_parents(path: Path) -> None:
    """Create ``path``'s missing folders, remembered so a failed write can remove them again."""
    missing = [p for p in reversed(path.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    created = _CREATED.get()
    if created is not None:
        created.extend(missing)


def temp_beside(path: Path) -> Path:
    """A new temp file in ``path``'s folder (made if missing), with ``path``'s extension."""
    make_parents(path)
    return make_temp(path.parent, path.suffix)


def commit(tmp: Path, path: Path) -> None:
    """Move a finished temp file into place: now, or when the surrounding set is complete."""
    pending = _PENDING.get()
    if pending is None:
        with write_errors(str(path)):
            os.replace(tmp, path)
    else:
        pending.append((tmp, path))


def written_form(path: Path) -> Path:
    """Where ``path``'s new content is now: its temp file while the set is not yet replaced."""
    for tmp, target in _PENDING.get() or ():
        if target == path:
            return tmp
    return path


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """Inside, ``commit`` only queues: every temp file is written before any replaces its target.

    On success the targets are replaced one after the other (each rename atomic); on any
    failure, or a signal, the temp files are removed (and outputs_written, around this,
    removes the folders made for them).
    """
    pending: list[tuple[Path, Path]] = []
    token = _PENDING.set(pending)
    try:
        yield
        _PENDING.reset(token)
        while pending:
            tmp, path = pending[0]
            with write_errors(str(path)):
                os.replace(tmp, path)
            pending.pop(0)
    except BaseException:
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
        raise
    finally:
        if _PENDING.get() is pending:
            _PENDING.reset(token)


def remove_empty_folders(folders: list[Path]) -> None:
    """Remove the given folders, deepest first, where they are empty."""
    for folder in sorted(set(folders), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # not empty, or already gone
            folder.rmdir()


def nearest_existing(path: Path) -> Path:
    """``path``'s closest folder that exists (the one a new folder would be made in)."""
    return next(p for p in path.parents if p.exists())


# --- locks ---------------------------------------------------------------------------------

LOCK_SUFFIX = ".article-tts.lock"
# How long a render waits for another one writing the same outputs before giving up.
LOCK_WAIT_S = 5.0
LOCK_POLL_S = 0.1


class Busy(OSError):
    """Another process holds the lock on an output."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(errno.EBUSY, holder, str(path))
        self.path, self.holder = path, holder


def lock_path(path: Path) -> Path:
    """The lock file of an output: beside it, hidden, named after it."""
    return path.with_name(f".{path.name}{LOCK_SUFFIX}")


@contextmanager
def locked(paths: Sequence[Path], wait_s: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on each output for the block; Busy names the process that has one."""
    with ExitStack() as stack:
        for path in sorted({p.resolve() for p in paths}):
            stack.enter_context(lock_one(path, LOCK_WAIT_S if wait_s is None else wait_s))
        yield


@contextmanager
def lock_one(path: Path, wait_s: float) -> Iterator[None]:
    """flock on a lock file beside ``path``; removed on release (checked against a race)."""
    lock = lock_path(path)
    deadline = time.monotonic() + wait_s
    while True:
        make_parents(lock)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            got = try_flock(fd)
            if got and same_file(fd, lock):
                break
        except BaseException:
            os.close(fd)
            raise
        holder = read_holder(fd)
        os.close(fd)
        if got:
            continue  # the file was removed by its last holder: lock the new one
        if time.monotonic() >= deadline:
            raise Busy(path, holder)
        time.sleep(LOCK_POLL_S)
    try:
        with contextlib.suppress(OSError):  # who holds it is a courtesy: a full disk still locks
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()}, started {time.strftime('%H:%M:%S')}".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)  # closing releases the flock


def remove_abandoned_lock(lock: Path) -> int:
    """Remove a lock file no process holds (its render was killed); 1 if removed, else 0."""
    try:
        fd = os.open(lock, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return 0
    try:
        if not try_flock(fd) or not same_file(fd, lock):
            return 0
        os.unlink(lock)  # under the lock, as lock_one's own release does
        return 1
    except OSError:
        return 0
    finally:
        os.close(fd)


def try_flock(fd: int) -> bool:
    """Take an exclusive lock without waiting; False when another process holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def same_file(fd: int, path: Path) -> bool:
    """True when ``path`` still names the file open as ``fd`` (not removed and made anew)."""
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def read_holder(fd: int) -> str:
    """What the lock's holder wrote about itself, or a plain phrase."""
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
    except OSError:
        return "another process"


@contextmanager
def outputs_written(paths: Sequence[Path]) -> Iterator[None]:
    """Lock ``paths``, then write them as one set (see all_or_nothing) before unlocking.

    A failure leaves no temp file, no lock file and no folder this made.
    """
    created: list[Path] = []
    token = _CREATED.set(created)
    try:
        with locked(paths), all_or_nothing():
            yield
    except BaseException:
        remove_empty_folders(created)
        raise
    finally:
        _CREATED.reset(token)


def refuse_read_only(path: Path) -> str | None:
    """Why an existing ``path`` must not be replaced (the user cannot write it), or None.

    A symlink is replaced, not written through, so only its folder matters.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode) or stat.S_ISDIR(info.st_mode):
        return None
    effective = os.access in os.supports_effective_ids
    if os.access(path, os.W_OK, effective_ids=effective):
        return None
    return f"read-only (mode {stat.S_IMODE(info.st_mode):04o})"
