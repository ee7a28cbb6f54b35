"""Listening from the terminal: find a player, feed it WAV on stdin, end it cleanly."""

from __future__ import annotations

import array
import contextlib
import fcntl
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import termios
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from tts.audio.clip import SAMPLE_WIDTH, wav_header
from tts.errors import NoAudioDevice, PlayerError
from tts.util.fsutil import temp_prefix
from tts.util.signals import die_with_parent

ENV_VAR = "ARTICLE_TTS_PLAYER"
# Players tried in order when none is named: each reads a WAV stream on stdin.
# afplay (macOS) cannot read stdin, so it gets a temp file at the end.
KNOWN_PLAYERS: tuple[tuple[str, ...], ...] = (
    ("ffplay", "-nodisp", "-autoexit", "-loglevel", "error", "-"),
    ("mpv", "--no-video", "--really-quiet", "-"),
    ("paplay",),
    ("pw-play", "-"),
    ("aplay", "-q", "-"),
    ("afplay",),
)
# What players print when they cannot open a sound card or reach a sound server, most
# telling first: ffplay prints ALSA's "cannot find card" before its own "audio open
# failed", and exits 0 either way (having read all a short input), so its words are
# the only sign that nothing was heard.
NO_DEVICE_MESSAGES = tuple(re.compile(pattern) for pattern in (
    r"audio open failed",  # ffplay: no SDL audio driver could open a device
    r"SDL_OpenAudio",  # ffplay on SDL 1.2, or before giving up
    r"No available audio device",  # SDL 2
    r"Could not open/initialize audio device",  # mpv
    r"\[ao[^\]]*\][^\n]*(?i:failed)",  # mpv's audio outputs, one by one
    r"pw_context_connect\(\) failed[^\n]*",  # pw-play: no PipeWire ("Host is down")
    r"Connection refused", r"Connection failure",  # paplay: no sound server
    r"audio open error", r"cannot find card",  # aplay (ALSA)
))
# What is kept of a player's messages: its last lines, each cut to this length.
LOG_LINES = 20
LOG_LINE_CHARS = 300
# How long to wait for a player that exited to be reaped, or its messages read.
SETTLE_S = 1.0
# How often ``finish`` looks whether the player has read what is left in its pipe.
DRAIN_TICK_S = 0.05
RENDER_INSTEAD = "render to a file instead with `article-tts render ... -o out.mp3`"



@dataclass(frozen=True)
class PlayerCommand:
    """How to start a player; ``needs_file`` when it cannot read standard input."""

    argv: tuple[str, ...]
    needs_file: bool = False

    @property
    def name(self) -> str:
        return Path(self.argv[0]).name


def find_player(requested: str | None = None) -> PlayerCommand:
    """The player named by ``--player``/``$ARTICLE_TTS_PLAYER``, else the first known one found."""
    requested = requested or os.environ.get(ENV_VAR)
    if requested:
        try:
            argv = tuple(shlex.split(requested))
        except ValueError as exc:  # an unbalanced quote
            raise PlayerError(f"cannot read the player command {requested!r} ({exc}); "
                              f"quote it as a shell would, e.g. --player \"mpv -\"") from None
        if not argv or shutil.which(argv[0]) is None:
            raise PlayerError(f"player {requested!r} not found; check --player or ${ENV_VAR}")
        return PlayerCommand(argv)
    for argv in KNOWN_PLAYERS:
        if shutil.which(argv[0]):
            return PlayerCommand(argv, needs_file=argv[0] == "afplay")
    names = ", ".join(argv[0] for argv in KNOWN_PLAYERS)
    raise PlayerError(f"no audio player found (looked for {names}); install one, name one "
                      f"with --player, or use `article-tts render` to write a file instead")


class PlayerLog:
    """A player's messages (its stderr), read as they come: the last few lines, and the
    first words that say it could not open an audio device."""

    def __init__(self, stream: IO[bytes] | None) -> None:
        self.lines: deque[str] = deque(maxlen=LOG_LINES)
        self.found: tuple[int, str] | None = None  # (rank in NO_DEVICE_MESSAGES, words)
        self.thread = threading.Thread(target=self.read, args=(stream,), name="player-log",
                                       daemon=True)
        if stream is not None:
            self.thread.start()

    def read(self, stream: IO[bytes]) -> None:
        with contextlib.suppress(OSError, ValueError), stream:
            while raw := stream.readline(LOG_LINE_CHARS):
                line = raw.decode(errors="replace").strip()
                if line:
                    self.lines.append(line)
                    found = no_device_in(line)
                    if found is not None and (self.found is None or found < self.found):
                        self.found = found

    def settle(self) -> None:
        """Wait (briefly) for the last messages of a player that exited."""
        if self.thread.is_alive():
            self.thread.join(SETTLE_S)

    @property
    def last(self) -> str:
        return self.lines[-1] if self.lines else ""

    @property
    def no_device(self) -> str | None:
        """The most telling words seen that say no audio device could be opened."""
        return None if self.found is None else self.found[1]


def no_device_in(line: str) -> tuple[int, str] | None:
    """(rank, words) of the first of NO_DEVICE_MESSAGES that ``line`` holds, if any."""
    for rank, pattern in enumerate(NO_DEVICE_MESSAGES):
        found = pattern.search(line)
        if found:
            return rank, found.group(0)
    return None


