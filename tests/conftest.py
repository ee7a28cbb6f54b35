"""Shared fixtures: the fake Google endpoint, offline mode, an isolated cache."""

from __future__ import annotations

import inspect
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import responses
from click.testing import CliRunner, Result
from fakes import ENDPOINT, HOST, MS_PER_CHAR, PAD_MS, FakeGoogle, encode_mp3, fake_speech, rpc_parameter, serve  # noqa: F401
from pages_server import Served, serve_pages
from pydub import AudioSegment

from tts.audio import mp3
from tts.audio.clip import ffmpeg_exe
from tts.cli import main
from tts.options import CONFIG_ENV, ENGINE_ENV, LANG_ENV, RATE_ENV, VOICE_ENV

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "article.txt"


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    """Google reachable and answering with real MP3 bytes."""
    with serve(FakeGoogle()) as fake:
        yield fake


@pytest.fixture
def offline() -> Iterator[None]:
    """No network at all: every request fails to connect."""
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        yield


@pytest.fixture
def write_text(tmp_path: Path) -> Callable[..., Path]:
    """Write a text file into the test's folder and return its path."""
    def write(content: str | bytes, name: str = "article.txt") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path
    return write


def silent_gaps(audio: AudioSegment, min_ms: int, thresh: float = -50.0, step: int = 5) -> list[int]:
    """Lengths of the silences of at least ``min_ms`` between sounds, as a listener hears them.

    Measured in short windows: pydub's ``detect_silence`` averages over a
    ``min_ms``-long window, which folds quiet speech tails into the gap.
    """
    gaps, start = [], None
    for pos in range(0, len(audio), step):
        quiet = audio[pos:pos + step].dBFS < thresh
        if quiet and start is None:
            start = pos
        elif not quiet and start is not None:
            if start > 0 and pos - start >= min_ms:
                gaps.append(pos - start)
            start = None
    return gaps


@pytest.fixture(autouse=True)
def short_mp3_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """MP3s of a few seconds are encoded in segments too (an article's are a minute), so
    every MP3 the tests check has been through the join."""
    monkeypatch.setattr(mp3, "SEGMENT_S", 3.0)


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own clip cache, outside its working folder; nothing touches the user's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("ARTICLE_TTS_CACHE_DIR", str(folder))
    # The user's own lexicon and config file (in the config folder), and their defaults in
    # the environment, must not change what tests hear.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    for name in (CONFIG_ENV, ENGINE_ENV, VOICE_ENV, LANG_ENV, RATE_ENV):
        monkeypatch.delenv(name, raising=False)
    return folder
def ffmpeg_chapters(path: Path) -> list[tuple[float, float, str]]:
    """(start_ms, end_ms, title) of each chapter, as ffmpeg reads them from ``path``."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path),
                           "-f", "ffmetadata", "-"], capture_output=True, check=True)
    chapters = []
    for section in proc.stdout.decode("utf-8").split("[CHAPTER]")[1:]:
        fields = dict(line.split("=", 1) for line in section.strip().splitlines() if "=" in line)
        num, den = map(int, fields["TIMEBASE"].split("/"))
        scale = 1000 * num / den
        chapters.append((int(fields["START"]) * scale, int(fields["END"]) * scale, fields["title"]))
    return chapters


def integrated_loudness(path: Path) -> float:
    """The file's integrated loudness in LUFS, as ffmpeg's ebur128 filter measures it."""
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path),
                           "-af", "ebur128", "-f", "null", "-"],
                          capture_output=True, check=True)
    return float(re.findall(r"I:\s+(-?[0-9.]+) LUFS", proc.stderr.decode())[-1])


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Invoke the CLI in a fresh folder, with stderr kept apart from stdout."""
    monkeypatch.chdir(tmp_path)
    params = inspect.signature(CliRunner.__init__).parameters
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in params else CliRunner()

    def invoke(*args: str, input: bytes | str | None = None) -> Result:  # noqa: A002 - CliRunner's name
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)
    return invoke


@pytest.fixture
def pages() -> Iterator[Served]:
    """The fixture pages served over real HTTP on 127.0.0.1."""
    with serve_pages() as served:
        yield served
