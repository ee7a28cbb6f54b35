"""The seed article, rendered for real by the offline voice, measured on the output file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mutagen.mp3 import MP3

from conftest import ARTICLE, silent_gaps
from tts.audio import decode
from tts.config import RenderConfig
from tts.render import render
from tts.text import parse_article

PAUSE_MS = 700


@pytest.fixture(scope="module")
def seed_render(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("e2e") / "article.mp3"
    result = render(ARTICLE.read_text(encoding="utf-8"), out, RenderConfig(engine="espeak"))
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
