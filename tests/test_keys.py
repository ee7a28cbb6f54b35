"""Keys on a terminal while playing: a pseudo-terminal types them, the fake player's own log
and files say what it was given (no wall-clock asserts)."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tts.audio.clip import decode

FAKE_PLAYER = Path(__file__).with_name("fake_player.py")
THREE = "الفقرة الأولى.\n\nالفقرة الثانية.\n\nالفقرة الثالثة."
WAIT_S = 30  # the most any step may take on a loaded machine before the test gives up


@dataclass
class Session:
    """``play`` on a pseudo-terminal (its stdin and stderr); stdout is a pipe of announcements."""

    proc: subprocess.Popen[str]
    master: int
    slave: int
    screen: bytearray = field(default_factory=bytearray)
    lines: list[str] = field(default_factory=list)

    def read_screen(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            self.screen += data

    def read_lines(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def press(self, key: bytes) -> None:
        os.write(self.master, key)

    def wait_for(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while not ready():
            assert self.proc.poll() is None or ready(), f"play ended before {what}"
            assert time.monotonic() < deadline, f"no {what} after {WAIT_S} s"
            time.sleep(0.02)

    def shown(self) -> str:
        return self.screen.decode(errors="replace")


def own_terminal() -> None:
    """In the child: the pseudo-terminal (its stdin) becomes its controlling terminal, with
    the child its foreground job, as a shell would start it."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Callable[..., Session]]:
    started: list[Session] = []

    def start(*extra: str, foreground: bool = True) -> Session:
        src = tmp_path / "three.txt"
        src.write_text(THREE, encoding="utf-8")
        master, slave = os.openpty()
        env = {**os.environ, "ARTICLE_TTS_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "200"}
        player = f"{sys.executable} {FAKE_PLAYER} {tmp_path / 'p'} --realtime"
        proc = subprocess.Popen(
            [sys.executable, "-m", "tts", "play", str(src), "--engine", "espeak", "--pause", "500",
             "--player", player, "-o", str(tmp_path / "saved.wav"), "--manifest",
             str(tmp_path / "m.json"), "--no-loudness", *extra],
            stdin=slave, stdout=subprocess.PIPE, stderr=slave, text=True, env=env,
            preexec_fn=own_terminal if foreground else os.setsid)
        found = Session(proc, master, slave)
        for reader in (found.read_screen, found.read_lines):
            threading.Thread(target=reader, daemon=True).start()
        started.append(found)
        return found
    yield start
    for found in started:
        if found.proc.poll() is None:
            found.proc.kill()
        found.proc.wait()
        os.close(found.master)
        os.close(found.slave)


def heard_ms(folder: Path) -> int:
    """How long the audio the (last) player was given is."""
    return (len((folder / "received.wav").read_bytes()) - 44) * 1000 // (22_050 * 2)


def log_lines(folder: Path) -> int:
    return len((folder / "log").read_text().splitlines())


def test_next_paragraph_restarts_the_player_at_its_start(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    play = session()
    play.wait_for(lambda: play.lines[:1] and (tmp_path / "p" / "first_byte").exists(), "paragraph 1")
    first_pid = (tmp_path / "p" / "pid").read_text()
    play.press(b"n")
    assert play.proc.wait(timeout=WAIT_S) == 0, play.shown()
    assert [line[:5] for line in play.lines] == ["[1/3]", "[2/3]", "[3/3]"]
    assert (tmp_path / "p" / "pid").read_text() != first_pid  # a new player, fed from the tape
    manifest = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    second = manifest["paragraphs"][1]["start_ms"]
    # The new player was given the audio from paragraph 2's start (the manifest's) to the end.
    assert abs(heard_ms(tmp_path / "p") - (manifest["duration_ms"] - second)) <= 25
    saved = decode((tmp_path / "saved.wav").read_bytes(), 22_050)
    assert abs(len(saved) - manifest["duration_ms"]) <= 5  # -o is written whole
    assert "\u25b6 2/3" in play.shown() and "p/n paragraph" in play.shown()


def test_space_pauses_the_player_and_resumes_it(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    play = session()
    folder = tmp_path / "p"
    play.wait_for(lambda: play.lines[:1] and (folder / "log").exists() and log_lines(folder) > 2,
                  "playback")
    play.press(b" ")
    play.wait_for(lambda: "\u23f8" in play.shown(), "the paused status")
    paused_at = log_lines(folder)
    time.sleep(0.5)  # a player that kept reading would log a block every ~0.1 s
    assert log_lines(folder) == paused_at
    play.press(b" ")
    assert play.proc.wait(timeout=WAIT_S) == 0, play.shown()
    manifest = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert log_lines(folder) > paused_at
    assert abs(heard_ms(folder) - manifest["duration_ms"]) <= 25  # all of it, once


def test_q_quits_like_ctrl_c_and_gives_the_terminal_back(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    play = session()
    before = termios.tcgetattr(play.slave)
    play.wait_for(lambda: play.lines[:1] and (tmp_path / "p" / "first_byte").exists(), "paragraph 1")
    assert not termios.tcgetattr(play.slave)[3] & termios.ICANON  # keys come one at a time
    play.press(b"q")
    assert play.proc.wait(timeout=WAIT_S) == 130
    play.wait_for(lambda: "Stopped at 0:0" in play.shown(), "the stop message")
    assert "paragraph 1/3." in play.shown() and "Traceback" not in play.shown()
    assert termios.tcgetattr(play.slave) == before
    pid = int((tmp_path / "p" / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not (tmp_path / "saved.wav").exists()  # as after Ctrl-C: the render stopped


@pytest.mark.parametrize(("stop", "code"), [("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_signal_also_gives_the_terminal_back(session, tmp_path: Path, stop: str, code: int) -> None:  # type: ignore[no-untyped-def]
    play = session()
    before = termios.tcgetattr(play.slave)
    play.wait_for(lambda: play.lines[:1] and (tmp_path / "p" / "first_byte").exists(), "paragraph 1")
    play.proc.send_signal(getattr(signal, stop))
    assert play.proc.wait(timeout=WAIT_S) == code
    assert termios.tcgetattr(play.slave) == before



def test_no_keys_on_a_terminal_it_is_not_the_foreground_job_of(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    play = session(foreground=False)  # as a job in the background: its terminal is left alone
    play.wait_for(lambda: play.lines[:1] and (tmp_path / "p" / "first_byte").exists(), "paragraph 1")
    play.press(b"q")
    assert play.proc.wait(timeout=WAIT_S) == 0
    assert "\u25b6" not in play.shown() and "Stopped" not in play.shown()
    manifest = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert abs(heard_ms(tmp_path / "p") - manifest["duration_ms"]) <= 25  # played to the end
