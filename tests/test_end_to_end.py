"""The seed article, rendered for real by the offline voice, measured on the output file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import ARTICLE, ffmpeg_chapters, integrated_loudness, silent_gaps
from mutagen.mp3 import MP3

from tts.audio.clip import decode
from tts.config import RenderConfig
from tts.engines.espeak import EspeakEngine
from tts.pipeline import render
from tts.text.prepare import parse_article, spoken_for

PAUSE_MS = 700


@pytest.fixture(scope="module")
def seed_render(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("e2e")
    out = folder / "article.mp3"
    config = RenderConfig(engine="espeak", subtitles=folder / "article.srt",
                          manifest=folder / "article.json")
    result = render(ARTICLE.read_text(encoding="utf-8"), out, config, source=str(ARTICLE))
    return result, out


def test_seed_article_duration(seed_render) -> None:
    result, out = seed_render
    audio = decode(out.read_bytes(), 22_050)
    # 4,246 bytes of Arabic at espeak's default 175 wpm: a couple of minutes, not seconds.
    assert 90_000 < len(audio) < 400_000
    assert abs(len(audio) - result.duration_ms) < 100
    assert abs(MP3(out).info.length * 1000 - result.duration_ms) < 100


def test_seed_article_has_one_pause_per_paragraph_break(seed_render) -> None:
    _, out = seed_render
    paragraphs = parse_article(ARTICLE.read_text(encoding="utf-8"))
    audio = decode(out.read_bytes(), 22_050)
    gaps = silent_gaps(audio, PAUSE_MS - 200)
    assert len(paragraphs) == 13
    assert len(gaps) == len(paragraphs) - 1
    assert all(abs(gap - PAUSE_MS) <= 50 for gap in gaps), gaps


def test_installed_script_renders(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("article-tts")
    out = tmp_path / "hello.mp3"
    src = tmp_path / "hello.txt"
    src.write_text("مرحبا بكم.\n", encoding="utf-8")
    proc = subprocess.run([str(script), "render", str(src), "--engine", "espeak", "-o", str(out)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Wrote" in proc.stderr.splitlines()[-1]
    assert MP3(out).info.length > 0.3


def test_python_dash_m_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "tts", "--version"], capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0 and "article-tts" in proc.stdout


def paragraph_starts(result) -> list[int]:  # type: ignore[no-untyped-def]
    starts: dict[int, int] = {}
    for placed in result.timeline:
        starts.setdefault(placed.chunk.paragraph, placed.start_ms)
    return list(starts.values())


def test_seed_article_chapters_read_back_by_ffmpeg(seed_render) -> None:
    result, out = seed_render
    chapters = ffmpeg_chapters(out)
    paragraphs = parse_article(ARTICLE.read_text(encoding="utf-8"))
    assert len(chapters) == len(paragraphs) == 13
    # ffmpeg shifts MP3 chapters by the encoder delay it skips (50 ms at 22 kHz).
    assert all(abs(start - expected) <= 60
               for (start, _, _), expected in zip(chapters, paragraph_starts(result), strict=True))
    assert all(p.original.startswith(title.rstrip("…")) for (_, _, title), p in zip(chapters, paragraphs, strict=True))


def test_seed_article_chapters_read_back_by_mutagen(seed_render) -> None:
    result, out = seed_render
    tags = MP3(out).tags
    frames = {frame.element_id: frame for frame in tags.getall("CHAP")}
    order = tags.getall("CTOC")[0].child_element_ids
    assert [frames[i].start_time for i in order] == paragraph_starts(result)
    assert frames[order[-1]].end_time == result.duration_ms
    # The first paragraph is too long to be a title: its first sentence, shortened, is one.
    assert str(tags["TIT2"]) == "إيران برس- اوروبا: منعت روسيا في مجلس الأمن الدولي صدور بيان رئاسي يدعو قوات…"
    assert "article.txt" in str(tags.getall("COMM")[0]) and "espeak" in str(tags.getall("COMM")[0])


def test_seed_article_is_at_minus_16_lufs(seed_render) -> None:
    _, out = seed_render
    assert abs(integrated_loudness(out) + 16) <= 1.0


def test_seed_article_manifest(seed_render) -> None:
    result, out = seed_render
    manifest = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    paragraphs = parse_article(ARTICLE.read_text(encoding="utf-8"))
    assert manifest["engine"]["name"] == "espeak" and manifest["engine"]["options"]["voice"] == "ar"
    assert manifest["duration_ms"] == result.duration_ms and manifest["source"] == "article.txt"
    assert [p["original"] for p in manifest["paragraphs"]] == [p.original for p in paragraphs]
    # The spoken text is what espeak was given: normalized, then diacritized.
    spoken = spoken_for(EspeakEngine(), paragraphs, tashkeel=True)
    assert [p["spoken"] for p in manifest["paragraphs"]] == [p.spoken for p in spoken]
    assert manifest["paragraphs"][1]["spoken"] != paragraphs[1].spoken
    assert [p["start_ms"] for p in manifest["paragraphs"]] == paragraph_starts(result)
    chunks = [c for p in manifest["paragraphs"] for c in p["chunks"]]
    assert [(c["start_ms"], c["end_ms"]) for c in chunks] == \
        [(t.start_ms, t.end_ms) for t in result.timeline]
    assert all(c["cached"] is False for c in chunks)


def srt_cues(text: str) -> list[tuple[int, int, list[str]]]:
    """(start_ms, end_ms, lines without bidi controls) of each SubRip block."""
    def ms(stamp: str) -> int:
        h, m, rest = stamp.split(":")
        s, f = rest.split(",")
        return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(f)
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        start, _, end = lines[1].split()
        cues.append((ms(start), ms(end), [re.sub("[\u202a-\u202e]", "", line) for line in lines[2:]]))
    return cues


def test_seed_article_subtitles_are_readable_and_original(seed_render) -> None:
    result, out = seed_render
    cues = srt_cues(out.with_suffix(".srt").read_text(encoding="utf-8"))
    paragraphs = parse_article(ARTICLE.read_text(encoding="utf-8"))
    # The article as written, cut into cues of at most 2 lines of 42 characters, 1 to 7 s.
    assert " ".join(" ".join(lines) for _, _, lines in cues).split() == \
        " ".join(p.original for p in paragraphs).split()
    assert all(len(lines) <= 2 and all(len(line) <= 42 for line in lines) for _, _, lines in cues)
    assert all(1000 <= end - start <= 7000 for start, end, _ in cues)
    assert all(end <= following for (_, end, _), (following, _, _) in pairwise(cues))
    assert cues[-1][1] <= result.duration_ms


def test_seed_article_manifest_times_every_written_word(seed_render) -> None:
    result, out = seed_render
    manifest = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    words = [w for p in manifest["paragraphs"] for c in p["chunks"] for w in c["words"]]
    assert [w["text"] for w in words] == ARTICLE.read_text(encoding="utf-8").split()
    assert all(0 <= w["start_ms"] <= w["end_ms"] <= result.duration_ms for w in words)
    assert all(a["end_ms"] <= b["start_ms"] for a, b in pairwise(words))
    # Real times, not an even spread: espeak's words differ in length.
    lengths = {w["end_ms"] - w["start_ms"] for w in words}
    assert len(lengths) > len(words) // 3
