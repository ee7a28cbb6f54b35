"""--speed for a stream: PCM through ffmpeg's atempo (pitch kept) as it comes, for the player."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable
from types import TracebackType

from tts.audio.clip import ffmpeg_error, popen_ffmpeg, widen_pipe
from tts.audio.export import pcm_input, tempo_filters
from tts.errors import ArticleTTSError, OutputError

# What is passed on at a time: whatever ffmpeg has written, up to this much.
BLOCK_BYTES = 1 << 14
ACTION = "change the tempo for the player"


class Tempo:
    """One ffmpeg process playing PCM ``speed`` times faster, the same ``atempo`` a file
    written with --speed gets; what comes out goes to ``send``, from a thread, so
    ffmpeg's pipe never fills. A ``send`` that fails (the player stopped) stops ffmpeg,
    and the next ``write`` or ``finish`` raises that failure."""

    def __init__(self, rate: int, speed: float, send: Callable[[bytes], None]) -> None:
        command = [*pcm_input(rate), "-af", ",".join(tempo_filters(speed, None)),
                   "-f", "s16le", "pipe:1"]
        self.errors = tempfile.TemporaryFile(prefix="article-tts-ffmpeg-")  # noqa: SIM115
        self.process = popen_ffmpeg(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=self.errors)
        widen_pipe(self.process.stdin)
        self.failure: ArticleTTSError | None = None
        self.thread = threading.Thread(target=self.pass_on, args=(send,), name="tempo", daemon=True)
        self.thread.start()

    def pass_on(self, send: Callable[[bytes], None]) -> None:
        assert self.process.stdout is not None
        try:
            # Whatever ffmpeg has made so far: a full buffered read would hold the start back.
            while block := os.read(self.process.stdout.fileno(), BLOCK_BYTES):
                send(block)
        except ArticleTTSError as exc:
            self.failure = exc
            self.process.kill()

    def write(self, pcm: bytes) -> None:
        """Send PCM (blocking while ffmpeg, or the player after it, is behind)."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(pcm)
        except (BrokenPipeError, ValueError):
            self.finish()  # raises why: the player's failure, or ffmpeg's
            raise OutputError(f"ffmpeg could not {ACTION}: it stopped reading") from None

    def finish(self) -> None:
        """Let ffmpeg pass the rest on; the failure that stopped it, if any."""
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()
        code = self.process.wait()
        self.thread.join()
        if self.failure is not None:
            raise self.failure
        if code != 0:
            raise ffmpeg_error(ACTION, self.errors, code)

    def __enter__(self) -> Tempo:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.errors.close()
