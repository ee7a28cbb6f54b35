"""MP3 renders through the command line: short articles whose length is known before
encoding starts (each segment was once padded to the whole file's length, and the join
refused it), and a segment that cannot be joined, which the render survives."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from tts.audio import mp3
from tts.audio.clip import ffmpeg_exe

# The reproductions of issue 21: each failed on 2 or more CPUs with "the MP3's segment 1
# does not hold exactly its N samples".
SHORT_ARTICLES = [
    ("ar", "قال بومبيو إن بلاده تشعر بقلق عميق. " * 3),
    ("ar", "وقالت الخارجية الأميركية في بيان أصدرته على لسان مسؤول رفيع\n\n"
           "وفي وقت سابق من يوم الأحد أعلنت القيادة العسكرية\n"),
    ("en", "The council met on Sunday and said nothing at all. " * 5),
]


# The command line, with this package's debug log on standard error (what --debug would
# show): a render that fell back to one encode says so there.
WITH_DEBUG_LOG = ("import logging, sys; from tts.cli import run; "
                  "logging.getLogger('tts').addHandler(logging.StreamHandler()); "
                  "logging.getLogger('tts').setLevel(logging.DEBUG); sys.argv[0] = 'article-tts'; run()")


def decoded_length(path: Path) -> int:
    """Samples in ``path`` as the ffmpeg the product runs decodes it."""
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-"],
                          capture_output=True, check=True)
    return len(proc.stdout) // 2


def assert_manifest_length(out: Path, manifest: Path) -> None:
    """The file decodes to the length the manifest gives (whole ms, rounded down)."""
    rate = MP3(out).info.sample_rate
    assert decoded_length(out) * 1000 // rate == json.loads(manifest.read_text())["duration_ms"]


@pytest.mark.parametrize(("lang", "text"), SHORT_ARTICLES, ids=["ar-repeated", "ar-paragraphs", "en"])
def test_short_articles_render_to_an_mp3_file(tmp_path: Path, lang: str, text: str) -> None:
    # A real process, on every CPU this machine gives it (the failure needed 2 or more).
    out, manifest = tmp_path / "x.mp3", tmp_path / "x.json"
    proc = subprocess.run([sys.executable, "-c", WITH_DEBUG_LOG, "render", "-", "--engine", "espeak",
                           "--lang", lang, "--no-cache", "-q", "-o", str(out), "--manifest",
                           str(manifest)], input=text.encode(), capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""  # not even a debug line: the segments joined, no fallback needed
    assert_manifest_length(out, manifest)
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("rendered, but on one CPU: the MP3 was not encoded in segments")


def test_a_render_survives_a_segment_that_cannot_be_joined(run, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                          caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(mp3, "encoders_wanted", lambda: 2)
    monkeypatch.setattr(mp3.SegmentedEncoder, "holds", lambda self, header, segment: segment.index != 1)
    with caplog.at_level(logging.DEBUG, logger="tts.audio.mp3"):
        result = run("render", "-", "--engine", "espeak", "--no-cache", "-q", "-o", "x.mp3",
                     "--manifest", "x.json", input=SHORT_ARTICLES[1][1].encode())
    assert result.exit_code == 0, result.stderr
    assert "MP3 segment 2" in caplog.text and "encoded again in one piece" in caplog.text
    assert_manifest_length(Path("x.mp3"), Path("x.json"))
    assert sorted(p.name for p in Path().iterdir()) == ["x.json", "x.mp3"]


def test_debug_says_the_mp3_was_encoded_in_one_piece(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(mp3, "encoders_wanted", lambda: 2)
    monkeypatch.setattr(mp3.SegmentedEncoder, "holds", lambda self, header, segment: segment.index != 1)
    args = ["render", "-", "--engine", "espeak", "--no-cache", "-q", "-o", "x.mp3"]
    result = run(*args, "--debug", input=SHORT_ARTICLES[1][1].encode())
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith("debug: MP3 segment 2 (") and line.endswith("encoded again in one piece")
               for line in lines), result.stderr
    assert run(*args, input=SHORT_ARTICLES[1][1].encode()).stderr == ""  # without --debug: nothing
