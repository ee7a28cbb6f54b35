"""A player you can pause and jump in: the audio heard is kept on a tape (a temp file), and
the player is fed from it by a thread, so a jump starts a new player at another place.

Pausing stops the player where it is (SIGSTOP: it keeps its buffer and its device, and
resumes without a gap); a jump ends it and starts a new one fed from the tape at the new
place, since a player reading a pipe cannot seek.
"""

from __future__ import annotations

import os
import select
import tempfile
import threading
import time
from collections.abc import Callable
from types import TracebackType

from tts.audio.clip import SAMPLE_WIDTH
from tts.audio.player import AudioPlayer, PlayerCommand

# How far the tape may run ahead of what the player was given: the render waits beyond
# it, as it waits for a player's full pipe, so a long article is not synthesized at
# once; far enough that "next paragraph" usually finds its audio made.
AHEAD_S = 60.0
# What the player is given at a time: one pipe buffer, so a write after select() says
# the pipe has room never blocks, and keys are read between writes.
FEED_BYTES = 4096
# How often the deck looks at keys, the player and the clock when nothing happens.
TICK_S = 0.05


class PlaybackClock:
    """Where playback is, in ms of audio: time since the first byte, never past what was sent.

    A write to the player blocks while its buffer is full, so the clock starts
    when the first write starts, and a later write that finds the player has
    played everything sent before it means the player ran dry: the clock
    restarts from there, so announcements stay in step with the sound. A jump
    restarts it at the new place; a pause holds it.
    """

    def __init__(self) -> None:
        self.started: float | None = None
        self.base_ms = 0  # where the current player started
        self.sent_ms = 0
        self.paused_at: float | None = None
        self.lock = threading.Lock()

    def sending(self, total_ms: int) -> None:
        """Call before writing audio that brings the total sent to ``total_ms``."""
        with self.lock:
            now = time.monotonic()
            if self.started is None:
                self.started = now
            elif now - self.started > (self.sent_ms - self.base_ms) / 1000:
                self.started = now - (self.sent_ms - self.base_ms) / 1000
            self.sent_ms = total_ms

    def position_ms(self) -> int:
        with self.lock:
            if self.started is None:
                return self.base_ms
            now = self.paused_at if self.paused_at is not None else time.monotonic()
            return min(self.sent_ms, self.base_ms + int((now - self.started) * 1000))

    def restart(self, at_ms: int) -> None:
        """A new player starts at ``at_ms``; nothing sent to it yet."""
        with self.lock:
            self.started, self.base_ms, self.sent_ms, self.paused_at = None, at_ms, at_ms, None

    def pause(self) -> None:
        with self.lock:
            self.paused_at = time.monotonic()

    def resume(self) -> None:
        with self.lock:
            if self.paused_at is not None and self.started is not None:
                self.started += time.monotonic() - self.paused_at
            self.paused_at = None


