"""The same text gives the same clip, whatever the process spoke before and whatever runs
beside it: renders that share a cache decode to the same samples as a render alone."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

from conftest import ARTICLE

from tts import render

# Four paragraphs of the article: enough for renders sharing a cache to take clips in a
# different order (each takes the next one not cached yet), and for a test of seconds.
PARAGRAPHS = 4


def _samples(path: Path) -> tuple[int, bytes]:
    """The WAV file's sample rate and its samples, as they decode."""
    with wave.open(str(path), "rb") as audio:
        return audio.getframerate(), audio.readframes(audio.getnframes())


def _article(tmp_path: Path, paragraphs: int, name: str) -> Path:
    lines = [line for line in ARTICLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    path = tmp_path / name
    path.write_text("\n\n".join(lines[:paragraphs]) + "\n", encoding="utf-8")
    return path


def _command(article: Path, output: Path, cache: Path) -> list[str]:
    return [sys.executable, "-m", "tts", "render", str(article), "--engine", "espeak",
            "-o", str(output), "--cache-dir", str(cache)]


def test_three_renders_sharing_a_fresh_cache_equal_one_alone(tmp_path: Path) -> None:
    # Reported: three renders of the article at once into one fresh cache gave three
    # different outputs, none equal to a render alone (up to 1,200 samples apart).
    article = _article(tmp_path, PARAGRAPHS, "article.txt")
    alone = tmp_path / "alone.wav"
    subprocess.run(_command(article, alone, tmp_path / "own-cache"), check=True,
                   capture_output=True)
    outputs = [tmp_path / f"shared-{n}.wav" for n in range(3)]
    running = [subprocess.Popen(_command(article, output, tmp_path / "shared-cache"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for output in outputs]
    for process in running:
        _, errors = process.communicate()
        assert process.returncode == 0, errors.decode()
    expected = _samples(alone)
    assert [_samples(output) == expected for output in outputs] == [True] * 3


def test_a_render_after_part_of_it_is_cached_equals_a_fresh_render(tmp_path: Path) -> None:
    # Reported: three paragraphs rendered first, then the whole file into the same cache,
    # differed from the whole rendered on a fresh cache.
    whole = _article(tmp_path, PARAGRAPHS + 1, "whole.txt")
    part = _article(tmp_path, 3, "part.txt")
    cache = tmp_path / "cache"
    render(part, tmp_path / "part.wav", engine="espeak", cache_dir=cache)
    after_part = render(whole, tmp_path / "after-part.wav", engine="espeak", cache_dir=cache)
    fresh = render(whole, tmp_path / "fresh.wav", engine="espeak", cache_dir=tmp_path / "new")
    assert after_part.cached == 3
    assert _samples(after_part.output) == _samples(fresh.output)


def test_a_render_is_the_same_in_a_process_that_rendered_others(tmp_path: Path) -> None:
    article = _article(tmp_path, 2, "article.txt")
    alone = tmp_path / "alone.wav"
    subprocess.run(_command(article, alone, tmp_path / "own-cache"), check=True,
                   capture_output=True)
    render("The council met on Sunday and said nothing at all.", tmp_path / "en.wav",
           engine="espeak", lang="en", cache_dir=None)
    render(_article(tmp_path, 3, "other.txt"), tmp_path / "other.wav", engine="espeak",
           voice="ar+f5", cache_dir=None)
    again = render(article, tmp_path / "again.wav", engine="espeak", cache_dir=None)
    assert _samples(again.output) == _samples(alone)
