"""A full disk while the audio is written: one line naming the file and the cause, exit
code 1, the old output as it was, no temp file left. On a real small tmpfs."""

from __future__ import annotations

import dataclasses
import errno
import os
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from tts.audio import export, mp3
from tts.types import Chapter, Tags
from tts.util import fsutil

# Room for a few seconds of MP3 (64 kbit/s), not for the article below (~23 s).
DISK_SIZE = "128k"
ARTICLE = "The council met on Sunday and said nothing at all. " * 8
FULL = "no space left on device; free some space and rerun"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on its own tmpfs of DISK_SIZE (we run as root here and in CI), unmounted after."""
    disk = tmp_path / "disk"
    disk.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", str(disk)],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.fixture
def render(run) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    """The CLI rendering ``text`` (ARTICLE) with espeak to ``out``, quietly."""
    def invoke(out: Path, *args: str, text: str = ARTICLE) -> object:
        return run("render", "-", "--engine", "espeak", "--lang", "en", "--no-cache", "-q",
                   "-o", str(out), *args, input=text.encode())
    return invoke


def assert_one_line(result, out: Path) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1  # the README's code for a failure while writing
    assert result.stderr == f"Error: cannot write {out}: {FULL}\n"
    assert "Traceback" not in result.stderr


def test_a_full_disk_during_the_mp3_join_is_one_line(small_disk: Path, render,  # type: ignore[no-untyped-def]
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mp3, "encoders_wanted", lambda: 2)
    failed_in_join: list[int] = []
    join = mp3.SegmentedEncoder.join

    def watched_join(self: mp3.SegmentedEncoder, segment: mp3.Segment) -> None:
        try:
            join(self, segment)
        except OSError as exc:
            failed_in_join.append(exc.errno or 0)
            raise
    monkeypatch.setattr(mp3.SegmentedEncoder, "join", watched_join)
    out = small_disk / "x.mp3"
    assert_one_line(render(out), out)
    assert failed_in_join == [errno.ENOSPC]
    assert os.listdir(small_disk) == []  # no temp file, no lock file


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_a_full_disk_under_ffmpeg_is_one_line(small_disk: Path, render, suffix: str) -> None:  # type: ignore[no-untyped-def]
    out = small_disk / f"x{suffix}"
    assert_one_line(render(out), out)
    assert os.listdir(small_disk) == []


def test_an_existing_output_is_left_as_it_was(small_disk: Path, render,  # type: ignore[no-untyped-def]
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mp3, "encoders_wanted", lambda: 2)
    out = small_disk / "x.mp3"
    old = os.urandom(20_000)
    out.write_bytes(old)
    assert_one_line(render(out), out)
    assert out.read_bytes() == old
    assert os.listdir(small_disk) == ["x.mp3"]


def test_a_full_disk_while_tagging_is_one_line(small_disk: Path, render,  # type: ignore[no-untyped-def]
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # The audio fits; then the disk fills up (another program), and the tags cannot grow it.
    mp3_format = export.FORMATS[".mp3"]

    def fill_then_tag(path: Path, tags: Tags, chapters: Sequence[Chapter]) -> None:
        with (small_disk / "filler").open("wb") as filler, pytest.raises(OSError):
            while True:
                filler.write(bytes(4096))
                filler.flush()
        mp3_format.write_tags(path, tags, chapters)
    monkeypatch.setitem(export.FORMATS, ".mp3", dataclasses.replace(mp3_format, write_tags=fill_then_tag))
    out = small_disk / "x.mp3"
    assert_one_line(render(out, "--title", "A title " * 200, text="The council met."), out)
    assert os.listdir(small_disk) == ["filler"]  # the audio was written: the tags failed


@pytest.mark.parametrize(("code", "said"), [
    (errno.ENOSPC, "cannot write x.mp3: no space left on device; free some space and rerun"),
    (errno.EDQUOT, "cannot write x.mp3: disk quota exceeded; free some space and rerun"),
    (errno.EROFS, "cannot write x.mp3: read-only file system; choose another folder"),
    (errno.ENAMETOOLONG, "cannot write x.mp3: file name too long; choose another folder or rerun"),
])
def test_a_write_failure_says_its_cause_and_next_step(code: int, said: str) -> None:
    assert str(fsutil.write_failure("x.mp3", OSError(code, os.strerror(code)))) == said


def test_an_encoder_stopped_by_a_full_disk_is_told_by_its_last_line() -> None:
    line = "ffmpeg could not write x.wav: [out#0/wav @ 0x5595] Error closing file: No space left on device"
    assert fsutil.errno_in(line) == errno.ENOSPC
    assert fsutil.errno_in("ffmpeg could not write x.wav: Invalid argument") is None