class Deck:
    """The player as a tape deck: the render appends to the tape (``write``, waiting
    while it is AHEAD_S ahead), a thread feeds the player from it and runs ``on_tick``
    (and ``on_keys`` with what ``keys_fd`` gave) between writes.

    A failure of the player (no audio device, an early exit) stops the deck, and the
    render's next ``write``, or ``finish``, raises it.
    """

    def __init__(self, command: PlayerCommand, rate: int, clock: PlaybackClock,
                 keys_fd: int | None = None, on_keys: Callable[[bytes], None] = lambda keys: None,
                 on_tick: Callable[[], None] = lambda: None) -> None:
        self.command, self.rate, self.clock = command, rate, clock
        self.keys_fd, self.on_keys, self.on_tick = keys_fd, on_keys, on_tick
        self.tape = tempfile.TemporaryFile(prefix="article-tts-tape-")  # noqa: SIM115
        self.end = 0  # bytes on the tape
        self.fed = 0  # where the player's input is, in bytes of the tape
        self.complete = False  # every byte is on the tape
        self.input_closed: int | None = None  # bytes left unread when the player's input ended
        self.paused = False
        self.player: AudioPlayer | None = None
        self.failure: Exception | None = None
        self.ended = threading.Event()
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self.run, name="deck", daemon=True)

    def __enter__(self) -> Deck:
        self.player = AudioPlayer(self.command, self.rate).__enter__()
        self.thread.start()
        return self

    # The render's side (the main thread, or the tempo's).

    def write(self, pcm: bytes) -> None:
        """Put audio on the tape; wait while the player is far behind."""
        with self.changed:
            os.pwrite(self.tape.fileno(), pcm, self.end)
            self.end += len(pcm)
            self.changed.notify_all()
            while (self.end - self.fed > self.bytes_at(AHEAD_S * 1000) and self.failure is None
                   and not self.ended.is_set()):
                self.changed.wait(TICK_S)
        self.raise_failure()

    def finish(self) -> None:
        """No more audio: wait until the player has played it all (keys still work)."""
        with self.changed:
            self.complete = True
            self.changed.notify_all()
        while not self.ended.wait(TICK_S):
            pass
        self.raise_failure()

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    # The deck's thread.

    def run(self) -> None:
        try:
            while not self.ended.is_set():
                self.step()
        except Exception as exc:  # raised in the render's thread by write or finish
            self.failure = exc
        finally:
            self.ended.set()
            with self.changed:
                self.changed.notify_all()

    def step(self) -> None:
        """Wait for a key or room in the player's pipe; feed it; see whether it ended."""
        player = self.player
        assert player is not None and player.process is not None
        feeding = not self.paused and self.fed < self.end and self.input_closed is None
        readers = [self.keys_fd] if self.keys_fd is not None else []
        writers = [player.process.stdin] if feeding and player.process.stdin else []
        ready, room, _ = select.select(readers, writers, [], TICK_S)
        if ready and self.keys_fd is not None:
            keys = os.read(self.keys_fd, 64)
            if keys:
                self.on_keys(keys)
            else:  # the terminal went away: play on without keys
                self.keys_fd = None
        if room and player is self.player:
            self.feed(player)
        self.end_input(player)
        self.on_tick()

    def feed(self, player: AudioPlayer) -> None:
        size = min(FEED_BYTES, self.end - self.fed)
        block = os.pread(self.tape.fileno(), size, self.fed)
        self.clock.sending(self.ms_at(self.fed + len(block)))
        player.write(block)
        with self.changed:
            self.fed += len(block)
            self.changed.notify_all()

    def end_input(self, player: AudioPlayer) -> None:
        """Close the player's input once it has read the whole tape; done once it exits."""
        if player is not self.player or player.process is None:
            return
        code = player.process.poll()
        at_end = self.complete and self.fed == self.end
        if self.input_closed is None and at_end and (code is not None or player.unread_bytes() == 0):
            self.input_closed = player.unread_bytes()
            player.close_input()
        if code is None:
            return
        if self.input_closed is None:
            raise player.stopped_early()
        player.check_exit(code, self.input_closed)
        self.ended.set()

    # Controls, called from on_keys (the deck's thread).

    def toggle_pause(self) -> None:
        assert self.player is not None
        self.paused = not self.paused
        if self.paused:
            self.player.pause()
            self.clock.pause()
        else:
            self.player.resume()
            self.clock.resume()

    def jump(self, to_ms: int) -> None:
        """Play from ``to_ms`` (within what is on the tape) with a new player."""
        target = min(max(0, self.bytes_at(to_ms)), self.end)
        if self.player is not None:
            self.player.__exit__(None, None, None)
        self.paused, self.input_closed = False, None
        self.clock.restart(self.ms_at(target))
        self.player = AudioPlayer(self.command, self.rate).__enter__()
        with self.changed:
            self.fed = target
            self.changed.notify_all()

    def bytes_at(self, ms: float) -> int:
        return int(ms * self.rate / 1000) * SAMPLE_WIDTH

    def ms_at(self, offset: int) -> int:
        return offset // SAMPLE_WIDTH * 1000 // self.rate

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.ended.set()
        self.thread.join(timeout=1)
        if self.player is not None:
            self.player.__exit__(kind, exc, tb)
        self.tape.close()