def no_device_error(player: str, words: str) -> NoAudioDevice:
    return NoAudioDevice(f"no audio device: {player} could not open one ({words}); "
                         f"{RENDER_INSTEAD}, or name a player with --player")


class AudioPlayer:
    """A player process fed PCM as it is made; ended on exit, whatever happened.

    Its messages are kept (bounded) rather than shown: a player that could not open an
    audio device, or stopped early, is reported in one line naming the cause.
    """

    def __init__(self, command: PlayerCommand, frame_rate: int) -> None:
        self.command, self.frame_rate = command, frame_rate
        self.process: subprocess.Popen[bytes] | None = None
        self.spool: tempfile._TemporaryFileWrapper[bytes] | None = None
        self.log = PlayerLog(None)
        self.paused = False

    def __enter__(self) -> AudioPlayer:
        if self.command.needs_file:
            self.spool = tempfile.NamedTemporaryFile(prefix=temp_prefix(), suffix=".wav",
                                                     delete=False)
            self.spool.write(wav_header(self.frame_rate))
            return self
        self.process = self.launch(self.command.argv, subprocess.PIPE)
        self.write(wav_header(self.frame_rate))
        return self

    def launch(self, argv: tuple[str, ...], stdin: int) -> subprocess.Popen[bytes]:
        """Start the player, its messages read into ``self.log``."""
        try:
            process = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, preexec_fn=die_with_parent())
        except OSError as exc:
            raise PlayerError(f"cannot start {self.command.name}: {exc.strerror}") from exc
        self.log = PlayerLog(process.stderr)
        return process

    def write(self, pcm: bytes) -> None:
        """Send audio; a player that went away ends playback with a clear message."""
        if self.spool is not None:
            self.spool.write(pcm)
            return
        if self.process is None or self.process.stdin is None:
            raise PlayerError("the player was not started")
        try:
            self.process.stdin.write(pcm)
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise self.stopped_early() from exc

    def stopped_early(self) -> PlayerError:
        """Why the player stopped reading: no audio device, else its exit code and last words."""
        code = self.exit_code()
        self.log.settle()
        if self.log.no_device:
            return no_device_error(self.command.name, self.log.no_device)
        status = "" if code is None else f" (exit code {code}{said(self.log)})"
        return PlayerError(f"the player ({self.command.name}) stopped before the end{status}")

    def exit_code(self) -> int | None:
        """The player's exit code once it has exited; it may take a moment to be reaped."""
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout=SETTLE_S)
        except subprocess.TimeoutExpired:
            return None

    def finish(self) -> None:
        """Let the player play what it has, then wait for it to exit; fail if it could
        not play it all (no audio device, an error, or an exit before reading it all)."""
        if self.spool is not None:
            close_spool(self.spool, self.frame_rate)
            self.process = self.launch((*self.command.argv, self.spool.name), subprocess.DEVNULL)
            self.check_exit(self.process.wait(), 0)
        elif self.process is not None and self.process.stdin is not None:
            while self.process.poll() is None and self.unread_bytes() > 0:
                time.sleep(DRAIN_TICK_S)
            unread = self.unread_bytes()
            self.close_input()
            self.check_exit(self.process.wait(), unread)

    def unread_bytes(self) -> int:
        """Bytes sent that the player has not read yet (in the pipe); 0 where the system
        cannot tell."""
        if self.process is None or self.process.stdin is None or self.process.stdin.closed:
            return 0
        count = array.array("i", [0])
        try:
            fcntl.ioctl(self.process.stdin.fileno(), termios.FIONREAD, count)
        except OSError:
            return 0
        return count[0]

    def close_input(self) -> None:
        """End the player's input: it plays what it has read, then exits."""
        if self.process is not None and self.process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()

    def check_exit(self, code: int, unread: int) -> None:
        """Raise the reason a player that exited with ``code``, leaving ``unread`` bytes,
        did not play everything; nothing when it did."""
        self.log.settle()
        name = self.command.name
        if self.log.no_device:
            raise no_device_error(name, self.log.no_device)
        if code != 0:
            raise PlayerError(f"the player ({name}) failed with exit code {code}{said(self.log)}; "
                              f"try another with --player, or `article-tts render` to a file")
        if unread:
            raise PlayerError(f"the player ({name}) exited before reading all the audio "
                              f"(exit code 0); try another with --player, or {RENDER_INSTEAD}")

    def pause(self) -> None:
        """Stop the player where it is (SIGSTOP): it keeps its buffer and its device."""
        if self.process is not None and self.process.poll() is None and not self.paused:
            self.process.send_signal(signal.SIGSTOP)
            self.paused = True

    def resume(self) -> None:
        if self.process is not None and self.paused:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGCONT)
            self.paused = False

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.resume()  # a stopped process acts on SIGTERM only once continued
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.spool is not None:
            Path(self.spool.name).unlink(missing_ok=True)


def said(log: PlayerLog) -> str:
    """``: <the player's last message>``, when it left one."""
    return f": {log.last}" if log.last else ""


def close_spool(spool: IO[bytes], frame_rate: int) -> None:
    """Write the header again with the real sizes (a file's length is known), close it."""
    frames = (spool.tell() - len(wav_header(frame_rate))) // SAMPLE_WIDTH
    spool.seek(0)
    spool.write(wav_header(frame_rate, frames))
    spool.close()
