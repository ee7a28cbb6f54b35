"""Listening from the terminal: find a player, feed it WAV on stdin, end it cleanly."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from tts.audio.clip import SAMPLE_WIDTH, wav_header
from tts.errors import PlayerError
import contextlib
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


class AudioPlayer:
    """A player process fed PCM as it is made; ended on exit, whatever happened."""

    def __init__(self, command: PlayerCommand, frame_rate: int) -> None:
        self.command, self.frame_rate = command, frame_rate
        self.process: subprocess.Popen[bytes] | None = None
        self.spool: tempfile._TemporaryFileWrapper[bytes] | None = None

    def __enter__(self) -> AudioPlayer:
        if self.command.needs_file:
            self.spool = tempfile.NamedTemporaryFile(prefix=temp_prefix(), suffix=".wav",
                                                     delete=False)
            self.spool.write(wav_header(self.frame_rate))
            return self
        try:
            self.process = subprocess.Popen(self.command.argv, stdin=subprocess.PIPE,
                                            stdout=subprocess.DEVNULL,
                                            preexec_fn=die_with_parent())
        except OSError as exc:
            raise PlayerError(f"cannot start {self.command.name}: {exc.strerror}") from exc
        self.write(wav_header(self.frame_rate))
        return self

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
            raise PlayerError(f"the player ({self.command.name}) stopped before the end"
                              f"{self.exit_status()}") from exc

    def exit_status(self) -> str:
        """`` (exit code N)`` once the player has exited; it may take a moment to be reaped."""
        if self.process is None:
            return ""
        try:
            return f" (exit code {self.process.wait(timeout=1)})"
        except subprocess.TimeoutExpired:
            return ""

    def finish(self) -> None:
        """Let the player play what it has, then wait for it to exit."""
        if self.spool is not None:
            close_spool(self.spool, self.frame_rate)
            code = subprocess.run([*self.command.argv, self.spool.name], check=False).returncode
        elif self.process is not None and self.process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
            code = self.process.wait()
        else:
            return
        if code != 0:
            raise PlayerError(f"the player ({self.command.name}) failed with exit code {code}; "
                              f"try another with --player, or `article-tts render` to a file")


    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.spool is not None:
            Path(self.spool.name).unlink(missing_ok=True)


def close_spool(spool: IO[bytes], frame_rate: int) -> None:
    """Write the header again with the real sizes (a file's length is known), close it."""
    frames = (spool.tell() - len(wav_header(frame_rate))) // SAMPLE_WIDTH
    spool.seek(0)
    spool.write(wav_header(frame_rate, frames))
    spool.close()
