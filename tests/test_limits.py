"""Inputs that would take unbounded memory or time are read with a bound, or refused early."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tts.sources.plain import read_source

SENTENCE = "قال الوزير إن المدرسة جديدة. "


def test_character_device_as_input_is_refused(run) -> None:
    result = run("render", "/dev/zero", "--engine", "espeak", "--dry-run")
    assert result.exit_code == 2 and "character device" in result.stderr
    assert "Traceback" not in result.stderr


def test_dev_zero_on_stdin_stops_at_the_first_block(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run([sys.executable, "-m", "tts", "render", "-", "--engine", "espeak",
                               "--dry-run"], stdin=zero, capture_output=True, text=True,
                              timeout=120, cwd=tmp_path)
    assert proc.returncode == 2 and "looks binary" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_input_past_the_limit_is_refused_before_reading(run, write_text) -> None:
    big = write_text(SENTENCE * 40_000)  # 1.8 MB
    result = run("render", str(big), "--engine", "espeak", "--max-input", "1M")
    assert result.exit_code == 2
    assert "larger than 1 MB" in result.stderr and "--max-input" in result.stderr
    assert "ARTICLE_TTS_MAX_INPUT" in result.stderr


@pytest.mark.parametrize("dry_run", [(), ("--dry-run",)])
def test_a_batch_keeps_the_limit_for_each_article(run, write_text, tmp_path: Path,
                                                  dry_run: tuple[str, ...]) -> None:
    big, small = write_text(SENTENCE * 40_000), tmp_path / "small.txt"
    small.write_text(SENTENCE, encoding="utf-8")
    result = run("render", str(big), str(small), "-O", "out", "--engine", "espeak",
                 "--no-tashkeel", "--max-input", "1M", *dry_run)
    said = result.stdout if dry_run else result.stderr  # a dry run reports on standard output
    assert "larger than 1 MB" in said, said
    if not dry_run:
        assert result.exit_code == 1  # the big one failed, the small one was rendered
        assert (tmp_path / "out" / "small.mp3").exists()
        assert not list((tmp_path / "out").glob(f"{big.stem}.*"))


def test_limit_from_the_environment_and_on_stdin(run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLE_TTS_MAX_INPUT", "10k")
    result = run("render", "-", "--engine", "espeak", "--dry-run", input=SENTENCE * 1000)
    assert result.exit_code == 2 and "larger than 0.01 MB" in result.stderr


def test_default_limit_takes_a_book(write_text) -> None:
    book = write_text(SENTENCE * 70_000)  # 3.7 MB, more than a long novel
    assert read_source(str(book)).startswith(SENTENCE)


def test_fifo_is_read_like_cat(run, tmp_path: Path) -> None:
    fifo = tmp_path / "article.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as writer:
            for _ in range(3):
                writer.write((SENTENCE + "\n\n").encode())
    writer = threading.Thread(target=feed)
    writer.start()
    result = run("render", str(fifo), "--engine", "espeak", "--dry-run", "--no-tashkeel")
    writer.join(timeout=10)
    assert result.exit_code == 0, result.stderr
    assert "3 paragraphs" in result.stdout


def test_a_utf16_file_still_gets_its_conversion_hint(run, write_text) -> None:
    result = run("render", str(write_text(SENTENCE.encode("utf-16"))), "--dry-run")
    assert result.exit_code == 2 and "UTF-16" in result.stderr


def test_the_python_api_keeps_the_limit(write_text) -> None:
    from tts import api
    from tts.errors import InputError
    big = write_text(SENTENCE * 40_000)
    with pytest.raises(InputError, match="larger than 1 MB"):
        api.render(big, "out.mp3", engine="espeak", max_input=1_000_000, cache_dir=None)
