"""One ffmpeg by default, the pinned imageio-ffmpeg build, whatever is on PATH;
$ARTICLE_TTS_FFMPEG picks another, and one that is not there is a one-line error."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydub import AudioSegment

from tts.audio import clip
from tts.audio.clip import FFMPEG_ENV, IMAGEIO_FFMPEG_ENV, ffmpeg_exe, find_ffmpeg
from tts.errors import ArticleTTSError, ConfigError

TEXT = "قال المتحدث إن الاجتماع انتهى.\n"


@pytest.fixture(autouse=True)
def fresh_choice(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The choice made again under this test's environment, and again after it."""
    monkeypatch.delenv(FFMPEG_ENV, raising=False)
    monkeypatch.delenv(IMAGEIO_FFMPEG_ENV, raising=False)
    monkeypatch.setattr(AudioSegment, "converter", AudioSegment.converter)
    ffmpeg_exe.cache_clear()
    yield
    ffmpeg_exe.cache_clear()


def bundled() -> str:
    found = clip.bundled_ffmpeg()
    assert found is not None, "the imageio-ffmpeg wheel holds a binary on this platform"
    return found


def script(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def failing_ffmpeg_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``ffmpeg`` first on PATH that leaves a mark and fails: as if another build were installed."""
    log = tmp_path / "path-ffmpeg.log"
    script(tmp_path / "bin", "ffmpeg", f'echo "$@" >> "{log}"\nexit 1')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    return log


def test_a_render_runs_the_bundled_ffmpeg_even_with_another_first_on_path(
        run, offline: None, failing_ffmpeg_on_path: Path) -> None:
    Path("a.txt").write_text(TEXT, encoding="utf-8")
    result = run("render", "a.txt", "--engine", "espeak", "-o", "a.mp3")
    assert result.exit_code == 0, result.stderr
    assert not failing_ffmpeg_on_path.exists()  # never run
    assert ffmpeg_exe() == bundled() == AudioSegment.converter  # pydub's too
    assert f"ffmpeg: {bundled()} (bundled): ffmpeg version " in run("--version").stdout


def test_article_tts_ffmpeg_picks_another(run, offline: None, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          failing_ffmpeg_on_path: Path) -> None:
    log = tmp_path / "wrapper.log"
    wrapper = script(tmp_path / "mine", "my-ffmpeg", f'echo "$@" >> "{log}"\nexec "{bundled()}" "$@"')
    monkeypatch.setenv(IMAGEIO_FFMPEG_ENV, str(failing_ffmpeg_on_path))  # ours wins over imageio's
    monkeypatch.setenv(FFMPEG_ENV, str(wrapper))
    Path("a.txt").write_text(TEXT, encoding="utf-8")
    result = run("render", "a.txt", "--engine", "espeak", "-o", "a.mp3")
    assert result.exit_code == 0, result.stderr
    assert "pipe:0" in log.read_text() and not failing_ffmpeg_on_path.exists()
    version = run("--version").stdout
    assert f"ffmpeg: {wrapper} (${FFMPEG_ENV}): ffmpeg version " in version
    # A command name is looked up on PATH.
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv(FFMPEG_ENV, "my-ffmpeg")
    ffmpeg_exe.cache_clear()
    assert ffmpeg_exe() == str(wrapper) == AudioSegment.converter


@pytest.mark.parametrize("named", ["/nonexistent/ffmpeg", "no-such-ffmpeg-command"])
def test_a_missing_article_tts_ffmpeg_is_a_one_line_error(run, offline: None, named: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FFMPEG_ENV, named)
    Path("a.txt").write_text(TEXT, encoding="utf-8")
    result = run("render", "a.txt", "--engine", "espeak", "-o", "a.mp3")
    assert result.exit_code == ConfigError.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert errors == [f"Error: ffmpeg {named!r} (from ${FFMPEG_ENV}) does not exist or is not "
                      f"executable; point ${FFMPEG_ENV} at an ffmpeg, or unset it to use the "
                      f"bundled one"]
    assert "Traceback" not in result.stderr and not Path("a.mp3").exists()
    assert "ffmpeg: none usable (ffmpeg " in run("--version").stdout  # says so, does not fail


@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_an_ffmpeg_that_cannot_run_here_is_a_one_line_error(run, offline: None, tmp_path: Path, fmt: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Executable, but not a program this machine can run (another architecture's build looks
    # the same to exec): ENOEXEC, which once surfaced as a traceback.
    binary = tmp_path / "not-a-program"
    binary.write_bytes(bytes(range(256)) * 4)
    binary.chmod(0o755)
    monkeypatch.setenv(FFMPEG_ENV, str(binary))
    Path("a.txt").write_text(TEXT, encoding="utf-8")
    result = run("render", "a.txt", "--engine", "espeak", "-o", f"a.{fmt}")
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert errors == [f"Error: ffmpeg {str(binary)!r} cannot run here (Exec format error); point "
                      f"${FFMPEG_ENV} at an ffmpeg built for this machine, or unset it to use the "
                      f"bundled one"]
    assert "Traceback" not in result.stderr and not Path(f"a.{fmt}").exists()


def test_imageio_ffmpeg_exe_names_another_as_imageio_does(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    other = script(tmp_path / "bin", "ffmpeg", "exit 0")
    monkeypatch.setenv(IMAGEIO_FFMPEG_ENV, str(other))
    assert find_ffmpeg() == (str(other), f"${IMAGEIO_FFMPEG_ENV}")
    monkeypatch.setenv(IMAGEIO_FFMPEG_ENV, str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match=f"from \\${IMAGEIO_FFMPEG_ENV}"):
        find_ffmpeg()


def test_without_the_bundled_build_ffmpeg_on_path_is_used(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clip, "bundled_ffmpeg", lambda: None)  # a platform without a wheel binary
    on_path = script(tmp_path / "bin", "ffmpeg", "exit 0")
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert find_ffmpeg() == (str(on_path), "PATH")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ArticleTTSError, match=r"^ffmpeg not found: install the imageio-ffmpeg "
                                              r"package or put ffmpeg on PATH$"):
        find_ffmpeg()


def test_engines_says_which_ffmpeg(run, offline: None) -> None:
    result = run("engines")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].startswith(f"ffmpeg: {bundled()} (bundled): ffmpeg version")
