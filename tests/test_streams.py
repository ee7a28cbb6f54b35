"""Standard output: refused when a terminal, a closed reader ends quietly, other failures in one line."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARTICLE

FAKE_PLAYER = Path(__file__).with_name("fake_player.py")
SHORT = "مرحبا بكم. هذا نص قصير للتجربة."


def tts(*args: str, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    return [sys.executable, "-m", "tts", *args]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "ARTICLE_TTS_CACHE_DIR": str(tmp_path / "cache")}


@pytest.fixture
def short(tmp_path: Path) -> Path:
    path = tmp_path / "short.txt"
    path.write_text(SHORT, encoding="utf-8")
    return path


def test_audio_to_a_terminal_is_refused(short: Path, env: dict[str, str]) -> None:
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(tts("render", str(short), "--engine", "espeak", "-o", "-"),
                              stdout=follower, stderr=subprocess.PIPE, text=True, env=env,
                              timeout=120)
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2 and "standard output is a terminal" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_reader_that_leaves_early_ends_the_render_quietly(env: dict[str, str]) -> None:
    render = subprocess.Popen(tts("render", str(ARTICLE), "--engine", "espeak", "--no-tashkeel",
                                  "--no-loudness", "-o", "-"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert render.stdout is not None
    head = render.stdout.read(1000)  # | head -c 1000
    render.stdout.close()
    _, err = render.communicate(timeout=120)
    assert len(head) == 1000
    assert render.returncode == 141, err
    assert b"Wrote" not in err and b"Traceback" not in err and b"Error" not in err


def test_closed_stdout_is_a_one_line_error(short: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(tts("render", str(short), "--engine", "espeak", "-o", "-"),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                          timeout=120, preexec_fn=lambda: os.close(1))
    assert proc.returncode == 1 and "cannot write to standard output" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Wrote" not in proc.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_is_a_one_line_error(short: Path, env: dict[str, str]) -> None:
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(tts("render", str(short), "--engine", "espeak", "-o", "-"),
                              stdout=full, stderr=subprocess.PIPE, text=True, env=env,
                              timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "No space left on device" in proc.stderr and "Wrote" not in proc.stderr
    assert "Traceback" not in proc.stderr.splitlines()[-1]
    assert "Error: cannot write to standard output" in proc.stderr.splitlines()[-1]


def test_play_piped_to_head_stops_without_traceback(tmp_path: Path, env: dict[str, str]) -> None:
    folder = tmp_path / "p"
    player = " ".join([sys.executable, str(FAKE_PLAYER), str(folder), "--realtime"])
    play = subprocess.Popen(tts("play", str(ARTICLE), "--engine", "espeak", "--no-tashkeel",
                                "--player", player),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert play.stdout is not None
    first = play.stdout.readline()  # | head -1
    play.stdout.close()
    _, err = play.communicate(timeout=60)
    assert first.startswith("[1/13]")
    assert play.returncode == 141 and "Traceback" not in err and "Exception" not in err
    # Stopped at once, not after the article: the player got far less than the whole of it.
    received = (folder / "received.wav").stat().st_size if (folder / "received.wav").exists() else 0
    assert received < 22_050 * 2 * 60


def test_a_player_command_with_an_unbalanced_quote_is_one_line(run) -> None:
    result = run("play", str(ARTICLE), "--engine", "espeak", "--player", "sh -c 'cat")
    assert result.exit_code == 1 and "No closing quotation" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
