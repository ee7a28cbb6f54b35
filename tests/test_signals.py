"""SIGTERM and SIGHUP end a run like Ctrl-C, leaving nothing behind; the player dies with play."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ARTICLE

FAKE_PLAYER = Path(__file__).with_name("fake_player.py")


def wait_for(condition, seconds: float = 60) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (dead, not yet reaped by its new parent) counts as gone.
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split(") ")[1].startswith("Z"))


@pytest.fixture
def stalled_ffmpeg(tmp_path: Path) -> Path:
    """An ``ffmpeg`` that says it started, then never finishes (named by $ARTICLE_TTS_FFMPEG)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "ffmpeg"
    script.write_text(f'#!/bin/sh\ntouch "{tmp_path}/encoding"\nexec sleep 120\n')
    script.chmod(0o755)
    return bin_dir


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_signal_during_encoding_leaves_no_partial_file_or_scratch(
        tmp_path: Path, stalled_ffmpeg: Path, signum: int, code: int) -> None:
    scratch = tmp_path / "tmp"
    out_dir = tmp_path / "out"
    scratch.mkdir()
    out_dir.mkdir()
    env = {**os.environ, "ARTICLE_TTS_FFMPEG": str(stalled_ffmpeg / "ffmpeg"),
           "TMPDIR": str(scratch), "ARTICLE_TTS_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "tts", "render", str(ARTICLE), "--engine",
                             "espeak", "--no-tashkeel", "--no-loudness", "-o",
                             str(out_dir / "a.mp3"), "--subtitles", str(out_dir / "a.srt")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert wait_for(lambda: (tmp_path / "encoding").exists()), proc.communicate()[1]
    assert [p.name for p in out_dir.iterdir() if p.name.startswith(".article-tts-")]
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert f"Stopped by {signal.Signals(signum).name}" in err and "Traceback" not in err
    assert list(out_dir.iterdir()) == [] and list(scratch.iterdir()) == []


def start_play(tmp_path: Path, *player_args: str) -> tuple[subprocess.Popen[str], Path]:
    folder = tmp_path / "p"
    env = {**os.environ, "ARTICLE_TTS_CACHE_DIR": str(tmp_path / "cache")}
    player = " ".join([sys.executable, str(FAKE_PLAYER), str(folder), *player_args])
    proc = subprocess.Popen([sys.executable, "-m", "tts", "play", str(ARTICLE), "--engine",
                             "espeak", "--no-tashkeel", "--player", player],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert wait_for(lambda: (folder / "first_byte").exists()), proc.communicate()[1]
    return proc, folder


def test_sigterm_ends_play_and_its_player(tmp_path: Path) -> None:
    proc, folder = start_play(tmp_path, "--realtime")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143 and "Traceback" not in err
    assert wait_for(lambda: not alive(int((folder / "pid").read_text())), 10)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal")
def test_the_player_never_outlives_play_even_on_sigkill(tmp_path: Path) -> None:
    # The player would keep playing a minute after its input ends, as mpv drains its buffer.
    proc, folder = start_play(tmp_path, "--linger", "60")
    proc.kill()
    proc.communicate(timeout=30)
    pid = int((folder / "pid").read_text())
    assert wait_for(lambda: not alive(pid), 20), "the player outlived play"
